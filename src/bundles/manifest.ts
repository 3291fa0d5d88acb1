/**
 * The manifest of a share bundle (docs/bundles.md): what the zip holds, for a reader to list it and
 * to check that each share file is the one the bundle was made with. It carries no hash of the
 * original (a hash lets a holder confirm a guess, docs/share-format.md §8), no storage location and
 * no patient data; the original's file name only when the person asked for it.
 */
import { assertThreshold } from '../core/assert.js';
import { SHARE_EXTENSION } from '../core/format.js';
import { SCHEMES, type Scheme } from '../core/types.js';
import { BundleError } from './errors.js';

export const MANIFEST_NAME = 'manifest.json';
export const BUNDLE_FORMAT = 'tessera-share-bundle';
export const BUNDLE_VERSION = 1;
/** A manifest is a few hundred bytes; anything past this is not one. */
export const MAX_MANIFEST_SIZE = 64 * 1024;

export interface BundledShare {
  /** The share's x-coordinate (1..n). */
  readonly x: number;
  /** Its entry in the zip: a random name ending in .tshare, never a path. */
  readonly file: string;
  readonly size: number;
  /** SHA-256 of the share file, hex. */
  readonly sha256: string;
}

export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: typeof BUNDLE_VERSION;
  /** This bundle's number, 1..bundles. */
  readonly bundle: number;
  /** Bundles made of the record. */
  readonly bundles: number;
  /** The fewest bundles that always hold k shares between them. */
  readonly bundlesNeeded: number;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  /** The split id in every share's header, hex. */
  readonly splitId: string;
  /** The original's file name, only when the person chose to include it. */
  readonly fileName?: string;
  readonly shares: readonly BundledShare[];
}

/** A share file's name inside a bundle: a plain name ending in .tshare. */
export const SHARE_ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,100}\.tshare$/;
const HEX32 = /^[0-9a-f]{32}$/;
const HEX64 = /^[0-9a-f]{64}$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The fewest bundles that always hold at least k shares, whichever ones come together: the
 * smallest bundles counted first. Bundle i (0-based) holds shares i·per+1 … min(n, (i+1)·per).
 */
export function bundlesNeeded(k: number, n: number, sharesPerBundle: number): number {
  const sizes = bundleSizes(n, sharesPerBundle).sort((a, b) => a - b);
  let held = 0;
  for (let count = 1; count <= sizes.length; count++) {
    held += sizes[count - 1]!;
    if (held >= k) return count;
  }
  return sizes.length;
}

/** How many shares each bundle holds when `sharesPerBundle` go into each, in order (the last may hold fewer). */
export function bundleSizes(n: number, sharesPerBundle: number): number[] {
  return Array.from({ length: Math.ceil(n / sharesPerBundle) }, (_, index) => Math.min(sharesPerBundle, n - index * sharesPerBundle));
}

function invalid(what: string): BundleError {
  return new BundleError('bundle.manifest', `manifest.json is not a valid bundle manifest: ${what}.`);
}

function integer(record: Record<string, unknown>, field: string, min: number, max: number): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`"${field}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Reads and checks a manifest; BundleError `bundle.manifest` or `bundle.version` if it is not one this reader knows. */
export function parseManifest(text: string): BundleManifest {
  if (text.length > MAX_MANIFEST_SIZE) throw invalid('it is too large');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('it is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('it is not a JSON object');
  const record = value as Record<string, unknown>;
  if (record['format'] !== BUNDLE_FORMAT) throw invalid(`"format" must be "${BUNDLE_FORMAT}"`);
  const version = integer(record, 'version', 1, Number.MAX_SAFE_INTEGER);
  if (version !== BUNDLE_VERSION) {
    throw new BundleError('bundle.version', `The bundle is of format version ${version}; this reader knows version ${BUNDLE_VERSION}.`);
  }
  const scheme = record['scheme'];
  if (typeof scheme !== 'string' || !(SCHEMES as readonly string[]).includes(scheme)) throw invalid('"scheme" is unknown');
  const k = integer(record, 'k', 2, 255);
  const n = integer(record, 'n', 2, 255);
  try {
    assertThreshold(k, n);
  } catch {
    throw invalid('"k" is larger than "n"');
  }
  const bundles = integer(record, 'bundles', 1, n);
  const bundle = integer(record, 'bundle', 1, bundles);
  const needed = integer(record, 'bundlesNeeded', 1, bundles);
  const splitId = record['splitId'];
  if (typeof splitId !== 'string' || !HEX32.test(splitId)) throw invalid('"splitId" must be 32 lowercase hex digits');
  const fileName = record['fileName'];
  if (fileName !== undefined && (typeof fileName !== 'string' || fileName.length === 0 || fileName.length > 255 || CONTROL.test(fileName))) {
    throw invalid('"fileName" must be a file name of 1 to 255 characters');
  }
  const shares = record['shares'];
  if (!Array.isArray(shares) || shares.length === 0 || shares.length > n) throw invalid(`"shares" must list 1 to ${n} shares`);
  const xs = new Set<number>();
  const files = new Set<string>();
  const bundled = shares.map((share: unknown, index): BundledShare => {
    if (typeof share !== 'object' || share === null) throw invalid(`share ${index + 1} is not an object`);
    const entry = share as Record<string, unknown>;
    const x = integer(entry, 'x', 1, n);
    const file = entry['file'];
    if (typeof file !== 'string' || !SHARE_ENTRY_NAME.test(file)) throw invalid(`share ${index + 1} has no plain "${SHARE_EXTENSION}" file name`);
    const size = integer(entry, 'size', 0, Number.MAX_SAFE_INTEGER);
    const sha256 = entry['sha256'];
    if (typeof sha256 !== 'string' || !HEX64.test(sha256)) throw invalid(`share ${index + 1} has no SHA-256 of 64 lowercase hex digits`);
    if (xs.has(x) || files.has(file)) throw invalid(`share ${index + 1} is listed twice`);
    xs.add(x);
    files.add(file);
    return { x, file, size, sha256 };
  });
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    bundle,
    bundles,
    bundlesNeeded: needed,
    scheme: scheme as Scheme,
    k,
    n,
    splitId,
    ...(fileName !== undefined ? { fileName: fileName as string } : {}),
    shares: bundled,
  };
}

/** The manifest as written into a bundle: stable key order, two-space indent, a final newline. */
export function formatManifest(manifest: BundleManifest): string {
  const { format, version, bundle, bundles, bundlesNeeded: needed, scheme, k, n, splitId, fileName, shares } = manifest;
  const ordered = {
    format,
    version,
    bundle,
    bundles,
    bundlesNeeded: needed,
    scheme,
    k,
    n,
    splitId,
    ...(fileName !== undefined ? { fileName } : {}),
    shares: shares.map(({ x, file, size, sha256 }) => ({ x, file, size, sha256 })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * A name to save a rebuilt file under, from a name someone gave or a manifest holds: the last path
 * part only, without control characters, at most 200 characters; undefined if nothing is left.
 */
export function safeFileName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const last = name.split(/[/\\]/).pop() ?? '';
  const cleaned = [...last]
    .filter((character) => !CONTROL.test(character))
    .join('')
    .trim()
    .slice(0, 200);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? undefined : cleaned;
}
