/**
 * SHA-256 of a stream, computed in a hash worker (hash-worker.ts) while the caller goes on. `update`
 * copies the bytes (the caller may hand its array to a chunk worker right after) and does not wait;
 * `ready` is the back-pressure: it resolves once few enough copies are waiting, so a hash thread
 * that falls behind holds the reads back instead of letting copies pile up in memory.
 */
import * as Comlink from 'comlink';
import type { HashWorkerApi } from './hash-worker.js';

/** Bytes sent but not yet hashed beyond which `ready` waits: a few chunks. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** Copies are made into buffers of at least this size, which come back from the hash worker. */
const BUFFER_BYTES = 1024 * 1024;

export class OffThreadSha256 {
  private readonly worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module', name: 'tessera-hash' });
  private readonly remote = Comlink.wrap<HashWorkerApi>(this.worker);
  private pendingBytes = 0;
  private waiting: (() => void) | undefined;
  private failure: unknown;
  /**
   * Buffers back from the hash worker, for the next copies: a new one per chunk would leave a GiB
   * of garbage behind in the hash worker per GiB hashed, which its collector frees late.
   */
  private readonly free: ArrayBuffer[] = [];

  update(bytes: Uint8Array): void {
    const index = this.free.findIndex((buffer) => buffer.byteLength >= bytes.length);
    const buffer = index >= 0 ? this.free.splice(index, 1)[0]! : new ArrayBuffer(Math.max(BUFFER_BYTES, bytes.length));
    const copy = new Uint8Array(buffer, 0, bytes.length);
    copy.set(bytes);
    // Counted now: once transferred, the copy reads as empty here.
    const length = copy.length;
    this.pendingBytes += length;
    this.remote.update(Comlink.transfer(copy, [buffer])).then(
      (returned) => {
        if (this.free.length < 3) this.free.push(returned.buffer as ArrayBuffer);
        this.pendingBytes -= length;
        if (this.pendingBytes <= MAX_PENDING_BYTES) this.wake();
      },
      (error: unknown) => {
        this.failure ??= error;
        this.wake();
      },
    );
  }

  /** Resolves when the hash worker has caught up enough to take more; rejects if it failed. */
  async ready(): Promise<void> {
    while (this.pendingBytes > MAX_PENDING_BYTES && this.failure === undefined) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    if (this.failure !== undefined) throw this.failure;
  }

  async digestHex(): Promise<string> {
    const digest = await this.remote.digestHex();
    if (this.failure !== undefined) throw this.failure;
    return digest;
  }

  terminate(): void {
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
