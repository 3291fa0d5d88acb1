/**
 * What the UI calls to protect and recover files. It owns the worker pool and is the UI's door to
 * the catalog (src/vault), so that components never see Comlink or IndexedDB. Every job returns a
 * handle: a promise of its result and a cancel function. Errors come out as TesseraError with their
 * code whenever they have one.
 */
import * as Comlink from 'comlink';
import { TesseraError, toTesseraError } from '../core/errors.js';
import type { Progress, Scheme } from '../core/types.js';
import { createBucket, transportFor, type BucketDescriptor } from '../storage/index.js';
import { identityCheckFor, sameFile } from '../records/identity.js';
import { randomId, shareKey } from '../storage/share-keys.js';
import { deleteOutput } from '../storage/local-output.js';
import { deleteStagedRecord, stagedRecordIds, stagingArea } from '../storage/staging.js';
import { transferCodeOf } from '../storage/remote-bucket.js';
import { Fetcher } from '../storage/transfer/fetcher.js';
import { UploadJournal, openIndexedDbJournalStore } from '../storage/transfer/journal.js';
import { abortJournaledUpload } from '../storage/transfer/uploader.js';
import type { RecoveredFile, ShareUploadOutcome, ShareUploadProgress, UploadControl } from '../../workers/share-jobs.js';
import { deleteRecord, putRecord } from '../vault/catalog.js';
import { withOutcomes, type CatalogRecord, type FolderContents, type ShareLocation } from '../vault/catalog-record.js';
import { SharePool, requestedComputeWorkers, type PoolTask } from './pool.js';

export {
  listRecords,
  loadCloudSwitches,
  saveCloudSwitches,
  loadSavedLocations,
  saveSavedLocations,
  loadSealedKeyring,
  saveSealedKeyring,
  deleteSealedKeyring,
  loadVaultHeader,
  saveVaultHeader,
  setVaultKey,
} from '../vault/catalog.js';
export { createVault, unlockVault, type VaultHeader, type VaultKey } from '../vault/vault.js';
export type { CatalogRecord, FolderContents, StudyLabel } from '../vault/catalog-record.js';
export type { ShareTrouble, ShareUploadOutcome, ShareUploadProgress } from '../../workers/share-jobs.js';
export { recordSafety, recordStatus, type RecordSafety, type RecordStatus } from '../vault/catalog-record.js';
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
 * Splits `file` into shares for the given buckets (share x = i + 1 into buckets[i]) and records it
 * in the catalog. `buckets` must hold exactly `settings.n` online buckets. Shares for demo clouds
 * are stored when this is done; shares for real clouds are staged on this device and recorded as
 * `pending`: uploadPendingShares sends them. For a folder, `file` is its tar archive
 * (src/records/folder.ts) and `contents` says what is in it.
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
          fingerprint: protectedFile.fingerprint,
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

/**
 * Deletes every share of a protect that failed (complete or half-written); best effort. Shares for
 * real clouds were only staged on this device, never uploaded, so only the demo clouds and the
 * staging area hold anything.
 */
async function removeShares(recordId: string, buckets: readonly BucketDescriptor[]): Promise<void> {
  await Promise.allSettled([
    ...buckets.map((bucket, index) => (bucket.kind === 'demo' ? createBucket(bucket).delete(shareKey(recordId, index + 1)) : Promise.resolve())),
    deleteStagedRecord(recordId),
  ]);
}

export interface UploadListeners {
  /** A worker picked the upload up (until then it waits in the queue). */
  readonly onStart: () => void;
  readonly onProgress: (progress: ShareUploadProgress) => void;
}

export interface UploadResult {
  /** The record as the catalog now holds it: shares its cloud took are stored, the others still pending. */
  readonly record: CatalogRecord;
  readonly outcomes: readonly ShareUploadOutcome[];
}

/** An upload of a record's pending shares: a job that can also be paused and resumed. */
export interface UploadHandle extends JobHandle<UploadResult> {
  pause(): void;
  resume(): void;
}

