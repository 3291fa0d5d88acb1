/**
 * From an S3 answer (status, XML error body, headers) or a network failure to a TransferError whose
 * `kind` tells the fetcher what to do and whose `code` tells a person what is wrong. S3's codes:
 * "Error Responses" in the Amazon S3 API reference; RGW and the other stores use the same names.
 *
 * Messages never carry a URL (it holds the signature and the access key id), nor the secret.
 */
import { TransferError, type FailureKind, type TransferFailureCode } from '../transfer/transport.js';
import { xmlRoot, xmlText } from './xml.js';

/** The fields of an S3 `<Error>` document that Tessera reads. */
export interface S3ErrorBody {
  readonly code?: string;
  readonly message?: string;
  /** AuthorizationHeaderMalformed names the region the bucket is really in. */
  readonly region?: string;
  /** PermanentRedirect names the endpoint to use. */
  readonly endpoint?: string;
  readonly requestId?: string;
}

export function parseS3Error(xml: string): S3ErrorBody | undefined {
  if (xmlRoot(xml) !== 'Error') return undefined;
  const pick = (name: string): string | undefined => {
    const value = xmlText(xml, name)?.trim();
    return value === undefined || value === '' ? undefined : value.slice(0, 300);
  };
  return { code: pick('Code'), message: pick('Message'), region: pick('Region'), endpoint: pick('Endpoint'), requestId: pick('RequestId') };
}

/** A TransferError with the wait the server asked for (Retry-After), read by the fetcher. */
export type S3TransferError = TransferError & { readonly retryAfterMs?: number };

interface Classified {
  readonly kind: FailureKind;
  readonly code: TransferFailureCode;
  readonly words: string;
}

const RETRY_CODES = new Set(['SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'OperationAborted', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequests']);
const AUTH_CODES = new Set(['SignatureDoesNotMatch', 'InvalidAccessKeyId', 'InvalidToken', 'AuthorizationQueryParametersError', 'InvalidSecurity', 'CredentialsNotSupported']);
const PERMISSION_CODES = new Set(['AccessDenied', 'AllAccessDisabled', 'AccountProblem', 'NotSignedUp', 'InvalidPayer']);
const WHERE_CODES = new Set(['NoSuchBucket', 'PermanentRedirect', 'TemporaryRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'InvalidBucketName', 'InvalidRegion']);
const INTEGRITY_CODES = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'InvalidPart', 'IncompleteBody']);

/** When the refused URL was signed and its answer came (signing clock), and how long it was valid. */
export interface SigningTimes {
  readonly signedAt: number;
  readonly expiresSeconds: number;
  readonly receivedAt: number;
}

/** S3 refuses a request whose time is more than 15 minutes off its own (RequestTimeTooSkewed). */
const MAX_SKEW_MS = 15 * 60_000;

function skewWords(skewMs: number): string {
  const minutes = Math.round(Math.abs(skewMs) / 60_000);
  const span = minutes >= 120 ? `${Math.round(minutes / 60)} hours` : `${minutes} minutes`;
  return `This device's clock is ${span} ${skewMs > 0 ? 'behind' : 'ahead of'} the storage's: set the date and time to automatic, then try again.`;
}

/**
 * A 403 without a telling code (RGW says only AccessDenied for an expired URL, with no message):
 * the answer's Date, against the signing clock, tells an expired URL and a wrong clock apart.
 * In a browser Date is readable only if the CORS rule exposes it; otherwise undefined.
 */
function classifyByTime(headers: Headers | undefined, signing: SigningTimes | undefined): Classified | undefined {
  const serverTime = Date.parse(headers?.get('date') ?? '');
  if (signing === undefined || !Number.isFinite(serverTime)) return undefined;
  // The server's Date has whole seconds: allow one second either way.
  const skewMs = serverTime - signing.receivedAt;
  if (Math.abs(skewMs) > MAX_SKEW_MS) return { kind: 'fatal', code: 'bucket.clock-skew', words: skewWords(skewMs) };
  if (serverTime > signing.signedAt + signing.expiresSeconds * 1000 + 1000) {
    return { kind: 'resign', code: 'bucket.expired', words: 'The signed link expired before the request reached the storage.' };
  }
  return undefined;
}

