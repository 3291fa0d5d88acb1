/**
 * ObjectTransport for a bucket the user's organisation signs for: every operation first asks the
 * organisation's presign endpoint for a signed request (`POST <endpoint>/presign`, JSON; protocol
 * in docs/presign-endpoint.md), then sends it straight to the storage with the S3 transport's HTTP
 * exchange, error mapping and Content-MD5. The endpoint sees object names, sizes and digests,
 * never a byte of an object; the storage key never reaches this realm.
 *
 * Signed GET URLs are kept per key while they have more than a minute left (ranged reads of one
 * object need one signature, not one per range); `invalidateSignatures` drops them. Everything
 * else is signed for one request. One request per call, never a retry: the fetcher decides.
 */
import { assertBytes, assertInteger } from '../../core/assert.js';
import { assertObjectKey } from '../s3/config.js';
import { parseS3Error, s3NetworkError, s3ResponseError } from '../s3/errors.js';
import { abortError, diagnoseNoResponse, isBrowserRealm, NoResponse, realmOrigin, sendRequest, type HttpRequest, type HttpResponse } from '../s3/http.js';
import { contentMd5, S3_LIMITS } from '../s3/transport.js';
import { escapeXmlText, xmlBlocks, xmlRoot, xmlText } from '../s3/xml.js';
import type { TransportExtensions } from '../transfer/extensions.js';
import { TransferError, type ObjectTransport, type PartRecord, type RequestOptions, type TransferLimits } from '../transfer/transport.js';
import { presignUrl, validatePresignEndpointConfig, type PresignEndpointConfig } from './config.js';
import { endpointError, endpointUnreachable, parseSignedAnswer, type PresignRequestBody, type SignedRequest } from './protocol.js';

export interface PresignEndpointTransportOptions {
  /** Lifetime asked for each URL, default 900 s (15 minutes); the endpoint may refuse a longer one. */
  readonly expiresSeconds?: number;
  /** Narrower limits than S3's, if the organisation's storage has them. */
  readonly limits?: Partial<TransferLimits>;
  /** This device's clock, ms since 1970 (default Date.now). */
  readonly now?: () => number;
}

/** A cached GET URL is used only while it has at least this long left. */
const REUSE_MARGIN_MS = 60_000;

function assertContentType(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`contentType must be a string, got ${typeof value}`);
  if (!/^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/.test(value)) throw new RangeError('contentType must be 1 to 256 printable ASCII characters without leading or trailing spaces');
}

function assertUploadId(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`uploadId must be a string, got ${typeof value}`);
  if (!/^[\x21-\x7e]{1,1024}$/.test(value)) throw new RangeError('uploadId must be 1 to 1024 printable characters without spaces');
}

type Fields = Omit<PresignRequestBody, 'bucket' | 'expiresSeconds'>;

/** A signed request, with where the endpoint's clock stood against this device's when it signed. */
interface Signature extends SignedRequest {
  /** Endpoint clock minus device clock, ms (latency included: good to a second or so). */
  readonly offsetMs: number;
}

interface Exchange {
  readonly fields: Fields;
  readonly read: HttpRequest['read'];
  readonly body?: Uint8Array;
  /** Sent but not signed (Range). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly options: RequestOptions | undefined;
  /** Reuse (and keep) the signed GET of this key. */
  readonly reuse?: boolean;
}

interface SignedResponse extends HttpResponse {
  readonly signature: Signature;
  /** On the endpoint's clock. */
  readonly receivedAt: number;
}

export class PresignEndpointTransport implements ObjectTransport, TransportExtensions {
  readonly bucketId: string;
  readonly limits: TransferLimits;
  readonly #config: PresignEndpointConfig;
  readonly #presignUrl: URL;
  readonly #expiresSeconds: number;
  readonly #now: () => number;
  readonly #gets = new Map<string, Signature>();

