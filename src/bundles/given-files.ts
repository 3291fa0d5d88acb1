/**
 * What a person gave to "Recover from share files": bare share files (`*.tshare`), share bundles
 * (zips with a manifest, docs/bundles.md), zips of share files without a manifest, or anything else
 * by mistake. Each file is looked at without reading it whole: a share's 108-byte header, a zip's
 * directory, a bundle's manifest. Shares inside zips stay slices of the zip (no copy).
 *
 * Pure: Blob, TextDecoder and WebCrypto only, so it runs on the page, in a worker, in the offline
 * tool and in Node alike.
 */
import { TesseraError, toTesseraError, type ErrorCode } from '../core/errors.js';
import { SHARE_EXTENSION } from '../core/format.js';
import { inspectShare } from '../core/inspect.js';
import { blobSource } from '../core/io.js';
import type { Scheme, ShareHeader } from '../core/types.js';
import { createSha256 } from '../../workers/sha256.js';
import { Crc32 } from './crc32.js';
import { BundleError, toBundleError, type BundleCode, type ShareFileCode } from './errors.js';
import { MANIFEST_NAME, MAX_MANIFEST_SIZE, parseManifest, safeFileName, type BundleManifest } from './manifest.js';
import { looksLikeZip, openZipEntry, readZipDirectory, type ZipEntry } from './zip-reader.js';

export interface FileProblem {
  readonly code: ShareFileCode;
  readonly message: string;
}

export interface GivenShare {
  /** Where it came from, for people: `bundle.zip`, `bundle.zip › 3fa4….tshare` or `3fa4….tshare`. */
  readonly label: string;
  /** The share's bytes: the file itself, or a slice of its zip. */
  readonly blob: Blob;
  readonly header: ShareHeader;
  /** SHA-256 its bundle's manifest gives, hex; checked (checkShareFile) before it is used. */
  readonly sha256?: string;
  /** The original's file name, when its bundle's manifest carries one. */
  readonly fileName?: string;
  /** Set when the header is sound but the file is not the length it says (cut short, or too long). */
  readonly problem?: FileProblem;
}

/** An entry of a zip that is not used, and why. */
export interface SkippedEntry {
  readonly entry: string;
  readonly code: ShareFileCode;
  readonly message: string;
}

interface GivenBase {
  readonly name: string;
  readonly size: number;
}

export type GivenFile =
  | (GivenBase & { readonly kind: 'share'; readonly share: GivenShare })
  | (GivenBase & {
      readonly kind: 'bundle';
      /** Absent for a zip of share files without a manifest (someone zipped them by hand). */
      readonly manifest?: BundleManifest;
      readonly shares: readonly GivenShare[];
      readonly skipped: readonly SkippedEntry[];
    })
  | (GivenBase & { readonly kind: 'unusable'; readonly problem: FileProblem });

function problemOf(error: unknown): FileProblem | undefined {
  const bundle = toBundleError(error);
  if (bundle) return { code: bundle.code, message: bundle.detail };
  const known = toTesseraError(error);
  if (known) return { code: known.code, message: known.detail };
  return undefined;
}

/** Throws the problem as the error it came from. */
function failWith(problem: FileProblem): never {
  if (problem.code.startsWith('bundle.')) throw new BundleError(problem.code as BundleCode, problem.message);
  throw new TesseraError(problem.code as ErrorCode, problem.message);
}

/** Looks at one file the person gave. Never throws for bad data: an unusable file says why. */
export async function readGivenFile(file: File): Promise<GivenFile> {
  const base = { name: file.name, size: file.size };
  try {
    // A file called .zip is read as one, so that one that is not says so.
    if (/\.zip$/i.test(file.name) || (await looksLikeZip(file))) return { ...base, kind: 'bundle', ...(await readBundle(file)) };
    return { ...base, kind: 'share', share: await readShare(file, file.name) };
  } catch (error) {
    const problem = problemOf(error);
    if (!problem) throw error;
    return { ...base, kind: 'unusable', problem };
  }
}

