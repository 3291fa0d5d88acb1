/**
 * What the share worker does, as plain async functions (share-worker.ts only exposes them):
 * protect a File into n buckets, and rebuild it from whatever buckets can still be reached into a
 * local OPFS file. Both fingerprint the original on the way through (src/core/fingerprint.ts), so
 * the page can show that the rebuilt file is the same. Nothing here touches the DOM.
 */
import {
  TesseraError,
  blobSource,
  blockSource,
  DEFAULT_CHUNK_SIZE,
  describeCause,
  FINGERPRINT_BLOCK,
  fingerprintSource,
  protect,
  recover,
  repairShares,
  shareSize,
  streamedBlobSource,
  threadBufferPool,
  toTesseraError,
  type ByteSink,
  type ByteSource,
  type ErrorCode,
  type Progress,
  type ProtectResult,
  type RecoverResult,
  type Scheme,
  type ShareProblem,
} from '../src/core/index.js';
import { FINGERPRINT_CHECK, type FileIdentity, type IdentityCheck } from '../src/records/identity.js';
import { createBucket, uploadRoute, type BucketDescriptor } from '../src/storage/index.js';
import { deleteOutput, getOutputFile, openChosenFileSink, openOutputSink } from '../src/storage/local-output.js';
import { toBucketError, transferCodeOf } from '../src/storage/remote-bucket.js';
import { shareKey } from '../src/storage/share-keys.js';
import { stagingArea } from '../src/storage/staging.js';
import { raceOpen } from '../src/storage/transfer/downloader.js';
import { Fetcher } from '../src/storage/transfer/fetcher.js';
import { UploadJournal, openIndexedDbJournalStore } from '../src/storage/transfer/journal.js';
import type { TransferProgress } from '../src/storage/transfer/progress.js';
import { ResumeRefusedError, abortJournaledUpload, resumeUpload, uploadSource, type SourceUpload } from '../src/storage/transfer/uploader.js';
import { ChunkWorkers } from './chunk-pool.js';
import { OffThreadSha256 } from './off-thread-sha256.js';
import { createSha256 } from './sha256.js';

export interface ProtectRequest {
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  /**
   * Random id (16 bytes, hex) for the object keys, chosen by the caller so that it can remove the
   * shares itself after cancelling (which terminates the worker before it can clean up).
   */
  readonly recordId: string;
  /**
   * Compute workers for the chunks: 1 does all the work in this worker; more start that many chunk
   * workers (workers/chunk-pool.ts) and keep this one for reading, writing and hashing.
   */
  readonly workers?: number;
}

/** Where one share went. `key` carries nothing about the file: `tessera/<record id>/<x>.tshare`. */
export interface SharePlacement {
  readonly x: number;
  readonly bucketId: string;
  readonly key: string;
  readonly size: number;
  /**
   * `pending`: a share for a real cloud, written whole to this device (src/storage/staging.ts) and
   * not uploaded yet: uploadShares sends it. Absent: stored in its (demo) cloud already.
   */
  readonly state?: 'pending';
}

export interface ProtectedFile {
  readonly result: ProtectResult;
  /** Random id in every share's object key; unrelated to the file and to the split id. */
  readonly recordId: string;
  /**
   * The original's fingerprint (src/core/fingerprint.ts), hex. Kept only in the local catalog (and
   * what the person exports), never in a share or bucket.
   */
  readonly fingerprint: string;
  readonly shares: readonly SharePlacement[];
}

/** A share that could not be used, and why (switched-off cloud, missing object, damaged share…). */
export interface ShareTrouble {
  readonly x: number;
  readonly bucketId: string;
  readonly code: ErrorCode;
}

export interface RecoveredFile extends FileIdentity {
  readonly result: RecoverResult;
  /** Shares that could not even be opened: their cloud is off, or the object is gone. */
  readonly unavailable: readonly ShareTrouble[];
  /** Shares that were opened but left out by the rebuild (damaged, of another file…). */
  readonly rejected: readonly ShareTrouble[];
}

