/**
 * The CORS rule a storage account's Blob service needs so that this app, at `origin`, can use a
 * container from the browser: what the set-up screen shows and docs/azure.md explains, and what the
 * browser test sets on Azurite, so that the rule shown is the rule proven to work.
 *
 * CORS rules belong to the storage account's Blob service, not to a container ("Cross-Origin
 * Resource Sharing (CORS) support for Azure Storage"; at most five rules per service).
 */
export interface AzureCorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  /** Request headers the transport sends beyond the CORS-safelisted ones. */
  readonly allowedHeaders: readonly string[];
  /** Response headers the transport reads beyond the CORS-safelisted ones. */
  readonly exposedHeaders: readonly string[];
  readonly maxAgeInSeconds: number;
}

export function azureCorsRule(origin: string): AzureCorsRule {
  if (typeof origin !== 'string') throw new TypeError(`origin must be a string, got ${typeof origin}`);
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
    throw new RangeError(`origin must be an origin such as https://tessera.example.org (no path, no trailing slash), got ${JSON.stringify(origin)}`);
  }
  return {
    allowedOrigins: [origin],
    allowedMethods: ['GET', 'HEAD', 'PUT', 'DELETE'],
    allowedHeaders: ['content-md5', 'x-ms-blob-content-type', 'x-ms-blob-type', 'x-ms-range', 'x-ms-version'],
    // content-range: to check a ranged read; x-ms-error-code: the only error detail a HEAD has;
    // etag and x-ms-request-id: for messages and support requests.
    exposedHeaders: ['content-range', 'etag', 'x-ms-error-code', 'x-ms-request-id'],
    maxAgeInSeconds: 3600,
  };
}
