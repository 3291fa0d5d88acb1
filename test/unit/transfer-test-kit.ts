/**
 * Shared by the transfer tests (not a test file itself): a clock driven by hand, so back-off,
 * stall watchdogs and rates are tested without waiting, and small helpers.
 */
import type { Clock } from '../../src/storage/transfer/clock.js';

export class ManualClock implements Clock {
  time = 0;
  private nextId = 1;
  private timers: { id: number; at: number; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing each timer due on the way (and letting its effects run) in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = target;
    await settle();
  }
}

/** Lets every pending promise callback and I/O callback run: one turn of the event loop. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A fixed sequence of "random" numbers in [0, 1), repeated. */
export function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

import type { TransportExtensions } from '../../src/storage/transfer/extensions.js';
import { TransferError, type ObjectTransport, type PartRecord, type RequestOptions, type TransferLimits } from '../../src/storage/transfer/transport.js';

/** Small limits so that tests cut objects into many parts without megabytes of data. */
export const SMALL_LIMITS: TransferLimits = { singlePutLimit: 1024, minPartSize: 1024, maxPartSize: 1024 * 1024, maxParts: 10_000 };

/**
 * TEST DOUBLE, in process: an ObjectTransport over Maps, whose part uploads can be held until the
 * test lets them go (`hold`), counting what is in flight. For the uploader's own logic; the HTTP
 * double behind the fault proxy is test/servers/memory-object-transport.ts.
 */
export class InMemoryTransport implements ObjectTransport, TransportExtensions {
  readonly objects = new Map<string, Uint8Array>();
  readonly uploads = new Map<string, { key: string; parts: Map<number, Uint8Array> }>();
  /** Every uploadPart call, in order (part numbers), including aborted ones. */
  readonly partCalls: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Bytes of part bodies the transport holds right now (in flight). */
  heldBytes = 0;
  /** When true, part uploads wait for `release()`. */
  hold = false;
  private waiting: (() => void)[] = [];
  /** Called before a part is stored; may throw to fail it. */
  beforePart: ((partNumber: number) => void) | undefined;
  private nextId = 1;

  constructor(
    readonly bucketId = 'mem',
    readonly limits: TransferLimits = SMALL_LIMITS,
  ) {}

  /** Lets `count` held part uploads go (in the order they arrived). */
  release(count = Infinity): void {
    while (count-- > 0 && this.waiting.length > 0) this.waiting.shift()!();
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  putObject(key: string, body: Uint8Array): Promise<void> {
    this.objects.set(key, body.slice());
    return Promise.resolve();
  }

  createMultipart(key: string): Promise<string> {
    const id = `u${this.nextId++}`;
    this.uploads.set(id, { key, parts: new Map() });
    return Promise.resolve(id);
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, options: RequestOptions = {}): Promise<string> {
    this.partCalls.push(partNumber);
    this.inFlight++;
    this.heldBytes += body.length;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) {
        await new Promise<void>((resolve, reject) => {
          const go = (): void => resolve();
          this.waiting.push(go);
          options.signal?.addEventListener(
            'abort',
            () => {
              this.waiting = this.waiting.filter((w) => w !== go);
              reject(new DOMException('aborted', 'AbortError'));
            },
            { once: true },
          );
        });
      }
      options.onProgress?.(body.length);
      this.beforePart?.(partNumber);
      const upload = this.uploads.get(uploadId);
      if (!upload || upload.key !== key) throw new TransferError('fatal', 'bucket.not-found', 'NoSuchUpload', 404);
      upload.parts.set(partNumber, body.slice());
      return `"etag-${partNumber}-${body.length}"`;
    } finally {
      this.inFlight--;
      this.heldBytes -= body.length;
    }
  }

  listParts(key: string, uploadId: string): Promise<readonly PartRecord[]> {
    const upload = this.uploads.get(uploadId);
    if (!upload) return Promise.reject(new TransferError('fatal', 'bucket.not-found', 'NoSuchUpload', 404));
    return Promise.resolve(
      [...upload.parts].sort(([a], [b]) => a - b).map(([partNumber, bytes]) => ({ partNumber, etag: `"etag-${partNumber}-${bytes.length}"`, size: bytes.length })),
    );
  }

  completeMultipart(key: string, uploadId: string, parts: readonly PartRecord[]): Promise<void> {
    const upload = this.uploads.get(uploadId);
    if (!upload) return Promise.reject(new TransferError('fatal', 'bucket.not-found', 'NoSuchUpload', 404));
    const pieces = parts.map((part) => {
      const bytes = upload.parts.get(part.partNumber);
      if (!bytes || part.etag !== `"etag-${part.partNumber}-${bytes.length}"`) throw new TransferError('fatal', 'bucket.failed', 'InvalidPart', 400);
      return bytes;
    });
    this.objects.set(key, new Uint8Array(Buffer.concat(pieces)));
    this.uploads.delete(uploadId);
    return Promise.resolve();
  }

  abortMultipart(_key: string, uploadId: string): Promise<void> {
    this.uploads.delete(uploadId);
    return Promise.resolve();
  }

  getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const object = this.objects.get(key);
    if (!object) return Promise.reject(new TransferError('fatal', 'bucket.not-found', 'NoSuchKey', 404));
    return Promise.resolve(object.slice(offset, offset + length));
  }

  head(key: string): Promise<{ readonly size: number } | null> {
    const object = this.objects.get(key);
    return Promise.resolve(object ? { size: object.length } : null);
  }

  deleteObject(key: string): Promise<void> {
    this.objects.delete(key);
    return Promise.resolve();
  }

  listUploads(key: string): Promise<readonly string[]> {
    return Promise.resolve([...this.uploads].filter(([, upload]) => upload.key === key).map(([id]) => id));
  }
}

/**
 * Lets the event loop turn until `condition` holds (state changes come from promise callbacks and
 * I/O, not from time passing); fails after `turns` turns rather than hang.
 */
export async function until(condition: () => boolean, turns = 10_000): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    if (condition()) return;
    await settle();
  }
  throw new Error(`condition not met after ${turns} turns of the event loop`);
}
