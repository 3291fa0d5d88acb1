import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { protect } from '../../src/core/protect.js';
import { recover } from '../../src/core/recover.js';
import { MemorySink, bytesSource, type ByteSource } from '../../src/core/io.js';
import { RemoteBucket, toBucketError, transferCodeOf } from '../../src/storage/remote-bucket.js';
import { raceOpen } from '../../src/storage/transfer/downloader.js';
import { Fetcher } from '../../src/storage/transfer/fetcher.js';
import { TransferSlots } from '../../src/storage/transfer/slots.js';
import { TransferError } from '../../src/storage/transfer/transport.js';
import { TesseraError, toTesseraError } from '../../src/core/errors.js';
import { patternBytes } from '../helpers/deterministic-random.js';
import { expectCode } from '../helpers/errors.js';
import { FaultProxy } from '../servers/fault-proxy.js';
import { startMemoryObjectStore, type MemoryObjectStore } from '../servers/memory-object-store.js';
import { MemoryObjectTransport } from '../servers/memory-object-transport.js';
import { SMALL_LIMITS, sequence } from './transfer-test-kit.js';

const fetcher = new Fetcher({ random: sequence(0), sleep: () => Promise.resolve(), maxAttempts: 3, stallTimeoutMs: 2_000 });
const RECORD = 'tessera/00112233445566778899aabbccddeeff';

