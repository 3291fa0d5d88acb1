/**
 * Buffers of one thread, handed back once their bytes are spent and handed out again for bytes of
 * the same length. Memory a thread has just used is already mapped: a fresh buffer of a chunk's
 * size costs a page fault for every 4 KiB of it the first time it is written (2.5 to 5 µs each on
 * the benchmark machine, docs/benchmarks.md), and the coordinator of a job would otherwise take a
 * fresh one for every chunk it reads. Chunk workers send the buffers of chunks they are done with
 * back to their coordinator (workers/chunk-pool.ts), which puts them here; the coordinator sends
 * the buffers of written results back the other way, into the pool of the executor that made them
 * (executor.ts).
 */
export class BufferPool {
  private readonly spare = new Map<number, ArrayBuffer[]>();

  constructor(private readonly keepPerLength = 24) {}

  /**
   * A view of `length` bytes spanning a buffer of its own (so it can be transferred as it is):
   * a recycled one, holding whatever it held, when there is one; else a new, zeroed one. The
   * caller overwrites all of it.
   */
  take(length: number): Uint8Array<ArrayBuffer> {
    const recycled = this.spare.get(length)?.pop();
    return recycled ? new Uint8Array(recycled) : new Uint8Array(length);
  }

  /** Hands back a buffer nothing else uses any more; a transferred (detached) one is ignored. */
  give(buffer: ArrayBufferLike): void {
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return;
    let list = this.spare.get(buffer.byteLength);
    if (!list) this.spare.set(buffer.byteLength, (list = []));
    if (list.length < this.keepPerLength && !list.includes(buffer)) list.push(buffer);
  }

  /** How many buffers wait to be taken again (for tests). */
  get size(): number {
    let count = 0;
    for (const list of this.spare.values()) count += list.length;
    return count;
  }
}

/** This thread's pool: each worker has its own (a module instance per thread). */
export const threadBufferPool = new BufferPool();