/** A share file's header and length (docs/share-format.md §7 step 1); throws TesseraError when the header is unusable. */
async function readShare(blob: Blob, label: string, extra: { sha256?: string; fileName?: string } = {}): Promise<GivenShare> {
  let inspection;
  try {
    inspection = await inspectShare(blobSource(blob));
  } catch (error) {
    const known = toTesseraError(error);
    if (known) throw new TesseraError(known.code, `${label}: ${known.detail}`);
    throw new TesseraError('share.unreadable', `${label} could not be read.`, {}, { cause: error });
  }
  return {
    label,
    blob,
    header: inspection.header,
    ...extra,
    ...(inspection.problem ? { problem: { code: inspection.problem.code, message: `${label}: ${inspection.problem.message}` } } : {}),
  };
}

/**
 * Whether a zip entry's name is one to look at. Names are never used as paths, but a name that
 * climbs out (`../`), starts at a root (`/`, `C:`) or uses backslashes is not something Tessera
 * writes: such an entry is ignored, whatever it holds.
 */
function safeEntryName(name: string): boolean {
  if (name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name)) return false;
  return name.split('/').every((part) => part !== '..' && part !== '.');
}

/** Entries a zip tool adds by itself: folders, macOS resource forks. */
function incidental(name: string): boolean {
  const last = name.split('/').pop() ?? '';
  return name.endsWith('/') || name.startsWith('__MACOSX/') || last.startsWith('._') || last === '.DS_Store';
}

async function readBundle(zip: File): Promise<{ manifest?: BundleManifest; shares: GivenShare[]; skipped: SkippedEntry[] }> {
  const entries = (await readZipDirectory(zip)).filter((entry) => !incidental(entry.name));
  const skipped: SkippedEntry[] = [];
  const usable: ZipEntry[] = [];
  for (const entry of entries) {
    if (safeEntryName(entry.name)) usable.push(entry);
    else skipped.push({ entry: entry.name, code: 'bundle.damaged', message: `“${entry.name}” has a name that points outside the zip; it was ignored.` });
  }
  const manifestEntry = usable.find((entry) => entry.name === MANIFEST_NAME);
  const shares: GivenShare[] = [];
  const single = (count: number, entry: string): string => (count === 1 ? zip.name : `${zip.name} › ${entry}`);

  if (manifestEntry) {
    const manifest = parseManifest(await readManifest(zip, manifestEntry));
    const fileName = safeFileName(manifest.fileName);
    for (const listed of manifest.shares) {
      const label = single(manifest.shares.length, listed.file);
      const entry = usable.find((candidate) => candidate.name === listed.file);
      try {
        if (!entry) throw new BundleError('bundle.damaged', `${label}: the share its manifest lists is not in the zip.`);
        const blob = await openZipEntry(zip, entry);
        if (blob.size !== listed.size) throw new BundleError('bundle.altered', `${label}: the share is ${blob.size} bytes, and its manifest says ${listed.size}.`);
        const share = await readShare(blob, label, { sha256: listed.sha256, ...(fileName ? { fileName } : {}) });
        const { header } = share;
        if (header.splitId !== manifest.splitId || header.x !== listed.x || header.k !== manifest.k || header.n !== manifest.n || header.scheme !== manifest.scheme) {
          throw new BundleError('bundle.altered', `${label}: the share is not the one its manifest describes.`);
        }
        shares.push(share);
      } catch (error) {
        const problem = problemOf(error);
        if (!problem) throw error;
        skipped.push({ entry: listed.file, ...problem });
      }
    }
    for (const entry of usable) {
      if (entry.name.endsWith(SHARE_EXTENSION) && !manifest.shares.some((listed) => listed.file === entry.name)) {
        skipped.push({ entry: entry.name, code: 'bundle.manifest', message: `“${entry.name}” is not listed in the bundle’s manifest; it was ignored.` });
      }
    }
    if (shares.length === 0) failWith(skipped[0] ?? { code: 'bundle.empty', message: `${zip.name} holds no usable share.` });
    return { manifest, shares, skipped };
  }

  // No manifest: a zip someone made of share files. Their .tshare entries are read as bare shares.
  const candidates = usable.filter((entry) => entry.name.endsWith(SHARE_EXTENSION));
  if (candidates.length === 0) throw new BundleError('bundle.empty', `${zip.name} holds no ${SHARE_EXTENSION} file and no bundle manifest.`);
  for (const entry of candidates) {
    try {
      shares.push(await readShare(await openZipEntry(zip, entry), single(candidates.length, entry.name)));
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      skipped.push({ entry: entry.name, ...problem });
    }
  }
  if (shares.length === 0) failWith(skipped[0]!);
  return { shares, skipped };
}