  constructor(config: PresignEndpointConfig, options: PresignEndpointTransportOptions = {}) {
    this.#config = { ...validatePresignEndpointConfig(config) };
    this.#presignUrl = presignUrl(this.#config);
    this.bucketId = config.bucketId;
    this.limits = { ...S3_LIMITS, ...options.limits };
    assertInteger(this.limits.minPartSize, 'limits.minPartSize', 1, S3_LIMITS.maxPartSize);
    assertInteger(this.limits.maxPartSize, 'limits.maxPartSize', this.limits.minPartSize, S3_LIMITS.maxPartSize);
    assertInteger(this.limits.singlePutLimit, 'limits.singlePutLimit', 0, S3_LIMITS.maxPartSize);
    assertInteger(this.limits.maxParts, 'limits.maxParts', 1, S3_LIMITS.maxParts);
    this.#expiresSeconds = options.expiresSeconds ?? 900;
    assertInteger(this.#expiresSeconds, 'expiresSeconds', 1, 604_800);
    this.#now = options.now ?? Date.now;
  }

  async putObject(key: string, body: Uint8Array, options: RequestOptions & { readonly contentType: string }): Promise<void> {
    assertObjectKey(key);
    assertBytes(body, 'body');
    assertContentType(options.contentType);
    if (body.length > this.limits.singlePutLimit) {
      throw new RangeError(`body: ${body.length} bytes is over this bucket's single-request limit of ${this.limits.singlePutLimit}: upload it in parts`);
    }
    this.#gets.delete(key);
    const fields: Fields = { operation: 'put', key, contentType: options.contentType, contentMd5: contentMd5(body), size: body.length };
    const response = await this.#exchange('upload', { fields, body, read: 'text', options });
    if (response.status !== 200) this.#fail('upload', response);
  }

  async createMultipart(key: string, options: RequestOptions & { readonly contentType: string }): Promise<string> {
    assertObjectKey(key);
    assertContentType(options.contentType);
    const what = 'start a large upload';
    const response = await this.#exchange(what, { fields: { operation: 'create-multipart', key, contentType: options.contentType }, read: 'text', options });
    if (response.status !== 200) this.#fail(what, response);
    const uploadId = xmlText(response.text, 'UploadId');
    if (uploadId === undefined || uploadId === '') throw new TransferError('fatal', 'bucket.failed', `${what}: the storage answered without an upload id`, response.status);
    return uploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, options?: RequestOptions): Promise<string> {
    assertObjectKey(key);
    assertUploadId(uploadId);
    assertInteger(partNumber, 'partNumber', 1, this.limits.maxParts);
    assertBytes(body, 'body');
    if (body.length > this.limits.maxPartSize) throw new RangeError(`body: a part may hold at most ${this.limits.maxPartSize} bytes, got ${body.length}`);
    const what = `upload part ${partNumber}`;
    const fields: Fields = { operation: 'upload-part', key, uploadId, partNumber, contentMd5: contentMd5(body), size: body.length };
    const response = await this.#exchange(what, { fields, body, read: 'text', options });
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
    const what = 'list uploaded parts';
    const parts: PartRecord[] = [];
    let marker: number | undefined;
    for (let page = 0; page < 100; page++) {
      const fields: Fields = { operation: 'list-parts', key, uploadId, ...(marker !== undefined ? { partNumberMarker: marker } : {}) };
      const response = await this.#exchange(what, { fields, read: 'text', options });
      if (response.status !== 200) this.#fail(what, response);
      for (const block of xmlBlocks(response.text, 'Part')) {
        const partNumber = Number(xmlText(block, 'PartNumber'));
        const size = Number(xmlText(block, 'Size'));
        const etag = xmlText(block, 'ETag') ?? '';
        if (!Number.isSafeInteger(partNumber) || partNumber < 1 || !Number.isSafeInteger(size) || size < 0 || etag === '') {
          throw new TransferError('fatal', 'bucket.failed', `${what}: the storage sent a part list Tessera cannot read`, response.status);
        }
        parts.push({ partNumber, etag, size });
      }
      const next = Number(xmlText(response.text, 'NextPartNumberMarker'));
      if (xmlText(response.text, 'IsTruncated') !== 'true' || !Number.isSafeInteger(next)) break;
      marker = next;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(key: string, uploadId: string, parts: readonly PartRecord[], options: RequestOptions & { readonly contentType: string }): Promise<void> {
    assertObjectKey(key);
    assertUploadId(uploadId);
    this.#assertPartList(parts);
    const xml =
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      parts.map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escapeXmlText(part.etag)}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    const body = new TextEncoder().encode(xml);
    const what = 'finish a large upload';
    this.#gets.delete(key);
    const fields: Fields = { operation: 'complete-multipart', key, uploadId, contentMd5: contentMd5(body) };
    const response = await this.#exchange(what, { fields, body, read: 'text', options });
    if (response.status === 404 && parseS3Error(response.text)?.code === 'NoSuchUpload') {
      // A retried complete whose first answer was lost finds no upload: the object tells whether it went through.
      const total = parts.reduce((sum, part) => sum + part.size, 0);
      if ((await this.head(key, options))?.size === total) return;
    }
    if (response.status !== 200) this.#fail(what, response);
    const root = xmlRoot(response.text);
    if (root === 'Error') this.#fail(what, response);
    if (root !== 'CompleteMultipartUploadResult') {
      throw new TransferError('retry', 'bucket.unavailable', `${what}: the storage's answer was cut short or unreadable`, response.status);
    }
  }

  async abortMultipart(key: string, uploadId: string, options?: RequestOptions): Promise<void> {
    assertObjectKey(key);
    assertUploadId(uploadId);
    const what = 'drop an unfinished upload';
    const response = await this.#exchange(what, { fields: { operation: 'abort-multipart', key, uploadId }, read: 'text', options });
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
    const response = await this.#exchange(what, {
      fields: { operation: 'get', key },
      headers: { range: `bytes=${offset}-${offset + length - 1}` },
      read: 'bytes',
      options,
      reuse: true,
    });
    if (response.status === 416) return new Uint8Array(0);
    if (response.status === 200) return response.bytes.slice(offset, offset + length);
    if (response.status !== 206) this.#fail(what, response);
    const bytes = response.bytes;
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
    const response = await this.#exchange(what, { fields: { operation: 'head', key }, read: 'none', options });
    if (response.status === 200) {
      const size = Number(response.headers.get('content-length') ?? 'NaN');
      if (!Number.isSafeInteger(size) || size < 0) throw new TransferError('fatal', 'bucket.failed', `${what}: the storage did not give the object's size`, 200);
      return { size };
    }
    // A HEAD answer has no body, so no S3 error code: a one-byte GET's error names the cause.
    const diagnosis = await this.#exchange(what, { fields: { operation: 'get', key }, headers: { range: 'bytes=0-0' }, read: 'none', options, reuse: true });
    if (diagnosis.status === 404 && parseS3Error(diagnosis.text)?.code === 'NoSuchKey') return null;
    this.#fail(what, diagnosis.text !== '' ? diagnosis : response);
  }

