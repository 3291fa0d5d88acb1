import { describe, expect, it } from 'vitest';
import {
  BufferPool,
  MemorySink,
  bytesSource,
  createLocalProtectExecutor,
  createLocalRecoverExecutor,
  protect,
  protectBytes,
  recover,
  type ProtectExecutorFactory,
  type RecoverExecutorFactory,
  type Scheme,
} from '../../src/core/index.js';
import { randomBytes, sameBytes } from '../helpers/bytes.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { expectCode } from '../helpers/errors.js';

const CHUNK = 64;

/**
 * Waits of 0 to 3 ms drawn from a seeded stream, so chunks in flight complete out of order, the
 * same way on every run.
 */
function jitterFrom(seed: number): () => Promise<void> {
  const random = deterministicRandom(seed);
  const draw = new Uint8Array(1);
  return () => {
    random(draw);
    return new Promise((resolve) => setTimeout(resolve, draw[0]! % 4));
  };
}

/** Like a pool of workers: `window` local executors behind one, each chunk finishing when it likes. */
const jitteryProtect = (window: number, log: number[] = [], seed = 1): ProtectExecutorFactory => async (secrets) => {
  const inner = await createLocalProtectExecutor(secrets, { window });
  const jitter = jitterFrom(seed);
  let inFlight = 0;
  return {
    window,
    async protectChunk(index, plain) {
      inFlight++;
      log.push(inFlight);
      await jitter();
      const records = await inner.protectChunk(index, plain);
      await jitter();
      inFlight--;
      return records;
    },
    release: (records) => inner.release?.(records),
    close: () => inner.close(),
  };
};

const jitteryRecover = (window: number, failOn: ReadonlySet<number> = new Set(), seed = 2): RecoverExecutorFactory => async (context) => {
  const inner = createLocalRecoverExecutor(context, { window });
  const jitter = jitterFrom(seed);
  return {
    window,
    async rebuildChunk(task) {
      await jitter();
      if (failOn.has(task.index)) throw new Error('worker crashed');
      const result = await inner.rebuildChunk(task);
      await jitter();
      return result;
    },
    release: (plaintext) => inner.release?.(plaintext),
    close: () => inner.close(),
  };
};

/**
 * Like the chunk workers (workers/chunk-pool.ts): the task's records are transferred away, so the
 * caller's views are detached once rebuildChunk is called.
 */
const takingRecover = (window: number): RecoverExecutorFactory => async (context) => {
  const inner = createLocalRecoverExecutor(context, { window });
  const take = (view: Uint8Array): Uint8Array => structuredClone(view, { transfer: [view.buffer as ArrayBuffer] });
  return {
    window,
    async rebuildChunk(task) {
      const taken = { ...task, fragments: task.fragments.map(take), spares: task.spares.map((spare) => ({ x: spare.x, fragment: take(spare.fragment) })) };
      expect(task.fragments.every((fragment) => fragment.byteLength === 0)).toBe(true);
      return inner.rebuildChunk(taken);
    },
    release: (plaintext) => inner.release?.(plaintext),
    close: () => inner.close(),
  };
};

/** A share whose every read returns a fresh buffer, as a bucket's does (so records can be transferred). */
const freshReads = (bytes: Uint8Array) => ({ size: bytes.length, read: (offset: number, length: number) => Promise.resolve(bytes.slice(offset, offset + length)) });

describe('BufferPool', () => {
  it('hands back a given buffer for the same length only, keeps at most its limit per length, and ignores a transferred one', () => {
    const pool = new BufferPool(2);
    const a = pool.take(100);
    pool.give(a.buffer);
    expect(pool.take(100).buffer).toBe(a.buffer);
    expect(pool.take(100).buffer).not.toBe(a.buffer);
    pool.give(a.buffer);
    expect(pool.take(50).buffer).not.toBe(a.buffer);
    const kept = [pool.take(10), pool.take(10), pool.take(10)];
    for (const view of kept) pool.give(view.buffer);
    expect(pool.size).toBe(3); // the 100-byte one, and two of the three 10-byte ones
    const transferred = new ArrayBuffer(10);
    structuredClone(transferred, { transfer: [transferred] });
    pool.give(transferred);
    expect(pool.size).toBe(3);
  });
});

