/**
 * The set-up form of a real storage location, as plain data, and its checks: what the person typed
 * becomes a BucketDescriptor (validated by the transports' own rules, s3/presets.ts and
 * azure/sas.ts), or the field at fault with a message that never repeats a secret.
 */
import { parseContainerSasUrl } from '../storage/azure/index.js';
import type { AzureBucketDescriptor, S3BucketDescriptor } from '../storage/index.js';
import { configFromPreset, S3_PRESETS, S3_PROVIDERS, type S3Addressing, type S3Provider } from '../storage/s3/index.js';

export type RemoteDescriptor = S3BucketDescriptor | AzureBucketDescriptor;

export interface LocationFormValues {
  kind: 's3' | 'azure';
  /** What the person calls it; default: the bucket's or container's name. */
  label: string;
  provider: S3Provider;
  /** Empty: the provider's usual address (where it has one). */
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
}

export type LocationField = Exclude<keyof LocationFormValues, 'kind'>;

export type FormResult = { readonly ok: true; readonly descriptor: RemoteDescriptor } | { readonly ok: false; readonly field: LocationField; readonly message: string };

export const PROVIDER_CHOICES: readonly { readonly provider: S3Provider; readonly label: string }[] = S3_PROVIDERS.map((provider) => ({
  provider,
  label: S3_PRESETS[provider].label,
}));

export function emptyForm(kind: 's3' | 'azure' = 's3'): LocationFormValues {
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
  };
}

/** The form for editing a location: everything but its secret, which is never shown back. */
export function formFrom(location: RemoteDescriptor): LocationFormValues {
  if (location.kind === 'azure') return { ...emptyForm('azure'), label: location.label };
  return {
    ...emptyForm('s3'),
    label: location.label,
    provider: location.provider,
    endpoint: location.endpoint,
    region: location.region,
    bucket: location.bucket,
    addressing: location.addressing,
    accessKeyId: location.accessKeyId,
  };
}

/**
 * A location's id, from where it is and nothing secret: the same bucket added again (in a later
 * visit, since keys are kept only for the session) gets the same id, so the records whose shares
 * it holds find it again.
 */
export function locationId(location: Omit<S3BucketDescriptor, 'id'> | Omit<AzureBucketDescriptor, 'id'>): string {
  if (location.kind === 'azure') return `azure:${parseContainerSasUrl(location.containerSasUrl).containerUrl}`;
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
};

/**
 * Checks the form. `previous` is the location being edited: an empty secret keeps its secret.
 * WARNING: a check's message is shown as it is, so it must never carry the secret; the transports'
 * checks promise that (s3/config.ts, azure/sas.ts) and nothing here adds a value to them.
 */
export function descriptorFromForm(values: LocationFormValues, previous?: RemoteDescriptor): FormResult {
  const trim = (text: string): string => text.trim();
  try {
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
function fieldError(message: string, kind: 's3' | 'azure'): FormResult {
  const match = /^([A-Za-z]+)(:| must| is| has| cannot| does)/.exec(message);
  const named = match ? FIELD_NAMES[match[1]!] : undefined;
  const bucketMatch = /^bucket "/.test(message) ? 'bucket' : undefined;
  const field: LocationField = named ?? bucketMatch ?? (kind === 'azure' ? 'containerSasUrl' : 'endpoint');
  const text = named ? `${FIELD_WORDS[field]}${message.slice(match![1]!.length)}` : `${FIELD_WORDS[field]}: ${message}`;
  return { ok: false, field, message: text.endsWith('.') ? text : `${text}.` };
}
