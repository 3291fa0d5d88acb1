/**
 * A compute worker for one job: protects or rebuilds the chunks its coordinator (the share worker
 * running the job) sends it, with the same core code as everywhere else. Holds one split's secrets
 * at a time; nothing here touches storage or the DOM.
 */
import * as Comlink from 'comlink';
import {
  type ProtectedChunk,
  createLocalProtectExecutor,
  createLocalRecoverExecutor,
  type ProtectExecutor,
  type RecoverChunkResult,
  type RecoverChunkTask,
  type RecoverContext,
  type RecoverExecutor,
  type SplitSecrets,
} from '../src/core/index.js';

/** A result, with the buffers of what the chunk worker was sent and is done with, going back to be read into again. */
export type WithSpent<T> = T & { readonly spent: readonly ArrayBuffer[] };

let protecting: ProtectExecutor | undefined;
let recovering: RecoverExecutor | undefined;

const api = {
  async startProtect(secrets: SplitSecrets, window: number): Promise<void> {
    protecting = await createLocalProtectExecutor(secrets, { window });
  },
  /** `spares`: buffers of records already written, handed back for reuse. */
  async protectChunk(index: number, plain: Uint8Array, spares: readonly ArrayBuffer[] = []): Promise<WithSpent<ProtectedChunk>> {
    if (!protecting) throw new Error('chunk worker: startProtect first');
    for (const spare of spares) protecting.release?.([new Uint8Array(spare)]);
    const chunk = await protecting.protectChunk(index, plain);
    // WebCrypto copied the plain chunk when it was called, and the records are made: its buffer goes back.
    const spent = buffersOf([plain]);
    return Comlink.transfer({ ...chunk, spent }, [...buffersOf(chunk.records), ...spent]);
  },
  startRecover(context: RecoverContext, window: number): void {
    recovering = createLocalRecoverExecutor(context, { window });
  },
  /** `spares`: buffers of chunks already written, handed back for reuse. */
  async rebuildChunk(task: RecoverChunkTask, spares: readonly ArrayBuffer[] = []): Promise<WithSpent<RecoverChunkResult>> {
    if (!recovering) throw new Error('chunk worker: startRecover first');
    for (const spare of spares) recovering.release?.(new Uint8Array(spare));
    const result = await recovering.rebuildChunk(task);
    // The records were copied into the rebuilder's buffers (and the spares checked): theirs go back.
    const spent = buffersOf([...task.fragments, ...task.spares.map((s) => s.fragment)]).filter((buffer) => buffer !== result.plaintext?.buffer);
    return Comlink.transfer({ ...result, spent }, [...(result.plaintext ? [result.plaintext.buffer as ArrayBuffer] : []), ...spent]);
  },
  async stop(): Promise<void> {
    await Promise.all([protecting?.close(), recovering?.close()]);
    protecting = undefined;
    recovering = undefined;
  },
} satisfies Record<string, (...args: never[]) => unknown>;

export type ChunkWorkerApi = typeof api;

/** Each distinct buffer once (records of a chunk share one), as a transfer list wants. */
function buffersOf(views: readonly Uint8Array[]): ArrayBuffer[] {
  return [...new Set(views.map((view) => view.buffer as ArrayBuffer))];
}

Comlink.expose(api);
