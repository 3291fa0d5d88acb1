/**
 * ObjectTransport for one S3-compatible bucket: every request presigned in this realm (presign.ts)
 * with the user's own key — or, when a signer is given, by someone else who holds the key (an
 * organisation's presign endpoint) — and sent with fetch (or XHR when upload progress is wanted).
 * One request per call, never a retry: a failure becomes a TransferError whose kind the fetcher
 * acts on (errors.ts).
 *
 * S3 API reference for each call: PutObject, CreateMultipartUpload, UploadPart, ListParts,
 * CompleteMultipartUpload, AbortMultipartUpload, GetObject (Range), HeadObject, DeleteObject, and
 * for the extensions ListMultipartUploads and ListObjectsV2.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { assertBytes, assertInteger } from '../../core/assert.js';
import { assertAllowedOrigin, s3BucketOrigin } from '../allowed-origins.js';
import type { TransportExtensions } from '../transfer/extensions.js';
import { TransferError, type ObjectTransport, type PartRecord, type RequestOptions, type TransferLimits } from '../transfer/transport.js';
import { assertExpires, assertObjectKey, validateS3Config, type S3BucketConfig } from './config.js';
import { parseS3Error, s3NetworkError, s3ResponseError } from './errors.js';
import { abortError, diagnoseNoResponse, isBrowserRealm, NoResponse, realmOrigin, sendRequest, type HttpRequest, type HttpResponse } from './http.js';
import { presignS3Request, type PresignRequest } from './presign.js';
import { escapeXmlText, xmlBlocks, xmlRoot, xmlText } from './xml.js';

const MiB = 1024 * 1024;

/**
 * S3's multipart limits ("Amazon S3 multipart upload limits"): parts of 5 MiB to 5 GiB, the last
 * one smaller, at most 10,000. A single PUT may reach 5 GiB, but the whole body is then one
 * request held in memory and lost on a cut: Tessera sends objects above 16 MiB in parts.
 */
export const S3_LIMITS: TransferLimits = {
  singlePutLimit: 16 * MiB,
  minPartSize: 5 * MiB,
  maxPartSize: 5 * 1024 * MiB,
  maxParts: 10_000,
};

/** One request to sign: what presignS3Request takes, and what a remote signer also needs to know. */
export interface SigningRequest extends Omit<PresignRequest, 'date'> {
  /** What the request is for, in a person's words ("upload part 3"), for the signer's own errors. */
  readonly what: string;
  /** Bytes of the body to be sent, if any (for a signer that enforces size limits). */
  readonly size?: number;
  readonly signal?: AbortSignal;
}

/** A signed request: send exactly `headers` (the signature covers them) to `url`. */
export interface SignedS3Request {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** When it was signed, ms since 1970 on the signer's clock. */
  readonly signedAt: number;
  readonly expiresSeconds: number;
  /** The signer's clock minus this device's, ms (0 when signed here). */
  readonly clockOffsetMs: number;
}

/**
 * Signs requests where the storage key is, when it is not in this realm. The transport then needs
 * no key: it asks `sign` before each request and reads the answer as it would its own.
 */
export interface S3RequestSigner {
  /** Signs one request; throws a TransferError when the signer refuses or cannot be reached. */
  sign(request: SigningRequest): Promise<SignedS3Request>;
  /** Forgets any signature kept for reuse (called by S3Transport.invalidateSignatures). */
  invalidate(): void;
  /** What to tell a person when the storage refuses the signing time: the signer's clock, not this device's, is off. */
  readonly clockSkewAdvice: string;
  /** Strings never to repeat in an error message (a bearer token). */
  readonly secrets: readonly string[];
}

/** The bucket a signer signs for: only its catalog id, the signer knows the rest. */
export interface SignedBucketConfig {
  readonly bucketId: string;
}