/**
 * Uploads the record's pending shares from this device to their clouds (workers/share-jobs.ts
 * uploadShares): after protect, and again to resume after a reload or retry a cloud that refused.
 * Each share's outcome is written to the catalog; a failure of one share never stops the others.
 * `cancel()` stops the upload where it is (the record stays, its shares still pending); to drop
 * the record and everything it left anywhere, call removeRecord.
 */
export function uploadPendingShares(record: CatalogRecord, buckets: readonly BucketDescriptor[], listeners: UploadListeners): UploadHandle {
  const pending = record.shares.filter((share) => share.state === 'pending').map(({ x, bucketId, key }) => ({ x, bucketId, key }));
  const channel = new MessageChannel();
  const send = (message: UploadControl): void => channel.port1.postMessage(message);
  const task = withCodes(
    sharePool().run(
      (worker) => worker.uploadShares(pending, [...buckets], Comlink.proxy(listeners.onProgress), Comlink.transfer(channel.port2, [channel.port2])),
      listeners.onStart,
    ),
  );
  return {
    done: task.done
      .then(async (outcomes) => {
        const updated = withOutcomes(record, outcomes);
        await putRecord(updated);
        return { record: updated, outcomes };
      })
      .finally(() => channel.port1.close()),
    cancel: task.cancel,
    pause: () => send('pause'),
    resume: () => send('resume'),
  };
}

/** A share removeRecord could not delete: its cloud is switched off, not set up, or refused. */
export interface ShareLeftBehind {
  readonly x: number;
  readonly bucketId: string;
  readonly reason: string;
}

/**
 * Removes a record everywhere: unfinished uploads of its shares are aborted (nothing half-written
 * stays), every share is deleted from its cloud and from this device, and the record leaves the
 * catalog. When a cloud cannot be reached (switched off, no key in this session), its share stays
 * and so does the record, so that removing can be tried again: the shares left are returned.
 */
export async function removeRecord(record: CatalogRecord, buckets: readonly BucketDescriptor[]): Promise<readonly ShareLeftBehind[]> {
  const byId = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  const store = await openIndexedDbJournalStore();
  const journal = new UploadJournal(store);
  const leftBehind: ShareLeftBehind[] = [];
  try {
    await Promise.all(
      record.shares.map(async (share) => {
        const descriptor = byId.get(share.bucketId);
        if (!descriptor) return leftBehind.push({ x: share.x, bucketId: share.bucketId, reason: 'its cloud is not set up in this session' });
        if (!descriptor.online) return leftBehind.push({ x: share.x, bucketId: share.bucketId, reason: `${descriptor.label} is switched off` });
        try {
          if (descriptor.kind !== 'demo') {
            const entry = await journal.get(descriptor.id, share.key);
            if (entry) await abortJournaledUpload(entry, transportFor(descriptor), journal, cleanupFetcher);
          }
          await createBucket(descriptor, { fetcher: cleanupFetcher }).delete(share.key);
        } catch (error) {
          leftBehind.push({ x: share.x, bucketId: share.bucketId, reason: (toTesseraError(error)?.detail ?? 'it could not be deleted').slice(0, 300) });
        }
        return undefined;
      }),
    );
  } finally {
    store.close();
  }
  await deleteStagedRecord(record.id);
  if (leftBehind.length === 0) await deleteRecord(record.id);
  return leftBehind.sort((a, b) => a.x - b.x);
}

/** What a check found for one share. */
export type ShareCheck =
  | { readonly x: number; readonly state: 'present' | 'missing' | 'waiting' }
  /** The object is there but not the share's size: damaged or replaced. */
  | { readonly x: number; readonly state: 'wrong-size'; readonly size: number }
  /** Its cloud is switched off, not set up in this visit, or did not answer: unknown. */
  | { readonly x: number; readonly state: 'unreachable'; readonly code: string };

/**
 * Asks every cloud whether it still holds its share of the record (a HEAD request each, nothing
 * downloaded); a share still waiting on this device is looked for there.
 */
