/**
 * The set-up form of a real storage location, as plain data, and its checks: what the person typed
 * becomes a BucketDescriptor (validated by the transports' own rules, s3/presets.ts,
 * azure/sas.ts and presign-endpoint/config.ts), or the field at fault with a message that never
 * repeats a secret.
 */
import { parseContainerSasUrl } from '../storage/azure/index.js';
import type { AzureBucketDescriptor, PresignEndpointBucketDescriptor, S3BucketDescriptor } from '../storage/index.js';
import { validatePresignEndpointConfig } from '../storage/presign-endpoint/index.js';
import { configFromPreset, S3_PRESETS, S3_PROVIDERS, type S3Addressing, type S3Provider } from '../storage/s3/index.js';
import type { LocationSettings } from '../vault/catalog-record.js';
import { MIN_PASSPHRASE_LENGTH, passphraseLength } from '../vault/keyring.js';

/** An S3-compatible bucket or an Azure container: a location with its own key. */
export type RemoteDescriptor = S3BucketDescriptor | AzureBucketDescriptor;
/** Any real storage location the person set up. */
export type LocationDescriptor = RemoteDescriptor | PresignEndpointBucketDescriptor;
export type LocationKind = LocationDescriptor['kind'];

export interface LocationFormValues {
  kind: LocationKind;
  /** What the person calls it; default: the bucket's or container's name. */
  label: string;
  provider: S3Provider;
  /** Empty: the provider's usual address (where it has one). For a signing service: its address. */
  endpoint: string;
  /** Cloudflare R2's account id (part of its address). */
  accountId: string;
  /** Empty: the provider's default. */
  region: string;
  bucket: string;
  addressing: S3Addressing;
  accessKeyId: string;
  /** Empty when editing: keep the one already given. */
  secretAccessKey: string;
  /** Empty when editing: keep the one already given. */
  containerSasUrl: string;
  /** The organisation's access token for its signing service. Empty when editing: keep the one already given. */
  token: string;
}

export type LocationField = Exclude<keyof LocationFormValues, 'kind'>;

export type FormResult = { readonly ok: true; readonly descriptor: LocationDescriptor } | { readonly ok: false; readonly field: LocationField; readonly message: string };

export const PROVIDER_CHOICES: readonly { readonly provider: S3Provider; readonly label: string }[] = S3_PROVIDERS.map((provider) => ({
  provider,
  label: S3_PRESETS[provider].label,
}));

export function emptyForm(kind: LocationKind = 's3'): LocationFormValues {
  return {
    kind,
    label: '',
    provider: 'aws',
    endpoint: '',
    accountId: '',
    region: '',
    bucket: '',
    addressing: S3_PRESETS.aws.addressing,
    accessKeyId: '',
    secretAccessKey: '',
    containerSasUrl: '',
    token: '',
  };
}

/**
 * The form for editing a location, or for giving the key of one saved in an earlier visit:
 * everything but its secret, which is never shown back.
 */
export function formFrom(location: LocationDescriptor | LocationSettings): LocationFormValues {
  if (location.kind === 'azure') return { ...emptyForm('azure'), label: location.label };
  if (location.kind === 'presign-endpoint') return { ...emptyForm('presign-endpoint'), label: location.label, endpoint: location.endpoint, bucket: location.bucket };
  return {
    ...emptyForm('s3'),
    label: location.label,
    provider: S3_PROVIDERS.find((provider) => provider === location.provider) ?? emptyForm('s3').provider,
    endpoint: location.endpoint,
    region: location.region,
    bucket: location.bucket,
    addressing: location.addressing,
    accessKeyId: location.accessKeyId,
  };
}

/** What is saved of a location across visits: where it is and what it is called, never its secret. */
export function locationSettings(location: LocationDescriptor): LocationSettings {
  const base = { id: location.id, label: location.label, online: location.online };
  switch (location.kind) {
    case 's3':
      return {
        kind: 's3',
        ...base,
        provider: location.provider,
        endpoint: location.endpoint,
        region: location.region,
        bucket: location.bucket,
        addressing: location.addressing,
        accessKeyId: location.accessKeyId,
      };
    case 'azure':
      // The SAS URL's query is its signature: only the container's address is kept.
      return { kind: 'azure', ...base, containerUrl: parseContainerSasUrl(location.containerSasUrl).containerUrl };
    case 'presign-endpoint':
      return { kind: 'presign-endpoint', ...base, endpoint: location.endpoint, bucket: location.bucket };
  }
}

/** A location's secret: what the keyring keeps for it (vault/keyring.ts), and what its settings lack. */
export function locationSecret(location: LocationDescriptor): string {
  switch (location.kind) {
    case 's3':
      return location.secretAccessKey;
    case 'azure':
      return location.containerSasUrl;
    case 'presign-endpoint':
      return location.token;
  }
}

