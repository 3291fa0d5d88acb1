/**
 * Makes a record's share bundles (docs/bundles.md): zips for people without clouds, each holding
 * some of the shares under random names, a manifest with their SHA-256, a README and the offline
 * recovery tool. Pure: the share worker gives it the shares as read from their clouds and an OPFS
 * file per bundle (workers/file-jobs.ts); the tests give it arrays.
 *
 * Nothing leaves for a bundle before it is known to work: first all n shares rebuild the original
 * together (into nothing) and every chunk is authenticated, every share checked against the others
 * (docs/share-format.md §7 step 4), their CRC-32 and SHA-256 computed on the way; a damaged share
 * stops it, named. Then each zip is written, every share read a second time and checked against
 * its CRC on the way. Memory stays a few MiB whatever the size.
 */
import { TesseraError } from '../core/errors.js';
import type { ByteSink, ByteSource } from '../core/io.js';
import { recover } from '../core/recover.js';
import type { RandomSource, RecoverOptions, Scheme } from '../core/types.js';
import { createSha256 } from '../../workers/sha256.js';
import { README_NAME, RECOVERY_TOOL_NAME, bundleZipName, randomShareEntryName } from './bundle-names.js';
import { Crc32 } from './crc32.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, MANIFEST_NAME, bundleSizes, bundlesNeeded, formatManifest, type BundledShare } from './manifest.js';
import { bundleReadme } from './readme.js';
import { ZipWriter } from './zip-writer.js';

export interface BundlePlan {
  readonly splitId: string;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  /** Shares in each bundle, 1 to k − 1 (so that no one bundle rebuilds the file). */
  readonly sharesPerBundle: number;
  /** The original's name, only when the person chose to put it in the bundles. */
  readonly fileName?: string;
}

export interface MadeBundle {
  /** 1-based. */
  readonly bundle: number;
  /** What to save it as: `tessera-1a2b3c4d-bundle-2-of-5.zip`. */
  readonly zipName: string;
  readonly xs: readonly number[];
  /** Bytes of the zip. */
  readonly size: number;
}

export interface BundleProgress {
  /** `checking`: the shares rebuild the original together; `writing`: the zips. */
  readonly phase: 'checking' | 'writing';
  readonly done: number;
  readonly total: number;
}

export interface MakeBundlesOptions {
  readonly onProgress?: (progress: BundleProgress) => void;
  readonly executor?: RecoverOptions['executor'];
  /** For the shares' random names inside the zips (default: the platform CSPRNG). */
  readonly random?: RandomSource;
  readonly modified?: Date;
}

/** The x of each share per bundle, in order: bundle i holds shares i·per + 1 … */
export function bundleContents(n: number, sharesPerBundle: number): number[][] {
  let next = 1;
  return bundleSizes(n, sharesPerBundle).map((count) => Array.from({ length: count }, () => next++));
}

/**
 * Writes the bundles of one record. `shares` are all n shares (share x at index x − 1);
 * `openSink(i)` gives where bundle i (0-based) goes; `recoveryTool` is the offline tool's HTML.
 */
export async function writeShareBundles(
  shares: readonly ByteSource[],
  plan: BundlePlan,
  openSink: (index: number) => Promise<ByteSink>,
  recoveryTool: string,
  options: MakeBundlesOptions = {},
): Promise<MadeBundle[]> {
  const { k, n, sharesPerBundle } = plan;
  if (shares.length !== n) throw new RangeError(`shares: expected all ${n} shares of the record, got ${shares.length}`);
  if (!Number.isSafeInteger(sharesPerBundle) || sharesPerBundle < 1 || sharesPerBundle >= k) {
    throw new RangeError(`sharesPerBundle: expected an integer from 1 to ${k - 1} (no bundle may rebuild the file alone), got ${sharesPerBundle}`);
  }
  const fingerprints = await checkShares(shares, plan, options);

  const contents = bundleContents(n, sharesPerBundle);
  const needed = bundlesNeeded(k, n, sharesPerBundle);
  const total = shares.reduce((sum, share) => sum + share.size, 0);
  let written = 0;
  const made: MadeBundle[] = [];
  for (const [index, xs] of contents.entries()) {
    const sink = await openSink(index);
    try {
      const zip = new ZipWriter(sink, options.modified ? { modified: options.modified } : {});
      const facts = { bundle: index + 1, bundles: contents.length, bundlesNeeded: needed, k, n, xs };
      await zip.add(README_NAME, new TextEncoder().encode(bundleReadme(facts)));
      const listed: BundledShare[] = [];
      for (const x of xs) {
        const source = shares[x - 1]!;
        const file = randomShareEntryName(options.random);
        const counted: ByteSource = {
          size: source.size,
          read: async (offset, length) => {
            const bytes = await source.read(offset, length);
            written += bytes.length;
            options.onProgress?.({ phase: 'writing', done: written, total });
            return bytes;
          },
        };
        await zip.add(file, { source: counted, crc32: fingerprints[x - 1]!.crc32 });
        listed.push({ x, file, size: source.size, sha256: fingerprints[x - 1]!.sha256 });
      }
      const manifest = formatManifest({
        format: BUNDLE_FORMAT,
        version: BUNDLE_VERSION,
        bundle: index + 1,
        bundles: contents.length,
        bundlesNeeded: needed,
        scheme: plan.scheme,
        k,
        n,
        splitId: plan.splitId,
        ...(plan.fileName !== undefined ? { fileName: plan.fileName } : {}),
        shares: listed,
      });
      await zip.add(MANIFEST_NAME, new TextEncoder().encode(manifest));
      await zip.add(RECOVERY_TOOL_NAME, new TextEncoder().encode(recoveryTool));
      await zip.finish();
      made.push({ bundle: index + 1, zipName: bundleZipName(plan.splitId, index + 1, contents.length), xs, size: zip.size });
    } catch (error) {
      await sink.abort?.(error).catch(() => undefined);
      throw error;
    }
  }
  return made;
}