export async function checkShares(record: CatalogRecord, buckets: readonly BucketDescriptor[]): Promise<ShareCheck[]> {
  const byId = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  return Promise.all(
    record.shares.map(async (share): Promise<ShareCheck> => {
      const descriptor = byId.get(share.bucketId);
      if (share.state === 'pending') {
        return { x: share.x, state: (await stagingArea().head(share.key).catch(() => null)) ? 'waiting' : 'missing' };
      }
      if (!descriptor) return { x: share.x, state: 'unreachable', code: 'bucket.not-set-up' };
      if (!descriptor.online) return { x: share.x, state: 'unreachable', code: 'bucket.offline' };
      try {
        const found = await createBucket(descriptor, { fetcher: cleanupFetcher }).head(share.key);
        if (found === null) return { x: share.x, state: 'missing' };
        return found.size === share.size ? { x: share.x, state: 'present' } : { x: share.x, state: 'wrong-size', size: found.size };
      } catch (error) {
        return { x: share.x, state: 'unreachable', code: transferCodeOf(error) ?? toTesseraError(error)?.code ?? 'bucket.failed' };
      }
    }),
  );
}

/** Keeps what a check found in the record (its status then survives a reload) and returns it. */
export async function saveCheck(record: CatalogRecord, checks: readonly ShareCheck[], at: number = Date.now()): Promise<CatalogRecord> {
  const lost = checks.filter((check) => check.state === 'missing' || check.state === 'wrong-size').map((check) => check.x);
  const present = checks.filter((check) => check.state === 'present' || check.state === 'waiting').length;
  const updated: CatalogRecord = { ...record, lastCheck: { at, present, lost } };
  await putRecord(updated);
  return updated;
}

/**
 * Rebuilds the record's shares at `xs` from k of the others (byte for byte the shares protect made),
 * stages them on this device and records them as pending, each for the cloud it was in: start
 * uploadPendingShares with the record returned to put them back.
 */
export function repairRecord(
  record: CatalogRecord,
  buckets: readonly BucketDescriptor[],
  xs: readonly number[],
  listeners: JobListeners,
  /** Where a rebuilt share goes instead of its old cloud (a replacement, or a move), by x. */
  destinations: Readonly<Record<number, string>> = {},
): JobHandle<CatalogRecord> {
  const shares = record.shares.map(({ x, bucketId, key, state }) => ({ x, bucketId, key, ...(state ? { state } : {}) }));
  const targets = record.shares.filter((share) => xs.includes(share.x)).map(({ x, key }) => ({ x, key }));
  const task = withCodes(
    sharePool().run((worker) => worker.repairFile(shares, [...buckets], targets, Comlink.proxy(listeners.onProgress), record.k + 1), listeners.onStart),
  );
  return {
    done: task.done.then(async ({ repaired }) => {
      const { lastCheck: _stale, ...unchecked } = record;
      const updated: CatalogRecord = {
        ...unchecked,
        shares: record.shares.map((share): ShareLocation => {
          if (!repaired.includes(share.x)) return share;
          const { failure: _failure, ...rest } = share;
          return { ...rest, bucketId: destinations[share.x] ?? share.bucketId, state: 'pending' };
        }),
      };
      await putRecord(updated);
      return updated;
    }),
    cancel: task.cancel,
  };
}

/** Deletes one share object (a share moved away from this cloud); deleting a missing one succeeds. */
export async function deleteShareObject(bucket: BucketDescriptor, key: string): Promise<void> {
  await createBucket(bucket, { fetcher: cleanupFetcher }).delete(key);
}

/**
 * Refreshes a record: a new split of the same file (new key, new random coefficients), into the
 * same clouds, saved as a new record (shares for real clouds pending, as after protect) that keeps
 * the old one's name, contents and date. The old record and its shares stay until the caller
 * removes them (removeRecord) once the new shares are stored: refreshing never leaves the file
 * with fewer places than before. Fails with bucket.offline when a cloud of the record is off.
 */
