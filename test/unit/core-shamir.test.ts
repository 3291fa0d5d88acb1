import { combine as auditedCombine, split as auditedSplit } from 'shamir-secret-sharing';
import { describe, expect, it } from 'vitest';
import { combineSecret, splitSecret } from '../../src/core/index.js';
import { lagrangeCoefficients } from '../../src/core/shamir.js';
import { gfMul } from '../../src/core/gf256.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { subsetsOf } from '../helpers/subsets.js';

describe('Shamir over GF(2^8)', () => {
  it('evaluates f(x) = s + a1·x + a2·x² at x = 1..n (hand-computed)', () => {
    // secret 0x2a, coefficients a1 = 0x01, a2 = 0x02 (from the injected random stream)
    const coefficients = [0x01, 0x02];
    let call = 0;
    const shares = splitSecret(Uint8Array.of(0x2a), 3, 4, (out) => {
      out[0] = coefficients[call++]!;
    });
    const expected = [1, 2, 3, 4].map((x) => 0x2a ^ gfMul(0x01, x) ^ gfMul(0x02, gfMul(x, x)));
    // x=1: 2a^01^02 = 29; x=2: 2a^02^08 = 20; x=3: 2a^03^0a = 23; x=4: 2a^04^20 = 0e
    expect(expected).toEqual([0x29, 0x20, 0x23, 0x0e]);
    expect(shares.map((s) => s[0])).toEqual(expected);
  });

  it('asks the random source for (k−1) blocks, never once per byte', () => {
    const calls: number[] = [];
    splitSecret(new Uint8Array(10000), 4, 6, (out) => {
      calls.push(out.length);
      out.fill(1);
    });
    expect(calls).toEqual([10000, 10000, 10000]);
  });

  it.each([
    [2, 2],
    [2, 3],
    [3, 5],
    [4, 7],
    [5, 5],
  ])('every %i-subset of %i shares rebuilds the secret, in any order', (k, n) => {
    const secret = crypto.getRandomValues(new Uint8Array(33));
    const shares = splitSecret(secret, k, n);
    for (const subset of subsetsOf(n, k)) {
      const xs = subset.map((i) => i + 1).reverse();
      expect(combineSecret(xs, xs.map((x) => shares[x - 1]!))).toEqual(secret);
    }
  });

  it('k−1 shares do not rebuild a 32-byte secret', () => {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const shares = splitSecret(secret, 3, 5);
    for (const subset of subsetsOf(5, 2)) {
      expect(combineSecret(subset.map((i) => i + 1), subset.map((i) => shares[i]!))).not.toEqual(secret);
    }
  });

  it('one share of a byte (k = 2) takes every value exactly once over all coefficients, whatever the secret', () => {
    // For k = 2 each share of a single byte is s ^ a·x with a uniform: over all 256 values of a,
    // the share at any x takes every value exactly once, whatever s is.
    for (const s of [0x00, 0x5a, 0xff]) {
      for (const x of [1, 2, 200]) {
        const seen = new Set<number>();
        for (let a = 0; a < 256; a++) seen.add(splitSecret(Uint8Array.of(s), 2, Math.max(2, x), (out) => out.fill(a))[x - 1]![0]!);
        expect(seen.size).toBe(256);
      }
    }
  });

  it('Lagrange coefficients at 0 sum to 1 (they interpolate constants exactly)', () => {
    for (const xs of [[1, 2], [1, 2, 3], [3, 7, 9, 200]]) {
      expect(lagrangeCoefficients(xs, 0).reduce((a, b) => a ^ b, 0)).toBe(1);
    }
  });

  it('all n shares lie on one degree-(k−1) polynomial (x = 4 from x = 1..3)', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const shares = splitSecret(key, 3, 4, deterministicRandom(99));
    // Re-derive share x=4 from shares 1..3 by Lagrange interpolation at 4.
    const at4 = new Uint8Array(32);
    const coefficients = lagrangeCoefficients([1, 2, 3], 4);
    for (let i = 0; i < 32; i++) at4[i] = [0, 1, 2].reduce((acc, j) => acc ^ gfMul(coefficients[j]!, shares[j]![i]!), 0);
    expect(at4).toEqual(shares[3]);
  });

  it('validates its arguments with TypeError / RangeError that name the argument', () => {
    expect(() => splitSecret('secret' as unknown as Uint8Array, 2, 3)).toThrow(TypeError);
    expect(() => splitSecret(new Uint8Array(4), 1, 3)).toThrow(/k must be between 2 and 255, got 1/);
    expect(() => splitSecret(new Uint8Array(4), 4, 3)).toThrow(/k must not exceed n/);
    expect(() => splitSecret(new Uint8Array(4), 2, 256)).toThrow(/n must be between 2 and 255, got 256/);
    expect(() => splitSecret(new Uint8Array(4), 2.5, 3)).toThrow(/k must be an integer/);
    expect(() => combineSecret([1, 1], [new Uint8Array(1), new Uint8Array(1)])).toThrow(/distinct/);
    expect(() => combineSecret([1, 0], [new Uint8Array(1), new Uint8Array(1)])).toThrow(RangeError);
    expect(() => combineSecret([1, 2], [new Uint8Array(1), new Uint8Array(2)])).toThrow(/same length/);
  });
});

describe('cross-check with the audited shamir-secret-sharing package', () => {
  // That package lays a share out as value bytes ‖ x (one byte), with random distinct x.
  it('our key shares, laid out as value ‖ x, combine with the audited implementation', async () => {
    for (const [k, n] of [[2, 3], [3, 5], [5, 8]] as const) {
      const key = crypto.getRandomValues(new Uint8Array(32));
      const shares = splitSecret(key, k, n);
      for (const subset of subsetsOf(n, k).slice(0, 10)) {
        const laidOut = subset.map((i) => Uint8Array.of(...shares[i]!, i + 1));
        expect(await auditedCombine(laidOut)).toEqual(key);
      }
    }
  });

  it('shares made by the audited implementation combine with ours', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const shares = await auditedSplit(key, 5, 3);
    for (const subset of subsetsOf(5, 3)) {
      const picked = subset.map((i) => shares[i]!);
      const xs = picked.map((share) => share[share.length - 1]!);
      expect(combineSecret(xs, picked.map((share) => share.subarray(0, share.length - 1)))).toEqual(key);
    }
  });
});
