import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEADER_SIZE,
  MemorySink,
  BufferPool,
  blockSource,
  streamedBlobSource,
  bytesSource,
  defaultKernel,
  javascriptKernel,
  protect,
  setGfKernel,
  type GfKernel,
  protectBytes,
  recover,
  recoverBytes,
  shareSize,
  type ByteSink,
  type ByteSource,
  type Scheme,
} from '../../src/core/index.js';
import { randomBytes, sameBytes } from '../helpers/bytes.js';
import { expectCode } from '../helpers/errors.js';
import { subsetsOf } from '../helpers/subsets.js';

const CHUNK = 64;
const sizes = [0, 1, 15, 16, 17, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5];

const kernels = [javascriptKernel, defaultKernel];
const cases = kernels.flatMap((kernel) => (['shamir', 'ssms'] as const).map((scheme) => ({ scheme, kernel, label: `${scheme}, kernel ${kernel.name}` })));

describe.each(cases)('$label', ({ scheme, kernel }: { scheme: Scheme; kernel: GfKernel }) => {
  beforeAll(() => setGfKernel(kernel));
  afterAll(() => setGfKernel(defaultKernel));

  for (const [k, n] of [[2, 3], [3, 5]] as const) {
    it(`${k}-of-${n}: every k-subset rebuilds, for sizes 0, 1, chunk ± 1 and several chunks`, async () => {
      for (const size of sizes) {
        const data = randomBytes(size);
        const { shares, result } = await protectBytes(data, { scheme, k, n, chunkSize: CHUNK });
        expect(result.shareSize).toBe(shareSize(scheme, k, n, size, CHUNK));
        shares.forEach((share) => expect(share.length).toBe(result.shareSize));
        for (const subset of subsetsOf(n, k)) {
          const { data: rebuilt, result: recovered } = await recoverBytes(subset.map((i) => shares[i]!));
          expect(sameBytes(rebuilt, data), `size ${size}, shares ${subset.map((i) => i + 1).join(',')}`).toBe(true);
          expect(recovered.usedShares.slice().sort()).toEqual(subset.map((i) => i + 1));
          expect(recovered.problems).toEqual([]);
        }
      }
    });

    it(`${k}-of-${n}: k−1 shares are refused (secrets ≥ 16 bytes)`, async () => {
      const data = randomBytes(100);
      const { shares } = await protectBytes(data, { scheme, k, n, chunkSize: CHUNK });
      for (const subset of subsetsOf(n, k - 1)) {
        await expectCode(recoverBytes(subset.map((i) => shares[i]!)), 'share.too-few');
      }
    });
  }

  it('all n shares given: rebuilds and checks the spares (no problems reported)', async () => {
    const data = randomBytes(1000);
    const { shares } = await protectBytes(data, { scheme, k: 3, n: 5, chunkSize: 100 });
    const { data: rebuilt, result } = await recoverBytes([...shares].reverse());
    expect(sameBytes(rebuilt, data)).toBe(true);
    expect(result.problems).toEqual([]);
  });

  it('a damaged spare is named even though it was not needed', async () => {
    const data = randomBytes(1000);
    const { shares } = await protectBytes(data, { scheme, k: 3, n: 5, chunkSize: 100 });
    const damaged = shares[4]!.slice();
    damaged[damaged.length - 3]! ^= 0x80;
    const { data: rebuilt, result } = await recoverBytes([shares[0]!, shares[1]!, shares[2]!, damaged]);
    expect(sameBytes(rebuilt, data)).toBe(true);
    expect(result.problems).toEqual([expect.objectContaining({ shareX: 5, code: 'share.corrupt' })]);
  });

  it('damage in different chunks of different shares: each chunk is rebuilt from the shares intact there', async () => {
    const data = randomBytes(4 * CHUNK);
    const { shares } = await protectBytes(data, { scheme, k: 3, n: 5, chunkSize: CHUNK });
    const picked = shares.slice(0, 4).map((s) => s.slice());
    picked[0]![HEADER_SIZE + 5]! ^= 0x01; // x = 1, chunk 0
    picked[1]![picked[1]!.length - 2]! ^= 0x01; // x = 2, last chunk
    const { data: rebuilt, result } = await recoverBytes(picked);
    expect(sameBytes(rebuilt, data)).toBe(true);
    expect(result.problems.map((p) => [p.shareX, p.code])).toEqual([
      [1, 'share.corrupt'],
      [2, 'share.corrupt'],
    ]);
    expect(result.usedShares).toEqual([1, 2, 3, 4]);
  });

  it('swapped chunks within a share (same length) are refused: chunk position is authenticated', async () => {
    const data = randomBytes(4 * CHUNK);
    const { shares } = await protectBytes(data, { scheme, k: 2, n: 2, chunkSize: CHUNK });
    const share = shares[0]!.slice();
    const record = (share.length - HEADER_SIZE) / 4;
    const first = share.slice(HEADER_SIZE, HEADER_SIZE + record);
    share.copyWithin(HEADER_SIZE, HEADER_SIZE + record, HEADER_SIZE + 2 * record);
    share.set(first, HEADER_SIZE + record);
    await expectCode(recoverBytes([share, shares[1]!]), 'share.corrupt');
  });
});

