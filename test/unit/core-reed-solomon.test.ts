import { describe, expect, it } from 'vitest';
import { ReedSolomon } from '../../src/core/index.js';
import { gfInv, gfMul } from '../../src/core/gf256.js';
import { subsetsOf } from '../helpers/subsets.js';

describe('systematic Reed–Solomon (Cauchy)', () => {
  it('builds G = [I; C] with C[i][j] = 1 / ((k+i) XOR j) — the rule docs/share-format.md states', () => {
    const rs = new ReedSolomon(2, 3);
    expect(Array.from(rs.generator)).toEqual([1, 0, 0, 1, gfInv(2), gfInv(3)]);
    expect(gfInv(2)).toBe(0x8d);
    expect(gfInv(3)).toBe(0xf6);
    const [parity] = rs.encode([Uint8Array.of(1, 0, 7), Uint8Array.of(0, 1, 9)]);
    expect(Array.from(parity!)).toEqual([0x8d, 0xf6, gfMul(0x8d, 7) ^ gfMul(0xf6, 9)]);
  });

  it.each([
    [2, 3],
    [3, 5],
    [4, 6],
    [5, 9],
    [3, 3],
    [10, 14],
  ])('(%i, %i): every k-subset of fragments decodes to the data', (k, n) => {
    const rs = new ReedSolomon(k, n);
    const data = Array.from({ length: k }, () => crypto.getRandomValues(new Uint8Array(251)));
    const fragments = [...data, ...rs.encode(data)];
    const subsets = subsetsOf(n, k);
    for (const subset of subsets.length > 300 ? subsets.filter((_, i) => i % 7 === 0) : subsets) {
      const available: (Uint8Array | undefined)[] = fragments.map((f, i) => (subset.includes(i) ? f : undefined));
      const decoded = Buffer.concat(rs.decode(available));
      expect(decoded.equals(Buffer.concat(data)), `fragments ${subset.join(',')}`).toBe(true);
    }
  });

  it('refuses fewer than k fragments and bad indices', () => {
    const rs = new ReedSolomon(3, 5);
    const f = new Uint8Array(4);
    expect(() => rs.decode([f, undefined, f, undefined, undefined])).toThrow(/at least 3/);
    expect(() => rs.decodeInto([0, 0, 1], [f, f, f], [f, f, f], 4)).toThrow(/distinct/);
    expect(() => rs.decodeInto([0, 1, 5], [f, f, f], [f, f, f], 4)).toThrow(/distinct integers in 0..4/);
    expect(() => new ReedSolomon(4, 3)).toThrow(RangeError);
  });
});