export type ProgressListener = (progress: Progress) => void;

/** Every share object is stored with this content type, bound into its signature. */
const SHARE_CONTENT_TYPE = 'application/octet-stream';

/** A share staged on this device, to upload to its cloud. */
export interface ShareToUpload {
  readonly x: number;
  readonly bucketId: string;
  readonly key: string;
}

/** How one share's upload ended. */
export type ShareUploadOutcome =
  | { readonly x: number; readonly stored: true }
  | {
      readonly x: number;
      readonly stored: false;
      /** The app's code (bucket.offline, bucket.failed…). */
      readonly code: ErrorCode;
      /** The most specific code known (bucket.cors, bucket.clock-skew… from the transfer layer, else `code`). */
      readonly failure: string;
      /** What went wrong, for the person: no URL, key or credential in it. */
      readonly message: string;
    };

/** One share's upload progress: bytes sent of its size, the rate over the last seconds, the time left. */
export interface ShareUploadProgress extends TransferProgress {
  readonly x: number;
}

/** What the page may send on an upload's control port. */
export type UploadControl = 'pause' | 'resume';

export async function protectFile(
  file: Blob,
  request: ProtectRequest,
  buckets: readonly BucketDescriptor[],
  onProgress?: ProgressListener,
): Promise<ProtectedFile> {
  if (buckets.length !== request.n) {
    throw new RangeError(`protectFile: expected one bucket per share (${request.n}), got ${buckets.length}`);
  }
  const { recordId } = request;
  const staging = stagingArea();
  // A share for a real cloud is staged on this device and uploaded afterwards (uploadShares), so
  // that its upload can be resumed, retried and paused without splitting again; a demo cloud is
  // local already and gets its share directly.
  const placements = buckets.map((descriptor, index) => ({
    bucket: createBucket(descriptor),
    staged: descriptor.kind !== 'demo',
    key: shareKey(recordId, index + 1),
  }));
  const sinks: ByteSink[] = [];
  let chunkWorkers: ChunkWorkers | undefined;
  let source: ByteSource | undefined;
  try {
    const expectedSize = shareSize(request.scheme, request.k, request.n, file.size);
    for (const { bucket, staged, key } of placements) {
      sinks.push(await (staged ? staging : bucket).openWriter(key, { contentType: SHARE_CONTENT_TYPE, expectedSize }));
    }
    chunkWorkers = startChunkWorkers(request.workers);
    // The fingerprint is made where each chunk is protected (in the chunk workers, in parallel).
    source = readableSource(file);
    const result = await protect(source, sinks, {
      scheme: request.scheme,
      k: request.k,
      n: request.n,
      fingerprint: true,
      ...(chunkWorkers ? { executor: chunkWorkers.protectExecutor } : {}),
      ...(onProgress ? { onProgress: throttle(onProgress) } : {}),
    });
    return {
      result,
      recordId,
      // Core's protect makes it whenever asked (src/core/types.ts).
      fingerprint: result.fingerprint!,
      shares: placements.map(({ bucket, staged, key }, index) => ({
        x: index + 1,
        bucketId: bucket.id,
        key,
        size: result.shareSize,
        ...(staged ? { state: 'pending' as const } : {}),
      })),
    };
  } catch (error) {
    // No half-protected file is left behind: drop partial objects, then any share already complete.
    await Promise.allSettled(sinks.map(async (sink) => sink.abort?.(error)));
    await Promise.allSettled(placements.map(({ bucket, staged, key }) => (staged ? staging : bucket).delete(key)));
    throw toTesseraError(error) ?? error;
  } finally {
    chunkWorkers?.terminate();
    await source?.close?.();
  }
}

/**
 * Uploads shares staged on this device (protectFile's `pending` ones) to their clouds, all at
 * once within the request limits, each from its staged file: a journaled upload of the same share
 * (a closed tab, a cloud that was down) is resumed with only the parts its cloud lacks; a staged
 * share is deleted as soon as its cloud holds it. Never throws for one share: each gets an outcome,
 * so one cloud's refusal never stops the others. `control` takes 'pause' and 'resume'.
 */
