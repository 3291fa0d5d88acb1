/**
 * Downloads: an object of a bucket as a ByteSource (ranged GETs, each under the fetcher's retry
 * policy, with read-ahead so that a reader going front to back — recovery reads each share that way
 * — keeps several ranges in flight), and the race that opens the shares of a record in parallel so
 * that recovery starts with the buckets that answer first.
 */
import type { ByteSource } from '../../core/io.js';
import type { ExtendedTransport } from './extensions.js';
import { Fetcher } from './fetcher.js';
import { TransferSlots, defaultTransferSlots } from './slots.js';
import { TransferError, type ObjectTransport } from './transport.js';
import { abortReason, realClock, type Clock } from './clock.js';

export interface RemoteSourceOptions {
  readonly fetcher?: Fetcher;
  readonly slots?: TransferSlots;
  /** Bytes per ranged GET. Default 4 MiB. */
  readonly rangeSize?: number;
  /** Ranges fetched ahead of a reader going front to back. Default 2 (so 3 ranges held at most). */
  readonly readAhead?: number;
  /** Cancels every request of this source. */
  readonly signal?: AbortSignal;
}

/**
 * Opens `key` as a random-access source: a HEAD for its size (bucket.not-found if it is missing),
 * then ranged GETs as it is read. Memory: at most readAhead + 1 ranges.
 */
export async function openRemoteObject(transport: ObjectTransport, key: string, options: RemoteSourceOptions = {}): Promise<ByteSource> {
  const fetcher = options.fetcher ?? new Fetcher();
  const extended: ExtendedTransport = transport;
  const head = await fetcher.run((attempt) => transport.head(key, { signal: attempt.signal }), {
    ...(options.signal ? { signal: options.signal } : {}),
    resigner: extended,
    what: 'look up the object',
  });
  if (head === null) throw new TransferError('fatal', 'bucket.not-found', `no object ${key}`, 404);
  return new RemoteObjectSource(transport, key, head.size, fetcher, options);
}

