/**
 * The S3 transport's signer for a bucket the user's organisation signs for: each request the
 * transport would sign is asked of the organisation's presign endpoint instead (`POST
 * <endpoint>/presign`, JSON; protocol in docs/presign-endpoint.md, mapping from S3 requests to
 * protocol operations here). The endpoint sees object names, sizes and digests, never a byte of an
 * object; the storage key never reaches this realm.
 *
 * Signed GET URLs are kept per key while they have more than a minute left (ranged reads of one
 * object need one signature, not one per range); writing or deleting the key, or `invalidate`, drops
 * them. Everything else is signed for one request.
 */
import { abortError, isBrowserRealm, realmOrigin } from '../s3/http.js';
import type { S3RequestSigner, SignedS3Request, SigningRequest } from '../s3/transport.js';
import { TransferError } from '../transfer/transport.js';
import { presignUrl, type PresignEndpointConfig } from './config.js';
import { endpointError, endpointUnreachable, parseSignedAnswer, type PresignRequestBody } from './protocol.js';

/** A cached GET URL is used only while it has at least this long left. */
const REUSE_MARGIN_MS = 60_000;

type Fields = Omit<PresignRequestBody, 'bucket' | 'expiresSeconds'>;

/** A signed request, with when it expires on the endpoint's clock. */
interface Signature extends SignedS3Request {
  readonly expiresAt: number;
}

/** Only the fields that have a value: the endpoint takes absent and undefined alike, JSON drops undefined, but the record stays tidy. */
function defined(fields: Record<string, string | number | undefined>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string | number] => entry[1] !== undefined));
}

/**
 * The protocol operation for a request as the S3 transport builds it (method, key, query, bound
 * headers): the endpoint signs operations, not arbitrary URLs.
 */
function protocolFields(request: SigningRequest): Fields {
  const { method, key, query = {}, signedHeaders = {} } = request;
  const has = (name: string): boolean => Object.hasOwn(query, name);
  const contentType = signedHeaders['content-type'];
  const contentMd5 = signedHeaders['content-md5'];
  const size = request.size;
  let fields: Record<string, string | number | undefined> | undefined;
  if (key === undefined) {
    if (method === 'GET' && has('uploads')) {
      fields = { operation: 'list-uploads', key: query['prefix'], keyMarker: query['key-marker'], uploadIdMarker: query['upload-id-marker'] };
    } else if (method === 'GET' && query['list-type'] === '2') {
      fields = { operation: 'list-objects', prefix: query['prefix'], continuationToken: query['continuation-token'] };
    }
  } else if (has('uploads')) {
    if (method === 'POST') fields = { operation: 'create-multipart', key, contentType };
  } else if (has('uploadId')) {
    const uploadId = query['uploadId'];
    const marker = query['part-number-marker'];
    if (method === 'PUT') fields = { operation: 'upload-part', key, uploadId, partNumber: Number(query['partNumber']), contentMd5, size };
    // The bound Content-Type of a complete (application/xml) is the protocol's own, not asked.
    if (method === 'POST') fields = { operation: 'complete-multipart', key, uploadId, contentMd5 };
    if (method === 'GET') fields = { operation: 'list-parts', key, uploadId, partNumberMarker: marker === undefined ? undefined : Number(marker) };
    if (method === 'DELETE') fields = { operation: 'abort-multipart', key, uploadId };
  } else if (method === 'PUT') {
    fields = { operation: 'put', key, contentType, contentMd5, size };
  } else if (method === 'GET' || method === 'HEAD' || method === 'DELETE') {
    fields = { operation: method === 'GET' ? 'get' : method === 'HEAD' ? 'head' : 'delete', key };
  }
  const numbers = [fields?.['partNumber'], fields?.['partNumberMarker']];
  if (fields === undefined || numbers.some((value) => value !== undefined && !Number.isSafeInteger(value))) {
    throw new TransferError('fatal', 'bucket.failed', `${request.what}: the organisation's signing service has no operation for this request`, 0);
  }
  return defined(fields) as unknown as Fields;
}

export class PresignEndpointSigner implements S3RequestSigner {
  readonly clockSkewAdvice = "the organisation's signing service and the storage disagree on the time by more than 15 minutes: tell the organisation's IT department";
  readonly secrets: readonly string[];
  readonly #config: PresignEndpointConfig;
  readonly #presignUrl: URL;
  readonly #now: () => number;
  readonly #gets = new Map<string, Signature>();

  /** `config` must already be validated (validatePresignEndpointConfig) and not change. */
  constructor(config: PresignEndpointConfig, now: () => number) {
    this.#config = config;
    this.#presignUrl = presignUrl(config);
    this.#now = now;
    this.secrets = config.auth.kind === 'bearer' ? [config.auth.token] : [];
  }

  invalidate(): void {
    this.#gets.clear();
  }

  async sign(request: SigningRequest): Promise<SignedS3Request> {
    const fields = protocolFields(request);
    const { what, signal } = request;
    const key = fields.key;
    const reuse = fields.operation === 'get' && key !== undefined;
    // A kept GET URL would read whatever is there now, but is dropped anyway once the object changes.
    if (key !== undefined && (fields.operation === 'put' || fields.operation === 'complete-multipart' || fields.operation === 'delete')) this.#gets.delete(key);
    const kept = reuse ? this.#gets.get(key) : undefined;
    if (kept !== undefined && kept.expiresAt - (this.#now() + kept.clockOffsetMs) > REUSE_MARGIN_MS) return kept;
    const asked: PresignRequestBody = { ...fields, bucket: this.#config.bucket, expiresSeconds: request.expiresSeconds };
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
    if (status !== 200) throw endpointError(what, status, text, response.headers, this.secrets);
    const signed = parseSignedAnswer(what, text, asked);
    const signature: Signature = {
      url: signed.url,
      headers: signed.headers,
      signedAt: signed.signedAt,
      expiresAt: signed.expiresAt,
      expiresSeconds: (signed.expiresAt - signed.signedAt) / 1000,
      // Latency included: good to a second or so.
      clockOffsetMs: signed.signedAt - this.#now(),
    };
    if (reuse) this.#gets.set(key, signature);
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
}