export async function uploadShares(
  shares: readonly ShareToUpload[],
  buckets: readonly BucketDescriptor[],
  onProgress?: (progress: ShareUploadProgress) => void,
  control?: MessagePort,
): Promise<ShareUploadOutcome[]> {
  const descriptors = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  const staging = stagingArea();
  const store = await openIndexedDbJournalStore();
  const journal = new UploadJournal(store);
  const running = new Set<SourceUpload>();
  let paused = false;
  if (control) {
    control.onmessage = ({ data }: MessageEvent<UploadControl>) => {
      paused = data === 'pause';
      for (const upload of running) {
        if (paused) upload.pause();
        else upload.resume();
      }
    };
  }
  const report = onProgress ? throttleShares(onProgress) : undefined;

  const uploadOne = async (share: ShareToUpload): Promise<ShareUploadOutcome> => {
    const descriptor = descriptors.get(share.bucketId);
    const label = descriptor?.label ?? 'its cloud';
    try {
      if (!descriptor) {
        throw new TesseraError('bucket.offline', `the cloud for share ${share.x} is not set up in this session: give its key to upload it`);
      }
      if (!descriptor.online) throw new TesseraError('bucket.offline', `${label} is switched off`);
      const source = await staging.openReader(share.key).catch((error: unknown) => {
        throw new TesseraError('share.unreadable', `share ${share.x} is no longer on this device, so it cannot be uploaded`, {}, { cause: error });
      });
      try {
        if (descriptor.kind === 'demo') {
          // A demo cloud is on this device too (a share rebuilt for it by repairFile): copy it across.
          await copyInto(source, await createBucket(descriptor).openWriter(share.key, { contentType: SHARE_CONTENT_TYPE, expectedSize: source.size }));
          await staging.delete(share.key).catch(() => undefined);
          return { x: share.x, stored: true };
        }
        const route = uploadRoute(descriptor);
        const options = {
          fetcher: route.fetcher,
          slots: route.slots,
          journal,
          ...(route.partSize !== undefined ? { partSize: route.partSize } : {}),
          ...(report ? { onProgress: (progress: TransferProgress) => report({ ...progress, x: share.x }) } : {}),
        };
        const fresh = (): SourceUpload =>
          uploadSource(source, { ...options, transport: route.transport, key: share.key, contentType: SHARE_CONTENT_TYPE, sourceRef: share.key });
        const entry = await journal.get(descriptor.id, share.key);
        let upload: SourceUpload;
        if (entry?.source) {
          // The tab was closed, or the cloud failed, in the middle of this very upload: carry on.
          upload = await resumeUpload(source, entry, route.transport, options).catch(async (error: unknown) => {
            if (!(error instanceof ResumeRefusedError)) throw error;
            await abortJournaledUpload(entry, route.transport, journal, route.fetcher);
            return fresh();
          });
        } else {
          if (entry) await abortJournaledUpload(entry, route.transport, journal, route.fetcher);
          upload = fresh();
        }
        running.add(upload);
        if (paused) upload.pause();
        try {
          await upload.finished;
        } finally {
          running.delete(upload);
        }
      } finally {
        await source.close?.();
      }
      // Its cloud holds it now: it must not outlive its upload on this device.
      await staging.delete(share.key).catch(() => undefined);
      return { x: share.x, stored: true };
    } catch (error) {
      const failure = toBucketError(label, `upload of share ${share.x}`, error);
      return { x: share.x, stored: false, code: failure.code, failure: transferCodeOf(error) ?? failure.code, message: failure.detail };
    }
  };

  try {
    return await Promise.all(shares.map(uploadOne));
  } finally {
    if (control) control.onmessage = null;
    store.close();
  }
}

/** Copies a source into a sink, 8 MiB at a time; aborts the sink on failure. */
async function copyInto(source: ByteSource, sink: ByteSink): Promise<void> {
  try {
    for (let offset = 0; offset < source.size; offset += 8 * 1024 * 1024) {
      await sink.write(await source.read(offset, Math.min(8 * 1024 * 1024, source.size - offset)));
    }
    await sink.close();
  } catch (error) {
    await sink.abort?.(error);
    throw error;
  }
}