describe('streaming', () => {
  it('reads the source chunk by chunk and never asks for more than one chunk at a time', async () => {
    const data = randomBytes(10 * CHUNK + 3);
    const reads: number[] = [];
    const source: ByteSource = {
      size: data.length,
      read: (offset, length) => {
        reads.push(length);
        return Promise.resolve(data.slice(offset, offset + length));
      },
    };
    const sinks = Array.from({ length: 3 }, () => new MemorySink());
    await protect(source, sinks, { scheme: 'ssms', k: 2, n: 3, chunkSize: CHUNK });
    expect(Math.max(...reads)).toBe(CHUNK);
    expect(reads.reduce((a, b) => a + b, 0)).toBe(data.length);
  });

  it('reports progress up to the total and stops when aborted, aborting every sink', async () => {
    const data = randomBytes(8 * CHUNK);
    const progress: number[] = [];
    const controller = new AbortController();
    const aborted: boolean[] = [];
    const sinks: ByteSink[] = Array.from({ length: 3 }, (_, i) => ({
      write: () => Promise.resolve(),
      close: () => Promise.resolve(),
      abort: () => {
        aborted[i] = true;
        return Promise.resolve();
      },
    }));
    await expectCode(
      protect(bytesSource(data), sinks, {
        scheme: 'shamir',
        k: 2,
        n: 3,
        chunkSize: CHUNK,
        signal: controller.signal,
        onProgress: ({ done, total }) => {
          progress.push(done);
          expect(total).toBe(data.length);
          if (done >= 4 * CHUNK) controller.abort();
        },
      }),
      'job.aborted',
    );
    expect(progress).toEqual([1, 2, 3, 4].map((i) => i * CHUNK));
    expect(aborted).toEqual([true, true, true]);

    const full: number[] = [];
    const { shares } = await protectBytes(data, { scheme: 'shamir', k: 2, n: 3, chunkSize: CHUNK });
    await recover(shares.map(bytesSource), new MemorySink(), { onProgress: ({ done }) => full.push(done) });
    expect(full.at(-1)).toBe(data.length);
  });

  it('aborts the output sink when recovery fails part-way, so no partial file is kept', async () => {
    const data = randomBytes(5 * CHUNK);
    const { shares } = await protectBytes(data, { scheme: 'ssms', k: 2, n: 3, chunkSize: CHUNK });
    const damaged = shares[0]!.slice();
    damaged[damaged.length - 1]! ^= 1;
    let abortedWith: unknown;
    const written: number[] = [];
    const sink: ByteSink = {
      write: (bytes) => {
        written.push(bytes.length);
        return Promise.resolve();
      },
      close: () => Promise.reject(new Error('must not close')),
      abort: (reason) => {
        abortedWith = reason;
        return Promise.resolve();
      },
    };
    const error = await expectCode(recover([bytesSource(damaged), bytesSource(shares[1]!)], sink), 'share.corrupt');
    expect(abortedWith).toBe(error);
    expect(written.length).toBe(4);
  });

  it('a share that becomes unreadable mid-way is replaced by a spare', async () => {
    const data = randomBytes(6 * CHUNK);
    const { shares } = await protectBytes(data, { scheme: 'ssms', k: 2, n: 3, chunkSize: CHUNK });
    let reads = 0;
    const flaky: ByteSource = {
      size: shares[0]!.length,
      read: (offset, length) => (++reads > 3 ? Promise.reject(new Error('network went away')) : Promise.resolve(shares[0]!.slice(offset, offset + length))),
    };
    const sink = new MemorySink();
    const result = await recover([flaky, bytesSource(shares[1]!), bytesSource(shares[2]!)], sink, { verifySpares: false });
    expect(sameBytes(sink.bytes(), data)).toBe(true);
    expect(result.problems).toEqual([expect.objectContaining({ shareX: 1, code: 'share.unreadable' })]);
  });

  it('validates options with TypeError / RangeError', async () => {
    const source = bytesSource(new Uint8Array(10));
    const sinks = [new MemorySink(), new MemorySink(), new MemorySink()];
    await expect(protect(source, sinks, { scheme: 'rot13' as Scheme, k: 2, n: 3 })).rejects.toThrow(/scheme must be one of shamir, ssms/);
    // A scheme of the right type but not in the list is a value out of range.
    await expect(protect(source, sinks, { scheme: 'rot13' as Scheme, k: 2, n: 3 })).rejects.toThrow(RangeError);
    await expect(protect({} as ByteSource, sinks, { scheme: 'ssms', k: 2, n: 3 })).rejects.toThrow(/source must be a ByteSource/);
    await expect(protect({} as ByteSource, sinks, { scheme: 'ssms', k: 2, n: 3 })).rejects.toThrow(TypeError);
    await expect(protect(source, sinks, { scheme: 'ssms', k: 2.5, n: 3 })).rejects.toThrow(TypeError);
    await expect(protect(source, sinks, { scheme: 'ssms', k: 2, n: 3, chunkSize: 0 })).rejects.toThrow(RangeError);
    await expect(protect(source, sinks.slice(0, 2), { scheme: 'ssms', k: 2, n: 3 })).rejects.toThrow(/expected 3 sinks, got 2/);
    await expect(protect(source, sinks.slice(0, 2), { scheme: 'ssms', k: 2, n: 3 })).rejects.toThrow(RangeError);
    await expect(protect(source, sinks, { scheme: 'ssms', k: 1, n: 3 })).rejects.toThrow(/k must be between 2 and 255/);
    await expect(protect(source, sinks, { scheme: 'ssms', k: 1, n: 3 })).rejects.toThrow(RangeError);
  });
});