class RemoteObjectSource implements ByteSource {
  private readonly rangeSize: number;
  private readonly readAhead: number;
  private readonly slots: TransferSlots;
  /** Ranges fetched or being fetched, by index; kept only near where the reader is. */
  private readonly ranges = new Map<number, Promise<Uint8Array>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly transport: ObjectTransport,
    private readonly key: string,
    readonly size: number,
    private readonly fetcher: Fetcher,
    options: RemoteSourceOptions,
  ) {
    this.rangeSize = options.rangeSize ?? 4 * 1024 * 1024;
    this.readAhead = options.readAhead ?? 2;
    if (!Number.isSafeInteger(this.rangeSize) || this.rangeSize < 1) throw new RangeError(`rangeSize: expected a positive integer, got ${this.rangeSize}`);
    if (!Number.isSafeInteger(this.readAhead) || this.readAhead < 0) throw new RangeError(`readAhead: expected a non-negative integer, got ${this.readAhead}`);
    this.slots = options.slots ?? defaultTransferSlots;
    if (options.signal) options.signal.addEventListener('abort', () => this.stop.abort(options.signal!.reason), { once: true });
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset: expected a non-negative integer, got ${offset}`);
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`length: expected a non-negative integer, got ${length}`);
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const first = Math.floor(offset / this.rangeSize);
    const last = Math.floor((end - 1) / this.rangeSize);
    // Forget ranges behind the reader, then make sure the wanted ones and the next few are coming.
    for (const index of this.ranges.keys()) if (index < first || index > last + this.readAhead) this.ranges.delete(index);
    const lastRange = Math.floor((this.size - 1) / this.rangeSize);
    for (let index = first; index <= Math.min(lastRange, last + this.readAhead); index++) this.range(index);
    const out = new Uint8Array(end - offset);
    for (let index = first; index <= last; index++) {
      const bytes = await this.range(index);
      const rangeStart = index * this.rangeSize;
      const from = Math.max(offset, rangeStart);
      const to = Math.min(end, rangeStart + bytes.length);
      out.set(bytes.subarray(from - rangeStart, to - rangeStart), from - offset);
    }
    return out;
  }

  close(): Promise<void> {
    this.stop.abort(new DOMException('Source closed.', 'AbortError'));
    this.ranges.clear();
    return Promise.resolve();
  }

  private range(index: number): Promise<Uint8Array> {
    let promise = this.ranges.get(index);
    if (!promise) {
      promise = this.fetchRange(index);
      // A failed range is forgotten, so the next read asks again rather than failing forever.
      promise.catch(() => {
        if (this.ranges.get(index) === promise) this.ranges.delete(index);
      });
      this.ranges.set(index, promise);
    }
    return promise;
  }

  private async fetchRange(index: number): Promise<Uint8Array> {
    const offset = index * this.rangeSize;
    const length = Math.min(this.rangeSize, this.size - offset);
    const release = await this.slots.acquire(this.transport.bucketId, this.stop.signal);
    try {
      return await this.fetcher.run(
        async (attempt) => {
          const bytes = await this.transport.getRange(this.key, offset, length, { signal: attempt.signal, onProgress: attempt.onProgress });
          // A short answer inside the object is a cut connection the transport did not notice: retry.
          if (bytes.length !== length) {
            throw new TransferError('retry', 'bucket.unavailable', `expected ${length} bytes at ${offset}, got ${bytes.length}`, 206);
          }
          return bytes;
        },
        { signal: this.stop.signal, resigner: this.transport as ExtendedTransport, what: `read bytes ${offset}–${offset + length}` },
      );
    } finally {
      release();
    }
  }
}

export interface ShareCandidate<Id> {
  readonly id: Id;
  /** Opens the source; should give up when `signal` aborts. */
  readonly open: (signal: AbortSignal) => Promise<ByteSource>;
}

export type RaceOutcome<Id> =
  | { readonly id: Id; readonly state: 'opened'; readonly source: ByteSource; readonly ms: number }
  | { readonly id: Id; readonly state: 'failed'; readonly error: unknown; readonly ms: number }
  /** Had not answered when enough others had; its request was cancelled. */
  | { readonly id: Id; readonly state: 'late'; readonly ms: number };

/**
 * Opens every candidate at once and resolves as soon as `want` of them opened (or all have
 * answered): the opened ones in the order they answered, then the failed ones (a stall shows up
 * here as bucket.stalled once the fetcher gives up) and those cancelled as late. Recovery asks for
 * k or k + 1 (one spare lets it find a bad share) and passes the opened sources on.
 */
export async function raceOpen<Id>(
  candidates: readonly ShareCandidate<Id>[],
  want: number,
  options: { readonly signal?: AbortSignal; readonly clock?: Clock } = {},
): Promise<RaceOutcome<Id>[]> {
  if (!Number.isSafeInteger(want) || want < 1) throw new RangeError(`want: expected a positive integer, got ${want}`);
  const clock = options.clock ?? realClock;
  const started = clock.now();
  // One controller per candidate: the signal an opened source got stays live for its reads; only
  // the stragglers' are aborted.
  const controllers = candidates.map(() => new AbortController());
  const forward = (): void => controllers.forEach((controller) => controller.abort(options.signal?.reason));
  options.signal?.addEventListener('abort', forward, { once: true });
  let racing = true;
  const outcomes: RaceOutcome<Id>[] = [];
  let opened = 0;
  try {
    await new Promise<void>((resolve) => {
      let settled = 0;
      if (candidates.length === 0) resolve();
      candidates.forEach((candidate, index) => {
        candidate.open(controllers[index]!.signal).then(
          (source) => {
            if (opened >= want || !racing) {
              void source.close?.();
              return;
            }
            opened++;
            outcomes.push({ id: candidate.id, state: 'opened', source, ms: clock.now() - started });
          },
          (error: unknown) => {
            if (racing) outcomes.push({ id: candidate.id, state: 'failed', error, ms: clock.now() - started });
          },
        ).finally(() => {
          settled++;
          if (opened >= want || settled === candidates.length) resolve();
        });
      });
      options.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    racing = false;
    options.signal?.removeEventListener('abort', forward);
  }
  if (options.signal?.aborted) {
    for (const outcome of outcomes) if (outcome.state === 'opened') void outcome.source.close?.();
    throw abortReason(options.signal);
  }
  const now = clock.now() - started;
  const enough = new DOMException('Enough shares answered.', 'AbortError');
  candidates.forEach((candidate, index) => {
    if (outcomes.some((outcome) => outcome.id === candidate.id)) return;
    outcomes.push({ id: candidate.id, state: 'late', ms: now });
    controllers[index]!.abort(enough);
  });
  // Opened first, in arrival order; then failures and late ones.
  return [...outcomes.filter((o) => o.state === 'opened'), ...outcomes.filter((o) => o.state !== 'opened')];
}
