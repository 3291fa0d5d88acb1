/**
 * The recovery kit: what is needed to find and check a record's shares, printed on a sheet (with a
 * QR code) and saved as a JSON file, so the record can be rebuilt on another device, or after this
 * browser's catalog is lost. It names where each share is (the storage location and the object
 * key), k and n, the size and the fingerprint of the original (src/core/fingerprint.ts; kits made
 * before fingerprints carry its plain SHA-256), and — only if the person asks — the
 * original's file name. It holds no secret: no storage key, no SAS signature, no token, no part of
 * the record key. Reaching the shares still takes the keys of k of the n storage locations, which
 * the person gives on the device that recovers. docs/recovery-kit.md is the reference.
 *
 * Pure: no DOM, no IndexedDB, so it is unit-tested in Node. Everything read back (a file, a QR
 * code) is validated strictly before use: unknown versions, unknown fields, anything shaped like a
 * credential and URLs with a query or a user name are refused.
 */
import { FINGERPRINT_PATTERN } from '../core/fingerprint.js';
import { SCHEMES, type Scheme } from '../core/types.js';
import type { FileIdentity } from '../records/identity.js';
import { shareKey } from '../storage/share-keys.js';
import type { CatalogRecord, LocationSettings } from './catalog-record.js';
import { encodeQr, versionFor, type QrSymbol } from './qr/index.js';

const RECOVERY_KIT_FORMAT = 'tessera-recovery-kit';
const RECOVERY_KIT_VERSION = 1;
/** The first member of the compact form printed as a QR code: `{"tessera-kit":1,…}`. */
const COMPACT_TAG = 'tessera-kit';

/** Where one share is stored, without any credential: enough to set the location up again (with its key) and to find it. */
export type KitPlace =
  | { readonly kind: 'demo'; readonly id: string }
  | {
      readonly kind: 's3';
      readonly provider: string;
      readonly endpoint: string;
      readonly region: string;
      readonly bucket: string;
      readonly addressing: 'path' | 'virtual-hosted';
    }
  | { readonly kind: 'azure'; readonly containerUrl: string }
  | { readonly kind: 'presign-endpoint'; readonly endpoint: string; readonly bucket: string };

interface KitShare {
  /** The share's x-coordinate, 1..n. */
  readonly x: number;
  readonly place: KitPlace;
  /** The object key in its location, `tessera/<record id>/<x>.tshare`. */
  readonly key: string;
  /** Bytes of the share object. */
  readonly size: number;
}

export interface RecoveryKit {
  readonly format: typeof RECOVERY_KIT_FORMAT;
  readonly version: typeof RECOVERY_KIT_VERSION;
  readonly recordId: string;
  /** The split id in every share's header (share-format.md §3): tells this record's shares from others. */
  readonly splitId: string;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  /** Bytes of the original. */
  readonly size: number;
  /**
   * The original's fingerprint (src/core/fingerprint.ts), hex: the rebuilt file is checked against
   * it. WARNING: it lets whoever holds the kit confirm a guess of the exact file (nothing more); see
   * docs/recovery-kit.md.
   */
  readonly fingerprint?: string;
  /** Kits made before fingerprints carry the plain SHA-256 of the original instead (same warning). */
  readonly sha256?: string;
  /** The original's name, only when the person chose to print it. */
  readonly fileName?: string;
  /** One per share, by x (1..n). */
  readonly shares: readonly KitShare[];
}

export type RecoveryKitErrorCode =
  /** Not a recovery kit at all (another QR code, another JSON file). */
  | 'kit.not-a-kit'
  /** A recovery kit of a version this app does not know. */
  | 'kit.version'
  /** It holds something shaped like a credential: refused, since a kit never holds one. */
  | 'kit.secret'
  /** A recovery kit, but damaged or inconsistent (k above n, a share missing, a bad id…). */
  | 'kit.malformed';