  async deleteObject(key: string, options?: RequestOptions): Promise<void> {
    assertObjectKey(key);
    const what = 'delete';
    this.#gets.delete(key);
    const response = await this.#exchange(what, { fields: { operation: 'delete', key }, read: 'text', options });
    if (response.status === 204 || response.status === 200) return;
    if (response.status === 404 && parseS3Error(response.text)?.code === 'NoSuchKey') return;
    this.#fail(what, response);
  }

  /** Ids of the unfinished multipart uploads of exactly `key` (ListMultipartUploads, signed by the endpoint). */
  async listUploads(key: string, options?: RequestOptions): Promise<readonly string[]> {
    assertObjectKey(key);
    const what = 'list unfinished uploads';
    const ids: string[] = [];
    let markers: Fields = { operation: 'list-uploads', key };
    for (let page = 0; page < 100; page++) {
      const response = await this.#exchange(what, { fields: markers, read: 'text', options });
      if (response.status !== 200) this.#fail(what, response);
      for (const block of xmlBlocks(response.text, 'Upload')) {
        const id = xmlText(block, 'UploadId');
        if (xmlText(block, 'Key') === key && id !== undefined && id !== '') ids.push(id);
      }
      const keyMarker = xmlText(response.text, 'NextKeyMarker');
      const uploadIdMarker = xmlText(response.text, 'NextUploadIdMarker');
      if (xmlText(response.text, 'IsTruncated') !== 'true' || keyMarker === undefined || uploadIdMarker === undefined) break;
      markers = { operation: 'list-uploads', key, keyMarker, uploadIdMarker };
    }
    return ids;
  }

