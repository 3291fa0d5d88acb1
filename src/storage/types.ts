import type { ByteSink, ByteSource } from '../core/io.js';
import type { S3BucketConfig } from './s3/config.js';
import type { S3Provider } from './s3/presets.js';

/**
 * What every bucket backend implements: the embedded demo buckets, S3-compatible buckets, Azure
 * Blob containers and buckets an organisation signs for (RemoteBucket over a transport). Keys
 * are opaque object names chosen by the caller and never carry anything about a patient. No DOM:
 * backends run in workers, on the page (which deletes a record's shares and tests a location) and
 * in Node alike, so use only what every realm has. The demo buckets read and write through OPFS
 * sync access handles in a worker, and through writable streams and Blob slices on the page.
 *
 * Errors are TesseraError with codes bucket.offline, bucket.not-found, bucket.failed.
 */
export interface Bucket {
  /** Stable id, used in the catalog to say where a share went. */
  readonly id: string;
  /** Name shown to people ("Demo cloud 1 — Blue"). */
  readonly label: string;

  /**
   * Streaming upload: bytes are appended through the sink; the object appears when it is closed.
   * `expectedSize`, when the caller knows it (a share's size is), lets a remote bucket choose its
   * part size (and send in one request what fits); then exactly that many bytes must be written.
   */
  openWriter(
    key: string,
    options?: { readonly contentType?: string; readonly signal?: AbortSignal; readonly expectedSize?: number },
  ): Promise<ByteSink>;
  /** Random-access download of an existing object; bucket.not-found if it is missing. */
  openReader(key: string, options?: { readonly signal?: AbortSignal }): Promise<ByteSource>;
  /** Size of the object, or null if it does not exist. */
  head(key: string): Promise<{ readonly size: number } | null>;
  list(prefix?: string): Promise<readonly { readonly key: string; readonly size: number }[]>;
  delete(key: string): Promise<void>;
}

interface DescriptorBase {
  readonly id: string;
  readonly label: string;
  /** A switched-off bucket refuses every request with bucket.offline: the app neither writes nor reads it. */
  readonly online: boolean;
}

/** One of the five storage locations inside this browser (demo-bucket.ts). */
export interface DemoBucketDescriptor extends DescriptorBase {
  readonly kind: 'demo';
  /**
   * A presenter made it slow (demo-faults.ts): every call waits SLOW_DEMO_CALL_DELAY_MS and bytes
   * move at SLOW_DEMO_BYTES_PER_SECOND at most. Absent means false.
   */
  readonly slow?: boolean;
}

/**
 * One bucket of an S3-compatible store, with the user's key (s3/config.ts S3BucketConfig, whose
 * `bucketId` is `id`). WARNING: `secretAccessKey` is a credential. A descriptor carrying it lives
 * only in the page's memory and in a job's message to a worker: never in the catalog, a log or a
 * message.
 */
export interface S3BucketDescriptor extends DescriptorBase, Omit<S3BucketConfig, 'bucketId'> {
  readonly kind: 's3';
  /** The preset it was set up with: its limits (presets.ts) and CORS rule apply. */
  readonly provider: S3Provider;
}

/** One Azure Blob container. WARNING: the SAS URL is a bearer credential, kept like an S3 secret. */
export interface AzureBucketDescriptor extends DescriptorBase {
  readonly kind: 'azure';
  /** `https://<account>.blob.core.windows.net/<container>?sv=…&sr=c&sig=…` */
  readonly containerSasUrl: string;
}

/**
 * One bucket an organisation signs for through its presign endpoint (presign-endpoint/config.ts).
 * WARNING: `token` is a bearer credential, kept like an S3 secret: session only, never in the
 * catalog, a log or a message.
 */
export interface PresignEndpointBucketDescriptor extends DescriptorBase {
  readonly kind: 'presign-endpoint';
  /** Base URL of the organisation's signing service: `https://presign.hospital.example/tessera`. */
  readonly endpoint: string;
  /** The bucket id the organisation configured at its endpoint. */
  readonly bucket: string;
  readonly token: string;
}

/**
 * Serializable description of a bucket, as passed to a worker (structured clone: plain data only).
 * The catalog keeps only its `id`.
 */
export type BucketDescriptor = DemoBucketDescriptor | S3BucketDescriptor | AzureBucketDescriptor | PresignEndpointBucketDescriptor;