/**
 * A saved location made usable again with the secret its keyring kept: through the form's own
 * checks, as if the person had typed the secret. Undefined when the two do not fit together (a SAS
 * URL of another container, settings the checks now refuse).
 */
export function descriptorFromSettings(settings: LocationSettings, secret: string): LocationDescriptor | undefined {
  const form = formFrom(settings);
  const field = settings.kind === 's3' ? 'secretAccessKey' : settings.kind === 'azure' ? 'containerSasUrl' : 'token';
  const result = descriptorFromForm({ ...form, [field]: secret });
  if (!result.ok || result.descriptor.id !== settings.id) return undefined;
  return { ...result.descriptor, label: settings.label, online: settings.online };
}

/** How long a location's key is kept: in the page's memory for this visit, or also on this device, sealed under the passphrase. */
export type KeyKeeping = 'visit' | 'device';

/** What the form asks for when the key is to be kept on this device: a new passphrase, the current one (the saved keys are locked), or nothing (unlocked). */
export type PassphraseAsk = 'new' | 'current' | 'none';

export interface KeepValues {
  keep: KeyKeeping;
  passphrase: string;
  /** The new passphrase typed a second time. */
  passphraseAgain: string;
}

export type KeepField = 'passphrase' | 'passphraseAgain';

/** The person's choice, checked: with the passphrase to derive or unlock with, when one was asked for. */
export type KeepChoice = { readonly keep: 'visit' } | { readonly keep: 'device'; readonly passphrase: string | undefined };

export type KeepResult = { readonly ok: true; readonly choice: KeepChoice } | { readonly ok: false; readonly field: KeepField; readonly message: string };

/** Checks the form's "Keep its key" part; messages never repeat what was typed. */
export function keepingFromForm(values: KeepValues, ask: PassphraseAsk): KeepResult {
  if (values.keep === 'visit') return { ok: true, choice: { keep: 'visit' } };
  if (ask === 'none') return { ok: true, choice: { keep: 'device', passphrase: undefined } };
  const length = passphraseLength(values.passphrase);
  if (ask === 'current') {
    if (length === 0) return { ok: false, field: 'passphrase', message: 'Passphrase: type the passphrase your saved keys are locked with.' };
    if (length < MIN_PASSPHRASE_LENGTH) return { ok: false, field: 'passphrase', message: `Passphrase: it has at least ${MIN_PASSPHRASE_LENGTH} characters; check what you typed.` };
    return { ok: true, choice: { keep: 'device', passphrase: values.passphrase } };
  }
  if (length === 0) return { ok: false, field: 'passphrase', message: `New passphrase: choose one of at least ${MIN_PASSPHRASE_LENGTH} characters to lock the key with.` };
  if (length < MIN_PASSPHRASE_LENGTH) {
    return { ok: false, field: 'passphrase', message: `New passphrase: use at least ${MIN_PASSPHRASE_LENGTH} characters (you typed ${length}); a few words are easy to remember and hard to guess.` };
  }
  if (values.passphraseAgain !== values.passphrase) return { ok: false, field: 'passphraseAgain', message: 'New passphrase again: the two differ; type the same passphrase twice.' };
  return { ok: true, choice: { keep: 'device', passphrase: values.passphrase } };
}

/**
 * A location's id, from where it is and nothing secret: the same bucket added again (in a later
 * visit, since keys are kept only for the session) gets the same id, so the records whose shares
 * it holds find it again.
 */
export function locationId(
  location: Omit<S3BucketDescriptor, 'id'> | Omit<AzureBucketDescriptor, 'id'> | Omit<PresignEndpointBucketDescriptor, 'id'>,
): string {
  if (location.kind === 'azure') return `azure:${parseContainerSasUrl(location.containerSasUrl).containerUrl}`;
  // The bucket id has no "/" (presign-endpoint/config.ts), so the endpoint and it cannot run into each other.
  if (location.kind === 'presign-endpoint') return `presign:${location.endpoint.replace(/\/+$/, '')}/${location.bucket}`;
  return `s3:${new URL(location.endpoint).origin}/${location.bucket}`;
}

const FIELD_NAMES: Readonly<Record<string, LocationField>> = {
  endpoint: 'endpoint',
  region: 'region',
  bucket: 'bucket',
  addressing: 'addressing',
  accessKeyId: 'accessKeyId',
  secretAccessKey: 'secretAccessKey',
  accountId: 'accountId',
  containerSasUrl: 'containerSasUrl',
  'auth.token': 'token',
};

/** Field names as the form labels them, for messages that came from the transports' checks. */
const FIELD_WORDS: Readonly<Record<LocationField, string>> = {
  label: 'Name',
  provider: 'Provider',
  endpoint: 'Endpoint',
  accountId: 'Account ID',
  region: 'Region',
  bucket: 'Bucket',
  addressing: 'Addressing',
  accessKeyId: 'Access key ID',
  secretAccessKey: 'Secret access key',
  containerSasUrl: 'Container SAS URL',
  token: 'Access token',
};