  /** Objects under `prefix` (`tessera/` or `tessera/<record id>/`: the endpoint lists nothing else). */
  async listObjects(prefix: string, options?: RequestOptions): Promise<readonly { readonly key: string; readonly size: number }[]> {
    if (typeof prefix !== 'string') throw new TypeError(`prefix must be a string, got ${typeof prefix}`);
    const what = 'list objects';
    const objects: { key: string; size: number }[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const fields: Fields = { operation: 'list-objects', prefix, ...(token !== undefined ? { continuationToken: token } : {}) };
      const response = await this.#exchange(what, { fields, read: 'text', options });
      if (response.status !== 200) this.#fail(what, response);
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

  /** Forgets the kept GET URLs: the next request of every kind asks the endpoint afresh. */
  invalidateSignatures(): void {
    this.#gets.clear();
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

  /** Asks the endpoint to sign one request (or reuses a kept GET URL). */
  async #sign(what: string, fields: Fields, signal: AbortSignal | undefined, reuse = false): Promise<Signature> {
    const kept = reuse && fields.key !== undefined ? this.#gets.get(fields.key) : undefined;
    if (kept !== undefined && kept.expiresAt - (this.#now() + kept.offsetMs) > REUSE_MARGIN_MS) return kept;
    const asked: PresignRequestBody = { ...fields, bucket: this.#config.bucket, expiresSeconds: this.#expiresSeconds };
    const auth = this.#config.auth;
    let response: Response;
    try {
      response = await fetch(this.#presignUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth.kind === 'bearer' ? { authorization: `Bearer ${auth.token}` } : {}) },
        body: JSON.stringify(asked),
        credentials: auth.kind === 'cookie' ? 'include' : 'omit',
        cache: 'no-store',
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw endpointUnreachable(what, isBrowserRealm() ? await this.#diagnose(signal) : 'network', realmOrigin(), error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw endpointUnreachable(what, 'network', realmOrigin(), error);
    }
    const status = response.type === 'opaqueredirect' ? 302 : response.status;
    if (status !== 200) throw endpointError(what, status, text, response.headers, auth.kind === 'bearer' ? [auth.token] : []);
    const signed = parseSignedAnswer(what, text, asked);
    const signature: Signature = { ...signed, offsetMs: signed.signedAt - this.#now() };
    if (reuse && fields.key !== undefined) this.#gets.set(fields.key, signature);
    return signature;
  }

  /** Blocked or unreachable? A `no-cors` request gets through to a reachable endpoint whatever its CORS rule. */
  async #diagnose(signal: AbortSignal | undefined): Promise<'network' | 'cors'> {
    try {
      await fetch(this.#presignUrl, { method: 'GET', mode: 'no-cors', credentials: 'omit', cache: 'no-store', signal });
      return 'cors';
    } catch {
      return 'network';
    }
  }

  async #exchange(what: string, exchange: Exchange): Promise<SignedResponse> {
    const signal = exchange.options?.signal;
    const signature = await this.#sign(what, exchange.fields, signal, exchange.reuse);
    const request: HttpRequest = {
      method: signature.method,
      url: signature.url,
      headers: { ...signature.headers, ...exchange.headers },
      body: exchange.body,
      signal,
      onProgress: exchange.options?.onProgress,
      read: exchange.read,
    };
    try {
      const response = await sendRequest(request);
      return { ...response, signature, receivedAt: this.#now() + signature.offsetMs };
    } catch (error) {
      if (!(error instanceof NoResponse)) throw error; // an abort: cancelling is not a failure
      const key = exchange.fields.key ?? 'tessera/probe/00000000000000000000000000000000';
      const probe = async (): Promise<URL> => (await this.#sign(what, { operation: 'list-parts', key, uploadId: 'tessera-cors-probe' }, signal)).url;
      const cause = isBrowserRealm() && !error.answered ? await diagnoseNoResponse(request, probe).catch(() => 'network' as const) : 'network';
      if (signal?.aborted) throw abortError(signal);
      throw s3NetworkError(what, cause, realmOrigin(), error);
    }
  }

  #fail(what: string, response: SignedResponse): never {
    const { signature } = response;
    const failure = s3ResponseError(what, response.status, parseS3Error(response.text), response.headers, {
      redact: this.#config.auth.kind === 'bearer' ? [this.#config.auth.token] : [],
      // On the endpoint's clock: the storage's Date against when the endpoint signed, and for how long.
      signing: { signedAt: signature.signedAt, expiresSeconds: (signature.expiresAt - signature.signedAt) / 1000, receivedAt: response.receivedAt },
    });
    if (failure.code === 'bucket.clock-skew') {
      // The signature's time is the endpoint's, not this device's.
      throw new TransferError(
        'fatal',
        'bucket.clock-skew',
        `${what}: the organisation's signing service and the storage disagree on the time by more than 15 minutes: tell the organisation's IT department (HTTP ${response.status}).`,
        response.status,
      );
    }
    throw failure;
  }
}

/** The transport for one bucket reached through an organisation's presign endpoint. */
export function createPresignEndpointTransport(config: PresignEndpointConfig, options?: PresignEndpointTransportOptions): PresignEndpointTransport {
  return new PresignEndpointTransport(config, options);
}
