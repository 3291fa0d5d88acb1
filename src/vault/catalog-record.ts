/**
 * What the local catalog keeps about a protected file, and the checks applied to everything read
 * back from IndexedDB (data written by an older version, or damaged, is skipped rather than
 * trusted). Pure: no IndexedDB here, so it is unit-tested in Node.
 */
import { FINGERPRINT_PATTERN } from '../core/fingerprint.js';
import { SCHEMES, type Scheme } from '../core/types.js';

export interface ShareLocation {
  /** x-coordinate of the share, 1..n. */
  readonly x: number;
  readonly bucketId: string;
  /** Object key in the bucket; carries nothing about the file. */
  readonly key: string;
  readonly size: number;
  /**
   * Absent: the share is stored in its cloud. `pending`: it waits on this device
   * (src/storage/staging.ts) for its upload, which a closed tab, a cloud that is down or a refusal
   * interrupted; it can be sent again.
   */
  readonly state?: 'pending';
  /** Why the last upload of a pending share failed: an error code (bucket.cors, bucket.offline…), never text. */
  readonly failure?: string;
}

/** One study in a folder record, as the list shows it (local only, like the whole catalog). */
export interface StudyLabel {
  readonly patientName: string;
  /** YYYYMMDD as in DICOM, or "". */
  readonly studyDate: string;
  readonly description: string;
  readonly modalities: readonly string[];
  readonly instances: number;
}

/**
 * What a record holds when it is a folder (a study, a CD, a zip): the files laid end to end in a
 * tar archive (src/records/tar.ts), which is what the shares rebuild.
 */
export interface FolderContents {
  readonly kind: 'folder';
  /** The folder's name, used when it is saved back as a folder. */
  readonly name: string;
  readonly files: number;
  readonly studies: readonly StudyLabel[];
}

export interface CatalogRecord {
  /** Shape of this record; bumped (with a migration in catalog.ts) whenever a field changes. */
  readonly version: 1;
  /** Random record id, also in every share's object key. Unrelated to the file. */
  readonly id: string;
  readonly fileName: string;
  readonly size: number;
  /** MIME type reported by the browser, may be "". */
  readonly type: string;
  /**
   * The original's fingerprint (src/core/fingerprint.ts), hex: what a rebuild is checked against.
   * Local only (and in what the person exports): never written to a share or a bucket.
   */
  readonly fingerprint?: string;
  /**
   * Records made before fingerprints have the plain SHA-256 of the original instead (one of the two
   * is always there; src/records/identity.ts compares with whichever it is).
   */
  readonly sha256?: string;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  /** Milliseconds since 1970. */
  readonly createdAt: number;
  /** The split id written in every share's header. */
  readonly splitId: string;
  readonly shares: readonly ShareLocation[];
  /** Present when the record is a folder; absent for a single file (and in records made before folders). */
  readonly contents?: FolderContents;
  /** What the last "Check the shares" found: when, and which shares were missing or damaged. */
  readonly lastCheck?: ShareCheckSummary;
}

export interface ShareCheckSummary {
  /** Milliseconds since 1970. */
  readonly at: number;
  /** Shares found where they should be, the right size. */
  readonly present: number;
  /** x of the shares found missing or damaged. */
  readonly lost: readonly number[];
}

/** A record's status, as the list shows and filters it. */
export type RecordStatus = 'safe' | 'degraded' | 'not-yet-safe' | 'unrecoverable';

/**
 * - `unrecoverable`: the last check found fewer than k shares where they should be;
 * - `not-yet-safe`: fewer than k shares stored yet (the others wait on this device);
 * - `degraded`: recoverable, but a share is missing, damaged or not stored yet;
 * - `safe`: all n shares stored, and the last check (if any) found them all.
 */
export function recordStatus(record: Pick<CatalogRecord, 'k' | 'n' | 'shares' | 'lastCheck'>): RecordStatus {
  const { stored } = recordSafety(record);
  if (record.lastCheck && record.lastCheck.present < record.k) return 'unrecoverable';
  if (stored < record.k) return 'not-yet-safe';
  if (stored < record.n || (record.lastCheck && record.lastCheck.lost.length > 0)) return 'degraded';
  return 'safe';
}

/**
 * The record after an upload of its pending shares: a share its cloud took loses its `pending`
 * mark; one that failed keeps it, with the code of why (`failure`). Shares the upload did not
 * cover are unchanged.
 */
export function withOutcomes(
  record: CatalogRecord,
  outcomes: readonly ({ readonly x: number; readonly stored: true } | { readonly x: number; readonly stored: false; readonly failure: string })[],
): CatalogRecord {
  const byX = new Map(outcomes.map((outcome) => [outcome.x, outcome]));
  const shares = record.shares.map((share): ShareLocation => {
    const outcome = byX.get(share.x);
    if (!outcome || share.state !== 'pending') return share;
    const { state: _state, failure: _failure, ...stored } = share;
    return outcome.stored ? stored : { ...stored, state: 'pending', failure: outcome.failure };
  });
  return { ...record, shares };
}