/** A share to rebuild: its x, and where it will be uploaded (its key there). */
export interface ShareToRebuild {
  readonly x: number;
  readonly key: string;
}

/**
 * Rebuilds lost shares of a record from k (or more) of the others (src/core/repair.ts) into this
 * device's staging area, under their keys: byte for byte the shares protect made, so the record is
 * as safe as before once uploadShares has sent them. The original is rebuilt and authenticated on
 * the way, but never written anywhere.
 */
export async function repairFile(
  shares: readonly ShareToRead[],
  buckets: readonly BucketDescriptor[],
  targets: readonly ShareToRebuild[],
  onProgress?: ProgressListener,
  want?: number,
): Promise<{ readonly repaired: readonly number[]; readonly unavailable: readonly ShareTrouble[]; readonly rejected: readonly ShareTrouble[] }> {
  const descriptors = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  const lost = new Set(targets.map((target) => target.x));
  const { opened, unavailable } = await openShares(
    shares.filter((share) => !lost.has(share.x)),
    descriptors,
    want,
  );
  const staging = stagingArea();
  const sinks: ByteSink[] = [];
  try {
    for (const target of targets) sinks.push(await staging.openWriter(target.key, { contentType: SHARE_CONTENT_TYPE }));
    const result = await repairShares(
      opened.map((share) => share.source),
      targets.map((target, index) => ({ x: target.x, sink: sinks[index]! })),
      onProgress ? { onProgress: throttle(onProgress) } : {},
    );
    return { repaired: result.repaired, unavailable, rejected: rejectedShares(result.problems, opened) };
  } catch (error) {
    await Promise.allSettled(targets.map((target) => staging.delete(target.key)));
    throw withUnreachable(error, unavailable);
  } finally {
    await Promise.allSettled(opened.map((share) => share.source.close?.()));
  }
}

/**
 * Refreshes a record: rebuilds the original from its shares into a temporary file on this device
 * (OPFS, never memory), then protects it again — a new record key, new random coefficients, a new
 * split id — into `buckets` under the new record id. Shares of the old split can never be combined
 * with the new ones (core refuses shares of another split: share.mismatch). The caller removes the
 * old shares once the new ones are stored. The temporary file is deleted whatever happens.
 */
export async function refreshFile(
  shares: readonly ShareToRead[],
  sourceBuckets: readonly BucketDescriptor[],
  request: ProtectRequest,
  buckets: readonly BucketDescriptor[],
  temporaryName: string,
  onProgress?: ProgressListener,
  /** What the rebuild computes to be checked against the record (src/records/identity.ts). */
  check: IdentityCheck = FINGERPRINT_CHECK,
): Promise<ProtectedFile & { readonly previous: FileIdentity; readonly rebuiltFingerprint: string | undefined }> {
  const descriptors = new Map(sourceBuckets.map((bucket) => [bucket.id, bucket]));
  // Rebuilding is the first half of the work, protecting again the second.
  const half = (offset: number) => (onProgress ? (progress: Progress) => onProgress({ done: offset + progress.done, total: 2 * progress.total }) : undefined);
  try {
    const rebuilt = await rebuild(await openShares(shares, descriptors, request.k + 1), temporaryName, half(0), request.workers, undefined, check);
    const original = await getOutputFile(temporaryName);
    const protectedFile = await protectFile(original, request, buckets, (progress) => half(progress.total)?.(progress));
    const { result: _result, unavailable: _unavailable, rejected: _rejected, ...previous } = rebuilt;
    // The new split's fingerprint has today's blocks; a record with 1 MiB blocks was checked with
    // those, so the file rebuilt is read once more for today's, to compare with the new split's.
    const rebuiltFingerprint = check.fingerprintBlock === FINGERPRINT_BLOCK ? rebuilt.fingerprint : await fingerprintFile(original);
    return { ...protectedFile, previous, rebuiltFingerprint };
  } finally {
    await deleteOutput(temporaryName).catch(() => undefined);
  }
}