function classify(status: number, body: S3ErrorBody | undefined, headers: Headers | undefined, signing: SigningTimes | undefined): Classified {
  const code = body?.code;
  const message = body?.message ?? '';
  if (code === 'ExpiredToken' || code === 'TokenRefreshRequired' || /request has expired/i.test(message)) {
    return { kind: 'resign', code: 'bucket.expired', words: 'The signed link expired before the request reached the storage.' };
  }
  if (code === 'RequestTimeTooSkewed' || /not (yet )?valid yet|request is not valid/i.test(message)) {
    const byTime = classifyByTime(headers, signing);
    return {
      kind: 'fatal',
      code: 'bucket.clock-skew',
      words:
        byTime?.code === 'bucket.clock-skew'
          ? byTime.words
          : "This device's clock is too far from the storage's clock (more than 15 minutes): set the date and time to automatic, then try again.",
    };
  }
  if (status === 403 && (code === undefined || code === 'AccessDenied')) {
    const byTime = classifyByTime(headers, signing);
    if (byTime !== undefined) return byTime;
  }
  if ((code !== undefined && RETRY_CODES.has(code)) || status >= 500 || status === 429) {
    return { kind: 'retry', code: 'bucket.unavailable', words: 'The storage is busy or unavailable for the moment.' };
  }
  if (code !== undefined && AUTH_CODES.has(code)) {
    return {
      kind: 'fatal',
      code: 'bucket.auth',
      words: 'The storage did not accept the key: check the access key id and the secret (and that the key is still active).',
    };
  }
  if (code !== undefined && PERMISSION_CODES.has(code)) {
    return { kind: 'fatal', code: 'bucket.permission', words: 'The key is valid but may not do this in this bucket: give it permission to read, write and delete objects there.' };
  }
  if (code !== undefined && WHERE_CODES.has(code)) {
    const region = body?.region !== undefined ? ` (the storage says the bucket is in region ${body.region})` : '';
    const endpoint = body?.endpoint !== undefined ? ` (the storage says to use ${body.endpoint})` : '';
    return {
      kind: 'fatal',
      code: 'bucket.no-such-bucket',
      words: `The bucket was not found at this address: check the bucket name, the region and the endpoint${region}${endpoint}.`,
    };
  }
  if (code !== undefined && INTEGRITY_CODES.has(code)) {
    return { kind: 'fatal', code: 'bucket.integrity', words: 'The storage received different bytes than were sent (their checksum does not match).' };
  }
  if (code === 'NoSuchKey' || code === 'NoSuchUpload') {
    return { kind: 'fatal', code: 'bucket.not-found', words: code === 'NoSuchKey' ? 'The object is not in the bucket.' : 'The unfinished upload is no longer in the bucket.' };
  }
  if (status === 301 || status === 307) {
    return { kind: 'fatal', code: 'bucket.no-such-bucket', words: 'The bucket is not at this address: check the region and the endpoint.' };
  }
  if (status === 403) return { kind: 'fatal', code: 'bucket.permission', words: 'The storage refused access to this bucket.' };
  if (status === 404) return { kind: 'fatal', code: 'bucket.not-found', words: 'The object is not in the bucket.' };
  return { kind: 'fatal', code: 'bucket.failed', words: 'The storage refused the request.' };
}

/** Milliseconds from a Retry-After header (seconds, or an HTTP date), capped at 10 minutes. */
function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const value = headers?.get('retry-after');
  if (value == null) return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), 600_000) : undefined;
}

/**
 * The TransferError for a non-2xx answer to `operation` ("upload part 3"). `redact` lists strings
 * that must not appear in the message whatever the server said (the secret); `signing` lets a bare
 * 403 be read as an expired URL or a wrong clock.
 */
export function s3ResponseError(
  operation: string,
  status: number,
  body: S3ErrorBody | undefined,
  headers: Headers | undefined,
  context: { readonly redact?: readonly string[]; readonly signing?: SigningTimes } = {},
): S3TransferError {
  const classified = classify(status, body, headers, context.signing);
  const server = body?.code !== undefined ? ` (HTTP ${status} ${body.code}${body.message !== undefined ? `: ${body.message}` : ''})` : ` (HTTP ${status})`;
  let message = `${operation}: ${classified.words}${server}`;
  for (const secret of context.redact ?? []) if (secret !== '') message = message.split(secret).join('[redacted]');
  const error: S3TransferError = new TransferError(classified.kind, classified.code, message, status);
  const wait = classified.kind === 'retry' ? retryAfterMs(headers, Date.now()) : undefined;
  if (wait !== undefined) Object.assign(error, { retryAfterMs: wait });
  return error;
}

/** A request that got no answer at all: the network, or the browser hid the answer (CORS). */
export function s3NetworkError(
  operation: string,
  cause: 'network' | 'cors' | 'refused' | 'etag-hidden',
  origin: string | undefined,
  error?: unknown,
): TransferError {
  const site = origin !== undefined ? ` (${origin})` : '';
  switch (cause) {
    case 'cors':
      return new TransferError(
        'fatal',
        'bucket.cors',
        `${operation}: the storage answers, but the browser blocked its answer: the bucket's CORS rule is missing or does not allow this site${site}, ` +
          'its methods (GET, PUT, HEAD, POST, DELETE) or its headers (Content-Type, Content-MD5, Range) — or there is no bucket of this name here. ' +
          'Check the bucket name and paste the CORS rule shown for this provider.',
        0,
        { cause: error },
      );
    case 'refused':
      return new TransferError(
        'fatal',
        'bucket.auth',
        `${operation}: the storage refused the signature without saying why (its refusal carried no CORS headers, so the browser hid it): ` +
          "check the access key id and the secret, and that this device's date and time are right.",
        0,
        { cause: error },
      );
    case 'etag-hidden':
      return new TransferError(
        'fatal',
        'bucket.cors',
        `${operation}: the storage took the part, but its CORS rule hides the ETag header, which large uploads need: add ETag to the rule's exposed headers.`,
        0,
      );
    case 'network':
      return new TransferError('retry', 'bucket.unavailable', `${operation}: the storage could not be reached (network error, or the connection was cut).`, 0, {
        cause: error,
      });
  }
}