export interface S3TransportOptions {
  /** Lifetime of each presigned URL, 1 s to 7 days; default 15 minutes (each URL is used at once). */
  readonly expiresSeconds?: number;
  /** Narrower limits for a provider (presets.ts); each must stay within S3's. */
  readonly limits?: Partial<TransferLimits>;
  /** The signing clock, ms since 1970 (default Date.now): lets a known clock offset be corrected. */
  readonly now?: () => number;
  /** Signs every request instead of presignS3Request (the config then needs only bucketId). */
  readonly signer?: S3RequestSigner;
  /**
   * With a signer: the origins its URLs may point to (allowed-origins.ts). Without one, an
   * organisation's endpoint names its storage in each URL it signs, and any it names is used.
   * Signing here, the bucket's own origin, always.
   */
  readonly allowedOrigins?: readonly string[];
}

/** base64 of the MD5 of `body`, as Content-MD5 wants it (RFC 1864). WebCrypto has no MD5. */
export function contentMd5(body: Uint8Array): string {
  let binary = '';
  for (const byte of md5(body)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function assertContentType(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`contentType must be a string, got ${typeof value}`);
  if (!/^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/.test(value)) {
    throw new RangeError(`contentType must be 1 to 256 printable ASCII characters without leading or trailing spaces, got "${value.slice(0, 60)}"`);
  }
}

function assertUploadId(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`uploadId must be a string, got ${typeof value}`);
  // eslint-disable-next-line no-control-regex
  if (value.length < 1 || value.length > 1024 || /[\u0000-\u001f\u007f]/.test(value)) throw new RangeError('uploadId must be 1 to 1024 characters without control characters');
}

function resolveLimits(overrides: Partial<TransferLimits> | undefined): TransferLimits {
  const limits = { ...S3_LIMITS, ...overrides };
  assertInteger(limits.minPartSize, 'limits.minPartSize', 1, S3_LIMITS.maxPartSize);
  assertInteger(limits.maxPartSize, 'limits.maxPartSize', limits.minPartSize, S3_LIMITS.maxPartSize);
  assertInteger(limits.singlePutLimit, 'limits.singlePutLimit', 0, S3_LIMITS.maxPartSize);
  assertInteger(limits.maxParts, 'limits.maxParts', 1, S3_LIMITS.maxParts);
  return limits;
}

interface Exchange {
  readonly method: PresignRequest['method'];
  readonly key: string | undefined;
  readonly query?: Readonly<Record<string, string>>;
  readonly signedHeaders?: Readonly<Record<string, string>>;
  /** Sent but not signed (Range: some stores refuse a signed one, and it binds nothing worth binding). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly read: HttpRequest['read'];
  readonly options: RequestOptions | undefined;
}

/** An answer, with when its URL was signed, for how long, and when the answer came, on the signing clock. */
interface TimedResponse extends HttpResponse {
  readonly signedAt: number;
  readonly expiresSeconds: number;
  readonly receivedAt: number;
}

/** The key a CORS probe is signed for when the request names none (a listing): one any signer's policy allows. */
const PROBE_KEY = 'tessera/probe/00000000000000000000000000000000';

export class S3Transport implements ObjectTransport, TransportExtensions {
  readonly bucketId: string;
  readonly limits: TransferLimits;
  readonly #signer: S3RequestSigner;
  readonly #expiresSeconds: number;
  readonly #now: () => number;
  /** Where requests may go; undefined: wherever the signer says (an organisation's endpoint). */
  readonly #allowedOrigins: readonly string[] | undefined;

