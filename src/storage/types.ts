import type { ByteSink, ByteSource } from '../core/io.js';

/**
 * What every bucket backend implements: the embedded demo buckets now, S3-compatible, Azure Blob and
 * an organisation's presign endpoint later. Keys are opaque object names chosen by the caller and
 * never carry anything about a patient. No DOM: backends run in workers, on the page (which deletes
 * a record's shares) and in Node alike, so use only what every realm has. The demo buckets read and
 * write through OPFS sync access handles in a worker, and through writable streams and Blob slices
 * on the page.
 *
 * Errors are TesseraError with codes bucket.offline, bucket.not-found, bucket.failed.
 */
export interface Bucket {
  /** Stable id, used in the catalog to say where a share went. */
  readonly id: string;
  /** Name shown to people ("Demo cloud 1 — Blue"). */
  readonly label: string;

  /** Streaming upload: bytes are appended through the sink; the object appears when it is closed. */
  openWriter(key: string, options?: { readonly contentType?: string; readonly signal?: AbortSignal }): Promise<ByteSink>;
  /** Random-access download of an existing object; bucket.not-found if it is missing. */
  openReader(key: string, options?: { readonly signal?: AbortSignal }): Promise<ByteSource>;
  /** Size of the object, or null if it does not exist. */
  head(key: string): Promise<{ readonly size: number } | null>;
  list(prefix?: string): Promise<readonly { readonly key: string; readonly size: number }[]>;
  delete(key: string): Promise<void>;
}

/** Serializable description of a bucket, as passed to a worker and kept in the catalog. */
export type BucketDescriptor = {
  readonly kind: 'demo';
  readonly id: string;
  readonly label: string;
  /** A switched-off demo bucket refuses every request with bucket.offline. */
  readonly online: boolean;
};
