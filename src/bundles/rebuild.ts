/**
 * Rebuilds an original from share files a person gave (bare shares, or shares inside bundles):
 * each bundled share is first checked against its manifest's SHA-256 (a damaged one is set aside
 * and named), then core's recover (docs/share-format.md §7) rebuilds and authenticates the file
 * chunk by chunk into the sink, fingerprinting it on the way (src/core/fingerprint.ts). Pure: the share worker runs it into an OPFS
 * file (workers/file-jobs.ts), the offline tool on its page into a Blob (src/offline).
 */
import { TesseraError, toTesseraError } from '../core/errors.js';
import { blobSource, blockSource, type ByteSink } from '../core/io.js';
import { recover } from '../core/recover.js';
import type { RecoverOptions, RecoverResult } from '../core/types.js';
import { toBundleError, type ShareFileCode } from './errors.js';
import { checkShareFile } from './given-files.js';

/** One share file to rebuild from: its bytes, what to call it, and the SHA-256 its bundle gives (if any). */
export interface ShareFileToRead {
  readonly label: string;
  readonly blob: Blob;
  readonly sha256?: string;
}

/** A share file that was given but not used, and why. */
export interface SetAsideFile {
  readonly label: string;
  readonly code: ShareFileCode;
  readonly message: string;
}

export interface RebuiltFromFiles {
  readonly result: RecoverResult;
  /** The rebuilt file's fingerprint (src/core/fingerprint.ts), hex. */
  readonly fingerprint: string;
  readonly setAside: readonly SetAsideFile[];
}

export interface ShareFilesProgress {
  /** `checking`: bundled shares against their manifests; `rebuilding`: the original, chunk by chunk. */
  readonly phase: 'checking' | 'rebuilding';
  readonly done: number;
  readonly total: number;
}

export interface RebuildOptions {
  readonly onProgress?: (progress: ShareFilesProgress) => void;
  readonly signal?: AbortSignal;
  /** Where chunks are rebuilt (chunk workers); by default in this thread. */
  readonly executor?: RecoverOptions['executor'];
}

/** Share files are read in blocks of this size: each Blob read has a high fixed cost, chunks are 1 MiB. */
const READ_BLOCK = 8 * 1024 * 1024;

/**
 * Rebuilds the original into `sink` from `shares`. Throws TesseraError (share.too-few,
 * share.corrupt, share.mismatch…) when they do not rebuild it, naming the files set aside; the sink
 * is aborted then, so nothing partial is left.
 */
export async function rebuildFromShareFiles(shares: readonly ShareFileToRead[], sink: ByteSink, options: RebuildOptions = {}): Promise<RebuiltFromFiles> {
  const setAside: SetAsideFile[] = [];
  const usable: ShareFileToRead[] = [];
  // Core names shares by their place in its list (`#2`); people know them by their file names.
  const named = (text: string): string => text.replace(/#(\d+)/g, (whole, place: string) => (usable[Number(place) - 1] ? `“${usable[Number(place) - 1]!.label}”` : whole));
  try {
    const total = shares.reduce((sum, share) => sum + (share.sha256 === undefined ? 0 : share.blob.size), 0);
    let done = 0;
    for (const share of shares) {
      if (options.signal?.aborted) throw new TesseraError('job.aborted', 'Recovery was cancelled.');
      try {
        await checkShareFile(share, (count) => {
          done += count;
          options.onProgress?.({ phase: 'checking', done, total });
        });
        usable.push(share);
      } catch (error) {
        const altered = toBundleError(error);
        if (!altered) throw error;
        setAside.push({ label: share.label, code: altered.code, message: altered.detail });
      }
    }

    let result: RecoverResult;
    try {
      result = await recover(
        usable.map((share) => blockSource(blobSource(share.blob), READ_BLOCK)),
        sink,
        {
          fingerprint: true,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.executor ? { executor: options.executor } : {}),
          ...(options.onProgress ? { onProgress: ({ done: rebuilt, total: size }) => options.onProgress!({ phase: 'rebuilding', done: rebuilt, total: size }) } : {}),
        },
      );
    } catch (error) {
      const known = toTesseraError(error);
      if (!known || known.code === 'job.aborted') throw error;
      const aside = setAside.length > 0 ? ` Set aside: ${setAside.map((file) => file.message).join(' ')}` : '';
      throw new TesseraError(known.code, `${named(known.detail)}${aside}`, {}, { cause: error });
    }
    for (const problem of result.problems) {
      const share = usable[problem.shareIndex];
      setAside.push({ label: share?.label ?? `#${problem.shareIndex + 1}`, code: problem.code, message: `${share?.label ?? 'A share'}: ${named(problem.message)}` });
    }
    return { result, fingerprint: result.fingerprint!, setAside };
  } catch (error) {
    await sink.abort?.(error).catch(() => undefined);
    throw error;
  }
}
