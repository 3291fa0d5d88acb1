/**
 * Chunk executors backed by compute workers, so that one file keeps every core busy: the share
 * worker running a job stays the coordinator (it reads, writes, keeps chunks in order and does the
 * rare search for a damaged share), and the chunks themselves are protected or rebuilt in
 * `count` chunk workers, `perWorker` in flight on each. Buffers are transferred, not copied, where
 * the sender no longer needs them. The chunk workers end with the job's worker.
 */
import * as Comlink from 'comlink';
import { threadBufferPool, type ProtectExecutorFactory, type RecoverChunkTask, type RecoverExecutorFactory } from '../src/core/index.js';
import type { ChunkWorkerApi } from './chunk-worker.js';

export class ChunkWorkers {
  private readonly workers: Worker[];
  private readonly remotes: Comlink.Remote<ChunkWorkerApi>[];
  /** Which worker made a result buffer, so it goes back there for reuse once written. */
  private readonly origin = new WeakMap<ArrayBuffer, number>();
  /**
   * Per worker: result buffers it may reuse, all sent along with its next chunk. Several: results
   * are written (and handed back) while the next chunk's read is still under way.
   */
  private readonly spares: ArrayBuffer[][];

  constructor(
    count: number,
    private readonly perWorker = 2,
  ) {
    this.workers = Array.from({ length: count }, () => new Worker(new URL('./chunk-worker.ts', import.meta.url), { type: 'module', name: 'tessera-chunks' }));
    this.remotes = this.workers.map((worker) => Comlink.wrap<ChunkWorkerApi>(worker));
    this.spares = this.workers.map(() => []);
  }

  /** The spare buffers to send to worker `which` (transferred), if there are any. */
  private takeSpares(which: number): ArrayBuffer[] {
    return this.spares[which]!.splice(0);
  }

  private remember(buffer: ArrayBuffer, which: number): void {
    this.origin.set(buffer, which);
  }

  private giveBack(buffer: ArrayBuffer): void {
    const which = this.origin.get(buffer);
    const spares = which === undefined ? undefined : this.spares[which]!;
    if (spares && spares.length <= this.perWorker && !spares.includes(buffer)) spares.push(buffer);
  }

  /** Chunk i goes to worker i mod count; with `window` = count · perWorker, no worker has more than perWorker. */
  private which(index: number): number {
    return index % this.remotes.length;
  }

  readonly protectExecutor: ProtectExecutorFactory = async (secrets) => {
    await Promise.all(this.remotes.map((remote) => remote.startProtect(secrets, this.perWorker)));
    return {
      window: this.remotes.length * this.perWorker,
      // The plain chunk is not used again here (protect has hashed and let go of it): transfer it.
      protectChunk: async (index, plain) => {
        const which = this.which(index);
        const spares = this.takeSpares(which);
        const transfers = [plain.buffer as ArrayBuffer, ...spares];
        const { spent, ...chunk } = await this.remotes[which]!.protectChunk(index, Comlink.transfer(plain, transfers), spares);
        for (const buffer of spent) threadBufferPool.give(buffer);
        if (chunk.records[0]) this.remember(chunk.records[0].buffer as ArrayBuffer, which);
        return chunk;
      },
      release: (records) => {
        if (records[0]) this.giveBack(records[0].buffer as ArrayBuffer);
      },
      close: async () => {
        await Promise.all(this.remotes.map((remote) => remote.stop()));
      },
    };
  };

  readonly recoverExecutor: RecoverExecutorFactory = async (context) => {
    await Promise.all(this.remotes.map((remote) => remote.startRecover(context, this.perWorker)));
    return {
      window: this.remotes.length * this.perWorker,
      // Records are transferred (recover reads a chunk's records again if it has to search for a
      // damaged share); a record that is a view into a larger buffer is copied out first, since
      // structured cloning or transferring it would take the whole buffer.
      rebuildChunk: async (task) => {
        const which = this.which(task.index);
        const spares = this.takeSpares(which);
        const fragments = task.fragments.map(ownBuffer);
        const spareRecords = task.spares.map((spare) => ({ x: spare.x, fragment: ownBuffer(spare.fragment) }));
        const transfers = [...spares, ...new Set([...fragments, ...spareRecords.map((spare) => spare.fragment)].map((view) => view.buffer as ArrayBuffer))];
        const sent: RecoverChunkTask = { ...task, fragments, spares: spareRecords };
        const { spent, ...result } = await this.remotes[which]!.rebuildChunk(Comlink.transfer(sent, transfers), spares);
        for (const buffer of spent) threadBufferPool.give(buffer);
        if (result.plaintext) this.remember(result.plaintext.buffer as ArrayBuffer, which);
        return result;
      },
      release: (plaintext) => this.giveBack(plaintext.buffer as ArrayBuffer),
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

/** `view` if it spans the whole of its ArrayBuffer (so transferring it moves only it), else a copy that does. */
function ownBuffer(view: Uint8Array): Uint8Array {
  return view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : view.slice();
}