/**
 * A rehearsal: rebuilds the file from k shares picked at random among those that can be reached,
 * authenticating every chunk and hashing the result, and writes nothing anywhere. Says whether
 * those k would rebuild it today, without the person having to save anything.
 */
export async function rehearseFile(
  shares: readonly ShareToRead[],
  buckets: readonly BucketDescriptor[],
  k: number,
  onProgress?: ProgressListener,
  /** What the rebuild computes to be checked against the record (src/records/identity.ts). */
  check: IdentityCheck = FINGERPRINT_CHECK,
): Promise<FileIdentity & { readonly usedShares: readonly number[]; readonly unavailable: readonly ShareTrouble[] }> {
  const descriptors = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  const order = shares.map((share) => ({ share, sort: crypto.getRandomValues(new Uint32Array(1))[0]! })).sort((a, b) => a.sort - b.sort);
  const { opened, unavailable } = await openShares(
    order.map(({ share }) => share),
    descriptors,
    k,
  );
  const hasher = check.sha256 ? createSha256() : undefined;
  const sink: ByteSink = {
    write: (bytes) => {
      hasher?.update(bytes);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  try {
    const result = await recover(opened.map((share) => share.source), sink, { verifySpares: false, fingerprint: true, fingerprintBlock: check.fingerprintBlock, ...(onProgress ? { onProgress: throttle(onProgress) } : {}) });
    return {
      ...(result.fingerprint ? { fingerprint: result.fingerprint } : {}),
      ...(hasher ? { sha256: hasher.digestHex() } : {}),
      usedShares: result.usedShares,
      unavailable,
    };
  } catch (error) {
    throw withUnreachable(error, unavailable);
  } finally {
    await Promise.allSettled(opened.map((share) => share.source.close?.()));
  }
}

/** A share to read for a recovery: from its cloud, or from this device while it waits to upload. */
export interface ShareToRead extends ShareToUpload {
  readonly state?: 'pending';
}

/**
 * Reads are patient with a slow cloud but not for ten minutes: with other clouds to switch to, a
 * share whose cloud stalls three times is dropped and the others carry on.
 */
const readFetcher = new Fetcher({ maxAttempts: 3, stallTimeoutMs: 20_000 });

export async function recoverFile(
  shares: readonly ShareToRead[],
  buckets: readonly BucketDescriptor[],
  outputName: string,
  onProgress?: ProgressListener,
  workers?: number,
  /** A file the user chose to write to directly; otherwise the output goes to OPFS under `outputName`. */
  target?: FileSystemFileHandle,
  /**
   * How many shares to open: the first `want` to answer are used, the others cancelled (k + 1
   * downloads k/k+1 of the shares and still names a bad one). Default: all of them.
   */
  want?: number,
  /** What the rebuild computes to be checked against the record (src/records/identity.ts). */
  check: IdentityCheck = FINGERPRINT_CHECK,
): Promise<RecoveredFile> {
  const descriptors = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  const first = await openShares(shares, descriptors, want);
  try {
    return await rebuild(first, outputName, onProgress, workers, target, check);
  } catch (error) {
    // The first shares to answer did not do (damaged, or a cloud failed mid-way) while others were
    // never asked: try again with every share there is.
    const code = toTesseraError(error)?.code;
    if (first.late === 0 || (code !== 'share.too-few' && code !== 'share.corrupt')) throw error;
    return await rebuild(await openShares(shares, descriptors, undefined), outputName, onProgress, workers, target, check);
  }
}

export interface OpenedShares {
  readonly opened: readonly { x: number; bucketId: string; source: ByteSource }[];
  readonly unavailable: readonly ShareTrouble[];
  /** Shares not opened because enough others answered first. */
  readonly late: number;
}

/** Opens the first `want` shares to answer (all by default); pending shares are read from this device. */
async function openShares(shares: readonly ShareToRead[], descriptors: ReadonlyMap<string, BucketDescriptor>, want: number | undefined): Promise<OpenedShares> {
  const staging = stagingArea();
  const unavailable: ShareTrouble[] = [];
  // Clouds known to be out of reach (switched off, not set up) are not even asked.
  const reachable = shares.filter((share) => {
    if (share.state === 'pending') return true;
    const descriptor = descriptors.get(share.bucketId);
    if (descriptor?.online) return true;
    unavailable.push({ x: share.x, bucketId: share.bucketId, code: descriptor ? 'bucket.offline' : 'bucket.not-found' });
    return false;
  });
  const candidates = reachable.map((share) => ({
    id: share,
    open: (signal: AbortSignal): Promise<ByteSource> => {
      if (share.state === 'pending') return staging.openReader(share.key, { signal });
      return createBucket(descriptors.get(share.bucketId)!, { fetcher: readFetcher }).openReader(share.key, { signal });
    },
  }));
  const outcomes = await raceOpen(candidates, Math.max(1, Math.min(want ?? candidates.length, candidates.length)));
  const opened: { x: number; bucketId: string; source: ByteSource }[] = [];
  let late = 0;
  for (const outcome of outcomes) {
    const { x, bucketId } = outcome.id;
    if (outcome.state === 'opened') opened.push({ x, bucketId, source: outcome.source });
    else if (outcome.state === 'failed') unavailable.push({ x, bucketId, code: toTesseraError(outcome.error)?.code ?? 'bucket.failed' });
    else late++;
  }
  opened.sort((a, b) => a.x - b.x);
  unavailable.sort((a, b) => a.x - b.x);
  return { opened, unavailable, late };
}

/**
 * Rebuilds the file from the opened shares into the output, with its fingerprint (made in the chunk
 * workers) and, when asked, the plain SHA-256 of the whole file (for records made before
 * fingerprints: a hash thread of its own); closes the shares.
 */
export async function rebuild(
  { opened, unavailable }: OpenedShares,
  outputName: string,
  onProgress: ProgressListener | undefined,
  workers: number | undefined,
  target: FileSystemFileHandle | undefined,
  check: IdentityCheck = FINGERPRINT_CHECK,
): Promise<RecoveredFile> {
  try {
    const output = target ? await openChosenFileSink(target) : await openOutputSink(outputName);
    const chunkWorkers = startChunkWorkers(workers);
    const hasher = check.sha256 ? hasherFor(chunkWorkers) : undefined;
    const sink = hasher ? new HashingSink(output, hasher) : output;
    try {
      const result = await recover(opened.map((share) => share.source), sink, {
        fingerprint: true,
        fingerprintBlock: check.fingerprintBlock,
        ...(onProgress ? { onProgress: throttle(onProgress) } : {}),
        ...(chunkWorkers ? { executor: chunkWorkers.recoverExecutor } : {}),
      });
      return {
        result,
        ...(result.fingerprint ? { fingerprint: result.fingerprint } : {}),
        ...(hasher ? { sha256: await hasher.digestHex() } : {}),
        unavailable: [...unavailable],
        rejected: rejectedShares(result.problems, opened),
      };
    } catch (error) {
      await output.abort?.(error).catch(() => undefined);
      throw withUnreachable(error, unavailable);
    } finally {
      chunkWorkers?.terminate();
      hasher?.terminate?.();
    }
  } finally {
    await Promise.allSettled(opened.map((share) => share.source.close?.()));
  }
}

/** The shares core left out (damaged, of another file…), by x and cloud. */
function rejectedShares(problems: readonly ShareProblem[], opened: OpenedShares['opened']): ShareTrouble[] {
  return problems.map((problem) => {
    const share = opened[problem.shareIndex];
    return { x: problem.shareX ?? share?.x ?? 0, bucketId: share?.bucketId ?? '', code: problem.code };
  });
}

/** The error to report: too few shares says which clouds could not be reached, when some could not. */
function withUnreachable(error: unknown, unavailable: readonly ShareTrouble[]): unknown {
  const tesseraError = toTesseraError(error);
  if (tesseraError?.code === 'share.too-few' && unavailable.length > 0) {
    const missing = unavailable.map((share) => `share ${share.x} (${share.bucketId}: ${share.code})`).join(', ');
    return new TesseraError('share.too-few', `${tesseraError.detail}; could not reach ${missing}`);
  }
  return tesseraError ?? error;
}

/**
 * Chunk workers for one job, or undefined to do the chunk work in this worker: with one worker
 * asked for, a second thread would only add copying. Defaults to one per core, at most 4.
 */
function startChunkWorkers(asked: number | undefined): ChunkWorkers | undefined {
  const count = asked ?? Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1));
  return count >= 2 ? new ChunkWorkers(count) : undefined;
}

