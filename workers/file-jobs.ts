// The recovery tool is a virtual module of the build (vite.config.ts): its type can only be an
// ambient declaration, which every realm that reaches this file must see.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./recovery-tool.d.ts" />
/**
 * What the share worker does with share files, as plain async functions (share-worker.ts only
 * exposes them): rebuild an original from share files a person gave, and make a record's share
 * bundles from its clouds. The work itself is pure and lives in src/bundles; here it meets OPFS,
 * the buckets and the chunk workers. Nothing here touches the DOM.
 */
import { TesseraError, describeCause, toTesseraError, type ByteSource, type ErrorCode } from '../src/core/index.js';
import { writeShareBundles, type BundlePlan, type BundleProgress, type MadeBundle } from '../src/bundles/make-bundles.js';
import { rebuildFromShareFiles, type RebuiltFromFiles, type ShareFileToRead, type ShareFilesProgress } from '../src/bundles/rebuild.js';
import { createBucket, type BucketDescriptor } from '../src/storage/index.js';
import { deleteOutput, openOutputSink } from '../src/storage/local-output.js';
import { toBucketError } from '../src/storage/remote-bucket.js';
import { stagingArea } from '../src/storage/staging.js';
import { Fetcher } from '../src/storage/transfer/fetcher.js';
import { ChunkWorkers } from './chunk-pool.js';
import type { ShareToRead } from './share-jobs.js';

/**
 * Rebuilds an original from share files (bare shares, or shares inside bundles, as Blob slices of
 * the zips the person gave) into the OPFS file `tessera-output/<outputName>`, streamed, never in
 * memory: bundled shares are first checked against their manifest's SHA-256 (src/bundles/rebuild.ts).
 * Throws TesseraError when they do not rebuild it; the output is then removed.
 */
export async function recoverFromFiles(
  shares: readonly ShareFileToRead[],
  outputName: string,
  onProgress?: (progress: ShareFilesProgress) => void,
  workers?: number,
): Promise<RebuiltFromFiles> {
  const sink = await openOutputSink(outputName);
  const chunkWorkers = startChunkWorkers(workers);
  try {
    return await rebuildFromShareFiles(shares, sink, {
      ...(onProgress ? { onProgress: throttle(onProgress) } : {}),
      ...(chunkWorkers ? { executor: chunkWorkers.recoverExecutor } : {}),
    });
  } finally {
    chunkWorkers?.terminate();
  }
}

/** A bundle written to OPFS: `tessera-output/<outputName>`, to save as `zipName`. */
export interface WrittenBundle extends MadeBundle {
  readonly outputName: string;
}

/** Reads of shares for bundles: patient with a slow cloud, but every share is needed, so not for ever. */
const readFetcher = new Fetcher({ maxAttempts: 5, stallTimeoutMs: 30_000 });

/**
 * Makes a record's share bundles (src/bundles/make-bundles.ts) from all n of its shares, read from
 * their clouds (or from this device while they wait to upload): first they rebuild the original
 * together, authenticated, then bundle i is written as a zip to `tessera-output/<outputNames[i]>`.
 * Any share that cannot be read or is damaged stops it, named; nothing is left behind then.
 */
export async function makeShareBundles(
  shares: readonly ShareToRead[],
  buckets: readonly BucketDescriptor[],
  plan: BundlePlan,
  outputNames: readonly string[],
  onProgress?: (progress: BundleProgress) => void,
  workers?: number,
): Promise<WrittenBundle[]> {
  const descriptors = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  const ordered = [...shares].sort((a, b) => a.x - b.x);
  if (ordered.length !== plan.n || ordered.some((share, index) => share.x !== index + 1)) {
    throw new RangeError(`shares: expected shares 1 to ${plan.n}, got ${ordered.map((share) => share.x).join(', ')}`);
  }
  const opened = await Promise.allSettled(ordered.map((share) => openShare(share, descriptors)));
  const sources = opened.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const chunkWorkers = startChunkWorkers(workers);
  try {
    const failed = opened.flatMap((outcome) =>
      outcome.status === 'rejected' ? [toTesseraError(outcome.reason) ?? new TesseraError('bucket.failed', describeCause(outcome.reason))] : [],
    );
    if (failed.length > 0) {
      const code: ErrorCode = failed.every((error) => error.code === 'bucket.offline') ? 'bucket.offline' : failed[0]!.code;
      throw new TesseraError(code, `Every share goes into a bundle, and ${failed.length === 1 ? 'one' : failed.length} could not be read: ${failed.map((error) => error.detail).join('; ')}`);
    }
    // The offline tool is about 100 KB: loaded only when bundles are made.
    const { default: recoveryTool } = await import('virtual:tessera-recovery-tool');
    return (
      await writeShareBundles(
        sources,
        plan,
        async (index) => {
          const name = outputNames[index];
          if (name === undefined) throw new RangeError(`outputNames: expected one name per bundle, got ${outputNames.length}`);
          return openOutputSink(name);
        },
        recoveryTool,
        {
          ...(onProgress ? { onProgress: throttle(onProgress) } : {}),
          ...(chunkWorkers ? { executor: chunkWorkers.recoverExecutor } : {}),
        },
      )
    ).map((bundle, index) => ({ ...bundle, outputName: outputNames[index]! }));
  } catch (error) {
    await Promise.allSettled(outputNames.map((name) => deleteOutput(name)));
    throw error;
  } finally {
    chunkWorkers?.terminate();
    await Promise.allSettled(sources.map((source) => source.close?.()));
  }
}

/** Opens one share for reading; a TesseraError naming the share and its cloud if it cannot be. */
async function openShare(share: ShareToRead, descriptors: ReadonlyMap<string, BucketDescriptor>): Promise<ByteSource> {
  if (share.state === 'pending') {
    return stagingArea()
      .openReader(share.key)
      .catch((error: unknown) => {
        throw new TesseraError('share.unreadable', `share ${share.x} is no longer on this device`, {}, { cause: error });
      });
  }
  const descriptor = descriptors.get(share.bucketId);
  if (!descriptor) throw new TesseraError('bucket.offline', `share ${share.x}: its cloud is not set up in this session`);
  if (!descriptor.online) throw new TesseraError('bucket.offline', `share ${share.x}: ${descriptor.label} is switched off`);
  try {
    return await createBucket(descriptor, { fetcher: readFetcher }).openReader(share.key);
  } catch (error) {
    const failure = toBucketError(descriptor.label, `reading share ${share.x}`, error);
    throw new TesseraError(failure.code, `share ${share.x} in ${descriptor.label}: ${failure.detail}`, {}, { cause: error });
  }
}

/** Chunk workers for one job (one per core, at most 4), or undefined to do the work in this worker. */
function startChunkWorkers(asked: number | undefined): ChunkWorkers | undefined {
  const count = asked ?? Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1));
  return count >= 2 ? new ChunkWorkers(count) : undefined;
}

/** Progress across the worker boundary at most ten times a second, and always the last one. */
function throttle<P extends { readonly done: number; readonly total: number; readonly phase: string }>(listener: (progress: P) => void): (progress: P) => void {
  let last = 0;
  let phase = '';
  return (progress) => {
    const now = Date.now();
    if (progress.done === progress.total || progress.phase !== phase || now - last >= 100) {
      last = now;
      phase = progress.phase;
      listener({ ...progress });
    }
  };
}