describe('streamedBlobSource', () => {
  it('reads a Blob front to back through its stream into pooled buffers, several reads in flight, and any other read elsewhere', async () => {
    const data = randomBytes(300_000);
    const blob = new Blob([data]);
    const elsewhere: number[] = [];
    const fallback: ByteSource = { size: data.length, read: (offset, length) => (elsewhere.push(offset), Promise.resolve(data.slice(offset, offset + length))) };
    const pool = new BufferPool();
    const spare = new ArrayBuffer(70_000);
    pool.give(spare);
    const source = streamedBlobSource(blob, pool, fallback);
    // Asked for all at once, as protect asks for chunks in flight: served in order from the stream.
    const parts = await Promise.all(Array.from({ length: 5 }, (_, index) => source.read(index * 70_000, 70_000)));
    expect(sameBytes(Buffer.concat(parts), data.subarray(0, 350_000))).toBe(true);
    // The first read went into the pooled buffer itself (a BYOB read transfers it: the old handle
    // is detached, the returned view holds its memory); the others into new ones of their own.
    expect(spare.byteLength).toBe(0);
    expect(parts.every((part) => part.byteOffset === 0 && part.buffer.byteLength === part.length)).toBe(true);
    expect(parts.map((part) => part.length)).toEqual([70_000, 70_000, 70_000, 70_000, 20_000]);
    expect(elsewhere).toEqual([]);
    // Out of order: not from the stream.
    expect(sameBytes(await source.read(1_000, 10), data.subarray(1_000, 1_010))).toBe(true);
    expect(elsewhere).toEqual([1_000]);
    await source.close!();
  });

  it('copies the pieces into pooled buffers when the stream has no BYOB reader', async () => {
    const data = randomBytes(100_000);
    // A stream of plain pieces (not a byte stream): getReader({ mode: 'byob' }) throws on it.
    const pieces = Array.from({ length: 7 }, (_, index) => data.slice(index * 15_000, (index + 1) * 15_000));
    const blob = { size: data.length, stream: () => new ReadableStream<Uint8Array>({ pull: (controller) => { const next = pieces.shift(); if (next) controller.enqueue(next); else controller.close(); } }) } as unknown as Blob;
    const pool = new BufferPool();
    const spare = new ArrayBuffer(40_000);
    pool.give(spare);
    const source = streamedBlobSource(blob, pool, { size: data.length, read: () => Promise.reject(new Error('not in order')) });
    const parts = await Promise.all([0, 40_000, 80_000].map((offset) => source.read(offset, 40_000)));
    expect(parts[0]!.buffer).toBe(spare);
    expect(parts.map((part) => part.length)).toEqual([40_000, 40_000, 20_000]);
    expect(sameBytes(Buffer.concat(parts), data)).toBe(true);
    await source.close!();
  });

  it('ends a read in flight with nothing when the source is closed under it', async () => {
    // A byte stream that never delivers: the read waits, holding the pooled buffer, until close.
    const blob = { size: 1000, stream: () => new ReadableStream({ type: 'bytes', pull: () => new Promise<void>(() => undefined) }) } as unknown as Blob;
    const source = streamedBlobSource(blob, new BufferPool(), { size: 1000, read: () => Promise.reject(new Error('not in order')) });
    const pending = source.read(0, 100);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await source.close!();
    expect((await pending).length).toBe(0);
  });

  it('passes a failing read on, and after close reads only elsewhere', async () => {
    const data = randomBytes(1000);
    let broken = true;
    const other: ByteSource = { size: 1000, read: (offset, length) => (broken ? Promise.reject(new Error('moved')) : Promise.resolve(data.slice(offset, offset + length))) };
    const source = streamedBlobSource(new Blob([data]), new BufferPool(), other);
    await expect(source.read(10, 5)).rejects.toThrow('moved');
    expect(sameBytes(await source.read(0, 100), data.subarray(0, 100))).toBe(true);
    await source.close!();
    await expect(source.read(100, 100)).rejects.toThrow('moved');
    broken = false;
    expect(sameBytes(await source.read(100, 100), data.subarray(100, 200))).toBe(true);
  });
});

