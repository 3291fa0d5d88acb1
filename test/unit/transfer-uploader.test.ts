import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Fetcher } from '../../src/storage/transfer/fetcher.js';
import { DEFAULT_PART_SIZE, partCount, partSizeAt, planParts } from '../../src/storage/transfer/part-plan.js';
import type { TransferProgress } from '../../src/storage/transfer/progress.js';
import { TransferSlots } from '../../src/storage/transfer/slots.js';
import { ObjectUploader, uploadSource } from '../../src/storage/transfer/uploader.js';
import type { TransferLimits } from '../../src/storage/transfer/transport.js';
import { bytesSource } from '../../src/core/io.js';
import { patternBytes } from '../helpers/deterministic-random.js';
import { FaultProxy } from '../servers/fault-proxy.js';
import { startMemoryObjectStore, type MemoryObjectStore } from '../servers/memory-object-store.js';
import { MemoryObjectTransport } from '../servers/memory-object-transport.js';
import { InMemoryTransport, ManualClock, SMALL_LIMITS, sequence, settle, until } from './transfer-test-kit.js';

const MiB = 1024 * 1024;
const S3: TransferLimits = { singlePutLimit: 5 * 1024 * MiB, minPartSize: 5 * MiB, maxPartSize: 5 * 1024 * MiB, maxParts: 10_000 };

/** A fetcher whose back-offs do not wait. */
const quickFetcher = (): Fetcher => new Fetcher({ random: sequence(0), sleep: () => Promise.resolve(), stallTimeoutMs: 10_000 });

/** Writes `data` through `sink` in pieces of `piece` bytes, reusing one buffer as core does. */
async function writeInPieces(sink: ObjectUploader, data: Uint8Array, piece: number): Promise<void> {
  const buffer = new Uint8Array(piece);
  for (let offset = 0; offset < data.length; offset += piece) {
    const length = Math.min(piece, data.length - offset);
    buffer.set(data.subarray(offset, offset + length));
    await sink.write(buffer.subarray(0, length));
    buffer.fill(0xee); // the sink must have copied what it keeps
  }
}

describe('part sizing', () => {
  it('uses the preferred 8 MiB part for every size that fits in 10,000 of them', () => {
    for (const size of [0, 1, 5 * MiB - 1, 5 * MiB, 5 * MiB + 1, 8 * MiB, 10_000 * 8 * MiB]) {
      expect(planParts(size, S3)).toEqual({ partSize: DEFAULT_PART_SIZE, growEvery: null });
    }
    expect(partCount(10_000 * 8 * MiB, planParts(10_000 * 8 * MiB, S3))).toBe(10_000);
    expect(partCount(0, planParts(0, S3))).toBe(1);
  });

  it('grows the part just enough to stay within 10,000 parts', () => {
    const size = 10_000 * 8 * MiB + 1;
    const plan = planParts(size, S3);
    expect(plan.partSize).toBe(8 * MiB + 1);
    expect(partCount(size, plan)).toBe(10_000);
    const huge = 3 * 1024 * 1024 * MiB; // 3 TiB
    const hugePlan = planParts(huge, S3);
    expect(hugePlan.partSize).toBe(Math.ceil(huge / 10_000));
    expect(partCount(huge, hugePlan)).toBeLessThanOrEqual(10_000);
  });

  it('never goes below the 5 MiB minimum, nor above the maximum part', () => {
    expect(planParts(100 * MiB, S3, 1 * MiB).partSize).toBe(5 * MiB);
    expect(planParts(100 * MiB, S3, 6 * 1024 * MiB).partSize).toBe(5 * 1024 * MiB);
    expect(planParts(10_000 * 5 * 1024 * MiB, S3).partSize).toBe(5 * 1024 * MiB);
    expect(() => planParts(10_000 * 5 * 1024 * MiB + 1, S3)).toThrow(/more than this store takes/);
    expect(() => planParts(-1, S3)).toThrow(RangeError);
    expect(() => planParts(1.5, S3)).toThrow(RangeError);
    expect(() => planParts(1, { ...S3, minPartSize: 6 * 1024 * MiB })).toThrow(/minPartSize/);
  });

  it('for an unknown size, doubles the part every 1,000 parts so that 10,000 parts hold terabytes', () => {
    const plan = planParts(undefined, S3);
    expect(plan).toEqual({ partSize: 8 * MiB, growEvery: 1000 });
    expect(partSizeAt(plan, S3, 1000)).toBe(8 * MiB);
    expect(partSizeAt(plan, S3, 1001)).toBe(16 * MiB);
    expect(partSizeAt(plan, S3, 10_000)).toBe(4096 * MiB);
    let capacity = 0;
    for (let part = 1; part <= 10_000; part++) capacity += partSizeAt(plan, S3, part);
    expect(capacity).toBeGreaterThan(5 * 1024 * 1024 * MiB);
  });
});