export function refreshRecord(record: CatalogRecord, buckets: readonly BucketDescriptor[], listeners: JobListeners): JobHandle<CatalogRecord> {
  const byId = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  // Share x of the new split goes where share x of the old one is.
  const targets = [...record.shares].sort((a, b) => a.x - b.x).map((share) => byId.get(share.bucketId));
  const missing = targets.filter((target) => !target?.online);
  if (missing.length > 0) {
    const error = new TesseraError('bucket.offline', `every cloud of the record must be on to refresh it; ${missing.length} ${missing.length === 1 ? 'is' : 'are'} not`);
    return { done: Promise.reject(error), cancel: () => undefined };
  }
  const recordId = randomId();
  const workers = computeWorkers();
  const request = { scheme: record.scheme, k: record.k, n: record.n, recordId, ...(workers ? { workers } : {}) };
  const shares = record.shares.map(({ x, bucketId, key, state }) => ({ x, bucketId, key, ...(state ? { state } : {}) }));
  const task = withCodes(
    sharePool().run(
      (worker) =>
        worker.refreshFile(shares, [...buckets], request, targets as BucketDescriptor[], randomId(), Comlink.proxy(listeners.onProgress), identityCheckFor(record)),
      listeners.onStart,
    ),
  );
  return {
    done: task.done
      .then(async (refreshed) => {
        // The rebuilt file is the record's, and the new split was made of that same file.
        if (!sameFile(record, refreshed.previous) || refreshed.fingerprint !== refreshed.rebuiltFingerprint) {
          throw new TesseraError('share.corrupt', 'the file rebuilt for the refresh is not the original: nothing was changed');
        }
        // A record from before fingerprints (or with 1 MiB blocks) gets today's: the new split was fingerprinted as it was made.
        const { lastCheck: _stale, sha256: _sha256, ...unchecked } = record;
        const fresh: CatalogRecord = {
          ...unchecked,
          fingerprint: refreshed.fingerprint,
          id: refreshed.recordId,
          splitId: refreshed.result.splitId,
          shares: refreshed.shares,
        };
        await putRecord(fresh);
        return fresh;
      })
      .catch(async (error: unknown) => {
        await removeShares(recordId, targets as BucketDescriptor[]);
        throw error;
      }),
    cancel: task.cancel,
  };
}

/** What a rehearsal found: whether k shares picked at random rebuild the original exactly. */
export interface Rehearsal {
  readonly identical: boolean;
  readonly usedShares: readonly number[];
}

/**
 * Rehearses recovering the record: k of its shares, picked at random among the reachable ones, are
 * fetched and the file rebuilt and checked against its fingerprint, without saving anything.
 */
export function rehearseRecord(record: CatalogRecord, buckets: readonly BucketDescriptor[], listeners: JobListeners): JobHandle<Rehearsal> {
  const shares = record.shares.map(({ x, bucketId, key, state }) => ({ x, bucketId, key, ...(state ? { state } : {}) }));
  const task = withCodes(
    sharePool().run((worker) => worker.rehearseFile(shares, [...buckets], record.k, Comlink.proxy(listeners.onProgress), identityCheckFor(record)), listeners.onStart),
  );
  return {
    done: task.done.then((rehearsal) => ({ identical: sameFile(record, rehearsal), usedShares: rehearsal.usedShares })),
    cancel: task.cancel,
  };
}

