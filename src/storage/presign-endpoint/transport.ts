/**
 * ObjectTransport for a bucket the user's organisation signs for: the S3 transport (requests,
 * answers, error mapping, Content-MD5) with the organisation's presign endpoint as its signer
 * (signer.ts). One request per call, never a retry: the fetcher decides.
 */
import { S3Transport } from '../s3/transport.js';
import type { TransferLimits } from '../transfer/transport.js';
import { validatePresignEndpointConfig, type PresignEndpointConfig } from './config.js';
import { PresignEndpointSigner } from './signer.js';

export interface PresignEndpointTransportOptions {
  /** Lifetime asked for each URL, default 900 s (15 minutes); the endpoint may refuse a longer one. */
  readonly expiresSeconds?: number;
  /** Narrower limits than S3's, if the organisation's storage has them. */
  readonly limits?: Partial<TransferLimits>;
  /** This device's clock, ms since 1970 (default Date.now). */
  readonly now?: () => number;
}

export class PresignEndpointTransport extends S3Transport {
  constructor(config: PresignEndpointConfig, options: PresignEndpointTransportOptions = {}) {
    // A copy, so that a caller cannot change the token under a running upload.
    const valid = { ...validatePresignEndpointConfig(config) };
    const now = options.now ?? Date.now;
    super({ bucketId: valid.bucketId }, { ...options, now, signer: new PresignEndpointSigner(valid, now) });
  }
}

/** The transport for one bucket reached through an organisation's presign endpoint. */
export function createPresignEndpointTransport(config: PresignEndpointConfig, options?: PresignEndpointTransportOptions): PresignEndpointTransport {
  return new PresignEndpointTransport(config, options);
}