async function readManifest(zip: Blob, entry: ZipEntry): Promise<string> {
  if (entry.size > MAX_MANIFEST_SIZE) throw new BundleError('bundle.manifest', 'manifest.json is too large to be a bundle manifest.');
  const bytes = new Uint8Array(await (await openZipEntry(zip, entry)).arrayBuffer());
  if (new Crc32().update(bytes).value() !== entry.crc32) throw new BundleError('bundle.damaged', 'The zip file is damaged: manifest.json does not match its checksum.');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BundleError('bundle.manifest', 'manifest.json is not UTF-8 text.');
  }
}

const HASH_READ_SIZE = 4 * 1024 * 1024;

/**
 * Checks a share from a bundle against the SHA-256 in its manifest (reading it through once);
 * BundleError `bundle.altered` naming the share if it differs. A bare share has nothing to check
 * against: the rebuild authenticates every chunk in any case (docs/share-format.md §4).
 */
export async function checkShareFile(share: Pick<GivenShare, 'label' | 'blob' | 'sha256'>, onBytes?: (count: number) => void): Promise<void> {
  if (share.sha256 === undefined) return;
  const hasher = createSha256();
  for (let offset = 0; offset < share.blob.size; offset += HASH_READ_SIZE) {
    const bytes = new Uint8Array(await share.blob.slice(offset, offset + HASH_READ_SIZE).arrayBuffer());
    hasher.update(bytes);
    onBytes?.(bytes.length);
  }
  if (hasher.digestHex() !== share.sha256) {
    throw new BundleError('bundle.altered', `${share.label}: its SHA-256 differs from the one in its manifest, so it was damaged or altered after the bundle was made.`);
  }
}

/** Shares of one split, as given: the unit that can be rebuilt. */
export interface ShareGroup {
  /** splitId, scheme, k, n, chunk size and size: shares belong together when all are equal (§7 step 2). */
  readonly key: string;
  readonly splitId: string;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  /** Size of the original, bytes. */
  readonly size: number;
  /** The original's name, from a bundle manifest, when one carries it. */
  readonly fileName?: string;
  /** One usable share per x, in x order: the first given of each. */
  readonly shares: readonly GivenShare[];
  /** Shares given again (same x): counted once. */
  readonly repeated: readonly GivenShare[];
  /** Shares of this split whose length is wrong: left out. */
  readonly damaged: readonly GivenShare[];
  /** Names of the files given that hold its shares, in the order given. */
  readonly files: readonly string[];
}

/** Sorts what was given into splits, in the order the files were given. */
export function groupShares(files: readonly GivenFile[]): ShareGroup[] {
  const groups = new Map<string, { shares: GivenShare[]; repeated: GivenShare[]; damaged: GivenShare[]; files: string[]; header: ShareHeader; fileName?: string }>();
  for (const file of files) {
    const shares = file.kind === 'share' ? [file.share] : file.kind === 'bundle' ? file.shares : [];
    for (const share of shares) {
      const { splitId, scheme, k, n, chunkSize, size } = share.header;
      const key = [splitId, scheme, k, n, chunkSize, size].join('|');
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { shares: [], repeated: [], damaged: [], files: [], header: share.header }));
      if (!group.files.includes(file.name)) group.files.push(file.name);
      if (share.fileName && !group.fileName) group.fileName = share.fileName;
      if (share.problem) group.damaged.push(share);
      else if (group.shares.some((other) => other.header.x === share.header.x)) group.repeated.push(share);
      else group.shares.push(share);
    }
  }
  return [...groups.entries()].map(([key, group]) => ({
    key,
    splitId: group.header.splitId,
    scheme: group.header.scheme,
    k: group.header.k,
    n: group.header.n,
    size: group.header.size,
    ...(group.fileName ? { fileName: group.fileName } : {}),
    shares: [...group.shares].sort((a, b) => a.header.x - b.header.x),
    repeated: group.repeated,
    damaged: group.damaged,
    files: group.files,
  }));
}
