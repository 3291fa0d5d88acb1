/**
 * What a refused or failed Blob service request means for the fetcher (retry, re-sign or give up)
 * and for the person (a TransferError code the set-up screen explains). Error codes are the
 * service's own ("Blob service error codes" and "Common REST API error codes", Azure Storage REST
 * API); they come in the XML body (`<Error><Code>`) or, for HEAD and for bodies the browser hides,
 * in the `x-ms-error-code` header when CORS exposes it.
 *
 * A SAS that was refused is explained from what the service said (`AuthenticationErrorDetail`) and,
 * when it said nothing useful (HEAD has no body; Azurite answers every bad SAS with a bare
 * `AuthorizationFailure`), from the SAS's own start and expiry compared with this device's clock.
 */
import { TransferError, type FailureKind, type TransferFailureCode } from '../transfer/transport.js';
import type { ContainerSas } from './sas.js';
import { redactSas } from './sas.js';
import type { AzureErrorBody } from './xml.js';

/** What the service answered, as far as the realm lets us read it. */
export interface RefusedResponse {
  /** "Put Block", "Get Blob" … (Azure's names for the operations). */
  readonly operation: string;
  readonly status: number;
  /** The error body, or the `x-ms-error-code` header alone for HEAD. */
  readonly error: AzureErrorBody;
  readonly requestId: string | null;
  readonly retryAfter: string | null;
}

/** Clocks further apart than this are called skewed (Azure allows SAS start times 15 min early; we warn sooner). */
const CLOCK_SKEW_TOLERANCE_MS = 5 * 60_000;

/** The permission letters each operation needs ("Create a service SAS": permissions for a container). */
const REQUIRED_PERMISSIONS: Readonly<Record<string, string>> = {
  'Put Blob': 'c or w',
  'Put Block': 'w',
  'Put Block List': 'w',
  'Get Block List': 'r',
  'Get Blob': 'r',
  'Get Blob Properties': 'r',
  'Delete Blob': 'd',
  'List Blobs': 'l',
};

const RETRY_CODES = new Set(['ServerBusy', 'OperationTimedOut', 'InternalError']);
const PERMISSION_CODES = new Set([
  'AuthorizationPermissionMismatch',
  'AuthorizationSourceIPMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'InsufficientAccountPermissions',
]);
const AUTH_CODES = new Set(['AuthenticationFailed', 'AuthorizationFailure', 'NoAuthenticationInformation', 'InvalidAuthenticationInfo']);
const MISSING_CONTAINER_CODES = new Set(['ContainerNotFound', 'ResourceNotFound', 'ContainerBeingDeleted', 'ContainerDisabled']);
const INTEGRITY_CODES = new Set(['Md5Mismatch', 'InvalidMd5', 'Crc64Mismatch', 'InvalidCrc64']);

/** Turns a refused response into the TransferError the fetcher and the set-up screen act on. */
export function refusalError(response: RefusedResponse, sas: ContainerSas, now: number): TransferError {
  const { operation, status, error } = response;
  const code = error.code;
  const where = `Azure ${operation}`;
  const tail = `(${code ?? 'no error code'}, HTTP ${status}${response.requestId ? `, request ${response.requestId}` : ''})`;
  const make = (kind: FailureKind, failure: TransferFailureCode, words: string): TransferError => {
    const transferError = new TransferError(kind, failure, redactSas(`${where}: ${words} ${tail}`), status);
    const retryAfterMs = kind === 'retry' ? parseRetryAfter(response.retryAfter, now) : undefined;
    // Read by the fetcher as a floor on its back-off (fetcher.ts, retryAfterMsOf).
    if (retryAfterMs !== undefined) Object.assign(transferError, { retryAfterMs });
    return transferError;
  };

  if ((code !== undefined && RETRY_CODES.has(code)) || status >= 500 || status === 429 || status === 408) {
    return make('retry', 'bucket.unavailable', 'the storage service is busy or failed; try again later.');
  }
  if (code !== undefined && INTEGRITY_CODES.has(code)) {
    return make('fatal', 'bucket.integrity', 'the service received bytes that do not match their checksum (Content-MD5).');
  }
  if (code !== undefined && PERMISSION_CODES.has(code)) {
    const needs = REQUIRED_PERMISSIONS[operation];
    const grants = sas.permissions === '' ? 'the permissions of its stored access policy' : `"${sas.permissions}"`;
    const why =
      code === 'AuthorizationSourceIPMismatch'
        ? 'the SAS is limited to other IP addresses (sip).'
        : code === 'AuthorizationProtocolMismatch'
          ? 'the SAS is limited to https (spr) and this request was not.'
          : `the SAS does not allow this: it grants ${grants}${needs ? `, this needs ${needs}` : ''}.`;
    return make('fatal', 'bucket.permission', why);
  }
  if (code === 'BlobNotFound') return make('fatal', 'bucket.not-found', 'the object does not exist.');
  if (code !== undefined && MISSING_CONTAINER_CODES.has(code)) {
    return make('fatal', 'bucket.no-such-bucket', 'the container (or the storage account) does not exist; check the SAS URL.');
  }
  if ((code !== undefined && AUTH_CODES.has(code)) || (code === undefined && (status === 403 || status === 401))) {
    return signatureRefusal(make, error.authenticationDetail, sas, now);
  }
  if (code === undefined && status === 404) {
    return make('fatal', 'bucket.not-found', 'the object or the container does not exist.');
  }
  return make('fatal', 'bucket.failed', `the service refused the request${error.message ? `: ${error.message}` : '.'}`);
}