describe('streaming upload: single PUT or parts', () => {
  it.each([
    [0, 'single'],
    [1, 'single'],
    [1024, 'single'],
    [1025, 'multipart'],
    [10 * 1024 + 7, 'multipart'],
  ] as const)('%i bytes with 1 KiB parts go as a %s upload, exactly', async (size, kind) => {
    const transport = new InMemoryTransport();
    const data = patternBytes(size);
    const sink = new ObjectUploader({ transport, key: 'k', fetcher: quickFetcher(), partSize: 1024 });
    await writeInPieces(sink, data, 300);
    await sink.close();
    expect(transport.objects.get('k')).toEqual(data);
    expect(transport.partCalls.length > 0 ? 'multipart' : 'single').toBe(kind);
    if (kind === 'multipart') expect(transport.partCalls.length).toBe(Math.ceil(size / 1024));
    expect(transport.uploads.size).toBe(0);
    expect(sink.status.state).toBe('done');
  });

  it('refuses more bytes than announced in a way that leaves nothing behind', async () => {
    const transport = new InMemoryTransport();
    const sink = new ObjectUploader({ transport, key: 'k', fetcher: quickFetcher(), partSize: 1024, expectedSize: 2048 });
    await sink.write(patternBytes(3000));
    await expect(sink.close()).rejects.toThrow(/expected 2048 bytes, got 3000/);
    await sink.abort();
    expect(transport.uploads.size).toBe(0);
    expect(transport.objects.size).toBe(0);
  });
});

