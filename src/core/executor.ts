import { importRecordKey, streamNonce, type RecordKey } from './aead.js';
import { BufferPool } from './buffer-pool.js';
import { equalBytes } from './bytes.js';
import { digestBlocks } from './fingerprint.js';
import { chunkLength } from './format.js';
import { getGfKernel, type GfKernel } from './kernel.js';
import { ChunkProtector, ChunkRebuilder, type SplitParameters, type SplitSecrets } from './chunks.js';
import type { RandomSource } from './types.js';

/**
 * Chunk executors: where the per-chunk work of `protect` and `recover` runs. Core keeps the order,
 * the authentication, the search for a damaged share and the I/O; an executor only turns chunks
 * into records and back, possibly several at once (in workers, on other cores). `window` bounds
 * the chunks in flight: no more are read until one is written, so a slow bucket never makes
 * memory grow.
 *
 * Everything an executor receives is structured-cloneable, so a worker-backed executor can pass it
 * on as is (transferring the buffers).
 */

/** What an executor makes of one chunk. */
export interface ProtectedChunk {
  /** The n records; the arrays are the caller's until it releases them. */
  readonly records: readonly Uint8Array[];
  /** When the split asks for a fingerprint: the digests of the chunk's blocks (fingerprint.ts). */
  readonly digests?: Uint8Array;
}

export interface ProtectExecutor {
  readonly window: number;
  /** The n records of chunk `index` (and its block digests, when the split asks for them). */
  protectChunk(index: number, plain: Uint8Array): Promise<ProtectedChunk>;
  /** The records of a chunk are written: their memory may be reused (optional). */
  release?(records: readonly Uint8Array[]): void;
  close(): Promise<void>;
}

/** Makes the executor for one split. SECRET: `secrets` holds the record key. */
export type ProtectExecutorFactory = (secrets: SplitSecrets) => Promise<ProtectExecutor>;

/** What a recover executor needs to know about the split (nothing secret). */
export type RecoverContext = SplitParameters;

export interface RecoverChunkTask {
  readonly index: number;
  /** x-coordinates of the k shares to rebuild from, in the order of `fragments`. */
  readonly xs: readonly number[];
  /** The record key interpolated from those k shares' key shares. SECRET. */
  readonly recordKey: Uint8Array;
  /**
   * The k records. The executor may take them (transfer their buffers to another thread): the caller
   * reads a record again if it needs it after the call.
   */
  readonly fragments: readonly Uint8Array[];
  /** Records of further shares, to be checked against the rebuilt chunk; may be taken likewise. */
  readonly spares: readonly { readonly x: number; readonly fragment: Uint8Array }[];
}

export interface RecoverChunkResult {
  /** The chunk, authenticated; undefined when these k records do not rebuild it. */
  readonly plaintext: Uint8Array | undefined;
  /** x of every spare whose record disagrees with the authenticated chunk. */
  readonly inconsistent: readonly number[];
  /** When the split asks for a fingerprint: the digests of the rebuilt chunk's blocks. */
  readonly digests?: Uint8Array;
}

export interface RecoverExecutor {
  readonly window: number;
  rebuildChunk(task: RecoverChunkTask): Promise<RecoverChunkResult>;
  /** A rebuilt chunk is written: its memory may be reused (optional). */
  release?(plaintext: Uint8Array): void;
  close(): Promise<void>;
}

/** Whether `view` is the whole of an ArrayBuffer of its own (so nothing else can change it). */
function ownsItsBuffer(view: Uint8Array): boolean {
  return view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
}

/**
 * Copies `parts` one after another into one buffer from `pool` (a recycled one when there is one:
 * a fresh buffer per chunk faults in every page, and the garbage collector frees ArrayBuffers late);
 * returns views on it.
 */
function packInto(pool: BufferPool, parts: readonly Uint8Array[]): Uint8Array[] {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const { buffer } = pool.take(total);
  let at = 0;
  return parts.map((part) => {
    const view = new Uint8Array(buffer, at, part.length);
    view.set(part);
    at += part.length;
    return view;
  });
}

export type RecoverExecutorFactory = (context: RecoverContext) => Promise<RecoverExecutor>;

/**
 * Protects chunks in this thread, one protector per chunk in flight, handing out copies of the
 * records. What a compute worker runs for its share of the chunks.
 */
