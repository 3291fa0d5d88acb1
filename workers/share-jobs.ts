/**
 * What the share worker does, as plain async functions (share-worker.ts only exposes them):
 * protect a File into n buckets, and rebuild it from whatever buckets can still be reached into a
 * local OPFS file. Both hash the original on the way through, so the page can show that the rebuilt
 * file is the same. Nothing here touches the DOM.
 */
import {
  TesseraError,
  blobSource,
  blockSource,
  describeCause,
  protect,
  recover,
  shareSize,
  toTesseraError,
  type ByteSink,
  type ByteSource,
  type ErrorCode,
  type Progress,
  type ProtectResult,
  type RecoverResult,
  type Scheme,
} from '../src/core/index.js';
import { createBucket, type BucketDescriptor } from '../src/storage/index.js';
import { openChosenFileSink, openOutputSink } from '../src/storage/local-output.js';
import { shareKey } from '../src/storage/share-keys.js';
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
}

export interface ProtectedFile {
  readonly result: ProtectResult;
  /** Random id in every share's object key; unrelated to the file and to the split id. */
  readonly recordId: string;
  /** SHA-256 of the original, hex. Kept only in the local catalog, never in a share or bucket. */
  readonly sha256: string;
  readonly shares: readonly SharePlacement[];
}

/** A share that could not be used, and why (switched-off cloud, missing object, damaged share…). */
export interface ShareTrouble {
  readonly x: number;
  readonly bucketId: string;
  readonly code: ErrorCode;
}

export interface RecoveredFile {
  readonly result: RecoverResult;
  /** SHA-256 of the rebuilt file, hex. */
  readonly sha256: string;
  /** Shares that could not even be opened: their cloud is off, or the object is gone. */
  readonly unavailable: readonly ShareTrouble[];
  /** Shares that were opened but left out by the rebuild (damaged, of another file…). */
  readonly rejected: readonly ShareTrouble[];
}

export type ProgressListener = (progress: Progress) => void;

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
  const placements = buckets.map((bucket, index) => ({ bucket: createBucket(bucket), key: shareKey(recordId, index + 1) }));
  const sinks: ByteSink[] = [];
  let chunkWorkers: ChunkWorkers | undefined;
  let hasher: StreamHasher | undefined;
  try {
    // Every share has this size: a remote bucket chooses its part size from it (one PUT when it fits).
    const expectedSize = shareSize(request.scheme, request.k, request.n, file.size);
    for (const { bucket, key } of placements) {
      sinks.push(await bucket.openWriter(key, { contentType: 'application/octet-stream', expectedSize }));
    }
    chunkWorkers = startChunkWorkers(request.workers);
    hasher = hasherFor(chunkWorkers);
    const source = new HashingSource(readableSource(file), hasher);
    const result = await protect(source, sinks, {
      scheme: request.scheme,
      k: request.k,
      n: request.n,
      ...(chunkWorkers ? { executor: chunkWorkers.protectExecutor } : {}),
      ...(onProgress ? { onProgress: throttle(onProgress) } : {}),
    });
    const sha256 = (await source.digestHex()) ?? (await hashWhole(readableSource(file)));
    return {
      result,
      recordId,
      sha256,
      shares: placements.map(({ bucket, key }, index) => ({ x: index + 1, bucketId: bucket.id, key, size: result.shareSize })),
    };
  } catch (error) {
    // No half-protected file is left behind: drop partial objects, then any share already complete.
    await Promise.allSettled(sinks.map(async (sink) => sink.abort?.(error)));
    await Promise.allSettled(placements.map(({ bucket, key }) => bucket.delete(key)));
    throw toTesseraError(error) ?? error;
  } finally {
    chunkWorkers?.terminate();
    hasher?.terminate?.();
  }
}