describe.each(['shamir', 'ssms'] as const)('executors, scheme %s', (scheme: Scheme) => {
  it('protects through a windowed executor (chunks finishing out of order) into shares any k rebuild', async () => {
    const data = randomBytes(37 * CHUNK + 11);
    const log: number[] = [];
    const sinks = Array.from({ length: 5 }, () => new MemorySink());
    await protect(bytesSource(data), sinks, { scheme, k: 3, n: 5, chunkSize: CHUNK, executor: jitteryProtect(4, log) });
    expect(Math.max(...log)).toBeGreaterThan(1);
    expect(Math.max(...log)).toBeLessThanOrEqual(4);
    const shares = sinks.map((sink) => sink.bytes());
    for (const pick of [[0, 1, 2], [2, 3, 4], [0, 2, 4]]) {
      const out = new MemorySink();
      await recover(pick.map((i) => bytesSource(shares[i]!)), out, { executor: jitteryRecover(3) });
      expect(sameBytes(out.bytes(), data)).toBe(true);
    }
  });

  it('recovers through a windowed executor, naming a damaged share in one chunk and a damaged spare', async () => {
    const data = randomBytes(20 * CHUNK);
    const { shares } = await protectBytes(data, { scheme, k: 3, n: 5, chunkSize: CHUNK });
    const picked = shares.map((s) => s.slice());
    picked[0]![picked[0]!.length - 200]! ^= 0x40; // x = 1, a late chunk, in the first subset tried
    picked[4]![200]! ^= 0x02; // x = 5, an early chunk, a spare
    const out = new MemorySink();
    const result = await recover(picked.map(bytesSource), out, { executor: jitteryRecover(4) });
    expect(sameBytes(out.bytes(), data)).toBe(true);
    expect(result.problems.map((p) => [p.shareX, p.code])).toEqual([
      [1, 'share.corrupt'],
      [5, 'share.corrupt'],
    ]);
  });

  it('names damaged shares when the executor takes the records it is given (reads them again to search)', async () => {
    const data = randomBytes(20 * CHUNK);
    const { shares } = await protectBytes(data, { scheme, k: 3, n: 5, chunkSize: CHUNK });
    const picked = shares.map((s) => s.slice());
    picked[1]![picked[1]!.length - 300]! ^= 0x08; // x = 2, in the first subset tried
    picked[3]![300]! ^= 0x80; // x = 4, a spare
    const out = new MemorySink();
    const result = await recover(picked.map(freshReads), out, { executor: takingRecover(3) });
    expect(sameBytes(out.bytes(), data)).toBe(true);
    expect(result.problems.map((p) => [p.shareX, p.code])).toEqual([
      [2, 'share.corrupt'],
      [4, 'share.corrupt'],
    ]);
  });

  it('falls back to rebuilding here when the executor fails on a chunk', async () => {
    const data = randomBytes(9 * CHUNK);
    const { shares } = await protectBytes(data, { scheme, k: 2, n: 3, chunkSize: CHUNK });
    const out = new MemorySink();
    const result = await recover(shares.slice(1).map(bytesSource), out, { executor: jitteryRecover(2, new Set([0, 4, 8])) });
    expect(sameBytes(out.bytes(), data)).toBe(true);
    expect(result.problems).toEqual([]);
  });

  it('still refuses exactly k shares with one damaged, whatever the executor', async () => {
    const data = randomBytes(9 * CHUNK);
    const { shares } = await protectBytes(data, { scheme, k: 2, n: 3, chunkSize: CHUNK });
    const damaged = shares[1]!.slice();
    damaged[damaged.length - 1]! ^= 1;
    await expectCode(recover([bytesSource(shares[0]!), bytesSource(damaged)], new MemorySink(), { executor: jitteryRecover(3) }), 'share.corrupt');
  });
});
