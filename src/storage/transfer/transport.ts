/**
 * The wire operations of one bucket of a real object store, as the uploader and the downloader use
 * them. Three transports implement it: S3-compatible (src/storage/s3, SigV4 presigned in the
 * browser), Azure Blob (src/storage/azure, a container SAS) and an organisation's presign endpoint
 * (src/storage/presign-endpoint). The uploader (state: parts, concurrency, journal, progress) and
 * the fetcher (policy: retries, back-off, stalls, re-signing) sit above and never see a URL scheme;
 * a transport never retries on its own.
 *
 * No DOM: transports run in workers, on the page and in Node (tests), with `fetch` (and, where
 * upload progress is wanted and the realm has it, XMLHttpRequest).
 */

/** Limits of the store's multipart (S3) or block (Azure) upload. */
export interface TransferLimits {
  /** Objects up to this size go in one request; larger ones in parts. */
  readonly singlePutLimit: number;
  /** Smallest part but the last (S3: 5 MiB). */
  readonly minPartSize: number;
  /** Largest part (S3: 5 GiB; Azure block: 4000 MiB). */
  readonly maxPartSize: number;
  /** Most parts in one object (S3: 10,000; Azure: 50,000 blocks). */
  readonly maxParts: number;
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Bytes of the body sent so far, as they go (where the realm can tell); feeds stall detection. */
  readonly onProgress?: (sent: number) => void;
}

export interface PartRecord {
  /** 1-based, in order. */
  readonly partNumber: number;
  /** S3: the part's ETag as the server returned it; Azure: the block id. */
  readonly etag: string;
  readonly size: number;
}

export interface ObjectTransport {
  /** Stable id of the bucket (as in the catalog). */
  readonly bucketId: string;
  readonly limits: TransferLimits;
  /** One request; the integrity header (Content-MD5 / CRC64) is computed and sent by the transport. */
  putObject(key: string, body: Uint8Array, options: RequestOptions & { readonly contentType: string }): Promise<void>;
  /** Starts a multipart upload; returns its id (Azure: an id the transport makes its block ids from). */
  createMultipart(key: string, options: RequestOptions & { readonly contentType: string }): Promise<string>;
  /** One part, with its integrity header; returns what completing needs (ETag / block id). */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, options?: RequestOptions): Promise<string>;
  /** The parts the store holds for an upload (to resume after a reload). */
  listParts(key: string, uploadId: string, options?: RequestOptions): Promise<readonly PartRecord[]>;
  completeMultipart(key: string, uploadId: string, parts: readonly PartRecord[], options: RequestOptions & { readonly contentType: string }): Promise<void>;
  /** Drops an unfinished upload and its parts; succeeds if there is nothing to drop. */
  abortMultipart(key: string, uploadId: string, options?: RequestOptions): Promise<void>;
  /** Exactly `length` bytes from `offset` (fewer only at the end of the object). */
  getRange(key: string, offset: number, length: number, options?: RequestOptions): Promise<Uint8Array>;
  /** Size of the object, or null if there is none. */
  head(key: string, options?: RequestOptions): Promise<{ readonly size: number } | null>;
  /** Succeeds if the object does not exist. */
  deleteObject(key: string, options?: RequestOptions): Promise<void>;
}

/**
 * How a failed request should be handled, decided by the transport from the response (status, XML
 * or JSON error body, headers) or the network error:
 * - `retry`: 5xx, 429, S3 SlowDown, a reset or refused connection, a truncated body, a stall;
 * - `resign`: the signature or URL expired (re-signed once, then it is `fatal`);
 * - `fatal`: everything else, with a specific code and plain words (never retried).
 */
export type FailureKind = 'retry' | 'resign' | 'fatal';

/** Specific causes a person can act on; the bucket set-up screen explains each. */
export const TRANSFER_FAILURE_CODES = [
  'bucket.cors', // the browser blocked the response: CORS rule missing or wrong
  'bucket.auth', // wrong key / signature does not match
  'bucket.permission', // the key may not do this
  'bucket.clock-skew', // this device's clock is off
  'bucket.expired', // a presigned URL or SAS expired
  'bucket.no-such-bucket', // bucket or container missing, or wrong region / endpoint
  'bucket.not-found', // the object is missing
  'bucket.integrity', // the server says the body does not match its digest
  'bucket.unavailable', // 5xx / 429 / network, after the retries
  'bucket.stalled', // no progress for too long, after the retries
  'bucket.origin-refused', // a request to an origin that is not the location's own was not sent (allowed-origins.ts)
  'bucket.failed', // anything else the store refused
] as const;
export type TransferFailureCode = (typeof TRANSFER_FAILURE_CODES)[number];

export class TransferError extends Error {
  override readonly name = 'TransferError';
  constructor(
    readonly kind: FailureKind,
    readonly code: TransferFailureCode,
    message: string,
    /** HTTP status, 0 for a network error. */
    readonly status: number,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(`[${code}] ${message}`, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /** How long the server asked to wait before trying again (Retry-After), when it said. */
  readonly retryAfterMs?: number;
}
