import { describe, expect, it } from 'vitest';
import { GF_EXP, GF_LOG, gfDiv, gfInv, gfInvertMatrix, gfMul, gfMulSlow, gfPow } from '../../src/core/gf256.js';
import { javascriptKernel, type GfKernel } from '../../src/core/kernel.js';
import { createSimdKernel } from '../../src/core/wasm/simd-kernel.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';

describe('GF(2^8) with the AES polynomial 0x11b', () => {
  it('matches the worked examples of FIPS-197 §4.2', () => {
    expect(gfMul(0x57, 0x83)).toBe(0xc1);
    expect(gfMul(0x57, 0x13)).toBe(0xfe);
    expect(gfMulSlow(0x57, 0x83)).toBe(0xc1);
  });

  it('has the AES multiplicative inverses used to build the S-box (FIPS-197 §5.1.1)', () => {
    expect(gfInv(0x53)).toBe(0xca);
    expect(gfInv(0x01)).toBe(0x01);
  });

  it('agrees with carry-less multiplication for all 65,536 pairs', () => {
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) expect(gfMul(a, b)).toBe(gfMulSlow(a, b));
  });

  it('has log/exp tables that are inverse bijections over the 255 non-zero elements', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 255; i++) {
      seen.add(GF_EXP[i]!);
      expect(GF_LOG[GF_EXP[i]!]).toBe(i);
    }
    expect(seen.size).toBe(255);
    expect(seen.has(0)).toBe(false);
  });

  it('divides, inverts and raises to powers consistently', () => {
    for (let a = 1; a < 256; a++) {
      expect(gfMul(a, gfInv(a))).toBe(1);
      expect(gfDiv(a, a)).toBe(1);
      expect(gfPow(a, 255)).toBe(1);
      expect(gfPow(a, 2)).toBe(gfMul(a, a));
      for (const b of [1, 2, 0x53, 0xff]) expect(gfMul(gfDiv(a, b), b)).toBe(a);
    }
    expect(gfDiv(0, 7)).toBe(0);
    expect(gfPow(0, 0)).toBe(1);
  });

  it('refuses to divide by zero with a RangeError', () => {
    expect(() => gfInv(0)).toThrow(RangeError);
    expect(() => gfDiv(3, 0)).toThrow(RangeError);
  });

  it('inverts matrices and refuses singular ones', () => {
    for (const size of [1, 2, 3, 5, 8]) {
      const m = new Uint8Array(size * size);
      // A Vandermonde matrix on distinct points is always invertible.
      for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) m[r * size + c] = gfPow(r + 1, c);
      const inverse = gfInvertMatrix(m, size);
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          let sum = 0;
          for (let t = 0; t < size; t++) sum ^= gfMul(m[r * size + t]!, inverse[t * size + c]!);
          expect(sum).toBe(r === c ? 1 : 0);
        }
      }
    }
    expect(() => gfInvertMatrix(Uint8Array.of(1, 2, 1, 2), 2)).toThrow(/singular/);
  });
});

const simdKernel = createSimdKernel();

describe('the WebAssembly SIMD kernel', () => {
  it('loads on this engine (Node 20 and Chromium have WebAssembly SIMD)', () => {
    expect(simdKernel?.name).toBe('wasm-simd-nibble');
  });
});

describe.each([javascriptKernel, simdKernel!])('bulk kernel $name', (kernel: GfKernel) => {
  it('works in place in a workspace, and on arrays from elsewhere', () => {
    const workspace = kernel.createWorkspace(4 * 1000);
    const [a, b, out] = [workspace.allocate(1000), workspace.allocate(1000), workspace.allocate(1000)];
    expect(a!.byteOffset % 64).toBe(b!.byteOffset % 64);
    a!.fill(3);
    b!.fill(5);
    workspace.matrixMultiply(Uint8Array.of(2, 1), 1, 2, [a!, b!], [out!], 1000);
    expect(out!.every((v) => v === (gfMul(2, 3) ^ 5))).toBe(true);
    const outside = new Uint8Array(1000);
    workspace.matrixMultiply(Uint8Array.of(2, 1), 1, 2, [a!, new Uint8Array(1000).fill(5)], [outside], 1000);
    expect(outside).toEqual(out);
    expect(() => workspace.allocate(1001)).toThrow(/workspace exhausted/);
  });

  const reference: Pick<GfKernel, 'matrixMultiply'> = {
    matrixMultiply(coefficients, rows, cols, inputs, outputs, length) {
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < length; i++) {
          let acc = 0;
          for (let c = 0; c < cols; c++) acc ^= gfMul(coefficients[r * cols + c]!, inputs[c]![i]!);
          outputs[r]![i] = acc;
        }
      }
    },
  };

  it.each([
    [1, 1, 0],
    [1, 2, 3],
    [5, 3, 64],
    [2, 4, 1027],
    [3, 6, 257],
    [1, 3, 4096],
    [4, 8, 65],
    [255, 2, 70],
    [2, 255, 130],
    [3, 5, 100_003],
  ])('matches the scalar reference for %i×%i over %i bytes, aligned and not', (rows, cols, length) => {
    const random = deterministicRandom(rows * 100 + cols * 10 + length);
    const coefficients = new Uint8Array(rows * cols);
    random(coefficients);
    coefficients[0] = 0; // zero and one coefficients take special paths
    if (coefficients.length > 1) coefficients[1] = 1;
    for (const offset of [0, 1]) {
      const inputs = Array.from({ length: cols }, () => {
        const buffer = new Uint8Array(length + offset);
        random(buffer);
        return buffer.subarray(offset);
      });
      const expected = Array.from({ length: rows }, () => new Uint8Array(length));
      const actual = Array.from({ length: rows }, () => new Uint8Array(length + 4).fill(0xaa).subarray(offset, offset + length));
      reference.matrixMultiply(coefficients, rows, cols, inputs, expected, length);
      kernel.matrixMultiply(coefficients, rows, cols, inputs, actual, length);
      expect(actual.map((a) => Array.from(a))).toEqual(expected.map((e) => Array.from(e)));
    }
  });
});
