/**
 * "Test" of a storage location: a real round trip from this browser — put, head, get and delete of
 * a small probe object under a random key (`tessera/probe/<random>`) — and what went wrong, in
 * plain words, with the CORS rule to paste when the browser was not allowed in. Each step is one
 * request of the transport, with no retry: a person waiting on a button wants the first answer.
 *
 * A bucket an organisation signs for takes two parties: each request is first signed by the
 * organisation's signing service (a POST the browser preflights), then sent to the storage. Their
 * refusals share codes (both can block by CORS, refuse a credential, not know a bucket), so the
 * probe notes which one failed: a failure the signing service raised is the step `sign`, and its
 * advice speaks of the service; any other is the storage's, behind it.
 */
import { azureCorsRule } from '../storage/azure/index.js';
import { transportFor } from '../storage/index.js';
import { validatePresignEndpointConfig } from '../storage/presign-endpoint/index.js';
import { PresignEndpointSigner } from '../storage/presign-endpoint/signer.js';
import type { PresignEndpointBucketDescriptor } from '../storage/types.js';
import { corsRuleFor, S3_PRESETS, S3Transport } from '../storage/s3/index.js';
import type { S3RequestSigner } from '../storage/s3/transport.js';
import { randomId } from '../storage/share-keys.js';
import { TransferError, type ObjectTransport, type TransferFailureCode } from '../storage/transfer/transport.js';
import type { LocationDescriptor } from './location-form.js';

/** `sign`: asking the organisation's signing service, for a location it signs for (before any step's storage request). */
export type ProbeStep = 'sign' | 'write' | 'check' | 'read' | 'delete';

export type ProbeOutcome =
  | { readonly ok: true; readonly roundTripMs: number }
  | {
      readonly ok: false;
      readonly step: ProbeStep;
      readonly code: TransferFailureCode | 'unexpected';
      /** What the storage, the signing service or the transport's check said, without the code; never carries a secret. */
      readonly detail: string;
    };

/** How long one step may take before the test gives up on it. */
const STEP_TIMEOUT_MS = 30_000;
const PROBE_SIZE = 1024;