type Make = (kind: FailureKind, failure: TransferFailureCode, words: string) => TransferError;

/**
 * A refused SAS. Azure says why in `AuthenticationErrorDetail`:
 * - "Signed expiry time [X] must be after signed start time [Y]": expired (Y is the service's now
 *   when the SAS has no `st`);
 * - "Signature not valid in the specified time frame: Start [S] - Expiry [E] - Current [C]":
 *   expired, or not valid yet;
 * - "Signature did not match. String to sign used was …": wrong key, edited URL, another
 *   container's SAS.
 * Without a detail, the SAS's own `st` / `se` against this device's clock tell expired and not yet
 * valid apart; anything else is a bad signature.
 */
function signatureRefusal(make: Make, detail: string | undefined, sas: ContainerSas, now: number): TransferError {
  const expired = (expiry: number | undefined, serviceNow: number | undefined): TransferError => {
    const at = expiry === undefined ? '' : ` at ${new Date(expiry).toISOString()}`;
    const skew =
      serviceNow !== undefined && Math.abs(serviceNow - now) > CLOCK_SKEW_TOLERANCE_MS
        ? ` (the service's clock says ${new Date(serviceNow).toISOString()}, this device's ${new Date(now).toISOString()})`
        : '';
    return make('resign', 'bucket.expired', `the SAS expired${at}${skew}; make a new SAS URL for this container.`);
  };
  const notYetValid = (start: number, serviceNow: number | undefined): TransferError => {
    if (serviceNow !== undefined && Math.abs(serviceNow - now) > CLOCK_SKEW_TOLERANCE_MS) {
      return make(
        'fatal',
        'bucket.clock-skew',
        `the SAS is not valid before ${new Date(start).toISOString()} by the service's clock (${new Date(serviceNow).toISOString()}), and this device's clock (${new Date(now).toISOString()}) is far from it; set this device's clock right.`,
      );
    }
    return make(
      'fatal',
      'bucket.auth',
      `the SAS is not valid before ${new Date(start).toISOString()}; wait until then, or make a new SAS URL without a start time (a start time in the future usually means the clock of the computer that made it runs ahead).`,
    );
  };

  if (detail !== undefined) {
    const order = /Signed expiry time \[([^\]]+)\] must be after signed start time \[([^\]]+)\]/i.exec(detail);
    if (order) return expired(parseDate(order[1]!), parseDate(order[2]!));
    const frame = /not valid in the specified time frame: Start \[([^\]]*)\] - Expiry \[([^\]]*)\] - Current \[([^\]]*)\]/i.exec(detail);
    if (frame) {
      const start = parseDate(frame[1]!);
      const expiry = parseDate(frame[2]!);
      const current = parseDate(frame[3]!);
      if (current !== undefined && start !== undefined && current < start) return notYetValid(start, current);
      return expired(expiry, current);
    }
  }
  if (sas.expiresAt !== undefined && sas.expiresAt <= now) return expired(sas.expiresAt, undefined);
  if (sas.startsAt !== undefined && sas.startsAt > now) return notYetValid(sas.startsAt, undefined);
  const policy = sas.policy === undefined ? '' : `, or its stored access policy "${sas.policy}" expired or was removed`;
  return make(
    'fatal',
    'bucket.auth',
    `the service did not accept the SAS: the URL was changed, belongs to another container or account, was signed with a key that has since been rotated${policy}, or the account's network rules block this address.`,
  );
}

/** The failure when no response came at all (`diagnosis` from diagnoseNetworkFailure in http.ts). */
export function noResponseError(operation: string, diagnosis: 'cors' | 'network', origin: string, cause: unknown): TransferError {
  if (diagnosis === 'cors') {
    const app = typeof location === 'undefined' ? 'this app' : `this app (${location.origin})`;
    return new TransferError(
      'fatal',
      'bucket.cors',
      `Azure ${operation}: the browser blocked the exchange with ${origin}: the storage account's CORS rules (Blob service) do not allow ${app}, its methods or its headers.`,
      0,
      { cause },
    );
  }
  return new TransferError('retry', 'bucket.unavailable', `Azure ${operation}: no answer from ${origin} (network error).`, 0, { cause });
}

/**
 * `Retry-After` as seconds or an HTTP date, in ms from now, capped at 10 minutes as for S3
 * (s3/errors.ts); undefined if absent or unreadable. (Uncapped, 400 digits of seconds gave
 * Infinity; found by test/fuzz.)
 */
function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), 600_000) : undefined;
}

function parseDate(text: string): number | undefined {
  const time = Date.parse(text);
  return Number.isFinite(time) ? time : undefined;
}
