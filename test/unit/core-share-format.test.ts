import { readFileSync } from 'node:fs';
import { hex, fromHex } from '../../src/core/bytes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEADER_SIZE,
  TesseraError,
  bytesSource,
  defaultKernel,
  inspectShare,
  javascriptKernel,
  setGfKernel,
  type GfKernel,
  parseHeader,
  protectBytes,
  recoverBytes,
  shareSize,
  toTesseraError,
  type Scheme,
} from '../../src/core/index.js';
import { deterministicRandom, patternBytes } from '../helpers/deterministic-random.js';
import { expectCode } from '../helpers/errors.js';
import { subsetsOf } from '../helpers/subsets.js';

interface Vector {
  name: string;
  scheme: Scheme;
  k: number;
  n: number;
  chunkSize: number;
  randomSeed: number;
  plaintext: string;
  splitId: string;
  shares: { x: number; bytes: string }[];
}

const vectors = (JSON.parse(readFileSync(new URL('../vectors/share-format-v1.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors;

describe.each([javascriptKernel, defaultKernel])('known-answer vectors (test/vectors/share-format-v1.json), kernel $name', (kernel: GfKernel) => {
  beforeAll(() => setGfKernel(kernel));
  afterAll(() => setGfKernel(defaultKernel));

  it('has vectors for both schemes', () => {
    expect(new Set(vectors.map((v) => v.scheme))).toEqual(new Set(['shamir', 'ssms']));
  });

  for (const vector of vectors) {
    it(`${vector.name}: protect reproduces every share byte for byte`, async () => {
      const { result, shares } = await protectBytes(fromHex(vector.plaintext), {
        scheme: vector.scheme,
        k: vector.k,
        n: vector.n,
        chunkSize: vector.chunkSize,
        random: deterministicRandom(vector.randomSeed),
      });
      expect(result.splitId).toBe(vector.splitId);
      expect(shares.map(hex)).toEqual(vector.shares.map((s) => s.bytes));
    });

    it(`${vector.name}: any k of the stored shares rebuild the plaintext`, async () => {
      const stored = vector.shares.map((s) => fromHex(s.bytes));
      for (const subset of subsetsOf(stored.length, vector.k)) {
        const { data } = await recoverBytes(subset.map((i) => stored[i]!));
        expect(hex(data), `shares x = ${subset.map((i) => vector.shares[i]!.x).join(', ')}`).toBe(vector.plaintext);
      }
    });
  }
});

describe('header', () => {
  it('is 108 bytes with the documented fields at the documented offsets', async () => {
    expect(HEADER_SIZE).toBe(108);
    const { shares, result } = await protectBytes(patternBytes(100), { scheme: 'ssms', k: 3, n: 5, chunkSize: 64 });
    const share = shares[3]!;
    expect(Array.from(share.subarray(0, 8))).toEqual([0x89, 0x54, 0x53, 0x52, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(Array.from(share.subarray(8, 16))).toEqual([1, 2, 3, 5, 4, 0, 0, 0]);
    const view = new DataView(share.buffer, share.byteOffset);
    expect(view.getUint32(16)).toBe(64);
    expect(view.getBigUint64(20)).toBe(100n);
    expect(hex(share.subarray(28, 44))).toBe(result.splitId);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(share.subarray(0, 76))));
    expect(share.subarray(76, HEADER_SIZE)).toEqual(digest);
    const header = await parseHeader(share);
    expect(header).toMatchObject({ version: 1, scheme: 'ssms', k: 3, n: 5, x: 4, chunkSize: 64, size: 100, splitId: result.splitId });
  });

  it('share sizes follow the formula: shamir = size + 16 per chunk, ssms = ⌈(chunk + 16) / k⌉ per chunk', () => {
    expect(shareSize('shamir', 3, 5, 0, 64)).toBe(HEADER_SIZE + 16);
    expect(shareSize('shamir', 3, 5, 129, 64)).toBe(HEADER_SIZE + 129 + 3 * 16);
    expect(shareSize('ssms', 3, 5, 0, 64)).toBe(HEADER_SIZE + 6);
    expect(shareSize('ssms', 3, 5, 129, 64)).toBe(HEADER_SIZE + 2 * 27 + 6);
  });

  it('carries nothing of the plaintext: the same file protected twice shares no header bytes beyond the fixed fields', async () => {
    const data = patternBytes(1000);
    const a = (await protectBytes(data, { scheme: 'shamir', k: 2, n: 2 })).shares[0]!;
    const b = (await protectBytes(data, { scheme: 'shamir', k: 2, n: 2 })).shares[0]!;
    expect(a.subarray(0, 28)).toEqual(b.subarray(0, 28));
    expect(hex(a.subarray(28, 76))).not.toBe(hex(b.subarray(28, 76)));
  });

  it('carries nothing of the plaintext: two different files of one size, with the same randomness, get identical headers', async () => {
    for (const scheme of ['shamir', 'ssms'] as const) {
      const options = { scheme, k: 3, n: 5, chunkSize: 256 };
      const one = await protectBytes(patternBytes(1000), { ...options, random: deterministicRandom(5) });
      const other = await protectBytes(patternBytes(1000, 1), { ...options, random: deterministicRandom(5) });
      expect(one.result.splitId).toBe(other.result.splitId);
      for (let i = 0; i < options.n; i++) {
        expect(hex(other.shares[i]!.subarray(0, HEADER_SIZE)), `${scheme}, share x = ${i + 1}`).toBe(hex(one.shares[i]!.subarray(0, HEADER_SIZE)));
        // The content differs, so the data after the header does: the header is all that matched.
        expect(hex(other.shares[i]!.subarray(HEADER_SIZE)), `${scheme}, share x = ${i + 1}`).not.toBe(hex(one.shares[i]!.subarray(HEADER_SIZE)));
      }
    }
  });
});

describe('refusals, each with its own code', () => {
  const make = (scheme: Scheme = 'ssms', size = 300) =>
    protectBytes(patternBytes(size), { scheme, k: 3, n: 5, chunkSize: 64 });

  it('share.magic: not a share at all', async () => {
    const { shares } = await make();
    const notShare = new TextEncoder().encode('%PDF-1.7 this is a report, not a share…'.padEnd(400, '.'));
    await expectCode(recoverBytes([notShare, shares[0]!, shares[1]!]), 'share.too-few', /#1 \(share\.magic\)/);
    await expectCode(recoverBytes([notShare]), 'share.magic');
    await expectCode(inspectShare(bytesSource(notShare)), 'share.magic');
    await expectCode(inspectShare(bytesSource(new Uint8Array(0))), 'share.magic');
  });

  it('share.version: a newer format version', async () => {
    const { shares } = await make();
    const newer = shares[0]!.slice();
    newer[8] = 2;
    await expectCode(inspectShare(bytesSource(newer)), 'share.version', /version 2/);
  });

  it('share.truncated: cut inside the header, or inside the data', async () => {
    const { shares } = await make();
    await expectCode(inspectShare(bytesSource(shares[0]!.subarray(0, 50))), 'share.truncated');
    const inspection = await inspectShare(bytesSource(shares[0]!.subarray(0, shares[0]!.length - 1)));
    expect(inspection.structureOk).toBe(false);
    expect(inspection.problem?.code).toBe('share.truncated');
    const error = await expectCode(recoverBytes([shares[0]!.subarray(0, shares[0]!.length - 1), shares[1]!, shares[2]!]), 'share.too-few');
    expect(error.message).toMatch(/#1 \(share\.truncated\)/);
  });

  it('share.header-corrupt: any flipped bit in the header', async () => {
    const { shares } = await make();
    for (const bit of [8 * 9, 8 * 12 + 3, 8 * 20, 8 * 50, 8 * 80, 8 * (HEADER_SIZE - 1) + 7]) {
      const flipped = shares[0]!.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      const error = await expectCode(inspectShare(bytesSource(flipped)), 'share.header-corrupt');
      expect(error.message).toMatch(/damaged header/);
    }
  });

  for (const scheme of ['shamir', 'ssms'] as const) {
    it(`share.corrupt (${scheme}): a flipped bit anywhere in the data of one of exactly k shares`, async () => {
      const { shares } = await make(scheme);
      const length = shares[0]!.length;
      for (const position of [HEADER_SIZE, HEADER_SIZE + 1, Math.floor((HEADER_SIZE + length) / 2), length - 1]) {
        for (const victim of [0, 2]) {
          const picked = [shares[0]!.slice(), shares[2]!.slice(), shares[4]!.slice()];
          picked[victim === 0 ? 0 : 1]![position]! ^= 0x10;
          await expectCode(recoverBytes(picked), 'share.corrupt', /at least one of them is damaged/);
        }
      }
    });

    it(`share.corrupt (${scheme}): with k+1 shares and one damaged, the file is rebuilt and the damaged one named`, async () => {
      const data = patternBytes(300);
      const { shares } = await make(scheme);
      for (const victim of [0, 1, 2, 3]) {
        const picked = [shares[0]!, shares[1]!, shares[2]!, shares[3]!].map((s) => s.slice());
        picked[victim]![HEADER_SIZE + 70]! ^= 0x01;
        const { data: rebuilt, result } = await recoverBytes(picked);
        expect(rebuilt).toEqual(data);
        expect(result.problems).toEqual([expect.objectContaining({ shareIndex: victim, shareX: victim + 1, code: 'share.corrupt' })]);
      }
    });

    it(`share.corrupt (${scheme}): an altered key share is found like altered data`, async () => {
      const { shares } = await make(scheme);
      const picked = [shares[0]!, shares[1]!, shares[2]!, shares[3]!].map((s) => s.slice());
      // Rewrite the key share AND its header digest, as a malicious holder would.
      picked[1]![50]! ^= 0xff;
      picked[1]!.set(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(picked[1]!.subarray(0, 76)))), 76);
      const { data, result } = await recoverBytes(picked);
      expect(data).toEqual(patternBytes(300));
      expect(result.problems.map((p) => [p.shareX, p.code])).toEqual([[2, 'share.corrupt']]);
      await expectCode(recoverBytes(picked.slice(0, 3)), 'share.corrupt');
    });
  }

  it('share.mismatch: a share of another file, and of another split of the same file', async () => {
    const a = await make();
    const b = await protectBytes(patternBytes(300, 1), { scheme: 'ssms', k: 3, n: 5, chunkSize: 64 });
    const again = await make();
    await expectCode(recoverBytes([a.shares[0]!, a.shares[1]!, b.shares[2]!]), 'share.mismatch', /2 different protected files/);
    await expectCode(recoverBytes([a.shares[0]!, a.shares[1]!, again.shares[2]!]), 'share.mismatch');
    const { result } = await recoverBytes([a.shares[0]!, a.shares[1]!, again.shares[2]!, a.shares[3]!]);
    expect(result.problems).toEqual([expect.objectContaining({ shareIndex: 2, code: 'share.mismatch' })]);
  });

  it('share.duplicate: the same x twice', async () => {
    const { shares } = await make();
    const error = await expectCode(recoverBytes([shares[0]!, shares[1]!, shares[1]!]), 'share.duplicate', /x=2 was given twice/);
    expect(error.shareX).toBe(2);
  });

  it('two different shares claiming one x: the one that does not fit is left out and named, never a wrong file', async () => {
    const { createHash } = await import('node:crypto');
    const input = patternBytes(300, 7);
    const { shares } = await protectBytes(input, { scheme: 'ssms', k: 3, n: 5, chunkSize: 64 });
    // A provider re-seals share x=1's header as x=2 (header byte 12, digest over bytes 0..75 at 76).
    const forged = shares[0]!.slice();
    forged[12] = 2;
    forged.set(createHash('sha256').update(forged.subarray(0, 76)).digest(), 76);
    for (const given of [
      [forged, shares[1]!, shares[2]!, shares[3]!],
      [shares[1]!, forged, shares[2]!, shares[3]!],
      [forged, shares[1]!, shares[2]!, shares[3]!, shares[4]!],
    ]) {
      const { result, data } = await recoverBytes(given);
      expect(hex(data)).toBe(hex(input));
      expect(result.problems).toEqual([expect.objectContaining({ shareIndex: given.indexOf(forged), code: 'share.duplicate', shareX: 2 })]);
    }
    // With exactly k, one of them forged: refused, nothing written.
    await expectCode(recoverBytes([forged, shares[1]!, shares[2]!]), 'share.duplicate', /Two different shares claim x=2/);
  });

  it('share.too-few: fewer than k shares', async () => {
    const { shares } = await make();
    await expectCode(recoverBytes([shares[0]!, shares[4]!]), 'share.too-few', /2 usable shares, and 3 are needed/);
    await expectCode(recoverBytes([]), 'share.too-few');
  });

  it('share.corrupt: extra bytes after the last chunk', async () => {
    const { shares } = await make();
    const longer = new Uint8Array(shares[0]!.length + 1);
    longer.set(shares[0]!);
    const inspection = await inspectShare(bytesSource(longer));
    expect(inspection.problem?.code).toBe('share.corrupt');
  });

  it('keeps the code across a structured clone, as through a worker boundary', async () => {
    const { shares } = await make();
    const error = await expectCode(recoverBytes([shares[0]!]), 'share.too-few');
    const cloned = structuredClone(error) as Error;
    expect(cloned).not.toBeInstanceOf(TesseraError);
    expect(toTesseraError(cloned)?.code).toBe('share.too-few');
  });
});