/** Demo clouds switched on or off, and made slow by a presenter (absent: none is slow), by bucket id. */
export interface CloudSwitches {
  readonly version: 1;
  readonly online: Readonly<Record<string, boolean>>;
  readonly slow?: Readonly<Record<string, boolean>>;
}

/**
 * A real storage location's settings without its credential: what survives a reload. The location
 * comes back as needing its key; the person gives the secret again before it is used.
 * WARNING: never add a field for the S3 secret key, an Azure SAS (its query holds the signature)
 * or a signing service's token: these stay in the page's memory, for the session only.
 */
export type LocationSettings =
  | {
      readonly kind: 's3';
      readonly id: string;
      readonly label: string;
      readonly online: boolean;
      /** The preset it was set up with (s3/presets.ts S3Provider). */
      readonly provider: string;
      readonly endpoint: string;
      readonly region: string;
      readonly bucket: string;
      readonly addressing: 'path' | 'virtual-hosted';
      readonly accessKeyId: string;
    }
  | {
      readonly kind: 'azure';
      readonly id: string;
      readonly label: string;
      readonly online: boolean;
      /** `https://<account>.blob.core.windows.net/<container>`: the SAS URL without its query. */
      readonly containerUrl: string;
    }
  | {
      readonly kind: 'presign-endpoint';
      readonly id: string;
      readonly label: string;
      readonly online: boolean;
      readonly endpoint: string;
      readonly bucket: string;
    };

/** The person's real storage locations, in the order added. */
export interface SavedLocations {
  readonly version: 1;
  readonly locations: readonly LocationSettings[];
}

const HEX = /^[0-9a-f]+$/;

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

function isHex(value: unknown, length: number): value is string {
  return typeof value === 'string' && value.length === length && HEX.test(value);
}

const isText = (value: unknown): value is string => typeof value === 'string';