/** SHA-256 of a stream, in this thread or another. */
interface StreamHasher {
  /** Takes the bytes into the hash; the caller may reuse or hand over the array right after. */
  update(bytes: Uint8Array): void;
  /** Back-pressure: resolves when more may be sent. */
  ready(): Promise<void>;
  digestHex(): Promise<string>;
  terminate?(): void;
}

/**
 * Where a whole file is hashed with SHA-256 (only for records made before fingerprints): with chunk
 * workers, in a hash worker of its own (it was half of this thread's time); alone, here.
 */
function hasherFor(chunkWorkers: ChunkWorkers | undefined): StreamHasher {
  if (chunkWorkers) return new OffThreadSha256();
  const hasher = createSha256();
  return { update: (bytes) => hasher.update(bytes), ready: () => Promise.resolve(), digestHex: () => Promise.resolve(hasher.digestHex()) };
}

/**
 * A File read front to back through its stream (a read out of order in slices, eight chunks at a
 * time: each File read has a high fixed cost), into this thread's recycled buffers, which the chunk
 * workers hand back; a failed read (file moved, deleted, locked) becomes input.unreadable.
 */
function readableSource(file: Blob): ByteSource {
  const inner = streamedBlobSource(file, threadBufferPool, blockSource(blobSource(file), 8 * DEFAULT_CHUNK_SIZE, threadBufferPool));
  return {
    size: inner.size,
    close: () => inner.close!(),
    async read(offset, length) {
      try {
        return await inner.read(offset, length);
      } catch (error) {
        const reason = describeCause(error);
        throw new TesseraError('input.unreadable', `could not read the file at byte ${offset}: ${reason}`, {}, { cause: error });
      }
    },
  };
}