describe('blockSource', () => {
  it('serves sequential and random reads exactly, in arrays of their own', async () => {
    const data = randomBytes(1000);
    let reads = 0;
    const inner: ByteSource = {
      size: data.length,
      read: (offset, length) => {
        reads++;
        return Promise.resolve(data.subarray(offset, offset + length));
      },
    };
    const source = blockSource(inner, 256);
    const parts: Uint8Array[] = [];
    for (let offset = 0; offset < 1000; offset += 64) parts.push(await source.read(offset, 64));
    expect(sameBytes(Buffer.concat(parts), data)).toBe(true);
    // 4 blocks of 256 bytes, each read once (the first read also reads the second block ahead).
    expect(reads).toBe(4);
    expect(parts[0]!.buffer).not.toBe(parts[1]!.buffer);
    expect(sameBytes(await source.read(10, 5), data.subarray(10, 15))).toBe(true);
    expect(sameBytes(await source.read(990, 64), data.subarray(990))).toBe(true);
    expect(sameBytes(await source.read(0, 600), data.subarray(0, 600))).toBe(true);
  });

  it('reads each block once, and the next one ahead, when reads are asked for several at once, as protect asks for chunks in flight', async () => {
    const data = randomBytes(1024);
    const asked: number[] = [];
    const inner: ByteSource = {
      size: data.length,
      read: async (offset, length) => {
        asked.push(offset);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return data.slice(offset, offset + length);
      },
    };
    const source = blockSource(inner, 256);
    const parts = await Promise.all(Array.from({ length: 16 }, (_, index) => source.read(index * 64, 64)));
    expect(sameBytes(Buffer.concat(parts), data)).toBe(true);
    expect(asked).toEqual([0, 256, 512, 768]);
  });

  it('hands out recycled buffers from a pool it is given, each a whole buffer of the read\'s length, and new ones when the pool has none', async () => {
    const data = randomBytes(1024);
    const inner: ByteSource = { size: data.length, read: (offset, length) => Promise.resolve(data.slice(offset, offset + length)) };
    const pool = new BufferPool();
    const source = blockSource(inner, 256, pool);
    const first = await source.read(0, 64);
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBe(64);
    expect(sameBytes(first, data.subarray(0, 64))).toBe(true);
    // Spent: handed back, and the next read of that length is made in it, overwritten whole.
    const buffer = first.buffer;
    pool.give(buffer);
    expect(pool.size).toBe(1);
    const second = await source.read(64, 64);
    expect(second.buffer).toBe(buffer);
    expect(sameBytes(second, data.subarray(64, 128))).toBe(true);
    expect(pool.size).toBe(0);
    // Another length is never served from it; a transferred (detached) buffer is not kept.
    pool.give(new ArrayBuffer(32));
    expect((await source.read(128, 16)).buffer.byteLength).toBe(16);
    const moved = new ArrayBuffer(64);
    structuredClone(moved, { transfer: [moved] });
    pool.give(moved);
    expect(pool.size).toBe(1);
    // The same buffer twice is kept once: two reads must never share one.
    const again = new ArrayBuffer(48);
    pool.give(again);
    pool.give(again);
    expect(pool.size).toBe(2);
  });

  it('forgets a block whose read failed, so that reading it again tries again', async () => {
    let failing = true;
    const inner: ByteSource = {
      size: 512,
      read: (offset, length) => (failing ? Promise.reject(new Error('locked')) : Promise.resolve(new Uint8Array(length).fill(7))),
    };
    const source = blockSource(inner, 256);
    await expect(source.read(0, 64)).rejects.toThrow('locked');
    failing = false;
    expect(await source.read(0, 64)).toEqual(new Uint8Array(64).fill(7));
  });
});
