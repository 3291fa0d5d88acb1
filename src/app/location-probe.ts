/**
 * "Test" of a storage location: a real round trip from this browser — put, head, get and delete of
 * a small probe object under a random key (`tessera/probe/<random>`) — and what went wrong, in
 * plain words, with the CORS rule to paste when the browser was not allowed in. Each step is one
 * request of the transport, with no retry: a person waiting on a button wants the first answer.
 */
import { azureCorsRule } from '../storage/azure/index.js';
import { transportFor } from '../storage/index.js';
import { corsRuleFor, S3_PRESETS } from '../storage/s3/index.js';
import { randomId } from '../storage/share-keys.js';
import { TransferError, type TransferFailureCode } from '../storage/transfer/transport.js';
import type { RemoteDescriptor } from './location-form.js';

export type ProbeStep = 'write' | 'check' | 'read' | 'delete';

export type ProbeOutcome =
  | { readonly ok: true; readonly roundTripMs: number }
  | {
      readonly ok: false;
      readonly step: ProbeStep;
      readonly code: TransferFailureCode | 'unexpected';
      /** What the storage (or the transport's check) said, without the code; never carries a secret. */
      readonly detail: string;
    };

/** How long one step may take before the test gives up on it. */
const STEP_TIMEOUT_MS = 30_000;
const PROBE_SIZE = 1024;

export async function probeLocation(location: RemoteDescriptor, now: () => number = () => performance.now()): Promise<ProbeOutcome> {
  let transport;
  try {
    transport = transportFor(location);
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
    if (written) await transport.deleteObject(key, options()).catch(() => undefined);
    if (error instanceof TransferError) return { ok: false, step, code: error.code, detail: error.message.replace(/^\[[a-z.-]+\] /, '') };
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      return { ok: false, step, code: 'bucket.stalled', detail: `no answer within ${STEP_TIMEOUT_MS / 1000} seconds` };
    }
    return { ok: false, step, code: 'unexpected', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
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
export function adviceFor(location: RemoteDescriptor, outcome: Extract<ProbeOutcome, { ok: false }>, origin: string): ProbeAdvice {
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
    case 'bucket.integrity':
      return { title: 'The storage did not keep the test file exactly as it was sent.', action: 'Press Test again. If it happens again, do not use this location.' };
    case 'bucket.not-found':
      return { title: 'The test file disappeared right after it was written.', action: `Check that nothing else deletes files in this ${place}, then press Test again.` };
    default:
      return { title: `The storage refused the test (while trying to ${stepWords(outcome.step)}).`, action: 'Check the settings of this location; the details below say what the storage answered.' };
  }
}

function stepWords(step: ProbeStep): string {
  return { write: 'write a test file', check: 'check the test file', read: 'read it back', delete: 'delete it' }[step];
}

function corsAdvice(location: RemoteDescriptor, origin: string): { corsRule: string; corsWhere: string } {
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
