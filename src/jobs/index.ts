/**
 * What the UI calls to protect and recover files. It owns the worker pool and is the UI's door to
 * the catalog (src/vault), so that components never see Comlink or IndexedDB. Every job returns a
 * handle: a promise of its result and a cancel function. Errors come out as TesseraError with their
 * code whenever they have one.
 */
import * as Comlink from 'comlink';
import { toTesseraError } from '../core/errors.js';
import type { Progress, Scheme } from '../core/types.js';
import { createBucket, type BucketDescriptor } from '../storage/index.js';
import { randomId, shareKey } from '../storage/share-keys.js';
import { deleteOutput } from '../storage/local-output.js';
import { Fetcher } from '../storage/transfer/fetcher.js';
import type { RecoveredFile } from '../../workers/share-jobs.js';
import { putRecord } from '../vault/catalog.js';
import type { CatalogRecord, FolderContents } from '../vault/catalog-record.js';
import { SharePool, requestedComputeWorkers, type PoolTask } from './pool.js';

export { listRecords, loadCloudSwitches, saveCloudSwitches, loadSavedLocations, saveSavedLocations } from '../vault/catalog.js';
export type { CatalogRecord, FolderContents, StudyLabel } from '../vault/catalog-record.js';
export type { ShareTrouble } from '../../workers/share-jobs.js';
/**
 * A recovery's rebuilt file in local storage, by its outputName: getRecoveredFile hands it out as a
 * File backed by OPFS (not memory), discardRecoveredFile deletes it, and discardLeftovers removes
 * those a previous visit left behind.
 */
export {
  getOutputFile as getRecoveredFile,
  deleteOutput as discardRecoveredFile,
  clearOutputs as discardLeftovers,
} from '../storage/local-output.js';

export type JobHandle<T> = PoolTask<T>;

export interface ProtectSettings {
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
}

export interface JobListeners {
  /** A worker picked the job up (until then it waits in the queue). */
  readonly onStart: () => void;
  readonly onProgress: (progress: Progress) => void;
}

export interface Recovery extends RecoveredFile {
  /** Name of the rebuilt file in local storage; pass to getRecoveredFile / discardRecoveredFile. */
  readonly outputName: string;
  /** Set when the file was written straight into a file the user chose: its name. Nothing is in local storage then. */
  readonly savedTo?: string;
}

let pool: SharePool | undefined;

function sharePool(): SharePool {
  pool ??= new SharePool();
  return pool;
}

/** The same task, with errors restored to TesseraError (their code crossed the worker as text). */
function withCodes<T>(task: PoolTask<T>): PoolTask<T> {
  return {
    done: task.done.catch((error: unknown) => {
      throw toTesseraError(error) ?? error;
    }),
    cancel: () => task.cancel(),
  };
}

/**
 * Compute threads each job may use for its chunks, when the page's address asks (`?workers=N`, for
 * the browser benchmark); otherwise the worker decides (one per core, at most 4). The pool's own
 * size never depends on it.
 */
function computeWorkers(): number | undefined {
  return requestedComputeWorkers(globalThis.location?.search);
}

/**
 * Protects `file` into the given buckets (share x = i + 1 into buckets[i]) and records it in the
 * catalog. `buckets` must hold exactly `settings.n` online buckets. For a folder, `file` is its tar
 * archive (src/records/folder.ts) and `contents` says what is in it.
 */
export function protectFile(
  file: File,
  settings: ProtectSettings,
  buckets: readonly BucketDescriptor[],
  listeners: JobListeners,
  contents?: FolderContents,
): JobHandle<CatalogRecord> {
  const recordId = randomId();
  const workers = computeWorkers();
  const request = { scheme: settings.scheme, k: settings.k, n: settings.n, recordId, ...(workers ? { workers } : {}) };
  const task = withCodes(
    sharePool().run(
      (worker) => worker.protectFile(file, request, [...buckets], Comlink.proxy(listeners.onProgress)),
      listeners.onStart,
    ),
  );
  return {
    done: task.done
      .then(async (protectedFile) => {
        const record: CatalogRecord = {
          version: 1,
          id: protectedFile.recordId,
          fileName: file.name,
          size: file.size,
          type: file.type,
          sha256: protectedFile.sha256,
          scheme: protectedFile.result.scheme,
          k: protectedFile.result.k,
          n: protectedFile.result.n,
          createdAt: Date.now(),
          splitId: protectedFile.result.splitId,
          shares: protectedFile.shares,
          ...(contents ? { contents } : {}),
        };
        await putRecord(record);
        return record;
      })
      .catch(async (error: unknown) => {
        // Whatever failed, no share of the record stays in the buckets. The worker removes what it
        // wrote when protect itself fails, but not when it was terminated (cancel) or crashed, nor
        // when the catalog then refused the record: remove every share from here (deleting a
        // missing object succeeds, so this is safe after the worker's own cleanup too).
        await removeShares(recordId, buckets);
        throw error;
      }),
    cancel: task.cancel,
  };
}

/**
 * Clean-up after a failed protect is best effort and the failure is shown only once it is done: a
 * few quick attempts, not the ten minutes of retries an upload gets.
 */
const cleanupFetcher = new Fetcher({ maxAttempts: 3, maxElapsedMs: 20_000 });

/** Deletes every share of a record (complete or half-written) from the buckets; best effort. */
async function removeShares(recordId: string, buckets: readonly BucketDescriptor[]): Promise<void> {
  await Promise.allSettled(buckets.map((bucket, index) => createBucket(bucket, { fetcher: cleanupFetcher }).delete(shareKey(recordId, index + 1))));
}

/**
 * Rebuilds a protected file from whichever of its shares the given buckets can still serve. The
 * result stays in local storage until discardRecoveredFile; getRecoveredFile hands it out. With
 * `target` (a file the user picked with showSaveFilePicker) it is written straight there instead.
 */
export function recoverFile(
  record: CatalogRecord,
  buckets: readonly BucketDescriptor[],
  listeners: JobListeners,
  target?: FileSystemFileHandle,
): JobHandle<Recovery> {
  const outputName = randomId();
  const shares = record.shares.map(({ x, bucketId, key }) => ({ x, bucketId, key }));
  const task = withCodes(
    sharePool().run(
      (worker) => worker.recoverFile(shares, [...buckets], outputName, Comlink.proxy(listeners.onProgress), computeWorkers(), target),
      listeners.onStart,
    ),
  );
  return {
    done: task.done.then(
      (recovered) => ({ ...recovered, outputName, ...(target ? { savedTo: target.name } : {}) }),
      async (error: unknown) => {
        // A cancelled or failed rebuild may leave part of the output behind.
        await deleteOutput(outputName).catch(() => undefined);
        throw error;
      },
    ),
    cancel: task.cancel,
  };
}
