/**
 * Optional abilities a transport may have beyond `ObjectTransport`, used when present. Each is
 * proposed for transport.ts; until then the transfer layer finds them by duck typing.
 */
import type { ObjectTransport, RequestOptions } from './transport.js';

export interface TransportExtensions {
  /**
   * Ids of the unfinished multipart uploads of exactly `key` (S3 ListMultipartUploads with
   * prefix=key, filtered to the key). Lets the uploader drop an upload whose create request
   * succeeded on the server but whose answer was lost (a retried create leaves it orphaned).
   * Azure needs none: uncommitted blocks vanish when the block list is committed, or after a week.
   */
  listUploads?(key: string, options?: RequestOptions): Promise<readonly string[]>;
  /** Objects under a prefix (S3 ListObjectsV2, Azure List Blobs), for `Bucket.list`. */
  listObjects?(prefix: string, options?: RequestOptions): Promise<readonly { readonly key: string; readonly size: number }[]>;
  /**
   * Forget every presigned URL or signature cached so far: the next call signs afresh (or asks
   * the organisation's presign endpoint for a new URL). Called once after a `resign` failure.
   */
  invalidateSignatures?(): void;
}

export type ExtendedTransport = ObjectTransport & TransportExtensions;
