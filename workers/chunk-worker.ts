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

let protecting: ProtectExecutor | undefined;
let recovering: RecoverExecutor | undefined;

const api = {
  async startProtect(secrets: SplitSecrets, window: number): Promise<void> {
    protecting = await createLocalProtectExecutor(secrets, { window });
  },
  /** `spare`: the buffer of records already written, handed back for reuse. */
  async protectChunk(index: number, plain: Uint8Array, spare?: ArrayBuffer): Promise<ProtectedChunk> {
    if (!protecting) throw new Error('chunk worker: startProtect first');
    if (spare) protecting.release?.([new Uint8Array(spare)]);
    const chunk = await protecting.protectChunk(index, plain);
    return Comlink.transfer(chunk, buffersOf(chunk.records));
  },
  startRecover(context: RecoverContext, window: number): void {
    recovering = createLocalRecoverExecutor(context, { window });
  },
  /** `spare`: the buffer of a chunk already written, handed back for reuse. */
  async rebuildChunk(task: RecoverChunkTask, spare?: ArrayBuffer): Promise<RecoverChunkResult> {
    if (!recovering) throw new Error('chunk worker: startRecover first');
    if (spare) recovering.release?.(new Uint8Array(spare));
    const result = await recovering.rebuildChunk(task);
    return result.plaintext ? Comlink.transfer(result, [result.plaintext.buffer as ArrayBuffer]) : result;
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
