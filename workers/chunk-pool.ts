/**
 * Chunk executors backed by compute workers, so that one file keeps every core busy: the share
 * worker running a job stays the coordinator (it reads, writes, keeps chunks in order and does the
 * rare search for a damaged share), and the chunks themselves are protected or rebuilt in
 * `count` chunk workers, `perWorker` in flight on each. Buffers are transferred, not copied, where
 * the sender no longer needs them. The chunk workers end with the job's worker.
 */
import * as Comlink from 'comlink';
import type { ProtectExecutorFactory, RecoverExecutorFactory } from '../src/core/index.js';
import type { ChunkWorkerApi } from './chunk-worker.js';

export class ChunkWorkers {
  private readonly workers: Worker[];
  private readonly remotes: Comlink.Remote<ChunkWorkerApi>[];

  constructor(
    count: number,
    private readonly perWorker = 2,
  ) {
    this.workers = Array.from({ length: count }, () => new Worker(new URL('./chunk-worker.ts', import.meta.url), { type: 'module', name: 'tessera-chunks' }));
    this.remotes = this.workers.map((worker) => Comlink.wrap<ChunkWorkerApi>(worker));
  }

  /** Chunk i goes to worker i mod count; with `window` = count · perWorker, no worker has more than perWorker. */
  private pick(index: number): Comlink.Remote<ChunkWorkerApi> {
    return this.remotes[index % this.remotes.length]!;
  }

  readonly protectExecutor: ProtectExecutorFactory = async (secrets) => {
    await Promise.all(this.remotes.map((remote) => remote.startProtect(secrets, this.perWorker)));
    return {
      window: this.remotes.length * this.perWorker,
      // The plain chunk is not used again here (protect has hashed and let go of it): transfer it.
      protectChunk: (index, plain) => this.pick(index).protectChunk(index, Comlink.transfer(plain, [plain.buffer as ArrayBuffer])),
      close: async () => {
        await Promise.all(this.remotes.map((remote) => remote.stop()));
      },
    };
  };

  readonly recoverExecutor: RecoverExecutorFactory = async (context) => {
    await Promise.all(this.remotes.map((remote) => remote.startRecover(context, this.perWorker)));
    return {
      window: this.remotes.length * this.perWorker,
      // Records are copied, not transferred: recovery may need them again to find a damaged share.
      rebuildChunk: (task) => this.pick(task.index).rebuildChunk(task),
      close: async () => {
        await Promise.all(this.remotes.map((remote) => remote.stop()));
      },
    };
  };

  terminate(): void {
    for (const remote of this.remotes) remote[Comlink.releaseProxy]();
    for (const worker of this.workers) worker.terminate();
  }
}
