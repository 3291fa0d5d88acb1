/**
 * A small pool of share workers, one per core (1 to 4). Work waits in a queue until a worker is
 * free; cancelling a running task terminates its worker (the only way to stop work in progress in a
 * worker), and a new worker is started lazily the next time one is needed. Each share worker runs
 * one job and starts that job's own chunk workers (workers/share-jobs.ts); `?workers=N` sets only
 * those (requestedComputeWorkers), never the size of this pool.
 */
import * as Comlink from 'comlink';
import { TesseraError } from '../core/errors.js';
import type { ShareWorkerApi } from '../../workers/share-worker.js';

export type ShareWorker = Comlink.Remote<ShareWorkerApi>;

export interface PoolTask<T> {
  readonly done: Promise<T>;
  /** Stops the task; `done` then rejects with job.aborted. Does nothing once the task has settled. */
  cancel(): void;
}

interface Slot {
  readonly worker: Worker;
  readonly remote: ShareWorker;
  /** Rejects the running task, e.g. when the worker fails to load or crashes. */
  fail?: (error: unknown) => void;
}

interface Waiting {
  start(slotIndex: number): void;
  reject(error: unknown): void;
}

/** Share workers in the pool: one per core, at least 1, at most 4 (protect is memory-bound beyond that). */
export function poolSize(hardwareConcurrency: number | undefined): number {
  const cores = Number.isSafeInteger(hardwareConcurrency) && hardwareConcurrency! > 0 ? hardwareConcurrency! : 1;
  return Math.min(4, Math.max(1, cores));
}

/** Most compute threads `?workers=N` may ask for. */
const MAX_REQUESTED_WORKERS = 16;

/**
 * The compute threads per job asked for in the page's address, `?workers=N` (1 to 16): how many
 * chunk workers each protect or recover may start (1: none, the job's share worker does all the
 * work), so that the browser benchmark can compare them on one machine. Undefined when absent or
 * not such a number, and the share worker's default (one per core, at most 4) applies. It never
 * sets the pool's size: poolSize does.
 */
export function requestedComputeWorkers(search: string | undefined): number | undefined {
  const value = new URLSearchParams(search ?? '').get('workers');
  if (value === null || !/^[1-9][0-9]?$/.test(value)) return undefined;
  const size = Number(value);
  return size <= MAX_REQUESTED_WORKERS ? size : undefined;
}

export class SharePool {
  private readonly slots: (Slot | undefined)[];
  private readonly busy: boolean[];
  private readonly queue: Waiting[] = [];

  constructor(
    size: number = poolSize(globalThis.navigator?.hardwareConcurrency),
    private readonly createWorker: () => Worker = () =>
      new Worker(new URL('../../workers/share-worker.ts', import.meta.url), { type: 'module', name: 'tessera-share' }),
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`pool size: expected an integer ≥ 1, got ${size}`);
    this.slots = Array.from({ length: size }, () => undefined);
    this.busy = Array.from({ length: size }, () => false);
  }

  /** Queues `work`; `onStart` is called when a worker picks it up. */
  run<T>(work: (worker: ShareWorker) => Promise<T>, onStart?: () => void): PoolTask<T> {
    let settled = false;
    let slotIndex: number | undefined;
    let rejectTask!: (error: unknown) => void;
    const waiting: Waiting = {
      start: (index) => {
        slotIndex = index;
        const slot = this.slot(index);
        slot.fail = rejectTask;
        onStart?.();
        Promise.resolve()
          .then(() => work(slot.remote))
          .then(resolveTask, rejectTask);
      },
      reject: (error) => rejectTask(error),
    };
    let resolveTask!: (value: T) => void;
    const done = new Promise<T>((resolve, reject) => {
      resolveTask = (value) => {
        if (settled) return;
        settled = true;
        this.release(slotIndex);
        resolve(value);
      };
      rejectTask = (error) => {
        if (settled) return;
        settled = true;
        this.release(slotIndex);
        reject(error);
      };
    });

    this.queue.push(waiting);
    this.dispatch();

    return {
      done,
      cancel: () => {
        if (settled) return;
        const queued = this.queue.indexOf(waiting);
        if (queued >= 0) this.queue.splice(queued, 1);
        else if (slotIndex !== undefined) this.terminate(slotIndex);
        rejectTask(new TesseraError('job.aborted', 'cancelled'));
      },
    };
  }

  /** Stops every worker; queued and running tasks reject with job.aborted. */
  dispose(): void {
    for (const waiting of this.queue.splice(0)) waiting.reject(new TesseraError('job.aborted', 'cancelled'));
    for (let index = 0; index < this.slots.length; index++) {
      this.slots[index]?.fail?.(new TesseraError('job.aborted', 'cancelled'));
      this.terminate(index);
    }
  }

  private dispatch(): void {
    for (let index = 0; index < this.busy.length && this.queue.length > 0; index++) {
      if (this.busy[index]) continue;
      this.busy[index] = true;
      this.queue.shift()!.start(index);
    }
  }

  private release(slotIndex: number | undefined): void {
    if (slotIndex === undefined) return;
    const slot = this.slots[slotIndex];
    if (slot) delete slot.fail;
    this.busy[slotIndex] = false;
    this.dispatch();
  }

  private slot(index: number): Slot {
    const existing = this.slots[index];
    if (existing) return existing;
    const worker = this.createWorker();
    const slot: Slot = { worker, remote: Comlink.wrap<ShareWorkerApi>(worker) };
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.terminate(index);
      slot.fail?.(new Error(`the share worker stopped: ${event.message || 'it could not be loaded'}`));
    });
    this.slots[index] = slot;
    return slot;
  }

  private terminate(index: number): void {
    const slot = this.slots[index];
    if (!slot) return;
    this.slots[index] = undefined;
    // Calls still pending on this worker never settle; the task's own promise has been rejected.
    slot.worker.terminate();
  }
}