interface Fingerprint {
  readonly crc32: number;
  readonly sha256: string;
}

/**
 * Rebuilds the original from all n shares into nothing, so that every chunk is authenticated and
 * every share compared with the others, and fingerprints each share from the bytes read on the way
 * (a second read only for a share that was not read front to back).
 */
async function checkShares(shares: readonly ByteSource[], plan: BundlePlan, options: MakeBundlesOptions): Promise<Fingerprint[]> {
  const watched = shares.map((share) => new FingerprintingSource(share));
  const discard: ByteSink = { write: () => Promise.resolve(), close: () => Promise.resolve() };
  const result = await recover(watched, discard, {
    ...(options.executor ? { executor: options.executor } : {}),
    ...(options.onProgress ? { onProgress: ({ done, total }) => options.onProgress!({ phase: 'checking', done, total }) } : {}),
  });
  const problem = result.problems[0];
  if (problem) {
    throw new TesseraError(problem.code === 'share.mismatch' ? 'share.mismatch' : 'share.corrupt', `Share ${problem.shareX ?? problem.shareIndex + 1} is not fit to give away: ${problem.message} Check the shares and rebuild it first.`, {
      shareIndex: problem.shareIndex,
    });
  }
  if (result.splitId !== plan.splitId || result.k !== plan.k || result.n !== plan.n || result.scheme !== plan.scheme) {
    throw new TesseraError('share.mismatch', 'The shares in the clouds are not the shares of this record.');
  }
  return Promise.all(watched.map((share) => share.fingerprint()));
}

/**
 * Passes reads through and fingerprints (CRC-32 and SHA-256) the bytes as long as they are read
 * front to back. Reads complete one after another, in the order asked, so that they can be hashed
 * in order; one out of order (a re-read of a damaged chunk) leaves a gap, and the fingerprint is
 * then taken in a pass of its own.
 */
class FingerprintingSource implements ByteSource {
  private readonly crc = new Crc32();
  private readonly sha = createSha256();
  private covered = 0;
  private inOrder = true;
  private previous: Promise<unknown> = Promise.resolve();

  constructor(private readonly inner: ByteSource) {}

  get size(): number {
    return this.inner.size;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    const result = this.previous.then(async () => {
      const bytes = await this.inner.read(offset, length);
      if (this.inOrder && offset === this.covered) {
        this.crc.update(bytes);
        this.sha.update(bytes);
        this.covered += bytes.length;
      } else if (offset + bytes.length > this.covered) {
        this.inOrder = false;
      }
      return bytes;
    });
    this.previous = result.catch(() => undefined);
    return result;
  }

  async fingerprint(): Promise<Fingerprint> {
    if (this.inOrder && this.covered === this.inner.size) return { crc32: this.crc.value(), sha256: this.sha.digestHex() };
    const crc = new Crc32();
    const sha = createSha256();
    for (let offset = 0; offset < this.inner.size; offset += 4 * 1024 * 1024) {
      const bytes = await this.inner.read(offset, Math.min(4 * 1024 * 1024, this.inner.size - offset));
      crc.update(bytes);
      sha.update(bytes);
    }
    return { crc32: crc.value(), sha256: sha.digestHex() };
  }
}