/** Where a kind labels a field otherwise. */
const SIGNING_SERVICE_WORDS: Partial<Record<LocationField, string>> = { endpoint: 'Signing service address', bucket: 'Bucket name' };

function fieldWords(field: LocationField, kind: LocationKind): string {
  return (kind === 'presign-endpoint' ? SIGNING_SERVICE_WORDS[field] : undefined) ?? FIELD_WORDS[field];
}

/**
 * Checks the form. `previous` is the location being edited: an empty secret keeps its secret.
 * WARNING: a check's message is shown as it is, so it must never carry the secret; the transports'
 * checks promise that (s3/config.ts, azure/sas.ts) and nothing here adds a value to them.
 */
export function descriptorFromForm(values: LocationFormValues, previous?: LocationDescriptor): FormResult {
  const trim = (text: string): string => text.trim();
  try {
    if (values.kind === 'presign-endpoint') {
      const given = trim(values.token);
      const token = given === '' && previous?.kind === 'presign-endpoint' ? previous.token : given;
      if (token === '') return { ok: false, field: 'token', message: 'Access token: paste the token your organisation gave you for its signing service.' };
      const config = validatePresignEndpointConfig({
        bucketId: 'new',
        endpoint: trim(values.endpoint).replace(/\/+$/, ''),
        bucket: trim(values.bucket),
        auth: { kind: 'bearer', token },
      });
      const location: Omit<PresignEndpointBucketDescriptor, 'id'> = {
        kind: 'presign-endpoint',
        label: trim(values.label) || config.bucket,
        online: previous?.online ?? true,
        endpoint: config.endpoint,
        bucket: config.bucket,
        token,
      };
      return { ok: true, descriptor: { ...location, id: locationId(location) } };
    }
    if (values.kind === 'azure') {
      const given = trim(values.containerSasUrl);
      const sasUrl = given === '' && previous?.kind === 'azure' ? previous.containerSasUrl : given;
      if (sasUrl === '') return { ok: false, field: 'containerSasUrl', message: 'Container SAS URL: paste the Blob SAS URL of the container.' };
      const sas = parseContainerSasUrl(sasUrl);
      const container = sas.containerUrl.split('/').at(-1) ?? 'container';
      const location: Omit<AzureBucketDescriptor, 'id'> = { kind: 'azure', label: trim(values.label) || container, online: previous?.online ?? true, containerSasUrl: sasUrl };
      return { ok: true, descriptor: { ...location, id: locationId(location) } };
    }
    const given = values.secretAccessKey;
    const secret = given === '' && previous?.kind === 's3' ? previous.secretAccessKey : given;
    if (secret === '') return { ok: false, field: 'secretAccessKey', message: 'Secret access key: give the secret that belongs to the access key ID.' };
    const preset = S3_PRESETS[values.provider];
    const config = configFromPreset(values.provider, {
      bucketId: 'new',
      bucket: trim(values.bucket),
      accessKeyId: trim(values.accessKeyId),
      secretAccessKey: secret,
      ...(trim(values.region) !== '' ? { region: trim(values.region) } : {}),
      ...(trim(values.accountId) !== '' ? { accountId: trim(values.accountId) } : {}),
      ...(trim(values.endpoint) !== '' ? { endpoint: trim(values.endpoint).replace(/\/+$/, '') } : {}),
      addressing: preset.bothAddressingStyles ? values.addressing : preset.addressing,
    });
    const location: Omit<S3BucketDescriptor, 'id'> = {
      kind: 's3',
      label: trim(values.label) || config.bucket,
      online: previous?.online ?? true,
      provider: values.provider,
      endpoint: config.endpoint,
      region: config.region,
      bucket: config.bucket,
      addressing: config.addressing,
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
    };
    return { ok: true, descriptor: { ...location, id: locationId(location) } };
  } catch (error) {
    if (!(error instanceof RangeError || error instanceof TypeError)) throw error;
    return fieldError(error.message, values.kind);
  }
}

/** "region must be …" → the Region field, and the message with the form's word for it. */
function fieldError(message: string, kind: LocationKind): FormResult {
  const match = /^([A-Za-z.]+)(:| must| is| has| cannot| does)/.exec(message);
  const named = match ? FIELD_NAMES[match[1]!] : undefined;
  const bucketMatch = /^bucket "/.test(message) ? 'bucket' : undefined;
  const field: LocationField = named ?? bucketMatch ?? (kind === 'azure' ? 'containerSasUrl' : 'endpoint');
  const text = named ? `${fieldWords(field, kind)}${message.slice(match![1]!.length)}` : `${fieldWords(field, kind)}: ${message}`;
  return { ok: false, field, message: text.endsWith('.') ? text : `${text}.` };
}