describe('back-pressure and concurrency', () => {
  it('holds at most concurrency + 1 parts: write() waits while the parts in flight are full', async () => {
    const transport = new InMemoryTransport();
    transport.hold = true;
    const concurrency = 3;
    const sink = new ObjectUploader({ transport, key: 'k', fetcher: quickFetcher(), partSize: 1024, concurrency, slots: new TransferSlots({ perBucket: 8 }) });
    const data = patternBytes(20 * 1024);
    let written = 0;
    const writing = (async () => {
      for (let offset = 0; offset < data.length; offset += 256) {
        await sink.write(data.subarray(offset, offset + 256));
        written = offset + 256;
      }
    })();
    for (let round = 0; round < 6; round++) {
      await until(() => transport.waitingCount === concurrency);
      for (let turn = 0; turn < 5; turn++) await settle(); // the writer gets every chance to run ahead
      // In flight: `concurrency` parts; buffered: at most one more part, and the writer is blocked.
      expect(transport.inFlight).toBe(concurrency);
      expect(transport.heldBytes).toBe(concurrency * 1024);
      const buffered = written - (round + concurrency) * 1024;
      expect(buffered).toBeGreaterThan(0);
      expect(buffered).toBeLessThanOrEqual(1024);
      transport.release(1);
    }
    transport.hold = false;
    transport.release();
    await writing;
    await sink.close();
    expect(transport.objects.get('k')).toEqual(data);
    expect(transport.maxInFlight).toBe(concurrency);
  });

  it('keeps requests within the per-bucket and the overall limits shared by all uploads', async () => {
    const slots = new TransferSlots({ perBucket: 3, overall: 4 });
    const a = new InMemoryTransport('a');
    const b = new InMemoryTransport('b');
    let overallMax = 0;
    const observe = (): void => {
      overallMax = Math.max(overallMax, a.inFlight + b.inFlight);
      expect(slots.inFlight()).toBeLessThanOrEqual(4);
    };
    a.beforePart = observe;
    b.beforePart = observe;
    a.hold = b.hold = true;
    const uploads = [a, a, b, b].map((transport, index) =>
      uploadSource(bytesSource(patternBytes(8 * 1024, index)), { transport, key: `k${index}`, fetcher: quickFetcher(), partSize: 1024, slots, concurrency: 3 }),
    );
    await until(() => a.waitingCount + b.waitingCount === 4);
    let finished = false;
    void Promise.all(uploads.map((upload) => upload.finished)).then(() => (finished = true));
    while (!finished) {
      for (let turn = 0; turn < 5; turn++) await settle();
      expect(a.inFlight).toBeLessThanOrEqual(3);
      expect(b.inFlight).toBeLessThanOrEqual(3);
      expect(a.inFlight + b.inFlight).toBeLessThanOrEqual(4);
      a.release(1);
      b.release(1);
    }
    a.hold = b.hold = false;
    a.release();
    b.release();
    await Promise.all(uploads.map((upload) => upload.finished));
    // The limits hold and the overall one is reached (how the 4 slots split between the two buckets
    // depends on which request settles first; a single bucket reaching its own limit is the test above).
    expect(Math.max(a.maxInFlight, b.maxInFlight)).toBeLessThanOrEqual(3);
    expect(overallMax).toBe(4);
    [a, a, b, b].forEach((transport, index) => expect(transport.objects.get(`k${index}`)).toEqual(patternBytes(8 * 1024, index)));
  });
});

describe('pause and resume', () => {
  it('drops what is in flight on pause, sends nothing while paused, and finishes exactly on resume', async () => {
    const transport = new InMemoryTransport();
    transport.hold = true;
    const data = patternBytes(10 * 1024 + 100);
    const upload = uploadSource(bytesSource(data), { transport, key: 'k', fetcher: quickFetcher(), partSize: 1024, concurrency: 2 });
    await until(() => transport.waitingCount === 2);
    transport.release(1);
    await until(() => transport.waitingCount === 2);
    upload.pause();
    expect(upload.status.state).toBe('paused');
    await settle();
    expect(transport.inFlight).toBe(0); // the held requests were aborted
    const callsWhilePaused = transport.partCalls.length;
    transport.hold = false;
    for (let i = 0; i < 5; i++) await settle();
    expect(transport.partCalls.length).toBe(callsWhilePaused);
    upload.resume();
    await upload.finished;
    expect(upload.status.state).toBe('done');
    expect(transport.objects.get('k')).toEqual(data);
    expect(transport.uploads.size).toBe(0);
  });

  it('a paused streaming upload holds its writer back until resumed', async () => {
    const transport = new InMemoryTransport();
    const sink = new ObjectUploader({ transport, key: 'k', fetcher: quickFetcher(), partSize: 1024, concurrency: 1 });
    sink.pause();
    let done = false;
    const writing = writeInPieces(sink, patternBytes(5000), 512).then(() => (done = true));
    for (let i = 0; i < 5; i++) await settle();
    expect(done).toBe(false);
    expect(transport.partCalls.length).toBe(0);
    sink.resume();
    await writing;
    await sink.close();
    expect(transport.objects.get('k')).toEqual(patternBytes(5000));
  });
});

