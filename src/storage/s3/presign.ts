/**
 * SigV4 query-string presigning (AWS, "Authenticating Requests: Using Query Parameters (AWS
 * Signature Version 4)"), done where the key is: in the browser. The signing itself is aws4fetch's
 * AwsV4Signer; this module decides what is signed.
 *
 * What a presigned URL binds: the method, the host, the path (bucket and key), every query
 * parameter (uploadId, partNumber, X-Amz-Expires…) and the headers given here — for a PUT or an
 * UploadPart, `content-type` and `content-md5`, so the URL cannot carry other content than the body
 * it was made for (a server recomputes the MD5 and refuses a mismatch). The payload itself is
 * `UNSIGNED-PAYLOAD`, as in every presigned S3 URL; Content-MD5 is what ties the bytes.
 *
 * aws4fetch leaves `content-type` (and `range`) out of the signature unless `allHeaders` is set, so
 * it is set, and only the headers to bind are passed in.
 */
import { AwsV4Signer } from 'aws4fetch';
import { assertExpires, assertObjectKey, objectUrl, validateS3Config, type S3BucketConfig } from './config.js';

export interface PresignRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Object key, or undefined for a request on the bucket (ListMultipartUploads, ListObjectsV2). */
  readonly key: string | undefined;
  readonly query?: Readonly<Record<string, string>>;
  /** Headers bound into the signature; the request must then send exactly these values. Names in lower case. */
  readonly signedHeaders?: Readonly<Record<string, string>>;
  /** Seconds the URL stays valid, 1 to 604800. */
  readonly expiresSeconds: number;
  /** The signing time (default now); a clock known to be off can be corrected here. */
  readonly date?: Date;
}

/** `20130524T000000Z` */
function amzDate(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TypeError('date must be a valid Date');
  return date.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/**
 * A presigned URL for one request. The secret goes only into the HMAC: the URL carries the access
 * key id (in X-Amz-Credential) and the signature, nothing else of the credentials.
 */
export async function presignS3Request(config: S3BucketConfig, request: PresignRequest): Promise<URL> {
  validateS3Config(config);
  if (request.key !== undefined) assertObjectKey(request.key);
  assertExpires(request.expiresSeconds);
  const headers = request.signedHeaders ?? {};
  for (const name of Object.keys(headers)) {
    if (name !== name.toLowerCase() || name === 'host') throw new RangeError(`signedHeaders: expected lower-case names other than host, got "${name}"`);
  }
  const url = objectUrl(config, request.key, request.query);
  url.searchParams.set('X-Amz-Expires', String(request.expiresSeconds));
  const signer = new AwsV4Signer({
    method: request.method,
    url: url.href,
    headers,
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    service: 's3',
    region: config.region,
    datetime: amzDate(request.date ?? new Date()),
    signQuery: true,
    allHeaders: true,
  });
  const signed = await signer.sign();
  return signed.url;
}