function parseStudyLabel(value: unknown): StudyLabel | undefined {
  if (!isRecordObject(value)) return undefined;
  const { patientName, studyDate, description, modalities, instances } = value;
  if (!isText(patientName) || !isText(studyDate) || !isText(description) || !isCount(instances, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  if (!Array.isArray(modalities) || !modalities.every(isText)) return undefined;
  return { patientName, studyDate, description, modalities, instances };
}

function parseContents(value: unknown): FolderContents | undefined | null {
  if (value === undefined) return undefined;
  if (!isRecordObject(value) || value['kind'] !== 'folder' || !isText(value['name']) || !isCount(value['files'], 0, Number.MAX_SAFE_INTEGER)) return null;
  if (!Array.isArray(value['studies'])) return null;
  const studies = value['studies'].map(parseStudyLabel);
  if (studies.some((study) => study === undefined)) return null;
  return { kind: 'folder', name: value['name'], files: value['files'], studies: studies as StudyLabel[] };
}

const FAILURE_CODE = /^[a-z]+\.[a-z-]+$/;

function parseShareLocation(value: unknown, n: number): ShareLocation | undefined {
  if (!isRecordObject(value)) return undefined;
  const { x, bucketId, key, size, state, failure } = value;
  if (!isCount(x, 1, n) || typeof bucketId !== 'string' || bucketId === '' || typeof key !== 'string' || key === '') return undefined;
  if (!isCount(size, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  if (state !== undefined && state !== 'pending') return undefined;
  if (failure !== undefined && (state !== 'pending' || typeof failure !== 'string' || !FAILURE_CODE.test(failure))) return undefined;
  return { x, bucketId, key, size, ...(state ? { state } : {}), ...(typeof failure === 'string' ? { failure } : {}) };
}

/**
 * How safe a record is now. `stored`: shares its clouds hold; `pending`: shares still waiting on
 * this device. A record is safe only when at least k shares are stored, and then survives the loss
 * of `stored − k` clouds; below k it exists only on this device.
 */
export interface RecordSafety {
  readonly state: 'safe' | 'not-yet-safe';
  readonly stored: number;
  readonly pending: number;
  /** Clouds that may be lost (or withhold their share) with the record still recoverable; 0 when not yet safe. */
  readonly lossesSurvived: number;
}

export function recordSafety(record: Pick<CatalogRecord, 'k' | 'shares'>): RecordSafety {
  const pending = record.shares.filter((share) => share.state === 'pending').length;
  const stored = record.shares.length - pending;
  return stored >= record.k
    ? { state: 'safe', stored, pending, lossesSurvived: stored - record.k }
    : { state: 'not-yet-safe', stored, pending, lossesSurvived: 0 };
}

function parseCheck(value: unknown, n: number): ShareCheckSummary | undefined | null {
  if (value === undefined) return undefined;
  if (!isRecordObject(value) || !isCount(value['at'], 0, Number.MAX_SAFE_INTEGER) || !isCount(value['present'], 0, n)) return null;
  const lost = value['lost'];
  if (!Array.isArray(lost) || !lost.every((x) => isCount(x, 1, n)) || new Set(lost).size !== lost.length) return null;
  return { at: value['at'], present: value['present'], lost: lost as number[] };
}

/** The record, if `value` is a well-formed catalog record; undefined otherwise. */
export function parseCatalogRecord(value: unknown): CatalogRecord | undefined {
  if (!isRecordObject(value)) return undefined;
  const { version, id, fileName, size, type, fingerprint, sha256, scheme, k, n, createdAt, splitId, shares } = value;
  if (version !== 1) return undefined;
  if (!isHex(id, 32) || typeof fileName !== 'string' || typeof type !== 'string') return undefined;
  if (fingerprint === undefined && sha256 === undefined) return undefined;
  if ((fingerprint !== undefined && (typeof fingerprint !== 'string' || !FINGERPRINT_PATTERN.test(fingerprint))) || (sha256 !== undefined && !isHex(sha256, 64))) return undefined;
  if (typeof scheme !== 'string' || !(SCHEMES as readonly string[]).includes(scheme)) return undefined;
  if (!isCount(n, 2, 255) || !isCount(k, 2, n) || !isCount(size, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  if (!isCount(createdAt, 0, Number.MAX_SAFE_INTEGER) || typeof splitId !== 'string' || !HEX.test(splitId)) return undefined;
  if (!Array.isArray(shares)) return undefined;
  const locations = shares.map((share) => parseShareLocation(share, n));
  if (locations.length !== n || locations.some((share) => share === undefined)) return undefined;
  const xs = new Set(locations.map((share) => share!.x));
  if (xs.size !== n) return undefined;
  // null: a contents field that is there but malformed, and the record with it.
  const contents = parseContents(value['contents']);
  if (contents === null) return undefined;
  const lastCheck = parseCheck(value['lastCheck'], n);
  if (lastCheck === null) return undefined;
  return {
    ...(contents ? { contents } : {}),
    ...(lastCheck ? { lastCheck } : {}),
    version,
    id,
    fileName,
    size,
    type,
    ...(fingerprint !== undefined ? { fingerprint: fingerprint as string } : {}),
    ...(sha256 !== undefined ? { sha256: sha256 as string } : {}),
    scheme: scheme as Scheme,
    k,
    n,
    createdAt,
    splitId,
    shares: locations as ShareLocation[],
  };
}

export function parseCloudSwitches(value: unknown): CloudSwitches | undefined {
  if (!isRecordObject(value) || value['version'] !== 1 || !isRecordObject(value['online'])) return undefined;
  const online = booleansOf(value['online']);
  // `slow` came later in the same version: a record without it (or with a malformed one) has no slow cloud.
  const slow = isRecordObject(value['slow']) ? booleansOf(value['slow']) : {};
  return Object.keys(slow).length > 0 ? { version: 1, online, slow } : { version: 1, online };
}

/** The boolean entries of a plain object, by key; anything else is dropped. */
function booleansOf(value: Record<string, unknown>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [id, on] of Object.entries(value)) {
    if (typeof on === 'boolean') out[id] = on;
  }
  return out;
}

const isName = (value: unknown): value is string => typeof value === 'string' && value !== '' && value.length <= 2048;

/** An http(s) URL without user name, password, query or fragment (where a credential could hide). */
function isPlainUrl(value: unknown): value is string {
  if (!isName(value) || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
}

/** One location's settings, only the fields named here (so nothing else stored next to them comes back), or undefined. */
function parseLocationSettings(value: unknown): LocationSettings | undefined {
  if (!isRecordObject(value)) return undefined;
  const { kind, id, label, online } = value;
  if (!isName(id) || !isText(label) || typeof online !== 'boolean') return undefined;
  const base = { id, label, online };
  if (kind === 's3') {
    const { provider, endpoint, region, bucket, addressing, accessKeyId } = value;
    if (!isName(provider) || !isPlainUrl(endpoint) || !isName(region) || !isName(bucket) || !isName(accessKeyId)) return undefined;
    if (addressing !== 'path' && addressing !== 'virtual-hosted') return undefined;
    return { kind, ...base, provider, endpoint, region, bucket, addressing, accessKeyId };
  }
  if (kind === 'azure') {
    const { containerUrl } = value;
    return isPlainUrl(containerUrl) ? { kind, ...base, containerUrl } : undefined;
  }
  if (kind === 'presign-endpoint') {
    const { endpoint, bucket } = value;
    return isPlainUrl(endpoint) && isName(bucket) ? { kind, ...base, endpoint, bucket } : undefined;
  }
  return undefined;
}

/** The saved locations, if `value` is a version-1 record: malformed entries and repeated ids are dropped. */
export function parseSavedLocations(value: unknown): SavedLocations | undefined {
  if (!isRecordObject(value) || value['version'] !== 1 || !Array.isArray(value['locations'])) return undefined;
  const locations: LocationSettings[] = [];
  for (const entry of value['locations']) {
    const settings = parseLocationSettings(entry);
    if (settings !== undefined && !locations.some((kept) => kept.id === settings.id)) locations.push(settings);
  }
  return { version: 1, locations };
}