/** Today's fingerprint of `file`, read front to back once. */
async function fingerprintFile(file: Blob): Promise<string> {
  const source = readableSource(file);
  try {
    return await fingerprintSource(source);
  } finally {
    await source.close?.();
  }
}

/** Passes every write through to `inner` and hashes it on the way (a sink is written in order). */
class HashingSink implements ByteSink {
  constructor(
    private readonly inner: ByteSink,
    private readonly hasher: StreamHasher,
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    await this.hasher.ready();
    this.hasher.update(bytes);
    return this.inner.write(bytes);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async abort(reason?: unknown): Promise<void> {
    await this.inner.abort?.(reason);
  }
}

/** Each share's upload progress across the worker boundary at most four times a second, and always its last. */
function throttleShares(listener: (progress: ShareUploadProgress) => void): (progress: ShareUploadProgress) => void {
  const last = new Map<number, number>();
  return (progress) => {
    const now = Date.now();
    if (progress.done === progress.total || now - (last.get(progress.x) ?? 0) >= 250) {
      last.set(progress.x, now);
      listener({ x: progress.x, done: progress.done, total: progress.total, bytesPerSecond: progress.bytesPerSecond, etaMs: progress.etaMs });
    }
  };
}

/** Progress across the worker boundary at most four times a second, and always the last one. */
function throttle(listener: ProgressListener): ProgressListener {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (progress.done === progress.total || now - last >= 250) {
      last = now;
      listener({ done: progress.done, total: progress.total });
    }
  };
}