export async function probeLocation(location: LocationDescriptor, now: () => number = () => performance.now()): Promise<ProbeOutcome> {
  let transport: ObjectTransport;
  let refusedBySigner: (error: unknown) => boolean = () => false;
  try {
    if (location.kind === 'presign-endpoint') ({ transport, refusedBySigner } = organisationTransport(location));
    else transport = transportFor(location);
  } catch (error) {
    return { ok: false, step: 'write', code: 'unexpected', detail: error instanceof Error ? error.message : String(error) };
  }
  const key = `tessera/probe/${randomId()}`;
  const body = crypto.getRandomValues(new Uint8Array(PROBE_SIZE));
  const options = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });
  let step: ProbeStep = 'write';
  let written = false;
  const started = now();
  try {
    await transport.putObject(key, body, { ...options(), contentType: 'application/octet-stream' });
    written = true;
    step = 'check';
    const head = await transport.head(key, options());
    if (head?.size !== PROBE_SIZE) throw new TransferError('fatal', 'bucket.failed', `the test file reads back as ${head === null ? 'missing' : `${head.size} bytes`}, not ${PROBE_SIZE}`, 200);
    step = 'read';
    const back = await transport.getRange(key, 0, PROBE_SIZE, options());
    if (back.length !== PROBE_SIZE || back.some((byte, index) => byte !== body[index])) {
      throw new TransferError('fatal', 'bucket.integrity', 'the test file came back different from what was written', 200);
    }
    step = 'delete';
    await transport.deleteObject(key, options());
    written = false;
    return { ok: true, roundTripMs: Math.max(0, Math.round(now() - started)) };
  } catch (error) {
    if (refusedBySigner(error)) step = 'sign';
    if (written) await transport.deleteObject(key, options()).catch(() => undefined);
    if (error instanceof TransferError) return { ok: false, step, code: error.code, detail: error.message.replace(/^\[[a-z.-]+\] /, '') };
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      return { ok: false, step, code: 'bucket.stalled', detail: `no answer within ${STEP_TIMEOUT_MS / 1000} seconds` };
    }
    return { ok: false, step, code: 'unexpected', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/**
 * The transport of a bucket an organisation signs for (what transportFor makes: the S3 transport
 * with the organisation's presign endpoint as signer), with its signer watched, so that a failure
 * can be told to be the signing service's rather than the storage's.
 */
function organisationTransport(location: PresignEndpointBucketDescriptor): { transport: ObjectTransport; refusedBySigner: (error: unknown) => boolean } {
  const config = validatePresignEndpointConfig({ bucketId: location.id, endpoint: location.endpoint, bucket: location.bucket, auth: { kind: 'bearer', token: location.token } });
  const signer = new PresignEndpointSigner(config, Date.now);
  const refusals = new WeakSet<object>();
  const watched: S3RequestSigner = {
    sign: (request) =>
      signer.sign(request).catch((error: unknown) => {
        if (typeof error === 'object' && error !== null) refusals.add(error);
        throw error;
      }),
    invalidate: () => signer.invalidate(),
    clockSkewAdvice: signer.clockSkewAdvice,
    secrets: signer.secrets,
  };
  return {
    transport: new S3Transport({ bucketId: config.bucketId }, { signer: watched }),
    refusedBySigner: (error) => typeof error === 'object' && error !== null && refusals.has(error),
  };
}

export interface ProbeAdvice {
  readonly title: string;
  readonly action: string;
  /** The CORS rule to paste, with this app's origin, when CORS is at fault. */
  readonly corsRule?: string;
  /** Where that rule goes. */
  readonly corsWhere?: string;
}

/** Plain words for a failed test, and what to do. */
export function adviceFor(location: LocationDescriptor, outcome: Extract<ProbeOutcome, { ok: false }>, origin: string): ProbeAdvice {
  if (location.kind === 'presign-endpoint') {
    return outcome.step === 'sign' ? signingServiceAdvice(location, outcome, origin) : organisationStorageAdvice(location, outcome, origin);
  }
  const azure = location.kind === 'azure';
  const place = azure ? 'container' : 'bucket';
  switch (outcome.code) {
    case 'bucket.cors':
      return {
        title: `The ${azure ? 'storage account' : 'bucket'} does not let this app in yet: its CORS setting is missing or wrong.`,
        action: `Browsers only let a web page use storage that allows it. Add this CORS rule (it allows ${origin}), then press Test again. A wrong endpoint or ${place} name can look the same to a browser: check them too.`,
        ...corsAdvice(location, origin),
      };
    case 'bucket.no-such-bucket':
      return {
        title: `The ${place} was not found at this address.`,
        action: azure
          ? 'Check that the container exists, and copy its SAS URL again.'
          : 'Check the endpoint, the region and the bucket name: each must be exactly as the provider shows them.',
      };
    case 'bucket.clock-skew':
      return {
        title: "This device's clock is wrong, so the storage refuses its signatures.",
        action: "Set this device's date and time to automatic, then press Test again.",
      };
    case 'bucket.auth':
      return azure
        ? { title: 'The storage refused the SAS URL.', action: 'Copy the whole Blob SAS URL of this container again; it may have been changed, or made for another container.' }
        : { title: 'The storage refused the keys.', action: 'Check the access key ID and the secret access key, that the key is still active, and the date and time of this device.' };
    case 'bucket.permission':
      return {
        title: `The ${azure ? 'SAS URL' : 'key'} works but may not do everything Tessera needs.`,
        action: azure
          ? 'Make a SAS with the permissions Read, Create, Write, Delete and List.'
          : 'Give the key permission to write, read and delete objects in this bucket.',
      };
    case 'bucket.expired':
      return {
        title: azure ? 'The SAS URL has expired (or is not valid yet).' : 'The signed link expired on the way.',
        action: azure ? 'Make a new SAS URL for this container, with an expiry date far enough ahead, and paste it here.' : "Check this device's date and time, then press Test again.",
      };
    case 'bucket.unavailable':
    case 'bucket.stalled':
      return { title: 'The storage could not be reached.', action: 'Check the address and your internet connection, then press Test again.' };
    default:
      return commonAdvice(outcome, place);
  }
}

/** What any storage may answer, in the same words whoever holds its key. */
function commonAdvice(outcome: Extract<ProbeOutcome, { ok: false }>, place: 'bucket' | 'container'): ProbeAdvice {
  switch (outcome.code) {
    case 'bucket.origin-refused':
      return {
        title: `A request was to go to another address than this ${place}'s, and Tessera did not send it.`,
        action: 'Tessera sends files only to the address of the location itself. Check the address in the form; if it is right, this storage (or its signing service) points elsewhere, and it cannot be used as it is.',
      };
    case 'bucket.integrity':
      return { title: 'The storage did not keep the test file exactly as it was sent.', action: 'Press Test again. If it happens again, do not use this location.' };
    case 'bucket.not-found':
      return { title: 'The test file disappeared right after it was written.', action: `Check that nothing else deletes files in this ${place}, then press Test again.` };
    default:
      return { title: `The storage refused the test (while trying to ${stepWords(outcome.step)}).`, action: 'Check the settings of this location; the details below say what the storage answered.' };
  }
}

/** The organisation's signing service refused to sign, or could not be asked. */
function signingServiceAdvice(location: PresignEndpointBucketDescriptor, outcome: Extract<ProbeOutcome, { ok: false }>, origin: string): ProbeAdvice {
  const it = "your organisation's IT department";
  switch (outcome.code) {
    case 'bucket.cors':
      return {
        title: "The organisation's signing service does not let this app in: its CORS setting does not allow this site.",
        action: `Browsers only let a web page use a service that allows it. Ask ${it} to allow ${origin} on the signing service (it must answer as below), then press Test again.`,
        corsRule: [
          `Access-Control-Allow-Origin: ${origin}`,
          'Access-Control-Allow-Methods: POST',
          'Access-Control-Allow-Headers: authorization, content-type',
          'Access-Control-Max-Age: 600',
          'Vary: Origin',
        ].join('\n'),
        corsWhere: `The signing service at ${location.endpoint} answers its preflight (OPTIONS /presign) with these headers, and every other answer, refusals included, with the first and the last.`,
      };
    case 'bucket.unavailable':
    case 'bucket.stalled':
      return {
        title: "The organisation's signing service could not be reached.",
        action: `Check its address (${location.endpoint}) and your internet connection, then press Test again. If it still fails, the service may be down: ask ${it}.`,
      };
    case 'bucket.auth':
      return {
        title: "The organisation's signing service refused the access token.",
        action: 'Tokens expire, and a token pasted in part does not work: paste a new one from your organisation (Edit), then press Test again.',
      };
    case 'bucket.no-such-bucket':
      return {
        title: `The organisation's signing service does not know the bucket “${location.bucket}”.`,
        action: `Check the bucket name (Edit): it must be exactly the one ${it} gave you.`,
      };
    case 'bucket.permission':
      return {
        title: "The organisation's signing service does not allow this: its policy refused the request.",
        action: `Ask ${it} to let your token write, read and delete Tessera's files in this bucket (including the test file, tessera/probe/…).`,
      };
    default:
      return {
        title: "The organisation's signing service answered something Tessera cannot use.",
        action: `Check its address (${location.endpoint}). If it is right, tell ${it} what the details below say.`,
      };
  }
}

/** The signing service signed; the storage behind it refused, or could not be reached. */
function organisationStorageAdvice(location: PresignEndpointBucketDescriptor, outcome: Extract<ProbeOutcome, { ok: false }>, origin: string): ProbeAdvice {
  const it = "your organisation's IT department";
  const behind = `the storage bucket behind “${location.bucket}”`;
  switch (outcome.code) {
    case 'bucket.cors':
      return {
        title: 'The signing service works, but the storage behind it does not let this app in: its CORS setting is missing or wrong.',
        action: `The browser sends the files straight to the storage, so the storage must allow this site too. Ask ${it} to add this CORS rule (it allows ${origin}) to ${behind}, then press Test again. A bucket that does not exist looks the same to a browser.`,
        corsRule: corsRuleFor('aws', origin),
        corsWhere: `On ${behind}: S3 PutBucketCors (aws s3api put-bucket-cors --bucket <its name> --cors-configuration file://cors.json). Google Cloud Storage, Cloudflare R2 and MinIO take the same fields in their own form (docs/s3.md).`,
      };
    case 'bucket.unavailable':
    case 'bucket.stalled':
      return {
        title: 'The signing service answered, but the storage behind it could not be reached.',
        action: `Check your internet connection, then press Test again. If it still fails, tell ${it}: the storage may be down, or at an address this device cannot reach.`,
      };
    case 'bucket.clock-skew':
    case 'bucket.expired':
      return {
        title: "The storage refused the signing service's links as out of date: the two disagree on the time.",
        action: `This is not this device's clock. Tell ${it} that the signing service's clock, or the lifetime of its links, is off; then press Test again.`,
      };
    case 'bucket.auth':
      return {
        title: "The storage refused the signing service's signatures.",
        action: `Tell ${it}: the signing service's storage key is wrong or no longer active, or its clock is off.`,
      };
    case 'bucket.permission':
      return {
        title: "The storage refused the request: the signing service's key may not do everything Tessera needs.",
        action: `Tell ${it}: its key needs permission to write, read and delete objects in ${behind}.`,
      };
    case 'bucket.no-such-bucket':
      return {
        title: 'The signing service sends Tessera to a storage bucket that does not exist.',
        action: `Tell ${it}: ${behind} is missing, or at another address or region.`,
      };
    default:
      return commonAdvice(outcome, 'bucket');
  }
}

function stepWords(step: ProbeStep): string {
  return { sign: "have the request signed", write: 'write a test file', check: 'check the test file', read: 'read it back', delete: 'delete it' }[step];
}

function corsAdvice(location: Exclude<LocationDescriptor, PresignEndpointBucketDescriptor>, origin: string): { corsRule: string; corsWhere: string } {
  if (location.kind === 'azure') {
    const rule = azureCorsRule(origin);
    return {
      corsRule: [
        `Allowed origins: ${rule.allowedOrigins.join(', ')}`,
        `Allowed methods: ${rule.allowedMethods.join(', ')}`,
        `Allowed headers: ${rule.allowedHeaders.join(', ')}`,
        `Exposed headers: ${rule.exposedHeaders.join(', ')}`,
        `Max age: ${rule.maxAgeInSeconds}`,
      ].join('\n'),
      corsWhere: 'In the Azure portal: storage account → Settings → Resource sharing (CORS) → Blob service. The rule covers every container of the account.',
    };
  }
  const preset = S3_PRESETS[location.provider];
  const where =
    preset.corsSetting === 'gcloud'
      ? `Save it as cors.json and run: gcloud storage buckets update gs://${location.bucket} --cors-file=cors.json`
      : preset.corsSetting === 'server'
        ? "MinIO sets CORS for the whole server (MINIO_API_CORS_ALLOW_ORIGIN); AIStor also takes this rule per bucket (mc cors set)."
        : location.provider === 'r2'
          ? 'In the Cloudflare dashboard: R2 → the bucket → Settings → CORS policy.'
          : `In the provider's console (the bucket's CORS settings), or with: aws s3api put-bucket-cors --bucket ${location.bucket} --cors-configuration file://cors.json --endpoint-url ${location.endpoint}`;
  return { corsRule: corsRuleFor(location.provider, origin), corsWhere: where };
}