/** Deletes shares staged on this device for records the catalog does not know (a tab closed mid-protect). */
export async function discardStrayStaging(records: readonly CatalogRecord[]): Promise<void> {
  const known = new Set(records.map((record) => record.id));
  for (const id of await stagedRecordIds()) {
    if (!known.has(id)) await deleteStagedRecord(id);
  }
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
  const shares = record.shares.map(({ x, bucketId, key, state }) => ({ x, bucketId, key, ...(state ? { state } : {}) }));
  // The first k + 1 shares to answer: k rebuild the file, the spare names a bad one (and stands in
  // for a cloud that stalls); the others are never downloaded.
  const want = record.k + 1;
  const task = withCodes(
    sharePool().run(
      (worker) => worker.recoverFile(shares, [...buckets], outputName, Comlink.proxy(listeners.onProgress), computeWorkers(), target, want, identityCheckFor(record)),
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

/**
 * Rebuilds the file of a link a colleague sent (src/storage/share-links.ts) from the shares its
 * presigned URLs reach, in a share worker (workers/link-jobs.ts), into local storage like
 * recoverFile: getRecoveredFile hands it out, discardRecoveredFile deletes it.
 */
export function recoverFromLink(
  link: import('../storage/share-links.js').ShareLinkPayload,
  listeners: JobListeners,
): JobHandle<import('../../workers/link-jobs.js').LinkRecovery & { readonly outputName: string }> {
  const outputName = randomId();
  const { scheme, k, n, size, shares } = link;
  const task = withCodes(
    sharePool().run(
      (worker) =>
        worker.recoverFromLink(
          { scheme, k, n, size, expiresAt: link.expiresAt * 1000, shares: [...shares], check: identityCheckFor(link) },
          outputName,
          Comlink.proxy(listeners.onProgress),
          computeWorkers(),
        ),
      listeners.onStart,
    ),
  );
  return {
    done: task.done.then(
      (recovered) => ({ ...recovered, outputName }),
      async (error: unknown) => {
        await deleteOutput(outputName).catch(() => undefined);
        throw error;
      },
    ),
    cancel: task.cancel,
  };
}

/** What a rebuild from share files reports (workers/file-jobs.ts), the rebuilt file in local storage under `outputName`. */
export type RecoveryFromShareFiles = import('../bundles/rebuild.js').RebuiltFromFiles & { readonly outputName: string };

/**
 * Rebuilds an original from share files a person gave (bare shares, or shares inside bundles, as
 * src/bundles/given-files.ts found them) in a share worker, into local storage like recoverFile:
 * getRecoveredFile hands it out, discardRecoveredFile deletes it.
 */
export function recoverFromShareFiles(
  shares: readonly import('../bundles/rebuild.js').ShareFileToRead[],
  listeners: { readonly onStart: () => void; readonly onProgress: (progress: import('../bundles/rebuild.js').ShareFilesProgress) => void },
): JobHandle<RecoveryFromShareFiles> {
  const outputName = randomId();
  const task = withCodes(
    sharePool().run((worker) => worker.recoverFromFiles([...shares], outputName, Comlink.proxy(listeners.onProgress), computeWorkers()), listeners.onStart),
  );
  return {
    done: task.done.then(
      (rebuilt) => ({ ...rebuilt, outputName }),
      async (error: unknown) => {
        await deleteOutput(outputName).catch(() => undefined);
        throw error;
      },
    ),
    cancel: task.cancel,
  };
}

/** One share bundle made by makeShareBundles: a zip in local storage under `outputName`, to save as `zipName`. */
export type ShareBundle = import('../../workers/file-jobs.js').WrittenBundle;

/**
 * Makes the record's share bundles (docs/bundles.md) in a share worker from all n of its shares:
 * one zip per `sharesPerBundle` shares, each with a manifest, a README and the offline recovery
 * tool, the original's name only with `includeFileName`. Each zip stays in local storage until
 * discardRecoveredFile; getRecoveredFile hands it out. Nothing is left behind when it fails.
 */
export function makeShareBundles(
  record: CatalogRecord,
  buckets: readonly BucketDescriptor[],
  options: { readonly sharesPerBundle: number; readonly includeFileName: boolean },
  listeners: { readonly onStart: () => void; readonly onProgress: (progress: import('../bundles/make-bundles.js').BundleProgress) => void },
): JobHandle<ShareBundle[]> {
  const outputNames = Array.from({ length: Math.ceil(record.n / options.sharesPerBundle) }, () => randomId());
  const shares = record.shares.map(({ x, bucketId, key, state }) => ({ x, bucketId, key, ...(state ? { state } : {}) }));
  const plan = {
    splitId: record.splitId,
    scheme: record.scheme,
    k: record.k,
    n: record.n,
    sharesPerBundle: options.sharesPerBundle,
    ...(options.includeFileName ? { fileName: record.fileName } : {}),
  };
  const task = withCodes(
    sharePool().run(
      (worker) => worker.makeShareBundles(shares, [...buckets], plan, outputNames, Comlink.proxy(listeners.onProgress), computeWorkers()),
      listeners.onStart,
    ),
  );
  return {
    done: task.done.catch(async (error: unknown) => {
      // A cancelled job's worker could not clean up after itself.
      await Promise.allSettled(outputNames.map((name) => deleteOutput(name)));
      throw error;
    }),
    cancel: task.cancel,
  };
}
