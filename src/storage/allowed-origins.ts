/**
 * The origins a storage location's requests may go to, and the guard every transport applies
 * before it sends one (docs/csp.md, "The origin guard").
 *
 * The page's Content-Security-Policy can only say `connect-src 'self' https:`: buckets are the
 * person's own, added at run time, and a static policy cannot name them. This is the other half:
 * a transport is made from one configured location (a BucketDescriptor, index.ts transportFor) and
 * sends a request only to that location's own origin, derived here from its settings alone. A URL
 * the app did not build itself (an answer, a future bug) that points anywhere else is refused with
 * `bucket.origin-refused` before a byte is sent. The one origin not known in advance is the
 * storage behind an organisation's presign endpoint: the endpoint names it in each signed URL
 * (https:, or http: on this computer, presign-endpoint/protocol.ts), so there the organisation's
 * endpoint is what the person configured (docs/presign-endpoint.md counts it as one provider).
 *
 * No DOM: transports run in workers, on the page and in Node.
 */
import { TransferError } from './transfer/transport.js';

/**
 * The origin of an S3-compatible bucket's requests: its endpoint's origin with path addressing,
 * `<bucket>.<endpoint host>` with virtual-hosted addressing (s3/config.ts objectUrl builds its
 * URLs the same way). `endpoint` and `bucket` must be valid (validateS3Config).
 */
export function s3BucketOrigin(config: { readonly endpoint: string; readonly bucket: string; readonly addressing: 'path' | 'virtual-hosted' }): string {
  const endpoint = new URL(config.endpoint);
  return config.addressing === 'path' ? endpoint.origin : new URL(`${endpoint.protocol}//${config.bucket}.${endpoint.host}`).origin;
}

/** The origin of an Azure container's requests: its SAS URL's. */
export function azureContainerOrigin(containerUrl: string): string {
  return new URL(containerUrl).origin;
}

/**
 * Throws a fatal `bucket.origin-refused` TransferError unless `url`'s origin is one of `allowed`.
 * The message names the origin refused (an origin carries no credential: never a path or query).
 */
export function assertAllowedOrigin(url: URL, allowed: readonly string[], what: string): void {
  if (allowed.includes(url.origin)) return;
  throw new TransferError(
    'fatal',
    'bucket.origin-refused',
    `${what}: Tessera refused to send a request to ${url.origin.slice(0, 120)}, which is not this storage location's address (${allowed.join(', ').slice(0, 240)})`,
    0,
  );
}