export class RecoveryKitError extends Error {
  override readonly name = 'RecoveryKitError';
  constructor(
    readonly code: RecoveryKitErrorCode,
    message: string,
  ) {
    super(`[${code}] ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Making a kit

/** A real storage location's place in a kit: its settings less its name and on/off switch (there is no secret in LocationSettings). */
export function placeFromSettings(settings: LocationSettings): KitPlace {
  switch (settings.kind) {
    case 's3':
      return { kind: 's3', provider: settings.provider, endpoint: settings.endpoint, region: settings.region, bucket: settings.bucket, addressing: settings.addressing };
    case 'azure':
      return { kind: 'azure', containerUrl: settings.containerUrl };
    case 'presign-endpoint':
      return { kind: 'presign-endpoint', endpoint: settings.endpoint, bucket: settings.bucket };
  }
}

/**
 * The id the app gives the location at `place` (src/app/location-form.ts locationId, which derives
 * it from where the location is and nothing secret): the same bucket set up on another device gets
 * the same id, which is how a kit's shares find their location.
 */
export function placeBucketId(place: KitPlace): string {
  switch (place.kind) {
    case 'demo':
      return place.id;
    case 's3':
      return `s3:${new URL(place.endpoint).origin}/${place.bucket}`;
    case 'azure':
      return `azure:${place.containerUrl}`;
    case 'presign-endpoint':
      return `presign:${place.endpoint.replace(/\/+$/, '')}/${place.bucket}`;
  }
}

export interface KitChoices {
  /** Print the original's file name on the kit (it may say what the file is about). Default: no. */
  readonly includeFileName?: boolean;
}

export type MadeKit = { readonly ok: true; readonly kit: RecoveryKit } | { readonly ok: false; readonly unknownBucketIds: readonly string[] };

/**
 * The kit of `record`. `placeOf` says where a bucket id is (undefined for a location no longer set
 * up on this device: then no kit, and the ids missing). The kit is validated like one read back,
 * so a kit that would hold a secret is never made: RecoveryKitError when the record holds what a
 * kit may not (a file name of more than 255 characters, an address with a query).
 */
export function makeRecoveryKit(record: CatalogRecord, placeOf: (bucketId: string) => KitPlace | undefined, choices: KitChoices = {}): MadeKit {
  const unknownBucketIds = [...new Set(record.shares.filter((share) => placeOf(share.bucketId) === undefined).map((share) => share.bucketId))];
  if (unknownBucketIds.length > 0) return { ok: false, unknownBucketIds };
  const kit: RecoveryKit = {
    format: RECOVERY_KIT_FORMAT,
    version: RECOVERY_KIT_VERSION,
    recordId: record.id,
    splitId: record.splitId,
    scheme: record.scheme,
    k: record.k,
    n: record.n,
    size: record.size,
    ...identityOf(record),
    ...(choices.includeFileName ? { fileName: record.fileName } : {}),
    shares: [...record.shares].sort((a, b) => a.x - b.x).map((share) => ({ x: share.x, place: placeOf(share.bucketId)!, key: share.key, size: share.size })),
  };
  return { ok: true, kit: parseRecoveryKitValue(JSON.parse(recoveryKitJson(kit))) };
}

/**
 * The catalog record the kit describes, for the app's recovery path (Library.recover): every share
 * in its place, the file named as the kit says or `tessera-<record id prefix>` when it does not.
 */
export function recordFromKit(kit: RecoveryKit, createdAt: number): CatalogRecord {
  return {
    version: 1,
    id: kit.recordId,
    fileName: kit.fileName ?? `tessera-${kit.recordId.slice(0, 8)}`,
    size: kit.size,
    type: '',
    ...identityOf(kit),
    scheme: kit.scheme,
    k: kit.k,
    n: kit.n,
    createdAt,
    splitId: kit.splitId,
    shares: kit.shares.map((share) => ({ x: share.x, bucketId: placeBucketId(share.place), key: share.key, size: share.size })),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

function placeObject(place: KitPlace): KitPlace {
  switch (place.kind) {
    case 'demo':
      return { kind: 'demo', id: place.id };
    case 's3':
      return { kind: 's3', provider: place.provider, endpoint: place.endpoint, region: place.region, bucket: place.bucket, addressing: place.addressing };
    case 'azure':
      return { kind: 'azure', containerUrl: place.containerUrl };
    case 'presign-endpoint':
      return { kind: 'presign-endpoint', endpoint: place.endpoint, bucket: place.bucket };
  }
}

/** The kit as the JSON file: every field named, in a fixed order, indented for a person to read. */
export function recoveryKitJson(kit: RecoveryKit): string {
  const ordered = {
    format: kit.format,
    version: kit.version,
    recordId: kit.recordId,
    splitId: kit.splitId,
    scheme: kit.scheme,
    k: kit.k,
    n: kit.n,
    size: kit.size,
    ...identityOf(kit),
    ...(kit.fileName !== undefined ? { fileName: kit.fileName } : {}),
    shares: kit.shares.map((share) => ({ x: share.x, place: placeObject(share.place), key: share.key, size: share.size })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

type CompactPlace = readonly [string, ...string[]];

function compactPlace(place: KitPlace): CompactPlace {
  switch (place.kind) {
    case 'demo':
      return ['demo', place.id];
    case 's3':
      return ['s3', place.provider, place.endpoint, place.region, place.bucket, place.addressing];
    case 'azure':
      return ['azure', place.containerUrl];
    case 'presign-endpoint':
      return ['presign-endpoint', place.endpoint, place.bucket];
  }
}

/**
 * The kit in few bytes, for the QR code: minified JSON with one-letter members, each distinct
 * place written once (`p`) and each share pointing at its place by index (`x`, in order of x),
 * the share size once when all are equal (`y`), and object keys only where they differ from the
 * usual `tessera/<record id>/<x>.tshare` (`o`). Pure ASCII. Lossless: parseRecoveryKit gives back
 * the same kit.
 */
export function recoveryKitQrText(kit: RecoveryKit): string {
  const places: string[] = [];
  const compactPlaces: CompactPlace[] = [];
  const placeIndex = kit.shares.map((share) => {
    const compact = compactPlace(share.place);
    const text = JSON.stringify(compact);
    let index = places.indexOf(text);
    if (index < 0) {
      index = places.push(text) - 1;
      compactPlaces.push(compact);
    }
    return index;
  });
  const sizes = kit.shares.map((share) => share.size);
  const otherKeys = Object.fromEntries(kit.shares.filter((share) => share.key !== shareKey(kit.recordId, share.x)).map((share) => [String(share.x), share.key]));
  const text = JSON.stringify({
    [COMPACT_TAG]: kit.version,
    r: kit.recordId,
    s: kit.splitId,
    m: kit.scheme,
    k: kit.k,
    n: kit.n,
    z: kit.size,
    ...(kit.fingerprint !== undefined ? { g: kit.fingerprint } : {}),
    ...(kit.sha256 !== undefined ? { h: kit.sha256 } : {}),
    ...(kit.fileName !== undefined ? { f: kit.fileName } : {}),
    y: sizes.every((size) => size === sizes[0]) ? sizes[0] : sizes,
    p: compactPlaces,
    x: placeIndex,
    ...(Object.keys(otherKeys).length > 0 ? { o: otherKeys } : {}),
  });
  // Only ASCII in the symbol: a file name's other characters as JSON \u escapes, so no reader can
  // take the bytes for ISO-8859-1, byte mode's default character set (ISO/IEC 18004 §7.4.5).
  return text.replace(/[\u007f-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Versions up to this one are printed at level Q (about 25 % of the symbol may be damaged or
 * dirty); a kit too large for that gets level M (about 15 %) in a larger symbol.
 */
const LARGEST_Q_VERSION = 25;

/**
 * The QR code of the kit (its compact form, UTF-8, byte mode): level Q up to version 25, then M.
 * Undefined when even version 40 at level M (2331 bytes) cannot hold it: the file is then the kit.
 */
export function recoveryKitQr(kit: RecoveryKit): QrSymbol | undefined {
  const bytes = new TextEncoder().encode(recoveryKitQrText(kit));
  const quartileVersion = versionFor(bytes.length, 'Q');
  if (quartileVersion !== undefined && quartileVersion <= LARGEST_Q_VERSION) return encodeQr(bytes, { errorCorrection: 'Q' });
  return versionFor(bytes.length, 'M') === undefined ? undefined : encodeQr(bytes, { errorCorrection: 'M' });
}

// ---------------------------------------------------------------------------------------------
// Reading

const HEX32 = /^[0-9a-f]{32}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const DEMO_ID = /^demo-[a-z0-9]{1,16}$/;
const NAME_TOKEN = /^[A-Za-z0-9._-]{1,255}$/;
const PROVIDER = /^[a-z0-9-]{1,32}$/;
const REGION = /^[A-Za-z0-9_-]{1,64}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Member names a credential goes by. WARNING: a kit never carries one; a file that does was not
 * made by Tessera or was edited, and is refused as a whole rather than cleaned.
 */
const SECRET_NAME = /secret|token|password|passphrase|credential|signature|^sig$|sas|access.?key|account.?key|api.?key|authori[sz]ation|private/i;
/**
 * Text shaped like a credential: a signed URL's query (Azure SAS `sig=`, S3 `X-Amz-Signature`,
 * `X-Amz-Credential`, GCS `X-Goog-Signature`), an Azure connection string, a URL with a user name,
 * an AWS access key id, a PEM key.
 */
const SECRET_TEXT = [
  /[?&](sig|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|token|access_token)=/i,
  /accountkey=|sharedaccesssignature=/i,
  /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/,
  /-----BEGIN [A-Z ]*KEY-----/,
];

const fail = (code: RecoveryKitErrorCode, message: string): never => {
  throw new RecoveryKitError(code, message);
};

/** Refuses the whole value if any member name or text in it looks like a credential. */
function refuseSecrets(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (SECRET_TEXT.some((pattern) => pattern.test(value))) fail('kit.secret', `${path} holds what looks like a key or a signature`);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => refuseSecrets(item, `${path}[${index}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [name, item] of Object.entries(value)) {
      if (SECRET_NAME.test(name)) fail('kit.secret', `${path} has a member "${name.slice(0, 40)}", where a key or a token would be`);
      refuseSecrets(item, `${path}.${name.slice(0, 40)}`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyMembers(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  const extra = Object.keys(value).find((name) => !allowed.includes(name));
  if (extra !== undefined) fail('kit.malformed', `${path} has an unknown member "${extra.slice(0, 40)}"`);
}

function count(value: unknown, min: number, max: number, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    return fail('kit.malformed', `${path}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return value;
}

function matching(value: unknown, pattern: RegExp, what: string, path: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) return fail('kit.malformed', `${path}: expected ${what}`);
  return value;
}

/**
 * An http(s) URL with nothing where a credential could hide: no user name or password, no query,
 * no fragment. A query is refused as a secret: in a storage address it is a signature (a SAS).
 */
function plainUrl(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length > 2048 || !URL.canParse(value)) return fail('kit.malformed', `${path}: expected a web address`);
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('kit.malformed', `${path}: expected an https:// address`);
  if (url.username !== '' || url.password !== '') fail('kit.secret', `${path}: a web address with a user name or password`);
  if (url.search !== '' || value.includes('?')) fail('kit.secret', `${path}: a web address with a query, where a signature would be`);
  if (url.hash !== '' || value.includes('#')) fail('kit.malformed', `${path}: a web address with a fragment`);
  return value;
}

function parsePlace(value: unknown, path: string): KitPlace {
  if (!isObject(value)) return fail('kit.malformed', `${path}: expected an object`);
  switch (value['kind']) {
    case 'demo':
      onlyMembers(value, ['kind', 'id'], path);
      return { kind: 'demo', id: matching(value['id'], DEMO_ID, 'a demo cloud id like "demo-a"', `${path}.id`) };
    case 's3': {
      onlyMembers(value, ['kind', 'provider', 'endpoint', 'region', 'bucket', 'addressing'], path);
      const addressing = value['addressing'];
      if (addressing !== 'path' && addressing !== 'virtual-hosted') return fail('kit.malformed', `${path}.addressing: expected "path" or "virtual-hosted"`);
      return {
        kind: 's3',
        provider: matching(value['provider'], PROVIDER, 'a provider name', `${path}.provider`),
        endpoint: plainUrl(value['endpoint'], `${path}.endpoint`),
        region: matching(value['region'], REGION, 'a region name', `${path}.region`),
        bucket: matching(value['bucket'], NAME_TOKEN, 'a bucket name', `${path}.bucket`),
        addressing,
      };
    }
    case 'azure':
      onlyMembers(value, ['kind', 'containerUrl'], path);
      return { kind: 'azure', containerUrl: plainUrl(value['containerUrl'], `${path}.containerUrl`) };
    case 'presign-endpoint':
      onlyMembers(value, ['kind', 'endpoint', 'bucket'], path);
      return {
        kind: 'presign-endpoint',
        endpoint: plainUrl(value['endpoint'], `${path}.endpoint`),
        bucket: matching(value['bucket'], NAME_TOKEN, 'a bucket id', `${path}.bucket`),
      };
    default:
      return fail('kit.malformed', `${path}.kind: expected "demo", "s3", "azure" or "presign-endpoint"`);
  }
}

function parseFileName(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255 || CONTROL.test(value) || /[/\\]/.test(value) || value === '.' || value === '..') {
    return fail('kit.malformed', 'fileName: expected a file name (no folder, at most 255 characters)');
  }
  return value;
}

const KIT_MEMBERS = ['format', 'version', 'recordId', 'splitId', 'scheme', 'k', 'n', 'size', 'fingerprint', 'sha256', 'fileName', 'shares'] as const;

/** The fingerprint and the plain SHA-256 of `from`, those it has, in that order. */
function identityOf(from: FileIdentity): FileIdentity {
  return { ...(from.fingerprint !== undefined ? { fingerprint: from.fingerprint } : {}), ...(from.sha256 !== undefined ? { sha256: from.sha256 } : {}) };
}

/** The kit in `value` (the JSON file's form, already parsed), validated; RecoveryKitError otherwise. */
function parseRecoveryKitValue(value: unknown): RecoveryKit {
  if (!isObject(value) || value['format'] !== RECOVERY_KIT_FORMAT) return fail('kit.not-a-kit', 'not a Tessera recovery kit');
  if (value['version'] !== RECOVERY_KIT_VERSION) {
    return fail('kit.version', `a recovery kit of version ${JSON.stringify(value['version'])?.slice(0, 20)}; this app reads version ${RECOVERY_KIT_VERSION}`);
  }
  refuseSecrets(value, 'kit');
  onlyMembers(value, KIT_MEMBERS, 'kit');
  const recordId = matching(value['recordId'], HEX32, '32 hexadecimal digits', 'recordId');
  const splitId = matching(value['splitId'], HEX32, '32 hexadecimal digits', 'splitId');
  const scheme = value['scheme'];
  if (typeof scheme !== 'string' || !(SCHEMES as readonly string[]).includes(scheme)) return fail('kit.malformed', `scheme: expected ${SCHEMES.join(' or ')}`);
  const n = count(value['n'], 2, 255, 'n');
  const k = count(value['k'], 2, n, 'k');
  const size = count(value['size'], 0, Number.MAX_SAFE_INTEGER, 'size');
  if (value['fingerprint'] === undefined && value['sha256'] === undefined) return fail('kit.malformed', 'fingerprint: the kit does not say which file it is');
  const fingerprint = value['fingerprint'] === undefined ? undefined : matching(value['fingerprint'], FINGERPRINT_PATTERN, '64 hexadecimal digits, after 256k: for 256 KiB blocks', 'fingerprint');
  const sha256 = value['sha256'] === undefined ? undefined : matching(value['sha256'], HEX64, '64 hexadecimal digits', 'sha256');
  const fileName = value['fileName'] === undefined ? undefined : parseFileName(value['fileName']);
  const shares = value['shares'];
  if (!Array.isArray(shares) || shares.length !== n) return fail('kit.malformed', `shares: expected ${n} shares, one per x from 1 to ${n}`);
  const parsed = shares.map((share: unknown, index): KitShare => {
    const path = `shares[${index}]`;
    if (!isObject(share)) return fail('kit.malformed', `${path}: expected an object`);
    onlyMembers(share, ['x', 'place', 'key', 'size'], path);
    const key = share['key'];
    if (typeof key !== 'string' || key.length === 0 || key.length > 1024 || CONTROL.test(key)) return fail('kit.malformed', `${path}.key: expected an object key`);
    return {
      x: count(share['x'], 1, n, `${path}.x`),
      place: parsePlace(share['place'], `${path}.place`),
      key,
      size: count(share['size'], 0, Number.MAX_SAFE_INTEGER, `${path}.size`),
    };
  });
  if (new Set(parsed.map((share) => share.x)).size !== n) fail('kit.malformed', 'shares: two shares have the same x');
  return {
    format: RECOVERY_KIT_FORMAT,
    version: RECOVERY_KIT_VERSION,
    recordId,
    splitId,
    scheme: scheme as Scheme,
    k,
    n,
    size,
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    ...(sha256 !== undefined ? { sha256 } : {}),
    ...(fileName !== undefined ? { fileName } : {}),
    shares: parsed.sort((a, b) => a.x - b.x),
  };
}

const COMPACT_MEMBERS = [COMPACT_TAG, 'r', 's', 'm', 'k', 'n', 'z', 'g', 'h', 'f', 'y', 'p', 'x', 'o'] as const;

const COMPACT_PLACE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  demo: ['id'],
  s3: ['provider', 'endpoint', 'region', 'bucket', 'addressing'],
  azure: ['containerUrl'],
  'presign-endpoint': ['endpoint', 'bucket'],
};

/** The compact form (recoveryKitQrText) written out as the JSON file's form, then validated as one. */
function expandCompact(value: Record<string, unknown>): RecoveryKit {
  if (value[COMPACT_TAG] !== RECOVERY_KIT_VERSION) {
    return fail('kit.version', `a recovery kit of version ${JSON.stringify(value[COMPACT_TAG])?.slice(0, 20)}; this app reads version ${RECOVERY_KIT_VERSION}`);
  }
  refuseSecrets(value, 'kit');
  onlyMembers(value, COMPACT_MEMBERS, 'kit');
  const n = count(value['n'], 2, 255, 'n');
  const recordId = matching(value['r'], HEX32, '32 hexadecimal digits', 'r');
  const places = value['p'];
  const placeIndex = value['x'];
  if (!Array.isArray(places) || places.length === 0 || places.length > n) return fail('kit.malformed', 'p: expected the list of places');
  if (!Array.isArray(placeIndex) || placeIndex.length !== n) return fail('kit.malformed', `x: expected ${n} place numbers`);
  const expandedPlaces = places.map((place: unknown, index) => {
    const fields = Array.isArray(place) && typeof place[0] === 'string' && Object.hasOwn(COMPACT_PLACE_FIELDS, place[0]) ? COMPACT_PLACE_FIELDS[place[0]]! : undefined;
    if (!Array.isArray(place) || fields === undefined || place.length !== fields.length + 1) return fail('kit.malformed', `p[${index}]: expected a place`);
    return Object.fromEntries([['kind', place[0]], ...fields.map((field, at) => [field, place[at + 1]])]) as unknown;
  });
  const sizes = value['y'];
  const sizeOf = (index: number): unknown => (Array.isArray(sizes) ? (sizes.length === n ? sizes[index] : fail('kit.malformed', `y: expected ${n} sizes`)) : sizes);
  const otherKeys = value['o'] === undefined ? {} : value['o'];
  if (!isObject(otherKeys)) return fail('kit.malformed', 'o: expected an object of keys by x');
  for (const x of Object.keys(otherKeys)) {
    if (!/^[1-9][0-9]{0,2}$/.test(x) || Number(x) > n) fail('kit.malformed', `o: "${x.slice(0, 10)}" is not a share's x`);
  }
  return parseRecoveryKitValue({
    format: RECOVERY_KIT_FORMAT,
    version: RECOVERY_KIT_VERSION,
    recordId,
    splitId: value['s'],
    scheme: value['m'],
    k: value['k'],
    n,
    size: value['z'],
    ...(value['g'] !== undefined ? { fingerprint: value['g'] } : {}),
    ...(value['h'] !== undefined ? { sha256: value['h'] } : {}),
    ...(value['f'] !== undefined ? { fileName: value['f'] } : {}),
    shares: placeIndex.map((index: unknown, at) => {
      const x = at + 1;
      return {
        x,
        place: expandedPlaces[count(index, 0, expandedPlaces.length - 1, `x[${at}]`)],
        key: otherKeys[String(x)] ?? shareKey(recordId, x),
        size: sizeOf(at),
      };
    }),
  });
}

/** Longest text read as a kit: far above any real kit (255 shares in 255 places), far below a problem. */
const MAX_KIT_TEXT = 1024 * 1024;

/** Deepest nesting in a kit: kit › shares › share › place (the compact form: kit › p › place). */
const MAX_KIT_DEPTH = 8;

/**
 * How deeply the arrays and objects of JSON `text` nest. Checked before anything walks the parsed
 * value (refuseSecrets, JSON.stringify in messages): both recurse, and a text of a million brackets
 * would overflow the stack (a RangeError instead of a RecoveryKitError; found by test/fuzz).
 */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * The kit in `text`: the JSON file, or the compact form a QR code holds. RecoveryKitError with
 * `kit.not-a-kit`, `kit.version`, `kit.secret` or `kit.malformed` otherwise.
 */
export function parseRecoveryKit(text: string): RecoveryKit {
  if (typeof text !== 'string') throw new TypeError(`text: expected a string, got ${typeof text}`);
  if (text.length > MAX_KIT_TEXT) fail('kit.not-a-kit', `${text.length} characters: far too long for a recovery kit`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('kit.not-a-kit', 'not JSON, so not a Tessera recovery kit');
  }
  if (nestingDepth(text) > MAX_KIT_DEPTH) {
    const claimsKit = isObject(value) && (value['format'] === RECOVERY_KIT_FORMAT || Object.hasOwn(value, COMPACT_TAG));
    return fail(claimsKit ? 'kit.malformed' : 'kit.not-a-kit', 'nested far deeper than a recovery kit');
  }
  if (isObject(value) && Object.hasOwn(value, COMPACT_TAG)) return expandCompact(value);
  return parseRecoveryKitValue(value);
}
