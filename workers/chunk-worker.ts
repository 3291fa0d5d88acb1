/**
 * A compute worker for one job: protects or rebuilds the chunks its coordinator (the share worker
 * running the job) sends it, with the same core code as everywhere else. Holds one split's secrets
 * at a time; nothing here touches storage or the DOM.
 */
import * as Comlink from 'comlink';
import {
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
  async protectChunk(index: number, plain: Uint8Array): Promise<Uint8Array[]> {
    if (!protecting) throw new Error('chunk worker: startProtect first');
    const records = [...(await protecting.protectChunk(index, plain))];
    return Comlink.transfer(records, records.map((record) => record.buffer as ArrayBuffer));
  },
  startRecover(context: RecoverContext, window: number): void {
    recovering = createLocalRecoverExecutor(context, { window });
  },
  async rebuildChunk(task: RecoverChunkTask): Promise<RecoverChunkResult> {
    if (!recovering) throw new Error('chunk worker: startRecover first');
    const result = await recovering.rebuildChunk(task);
    return result.plaintext ? Comlink.transfer(result, [result.plaintext.buffer as ArrayBuffer]) : result;
  },
  stop(): void {
    protecting = undefined;
    recovering = undefined;
  },
} satisfies Record<string, (...args: never[]) => unknown>;

export type ChunkWorkerApi = typeof api;

Comlink.expose(api);