describe('RemoteBucket over a transport (memory store behind the fault proxy)', () => {
  let store: MemoryObjectStore;
  let proxy: FaultProxy;
  let buckets: RemoteBucket[];

  beforeAll(async () => {
    store = await startMemoryObjectStore({ minPartSize: 1024 });
    proxy = new FaultProxy();
    await proxy.start(store.url);
    const slots = new TransferSlots();
    // Five "clouds" in one store: the keys differ by share number.
    buckets = [1, 2, 3, 4, 5].map(
      (n) => new RemoteBucket({ label: `Cloud ${n}`, transport: new MemoryObjectTransport(proxy.url, { bucketId: `cloud-${n}`, limits: SMALL_LIMITS }), fetcher, slots, partSize: 1024 }),
    );
  });
  afterAll(async () => {
    await proxy.stop();
    await store.stop();
  });
  beforeEach(() => {
    proxy.clear();
    store.objects.clear();
    store.uploads.clear();
  });

  it('protects into five buckets and recovers from three, through ranged reads', async () => {
    const original = patternBytes(40_000);
    const sinks = await Promise.all(buckets.map((bucket, i) => bucket.openWriter(`${RECORD}/${i + 1}.tshare`, { contentType: 'application/octet-stream' })));
    const result = await protect(bytesSource(original), sinks, { scheme: 'ssms', k: 3, n: 5, chunkSize: 4096 });
    for (const [i, bucket] of buckets.entries()) expect(await bucket.head(`${RECORD}/${i + 1}.tshare`)).toEqual({ size: result.shareSize });
    expect(store.uploads.size).toBe(0);
    const sources = await Promise.all([1, 3, 4].map((x) => buckets[x]!.openReader(`${RECORD}/${x + 1}.tshare`)));
    const out = new MemorySink();
    await recover(sources, out);
    expect(out.bytes()).toEqual(original);
    expect((await buckets[0]!.list(RECORD)).map((object) => object.key)).toEqual([`${RECORD}/1.tshare`, `${RECORD}/2.tshare`, `${RECORD}/3.tshare`, `${RECORD}/4.tshare`, `${RECORD}/5.tshare`]);
    for (const [i, bucket] of buckets.entries()) await bucket.delete(`${RECORD}/${i + 1}.tshare`);
    expect(store.objects.size).toBe(0);
  });

  it('a failed protect leaves nothing in any bucket', async () => {
    proxy.inject({ method: 'PUT', path: /partNumber=3/, fault: { kind: 'status', status: 403, body: '<Error><Code>AccessDenied</Code></Error>' } });
    const sinks = await Promise.all(buckets.map((bucket, i) => bucket.openWriter(`${RECORD}/${i + 1}.tshare`)));
    const error = await expectCode(protect(bytesSource(patternBytes(20_000)), sinks, { scheme: 'ssms', k: 3, n: 5, chunkSize: 4096 }), 'bucket.failed');
    expect(transferCodeOf(error)).toBe('bucket.failed');
    expect(store.uploads.size).toBe(0);
    expect(store.objects.size).toBe(0);
  });

  it('maps failures to the app\'s codes and keeps the specific transfer code reachable', async () => {
    await expectCode(buckets[0]!.openReader('missing'), 'bucket.not-found');
    expect(await buckets[0]!.head('missing')).toBeNull();
    await buckets[0]!.delete('missing');
    proxy.inject({ fault: { kind: 'slow-down' }, times: Infinity });
    const offline = await expectCode(buckets[0]!.head('anything'), 'bucket.offline');
    expect(offline.cause).toBeInstanceOf(TransferError);
    expect(transferCodeOf(offline)).toBe('bucket.unavailable');
    proxy.clear();
    proxy.inject({ fault: { kind: 'status', status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' }, times: Infinity });
    // (A DELETE: a HEAD answer has no body to say why.)
    const expired = await expectCode(buckets[0]!.delete('anything'), 'bucket.failed', /bucket\.expired/);
    // Across a worker boundary only the message survives: both codes still come back from it.
    const crossed = { name: 'Error', message: expired.message };
    expect(toTesseraError(crossed)?.code).toBe('bucket.failed');
    expect(transferCodeOf(crossed)).toBe('bucket.expired');
    expect((buckets[0] as unknown as { transport: MemoryObjectTransport }).transport.invalidations).toBe(1);
  });

  it('says when the bucket cannot be reached at all', async () => {
    const gone = new RemoteBucket({ label: 'Gone', transport: new MemoryObjectTransport('http://127.0.0.1:1', { bucketId: 'gone' }), fetcher });
    const error = await expectCode(gone.head('k'), 'bucket.offline');
    expect(transferCodeOf(error)).toBe('bucket.unavailable');
    expect(toBucketError('Gone', 'upload', new DOMException('x', 'AbortError')).code).toBe('job.aborted');
    expect(toBucketError('Gone', 'upload', new TesseraError('share.corrupt', 'x')).code).toBe('share.corrupt');
  });
});

describe('raceOpen', () => {
  const source = (size: number): ByteSource => bytesSource(new Uint8Array(size));
  const deferred = <T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } => {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  it('resolves with the first k to answer, in arrival order; failures are reported, stragglers cancelled, the opened left open', async () => {
    const answers = [0, 1, 2, 3, 4].map(() => deferred<ByteSource>());
    const signals: AbortSignal[] = [];
    const race = raceOpen(
      answers.map((answer, id) => ({
        id,
        open: (signal: AbortSignal) => {
          signals.push(signal);
          return answer.promise;
        },
      })),
      2,
    );
    answers[3]!.resolve(source(3));
    answers[1]!.reject(new TransferError('retry', 'bucket.stalled', 'no progress', 0));
    await Promise.resolve();
    answers[0]!.resolve(source(0));
    const outcomes = await race;
    expect(outcomes.map((outcome) => [outcome.id, outcome.state])).toEqual([
      [3, 'opened'],
      [0, 'opened'],
      [1, 'failed'],
      [2, 'late'],
      [4, 'late'],
    ]);
    // The stragglers are cancelled; the opened sources keep a live signal, since their ranged reads
    // go on under it (a remote source aborted here would fail every read of the recovery).
    expect(signals.map((signal) => signal.aborted)).toEqual([false, false, true, false, true]);
  });

  it('resolves with what there is when fewer than k can open', async () => {
    const outcomes = await raceOpen(
      [
        { id: 'a', open: () => Promise.resolve(source(1)) },
        { id: 'b', open: () => Promise.reject(new TransferError('fatal', 'bucket.not-found', 'gone', 404)) },
      ],
      2,
    );
    expect(outcomes.map((outcome) => outcome.state)).toEqual(['opened', 'failed']);
    await expect(raceOpen([], 0)).rejects.toThrow(RangeError);
  });
});