export async function recoverFile(
  shares: readonly { readonly x: number; readonly bucketId: string; readonly key: string }[],
  buckets: readonly BucketDescriptor[],
  outputName: string,
  onProgress?: ProgressListener,
  workers?: number,
  /** A file the user chose to write to directly; otherwise the output goes to OPFS under `outputName`. */
  target?: FileSystemFileHandle,
): Promise<RecoveredFile> {
  const descriptors = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  const unavailable: ShareTrouble[] = [];
  const opened: { x: number; bucketId: string; source: ByteSource }[] = [];
  await Promise.all(
    shares.map(async (share) => {
      const descriptor = descriptors.get(share.bucketId);
      if (!descriptor) {
        unavailable.push({ x: share.x, bucketId: share.bucketId, code: 'bucket.not-found' });
        return;
      }
      try {
        opened.push({ x: share.x, bucketId: share.bucketId, source: await createBucket(descriptor).openReader(share.key) });
      } catch (error) {
        unavailable.push({ x: share.x, bucketId: share.bucketId, code: toTesseraError(error)?.code ?? 'bucket.failed' });
      }
    }),
  );
  opened.sort((a, b) => a.x - b.x);
  unavailable.sort((a, b) => a.x - b.x);

  const output = target ? await openChosenFileSink(target) : await openOutputSink(outputName);
  const chunkWorkers = startChunkWorkers(workers);
  const hasher = hasherFor(chunkWorkers);
  const sink = new HashingSink(output, hasher);
  try {
    const result = await recover(opened.map((share) => share.source), sink, {
      ...(onProgress ? { onProgress: throttle(onProgress) } : {}),
      ...(chunkWorkers ? { executor: chunkWorkers.recoverExecutor } : {}),
    });
    const rejected = result.problems.map((problem) => {
      const share = opened[problem.shareIndex];
      return { x: problem.shareX ?? share?.x ?? 0, bucketId: share?.bucketId ?? '', code: problem.code };
    });
    return { result, sha256: await hasher.digestHex(), unavailable, rejected };
  } catch (error) {
    await output.abort?.(error).catch(() => undefined);
    const tesseraError = toTesseraError(error);
    if (tesseraError?.code === 'share.too-few' && unavailable.length > 0) {
      const missing = unavailable.map((share) => `share ${share.x} (${share.bucketId}: ${share.code})`).join(', ');
      throw new TesseraError('share.too-few', `${tesseraError.detail}; could not reach ${missing}`);
    }
    throw tesseraError ?? error;
  } finally {
    chunkWorkers?.terminate();
    hasher.terminate?.();
    await Promise.allSettled(opened.map((share) => share.source.close?.()));
  }
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
 * Where the file is hashed: with chunk workers, in a hash worker of its own (it was half of this
 * thread's time); alone, here, between the chunks.
 */
function hasherFor(chunkWorkers: ChunkWorkers | undefined): StreamHasher {
  if (chunkWorkers) return new OffThreadSha256();
  const hasher = createSha256();
  return { update: (bytes) => hasher.update(bytes), ready: () => Promise.resolve(), digestHex: () => Promise.resolve(hasher.digestHex()) };
}

/** A File read in slices; a failed read (file moved, deleted, locked) becomes input.unreadable. */
function readableSource(file: Blob): ByteSource {
  // 8 MiB per read: each File read has a high fixed cost, and chunks are 1 MiB.
  const inner = blockSource(blobSource(file), 8 * 1024 * 1024);
  return {
    size: inner.size,
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

/**
 * Hashes the bytes core reads, as long as it reads them front to back (protect does). If core ever
 * reads out of order, `digestHex` returns undefined and the caller hashes the file in a second pass.
 */
class HashingSource implements ByteSource {
  private hashedUpTo = 0;
  private inOrder = true;

  constructor(
    private readonly inner: ByteSource,
    private readonly hasher: StreamHasher,
  ) {}

  get size(): number {
    return this.inner.size;
  }

  /** Reads complete one after another, in the order asked, so that they can be hashed in order. */
  private previous: Promise<unknown> = Promise.resolve();

  read(offset: number, length: number): Promise<Uint8Array> {
    const result = this.previous.then(() => this.readAndHash(offset, length));
    this.previous = result.catch(() => undefined);
    return result;
  }

  private async readAndHash(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.inner.read(offset, length);
    // Hash before handing the bytes over: core may transfer the array to a chunk worker.
    if (this.inOrder && offset === this.hashedUpTo) {
      await this.hasher.ready();
      this.hasher.update(bytes);
      this.hashedUpTo += bytes.length;
    } else if (offset + bytes.length > this.hashedUpTo) {
      this.inOrder = false;
    }
    return bytes;
  }

  async digestHex(): Promise<string | undefined> {
    return this.inOrder && this.hashedUpTo === this.inner.size ? this.hasher.digestHex() : undefined;
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

const HASH_READ_SIZE = 4 * 1024 * 1024;

async function hashWhole(source: ByteSource): Promise<string> {
  const hasher = createSha256();
  for (let offset = 0; offset < source.size; offset += HASH_READ_SIZE) {
    hasher.update(await source.read(offset, Math.min(HASH_READ_SIZE, source.size - offset)));
  }
  return hasher.digestHex();
}

/** Progress across the worker boundary at most ten times a second, and always the last one. */
function throttle(listener: ProgressListener): ProgressListener {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (progress.done === progress.total || now - last >= 100) {
      last = now;
      listener({ done: progress.done, total: progress.total });
    }
  };
}