describe('cancel', () => {
  let store: MemoryObjectStore;
  let proxy: FaultProxy;
  beforeEach(async () => {
    store = await startMemoryObjectStore({ minPartSize: 1024 });
    proxy = new FaultProxy();
    await proxy.start(store.url);
  });
  afterEach(async () => {
    await proxy.stop();
    await store.stop();
  });

  it('aborts the multipart upload, retrying the abort itself, so the store keeps nothing', async () => {
    const transport = new MemoryObjectTransport(proxy.url, { bucketId: 'proxied', limits: SMALL_LIMITS });
    const sink = new ObjectUploader({ transport, key: 'tessera/x/1.tshare', fetcher: quickFetcher(), partSize: 1024 });
    await writeInPieces(sink, patternBytes(5000), 1000);
    await until(() => [...store.uploads.values()].some((upload) => upload.parts.size >= 2));
    const deletes = proxy.inject({ method: 'DELETE', path: /^\/u\//, fault: { kind: 'slow-down' }, times: 2 });
    await sink.abort(new Error('protect failed'));
    expect(deletes.hits).toBe(2);
    expect(store.uploads.size).toBe(0);
    expect(store.objects.size).toBe(0);
    expect(sink.status.state).toBe('cancelled');
    await expect(sink.write(new Uint8Array(1))).rejects.toThrow(/protect failed/);
  });

  it('after a completed upload, deletes the object (protect aborts every share when one fails)', async () => {
    const transport = new MemoryObjectTransport(proxy.url, { limits: SMALL_LIMITS });
    const sink = new ObjectUploader({ transport, key: 'k', fetcher: quickFetcher(), partSize: 1024 });
    await writeInPieces(sink, patternBytes(3000), 1000);
    await sink.close();
    expect(store.objects.get('k')).toEqual(patternBytes(3000));
    await sink.abort();
    expect(store.objects.size).toBe(0);
    expect(store.uploads.size).toBe(0);
  });

  it('through its signal, before anything was sent', async () => {
    const transport = new InMemoryTransport();
    const controller = new AbortController();
    const upload = uploadSource(bytesSource(patternBytes(9000)), { transport, key: 'k', fetcher: quickFetcher(), partSize: 1024, signal: controller.signal });
    controller.abort(new DOMException('user cancelled', 'AbortError'));
    await expect(upload.finished).rejects.toThrow(/user cancelled/);
    await upload.cancel();
    expect(upload.status.state).toBe('cancelled');
    expect(transport.uploads.size).toBe(0);
    expect(transport.objects.size).toBe(0);
  });
});

describe('progress', () => {
  it('is monotone, ends at the total, and gives the rate over the window and the time left', async () => {
    const clock = new ManualClock();
    const transport = new InMemoryTransport();
    transport.hold = true;
    const reports: TransferProgress[] = [];
    const fetcher = new Fetcher({ clock, random: sequence(0), stallTimeoutMs: 1_000_000 });
    const upload = uploadSource(bytesSource(patternBytes(20 * 1024)), {
      transport,
      key: 'k',
      fetcher,
      partSize: 1024,
      concurrency: 1,
      onProgress: (progress) => reports.push(progress),
    });
    // One part (1 KiB) a second.
    for (let part = 0; part < 20; part++) {
      await until(() => transport.waitingCount === 1);
      await clock.advance(1000);
      transport.release(1);
    }
    await upload.finished;
    const dones = reports.map((report) => report.done);
    for (let i = 1; i < dones.length; i++) expect(dones[i]!).toBeGreaterThanOrEqual(dones[i - 1]!);
    expect(reports.at(-1)).toMatchObject({ done: 20 * 1024, total: 20 * 1024, etaMs: 0 });
    expect(reports.every((report) => report.total === 20 * 1024)).toBe(true);
    const middle = reports.find((report) => report.done === 10 * 1024)!;
    expect(middle.bytesPerSecond).toBeCloseTo(1024, 0);
    expect(middle.etaMs).toBeCloseTo(10_000, -2);
  });
});