export async function createLocalProtectExecutor(
  secrets: SplitSecrets,
  options: { readonly window?: number; readonly random?: RandomSource; readonly kernel?: GfKernel } = {},
): Promise<ProtectExecutor> {
  const window = options.window ?? 1;
  const idle = await Promise.all(Array.from({ length: window }, () => ChunkProtector.create(secrets, options.random, options.kernel ?? getGfKernel())));
  const recycled = new BufferPool(window + 2);
  return {
    window,
    async protectChunk(index, plain) {
      const protector = idle.pop();
      if (!protector) throw new RangeError(`more than ${window} chunks in flight`);
      try {
        // Digested first: the crypto backend reads the bytes only while it is called (aead.ts).
        const digests = secrets.fingerprintBlock ? digestBlocks(plain, secrets.fingerprintBlock) : undefined;
        // All n records in one buffer: one allocation (or none, recycled), one transfer.
        const records = packInto(recycled, await protector.protectChunk(index, plain));
        return digests ? { records, digests: await digests } : { records };
      } finally {
        idle.push(protector);
      }
    },
    release: (records) => {
      if (records[0]) recycled.give(records[0].buffer);
    },
    // Workspaces go back to the kernel only when no chunk is in progress (else they are dropped).
    close: () => {
      if (idle.length === window) for (const protector of idle.splice(0)) protector.dispose();
      return Promise.resolve();
    },
  };
}

/**
 * Rebuilds chunks in this thread, one rebuilder per chunk in flight (two by default, so the next
 * chunk is read and decoded while one waits for its AES-GCM check), handing out copies of the
 * plaintext.
 */
export function createLocalRecoverExecutor(
  context: RecoverContext,
  options: { readonly window?: number; readonly kernel?: GfKernel } = {},
): RecoverExecutor {
  const window = options.window ?? 2;
  const { scheme, k, n, chunkSize, size, chunkCount, splitId, binding } = context;
  const idle = Array.from({ length: window }, () => new ChunkRebuilder(scheme, k, n, chunkSize, binding, options.kernel ?? getGfKernel()));
  const recycled = new BufferPool(window + 2);
  // Every chunk rebuilt from the same shares has the same key: import it once, not per chunk.
  let imported: { readonly raw: Uint8Array; readonly key: Promise<RecordKey> } | undefined;
  const keyFor = (raw: Uint8Array): Promise<RecordKey> => {
    if (!imported || !equalBytes(imported.raw, raw)) imported = { raw: raw.slice(), key: importRecordKey(raw) };
    return imported.key;
  };
  return {
    window,
    async rebuildChunk(task) {
      const rebuilder = idle.pop();
      if (!rebuilder) throw new RangeError(`more than ${window} chunks in flight`);
      try {
        const key = await keyFor(task.recordKey);
        const nonce = streamNonce(splitId, task.index, task.index === chunkCount - 1);
        const rebuilt = await rebuilder.rebuild(task.xs, task.fragments, key, nonce, chunkLength(size, chunkSize, task.index));
        if (!rebuilt) return { plaintext: undefined, inconsistent: [] };
        const digests = context.fingerprintBlock ? digestBlocks(rebuilt.plaintext, context.fingerprintBlock) : undefined;
        const inconsistent = task.spares.filter((spare) => !rebuilt.consistent(spare.x, spare.fragment)).map((spare) => spare.x);
        // ssms: the plaintext is the crypto backend's own fresh buffer, handed out as it is; shamir:
        // a view into the rebuilder's workspace, copied out (into a recycled buffer).
        const plaintext = ownsItsBuffer(rebuilt.plaintext) ? rebuilt.plaintext : packInto(recycled, [rebuilt.plaintext])[0]!;
        return digests ? { plaintext, inconsistent, digests: await digests } : { plaintext, inconsistent };
      } finally {
        idle.push(rebuilder);
      }
    },
    // Only shamir copies into recycled buffers: an ssms plaintext would only be held, never reused.
    release: (plaintext) => {
      if (scheme === 'shamir') recycled.give(plaintext.buffer);
    },
    // Workspaces go back to the kernel only when no chunk is in progress (else they are dropped).
    close: () => {
      if (idle.length === window) for (const rebuilder of idle.splice(0)) rebuilder.dispose();
      return Promise.resolve();
    },
  };
}
