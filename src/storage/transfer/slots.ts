/**
 * How many requests may be in flight: at most `perBucket` to any one bucket and `overall` across
 * all of them, shared by every upload and download made with the same `TransferSlots`. A request
 * takes a slot of its bucket first, then an overall one, and gives both back when it settles.
 */
import { abortReason } from './clock.js';

export class Semaphore {
  private available: number;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`slots: expected a positive integer, got ${size}`);
    this.available = size;
  }

  get inUse(): number {
    return this.size - this.available;
  }

  /** Resolves with a release function once a slot is free; an abort while waiting rejects. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.release();
        });
      };
      const entry = { grant };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(abortReason(signal!));
      };
      if (this.available > 0) {
        this.available--;
        grant();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.available++;
  }
}

export interface TransferSlotsOptions {
  /** Requests in flight to one bucket. Default 4 (browsers allow 6 connections per HTTP/1.1 host). */
  readonly perBucket?: number;
  /** Requests in flight overall. Default 8. */
  readonly overall?: number;
}

export class TransferSlots {
  readonly perBucket: number;
  private readonly overall: Semaphore;
  private readonly buckets = new Map<string, Semaphore>();

  constructor(options: TransferSlotsOptions = {}) {
    this.perBucket = options.perBucket ?? 4;
    if (!Number.isSafeInteger(this.perBucket) || this.perBucket < 1) {
      throw new RangeError(`perBucket: expected a positive integer, got ${this.perBucket}`);
    }
    this.overall = new Semaphore(options.overall ?? 8);
  }

  async acquire(bucketId: string, signal?: AbortSignal): Promise<() => void> {
    let bucket = this.buckets.get(bucketId);
    if (!bucket) {
      bucket = new Semaphore(this.perBucket);
      this.buckets.set(bucketId, bucket);
    }
    const releaseBucket = await bucket.acquire(signal);
    try {
      const releaseOverall = await this.overall.acquire(signal);
      return () => {
        releaseOverall();
        releaseBucket();
      };
    } catch (error) {
      releaseBucket();
      throw error;
    }
  }

  /** Requests in flight now, to one bucket or overall (for tests and a status line). */
  inFlight(bucketId?: string): number {
    return bucketId === undefined ? this.overall.inUse : (this.buckets.get(bucketId)?.inUse ?? 0);
  }
}

/** Shared by every bucket of this realm (one worker, or the page) unless a caller brings its own. */
export const defaultTransferSlots = new TransferSlots();