  constructor(config: S3BucketConfig, options?: S3TransportOptions);
  constructor(config: SignedBucketConfig, options: S3TransportOptions & { readonly signer: S3RequestSigner });
  constructor(config: S3BucketConfig | SignedBucketConfig, options: S3TransportOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.#expiresSeconds = options.expiresSeconds ?? 900;
    assertExpires(this.#expiresSeconds);
    this.#now = options.now ?? Date.now;
    if (options.signer !== undefined) {
      if (typeof config !== 'object' || config === null || typeof config.bucketId !== 'string' || config.bucketId === '') {
        throw new TypeError('config.bucketId must be a non-empty string');
      }
      this.#signer = options.signer;
      this.#allowedOrigins = options.allowedOrigins;
    } else {
      // A copy, so that a caller cannot change the keys under a running upload.
      const valid = { ...validateS3Config(config as S3BucketConfig) };
      this.#signer = localSigner(valid, this.#now);
      this.#allowedOrigins = [s3BucketOrigin(valid)];
    }
    this.bucketId = config.bucketId;
  }

  async putObject(key: string, body: Uint8Array, options: RequestOptions & { readonly contentType: string }): Promise<void> {
    assertObjectKey(key);
    assertBytes(body, 'body');
    assertContentType(options.contentType);
    if (body.length > this.limits.singlePutLimit) {
      throw new RangeError(`body: ${body.length} bytes is over this bucket's single-request limit of ${this.limits.singlePutLimit}: upload it in parts`);
    }
    const signedHeaders = { 'content-type': options.contentType, 'content-md5': contentMd5(body) };
    const response = await this.#exchange('upload', { method: 'PUT', key, signedHeaders, body, read: 'text', options });
    if (response.status !== 200) this.#fail('upload', response);
  }

  async createMultipart(key: string, options: RequestOptions & { readonly contentType: string }): Promise<string> {
    assertObjectKey(key);
    assertContentType(options.contentType);
    const response = await this.#exchange('start a large upload', {
      method: 'POST',
      key,
      query: { uploads: '' },
      signedHeaders: { 'content-type': options.contentType },
      read: 'text',
      options,
    });
    if (response.status !== 200) this.#fail('start a large upload', response);
    const uploadId = xmlText(response.text, 'UploadId');
    if (uploadId === undefined || uploadId === '') {
      throw new TransferError('fatal', 'bucket.failed', 'start a large upload: the storage answered without an upload id', response.status);
    }
    return uploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, options?: RequestOptions): Promise<string> {
    assertObjectKey(key);
    assertUploadId(uploadId);
    assertInteger(partNumber, 'partNumber', 1, this.limits.maxParts);
    assertBytes(body, 'body');
    if (body.length > this.limits.maxPartSize) throw new RangeError(`body: a part may hold at most ${this.limits.maxPartSize} bytes, got ${body.length}`);
    const what = `upload part ${partNumber}`;
    const response = await this.#exchange(what, {
      method: 'PUT',
      key,
      query: { partNumber: String(partNumber), uploadId },
      signedHeaders: { 'content-md5': contentMd5(body) },
      body,
      read: 'text',
      options,
    });
    if (response.status !== 200) this.#fail(what, response);
    const etag = response.headers.get('etag');
    if (etag === null || etag === '') {
      if (isBrowserRealm()) throw s3NetworkError(what, 'etag-hidden', realmOrigin());
      throw new TransferError('fatal', 'bucket.failed', `${what}: the storage answered without an ETag`, response.status);
    }
    return etag;
  }

  async listParts(key: string, uploadId: string, options?: RequestOptions): Promise<readonly PartRecord[]> {
    assertObjectKey(key);
    assertUploadId(uploadId);
    const parts: PartRecord[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 100; page++) {
      const query: Record<string, string> = { uploadId, 'max-parts': '1000' };
      if (marker !== undefined) query['part-number-marker'] = marker;
      const response = await this.#exchange('list uploaded parts', { method: 'GET', key, query, read: 'text', options });
      if (response.status !== 200) this.#fail('list uploaded parts', response);
      for (const block of xmlBlocks(response.text, 'Part')) {
        const partNumber = Number(xmlText(block, 'PartNumber'));
        const size = Number(xmlText(block, 'Size'));
        const etag = xmlText(block, 'ETag') ?? '';
        if (!Number.isSafeInteger(partNumber) || partNumber < 1 || !Number.isSafeInteger(size) || size < 0 || etag === '') {
          throw new TransferError('fatal', 'bucket.failed', 'list uploaded parts: the storage sent a part list Tessera cannot read', response.status);
        }
        parts.push({ partNumber, etag, size });
      }
      marker = xmlText(response.text, 'NextPartNumberMarker');
      if (xmlText(response.text, 'IsTruncated') !== 'true' || marker === undefined) break;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(
    key: string,
    uploadId: string,
    parts: readonly PartRecord[],
    options: RequestOptions & { readonly contentType: string },
  ): Promise<void> {
    assertObjectKey(key);
    assertUploadId(uploadId);
    this.#assertPartList(parts);
    const xml =
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      parts.map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escapeXmlText(part.etag)}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    const body = new TextEncoder().encode(xml);
    const what = 'finish a large upload';
    const response = await this.#exchange(what, {
      method: 'POST',
      key,
      query: { uploadId },
      signedHeaders: { 'content-type': 'application/xml', 'content-md5': contentMd5(body) },
      body,
      read: 'text',
      options,
    });
    if (response.status === 404 && parseS3Error(response.text)?.code === 'NoSuchUpload') {
      // A retried complete whose first answer was lost finds no upload: the object tells whether it went through.
      const total = parts.reduce((sum, part) => sum + part.size, 0);
      if ((await this.head(key, options))?.size === total) return;
    }
    if (response.status !== 200) this.#fail(what, response);
    // S3 may answer 200 and still report an error in the body. RGW's answer has an empty <ETag>
    // (an RGW bug): nothing here reads it; the object's size is checked by whoever needs it, with HEAD.
    const root = xmlRoot(response.text);
    if (root === 'Error') this.#fail(what, response);
    if (root !== 'CompleteMultipartUploadResult') {
      throw new TransferError('retry', 'bucket.unavailable', `${what}: the storage's answer was cut short or unreadable`, response.status);
    }
    // options.contentType is not sent: S3 took it when the upload was started.
  }

  async abortMultipart(key: string, uploadId: string, options?: RequestOptions): Promise<void> {
    assertObjectKey(key);
    assertUploadId(uploadId);
    const what = 'drop an unfinished upload';
    const response = await this.#exchange(what, { method: 'DELETE', key, query: { uploadId }, read: 'text', options });
    if (response.status === 204 || response.status === 200) return;
    if (response.status === 404 && parseS3Error(response.text)?.code === 'NoSuchUpload') return;
    this.#fail(what, response);
  }

  async getRange(key: string, offset: number, length: number, options?: RequestOptions): Promise<Uint8Array> {
    assertObjectKey(key);
    assertInteger(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    assertInteger(length, 'length', 0, Number.MAX_SAFE_INTEGER);
    if (length === 0) return new Uint8Array(0);
    const what = 'download';
    const response = await this.#exchange(what, { method: 'GET', key, headers: { range: `bytes=${offset}-${offset + length - 1}` }, read: 'bytes', options });
    if (response.status === 416) return new Uint8Array(0); // the range starts at or after the end
    if (response.status === 200) return response.bytes.slice(offset, offset + length); // the server ignored Range
    if (response.status !== 206) this.#fail(what, response);
    const bytes = response.bytes;
    // Content-Range is readable in a browser only if the CORS rule exposes it; when it is, check it.
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (range !== null) {
      const [first, last] = [Number(range[1]), Number(range[2])];
      if (first !== offset || last - first + 1 !== bytes.length || bytes.length > length) {
        throw new TransferError('retry', 'bucket.unavailable', `${what}: the storage sent another range than asked or cut it short`, response.status);
      }
    } else if (bytes.length > length) {
      throw new TransferError('retry', 'bucket.unavailable', `${what}: the storage sent more bytes than asked`, response.status);
    }
    return bytes;
  }

  async head(key: string, options?: RequestOptions): Promise<{ readonly size: number } | null> {
    assertObjectKey(key);
    const what = 'look up';
    const response = await this.#exchange(what, { method: 'HEAD', key, read: 'none', options });
    if (response.status === 200) {
      const size = Number(response.headers.get('content-length') ?? 'NaN');
      if (!Number.isSafeInteger(size) || size < 0) throw new TransferError('fatal', 'bucket.failed', `${what}: the storage did not give the object's size`, 200);
      return { size };
    }
    // An answer to HEAD has no body, so no S3 error code: a missing object and a missing bucket are
    // both a bare 404, a wrong key and a missing permission both a bare 403. Ask again with a
    // one-byte GET, whose error answer names the cause.
    const diagnosis = await this.#exchange(what, { method: 'GET', key, headers: { range: 'bytes=0-0' }, read: 'none', options });
    if (diagnosis.status === 404 && parseS3Error(diagnosis.text)?.code === 'NoSuchKey') return null;
    this.#fail(what, diagnosis.text !== '' ? diagnosis : response);
  }

  async deleteObject(key: string, options?: RequestOptions): Promise<void> {
    assertObjectKey(key);
    const what = 'delete';
    const response = await this.#exchange(what, { method: 'DELETE', key, read: 'text', options });
    if (response.status === 204 || response.status === 200) return;
    if (response.status === 404 && parseS3Error(response.text)?.code === 'NoSuchKey') return;
    this.#fail(what, response);
  }

  /** Ids of the unfinished multipart uploads of exactly `key` (ListMultipartUploads). */
  async listUploads(key: string, options?: RequestOptions): Promise<readonly string[]> {
    assertObjectKey(key);
    const ids: string[] = [];
    let markers: Record<string, string> = {};
    for (let page = 0; page < 100; page++) {
      const response = await this.#exchange('list unfinished uploads', {
        method: 'GET',
        key: undefined,
        query: { uploads: '', prefix: key, 'max-uploads': '1000', ...markers },
        read: 'text',
        options,
      });
      if (response.status !== 200) this.#fail('list unfinished uploads', response);
      for (const block of xmlBlocks(response.text, 'Upload')) {
        const id = xmlText(block, 'UploadId');
        if (xmlText(block, 'Key') === key && id !== undefined && id !== '') ids.push(id);
      }
      const nextKey = xmlText(response.text, 'NextKeyMarker');
      const nextId = xmlText(response.text, 'NextUploadIdMarker');
      if (xmlText(response.text, 'IsTruncated') !== 'true' || nextKey === undefined || nextId === undefined) break;
      markers = { 'key-marker': nextKey, 'upload-id-marker': nextId };
    }
    return ids;
  }

  /** Objects whose key starts with `prefix` (ListObjectsV2). */
  async listObjects(prefix: string, options?: RequestOptions): Promise<readonly { readonly key: string; readonly size: number }[]> {
    if (typeof prefix !== 'string') throw new TypeError(`prefix must be a string, got ${typeof prefix}`);
    const objects: { key: string; size: number }[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const query: Record<string, string> = { 'list-type': '2', prefix, 'max-keys': '1000' };
      if (token !== undefined) query['continuation-token'] = token;
      const response = await this.#exchange('list objects', { method: 'GET', key: undefined, query, read: 'text', options });
      if (response.status !== 200) this.#fail('list objects', response);
      for (const block of xmlBlocks(response.text, 'Contents')) {
        const key = xmlText(block, 'Key');
        const size = Number(xmlText(block, 'Size'));
        if (key !== undefined && Number.isSafeInteger(size)) objects.push({ key, size });
      }
      token = xmlText(response.text, 'NextContinuationToken');
      if (xmlText(response.text, 'IsTruncated') !== 'true' || token === undefined) break;
    }
    return objects;
  }

  /** Forgets the signer's kept signatures; signed here, there are none: each request is signed just before it is sent. */
  invalidateSignatures(): void {
    this.#signer.invalidate();
  }

  #assertPartList(parts: readonly PartRecord[]): void {
    if (!Array.isArray(parts)) throw new TypeError('parts must be an array');
    if (parts.length < 1 || parts.length > this.limits.maxParts) throw new RangeError(`parts: expected 1 to ${this.limits.maxParts} parts, got ${parts.length}`);
    parts.forEach((part, index) => {
      assertInteger(part.partNumber, `parts[${index}].partNumber`, index === 0 ? 1 : parts[index - 1]!.partNumber + 1, this.limits.maxParts);
      assertInteger(part.size, `parts[${index}].size`, 0, this.limits.maxPartSize);
      if (typeof part.etag !== 'string' || part.etag === '') throw new TypeError(`parts[${index}].etag must be a non-empty string`);
      if (index < parts.length - 1 && part.size < this.limits.minPartSize) {
        throw new RangeError(`parts[${index}].size: every part but the last must hold at least ${this.limits.minPartSize} bytes, got ${part.size}`);
      }
    });
  }

  async #exchange(what: string, exchange: Exchange): Promise<TimedResponse> {
    const signal = exchange.options?.signal;
    const signed = await this.#signer.sign({
      what,
      method: exchange.method,
      key: exchange.key,
      query: exchange.query,
      signedHeaders: exchange.signedHeaders,
      expiresSeconds: this.#expiresSeconds,
      size: exchange.body?.length,
      signal,
    });
    this.#assertOrigin(signed.url, what);
    const request: HttpRequest = {
      method: exchange.method,
      url: signed.url,
      headers: { ...signed.headers, ...exchange.headers },
      body: exchange.body,
      signal,
      onProgress: exchange.options?.onProgress,
      read: exchange.read,
    };
    try {
      const response = await sendRequest(request);
      return { ...response, signedAt: signed.signedAt, expiresSeconds: signed.expiresSeconds, receivedAt: this.#now() + signed.clockOffsetMs };
    } catch (error) {
      if (!(error instanceof NoResponse)) throw error; // an abort: cancelling is not a failure
      const probe = async (): Promise<URL> => {
        const { url } = await this.#signer.sign({
          what,
          method: 'GET',
          key: exchange.key ?? PROBE_KEY,
          query: { uploadId: 'tessera-cors-probe' },
          expiresSeconds: this.#expiresSeconds,
          signal,
        });
        this.#assertOrigin(url, what);
        return url;
      };
      const cause = isBrowserRealm() && !error.answered ? await diagnoseNoResponse(request, probe).catch(() => 'network' as const) : 'network';
      if (request.signal?.aborted) throw abortError(request.signal);
      throw s3NetworkError(what, cause, realmOrigin(), error);
    }
  }

  /** bucket.origin-refused for a URL outside this bucket's origins (allowed-origins.ts); the diagnosis probes stay on the request's origin. */
  #assertOrigin(url: URL, what: string): void {
    if (this.#allowedOrigins !== undefined) assertAllowedOrigin(url, this.#allowedOrigins, what);
  }

  #fail(what: string, response: TimedResponse): never {
    const failure = s3ResponseError(what, response.status, parseS3Error(response.text), response.headers, {
      redact: this.#signer.secrets,
      signing: { signedAt: response.signedAt, expiresSeconds: response.expiresSeconds, receivedAt: response.receivedAt },
    });
    if (failure.code === 'bucket.clock-skew' && this.#signer.clockSkewAdvice !== '') {
      throw new TransferError('fatal', 'bucket.clock-skew', `${what}: ${this.#signer.clockSkewAdvice} (HTTP ${response.status}).`, response.status);
    }
    throw failure;
  }
}

/** Signs in this realm with the user's own key; the signing clock is `now`. */
function localSigner(config: S3BucketConfig, now: () => number): S3RequestSigner {
  return {
    async sign(request) {
      const signedAt = now();
      const url = await presignS3Request(config, {
        method: request.method,
        key: request.key,
        query: request.query,
        signedHeaders: request.signedHeaders,
        expiresSeconds: request.expiresSeconds,
        date: new Date(signedAt),
      });
      return { url, headers: request.signedHeaders ?? {}, signedAt, expiresSeconds: request.expiresSeconds, clockOffsetMs: 0 };
    },
    invalidate() {},
    // s3ResponseError's own words (this device's clock) are right.
    clockSkewAdvice: '',
    secrets: [config.secretAccessKey],
  };
}

/** The transport for one configured bucket. */
export function createS3Transport(config: S3BucketConfig, options?: S3TransportOptions): S3Transport {
  return new S3Transport(config, options);
}
