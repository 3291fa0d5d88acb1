/**
 * The presign endpoint's JSON protocol, as the app speaks it (docs/presign-endpoint.md): what is
 * asked, what a signed answer must look like to be used, and the endpoint's own refusals mapped to
 * TransferError kinds and codes. No I/O here.
 */
import { TransferError } from '../transfer/transport.js';
import { assertServiceUrl } from './config.js';

/** Each operation and the HTTP method its signed request must have. */
export const OPERATION_METHODS = {
  put: 'PUT',
  'create-multipart': 'POST',
  'upload-part': 'PUT',
  'list-parts': 'GET',
  'complete-multipart': 'POST',
  'abort-multipart': 'DELETE',
  get: 'GET',
  head: 'HEAD',
  delete: 'DELETE',
  'list-uploads': 'GET',
  'list-objects': 'GET',
} as const;
export type PresignOperation = keyof typeof OPERATION_METHODS;

/** The body of `POST <endpoint>/presign`. Never any byte of an object: names, sizes and digests only. */
export interface PresignRequestBody {
  readonly operation: PresignOperation;
  readonly bucket: string;
  readonly expiresSeconds: number;
  readonly key?: string;
  readonly uploadId?: string;
  readonly partNumber?: number;
  readonly contentType?: string;
  /** base64 MD5 of the body to send (put, upload-part, complete-multipart): the endpoint binds it into the signature. */
  readonly contentMd5?: string;
  /** Bytes of the body to send (put, upload-part), for the organisation's limits. */
  readonly size?: number;
  readonly partNumberMarker?: number;
  readonly keyMarker?: string;
  readonly uploadIdMarker?: string;
  readonly prefix?: string;
  readonly continuationToken?: string;
}

/** A signed request, checked; times in ms on the endpoint's clock. */
export interface SignedRequest {
  readonly url: URL;
  readonly method: string;
  /** Send exactly these (the signature covers them). */
  readonly headers: Readonly<Record<string, string>>;
  readonly signedAt: number;
  readonly expiresAt: number;
}

/** Headers an endpoint may ask the app to send: the bound ones, and S3's own `x-amz-*` (encryption, checksums). */
const ALLOWED_HEADER = /^(?:content-type|content-md5|x-amz-[a-z0-9-]{1,64})$/;

function unreadable(what: string, detail: string): TransferError {
  return new TransferError('fatal', 'bucket.failed', `${what}: the organisation's signing service answered something Tessera cannot use (${detail}).`, 200);
}

/**
 * The signed request in a 200 answer, or a `bucket.failed` TransferError: the method must be the
 * operation's, the headers only allowed names, and every header the app asked to bind (Content-MD5,
 * Content-Type) present with the value asked — so the URL carries no other body than this one.
 */
export function parseSignedAnswer(what: string, text: string, asked: PresignRequestBody): SignedRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unreadable(what, 'not JSON');
  }
  if (typeof json !== 'object' || json === null) throw unreadable(what, 'not a JSON object');
  const { url, method, headers, signedAt, expiresAt } = json as Record<string, unknown>;
  if (typeof url !== 'string') throw unreadable(what, 'no url');
  let parsed: URL;
  try {
    parsed = assertServiceUrl(url, 'url');
  } catch (error) {
    throw unreadable(what, error instanceof Error ? error.message : 'a bad url');
  }
  if (method !== OPERATION_METHODS[asked.operation]) throw unreadable(what, `method ${String(method).slice(0, 10)} for ${asked.operation}`);
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw unreadable(what, 'no headers object');
  const bound: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (!ALLOWED_HEADER.test(name) || typeof value !== 'string' || !/^[\x20-\x7e]{0,1024}$/.test(value)) throw unreadable(what, `header "${name.slice(0, 40)}"`);
    bound[name] = value;
  }
  if (asked.contentMd5 !== undefined && bound['content-md5'] !== asked.contentMd5) throw unreadable(what, 'Content-MD5 not bound as asked');
  if (asked.contentType !== undefined && bound['content-type'] !== asked.contentType) throw unreadable(what, 'Content-Type not bound as asked');
  const signed = typeof signedAt === 'string' ? Date.parse(signedAt) : NaN;
  const expires = typeof expiresAt === 'string' ? Date.parse(expiresAt) : NaN;
  if (!Number.isFinite(signed) || !Number.isFinite(expires) || expires <= signed) throw unreadable(what, 'no valid signedAt / expiresAt');
  return { url: parsed, method: OPERATION_METHODS[asked.operation], headers: bound, signedAt: signed, expiresAt: expires };
}

/** Milliseconds from a Retry-After header (seconds, or an HTTP date), capped at 10 minutes. */
function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), 600_000) : undefined;
}

/**
 * The endpoint's refusal (`{ "error": { "code", "message" } }`, or any non-200 answer) as a
 * TransferError. `redact` lists strings never to repeat (the bearer token), whatever the endpoint said.
 */
export function endpointError(what: string, status: number, text: string, headers: Headers, redact: readonly string[]): TransferError {
  let code: string | undefined;
  let said: string | undefined;
  try {
    const error: unknown = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      const fields = error as { code?: unknown; message?: unknown };
      if (typeof fields.code === 'string') code = fields.code.slice(0, 60);
      if (typeof fields.message === 'string') said = fields.message.slice(0, 300);
    }
  } catch {
    // not JSON (a proxy's page): the status decides
  }
  let detail = `HTTP ${status}${code !== undefined ? ` ${code}` : ''}${said !== undefined ? `: ${said}` : ''}`;
  for (const secret of redact) if (secret !== '') detail = detail.split(secret).join('[redacted]');
  const say = (words: string): string => `${what}: ${words} (organisation's signing service: ${detail})`;
  if (status === 429 || status >= 500 || status === 408) {
    const wait = retryAfterMs(headers, Date.now());
    return new TransferError('retry', 'bucket.unavailable', say("The organisation's signing service is busy or unavailable for the moment."), status, wait !== undefined ? { retryAfterMs: wait } : {});
  }
  if (status === 401 || code === 'unauthenticated') {
    return new TransferError('fatal', 'bucket.auth', say("The organisation's sign-in was refused: sign in to the organisation again, or paste a new token."), status);
  }
  if (status === 404 && code === 'no-such-bucket') {
    return new TransferError('fatal', 'bucket.no-such-bucket', say("The organisation's signing service does not know this bucket: check the bucket id the organisation gave."), status);
  }
  if (status === 403) {
    return new TransferError('fatal', 'bucket.permission', say("The organisation's signing service does not allow this request (its policy refused it)."), status);
  }
  return new TransferError('fatal', 'bucket.failed', say("The organisation's signing service refused the request."), status);
}

/** The endpoint could not be asked at all: the network, or (in a browser) its CORS rule. */
export function endpointUnreachable(what: string, cause: 'network' | 'cors', origin: string | undefined, error: unknown): TransferError {
  if (cause === 'cors') {
    return new TransferError(
      'fatal',
      'bucket.cors',
      `${what}: the organisation's signing service answers, but the browser blocked its answer: its CORS rule does not allow this site${origin !== undefined ? ` (${origin})` : ''}. ` +
        'Ask the organisation to allow this origin, POST, and the headers Authorization and Content-Type.',
      0,
      { cause: error },
    );
  }
  return new TransferError('retry', 'bucket.unavailable', `${what}: the organisation's signing service could not be reached (network error, or the connection was cut).`, 0, { cause: error });
}
