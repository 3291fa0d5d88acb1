/**
 * The Lab's metrics (src/lab/metrics.ts) against values computed by hand on tiny images. Each
 * expected value is written out as the arithmetic that gives it, so a reviewer can redo it.
 */
import { describe, expect, it } from 'vitest';
import {
  adjacentCorrelation,
  entropy,
  histogram,
  histogramEntropy,
  mse,
  npcr,
  pearson,
  psnr,
  ssim,
  storageOverhead,
  uaci,
} from '../../src/lab/metrics.js';
import type { Holding, LabImage } from '../../src/lab/types.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';

function image(width: number, height: number, values: readonly number[]): LabImage {
  expect(values).toHaveLength(width * height);
  return { width, height, pixels: Uint8Array.from(values) };
}

function filled(width: number, height: number, value: number): LabImage {
  return { width, height, pixels: new Uint8Array(width * height).fill(value) };
}

/**
 * A 3×3 Latin square:
 *   1 3 2
 *   2 1 3
 *   3 2 1
 */
const LATIN = image(3, 3, [1, 3, 2, 2, 1, 3, 3, 2, 1]);

describe('histogram and entropy', () => {
  it('count and measure a 3×3 image', () => {
    const bins = histogram(LATIN.pixels);
    expect([bins[1], bins[2], bins[3], bins.reduce((a, b) => a + b, 0)]).toEqual([3, 3, 3, 9]);
    // Three values, 3/9 each: H = −3·(1/3)·log2(1/3) = log2 3.
    expect(entropy(LATIN.pixels)).toBeCloseTo(Math.log2(3), 14);
    expect(histogramEntropy(bins)).toBe(entropy(LATIN.pixels));
  });

  it('give 0 for nothing and for one value, 8 for all values equally often', () => {
    expect(entropy(new Uint8Array(0))).toBe(0);
    expect(entropy(filled(4, 4, 200).pixels)).toBe(0);
    // 0..255 twice: p = 2/512 = 1/256 for each, H = log2 256 = 8.
    expect(entropy(Uint8Array.from({ length: 512 }, (_, i) => i & 0xff))).toBe(8);
    // p = 3/4, 1/4 on a 2×2 image: −(3/4·log2 3/4 + 1/4·log2 1/4) = 2 − (3/4)·log2 3.
    expect(entropy(Uint8Array.of(9, 9, 9, 1))).toBeCloseTo(2 - 0.75 * Math.log2(3), 14);
  });

  it('reject what is not bytes or a histogram', () => {
    expect(() => histogram([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => histogramEntropy(new Uint32Array(255))).toThrow(TypeError);
  });
});

describe('pearson', () => {
  it('matches a hand computation', () => {
    // a = 1 2 3 4 (mean 2.5), b = 2 4 5 9 (mean 5)
    // a − ā = −1.5 −0.5 0.5 1.5;  b − b̄ = −3 −1 0 4
    // Σ(a−ā)(b−b̄) = 4.5 + 0.5 + 0 + 6 = 11;  Σ(a−ā)² = 5;  Σ(b−b̄)² = 9 + 1 + 0 + 16 = 26
    // r = 11 / √(5·26) = 11 / √130
    expect(pearson([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(130), 14);
    expect(pearson([1, 2, 3], [6, 4, 2])).toBeCloseTo(-1, 14);
  });

  it('is 0 by convention when a side is constant, and checks its inputs', () => {
    expect(pearson([5, 5, 5], [1, 2, 3])).toBe(0);
    expect(pearson([7], [8])).toBe(0);
    expect(() => pearson([1, 2], [1])).toThrow(RangeError);
    expect(() => pearson([], [])).toThrow(RangeError);
  });
});

describe('adjacentCorrelation on the 3×3 Latin square', () => {
  it('horizontal: 6 pairs', () => {
    // (1,3) (3,2) (2,1) (1,3) (3,2) (2,1): x = 1 3 2 1 3 2, y = 3 2 1 3 2 1, both of mean 2.
    // x − 2 = −1 1 0 −1 1 0;  y − 2 = 1 0 −1 1 0 −1
    // Σ(x−2)(y−2) = −1 + 0 + 0 − 1 + 0 + 0 = −2;  Σ(x−2)² = Σ(y−2)² = 4;  r = −2 / 4 = −0.5
    expect(adjacentCorrelation(LATIN, 'horizontal')).toBeCloseTo(-0.5, 14);
  });

  it('vertical: 6 pairs', () => {
    // (1,2) (3,1) (2,3) (2,3) (1,2) (3,1): x = 1 3 2 2 1 3, y = 2 1 3 3 2 1, both of mean 2.
    // x − 2 = −1 1 0 0 −1 1;  y − 2 = 0 −1 1 1 0 −1
    // Σ(x−2)(y−2) = 0 − 1 + 0 + 0 + 0 − 1 = −2;  sums of squares 4 and 4;  r = −0.5
    expect(adjacentCorrelation(LATIN, 'vertical')).toBeCloseTo(-0.5, 14);
  });

  it('diagonal: 4 pairs, all equal', () => {
    // (1,1) (3,3) (2,2) (1,1): y = x, r = 1.
    expect(adjacentCorrelation(LATIN, 'diagonal')).toBeCloseTo(1, 14);
  });

  it('takes evenly spaced pairs when asked for fewer', () => {
    // The 6 horizontal pairs in row order: 0 (1,3), 1 (3,2), 2 (2,1), 3 (1,3), 4 (3,2), 5 (2,1).
    // 4 of them: numbers ⌊0·6/4⌋ = 0, ⌊6/4⌋ = 1, ⌊12/4⌋ = 3, ⌊18/4⌋ = 4 → (1,3) (3,2) (1,3) (3,2).
    // x = 1 3 1 3, y = 3 2 3 2: y falls exactly when x rises, r = −1.
    expect(adjacentCorrelation(LATIN, 'horizontal', 4)).toBeCloseTo(-1, 14);
    // 2 of them: numbers 0 and 3, both (1,3): x is constant, r = 0 by convention.
    expect(adjacentCorrelation(LATIN, 'horizontal', 2)).toBe(0);
    expect(adjacentCorrelation(LATIN, 'horizontal', 6)).toBe(adjacentCorrelation(LATIN, 'horizontal'));
  });

  it('rejects impossible requests', () => {
    expect(() => adjacentCorrelation(LATIN, 'horizontal', 7)).toThrow(RangeError);
    expect(() => adjacentCorrelation(LATIN, 'horizontal', 0)).toThrow(RangeError);
    expect(() => adjacentCorrelation(LATIN, 'horizontal', 1.5)).toThrow(RangeError);
    expect(() => adjacentCorrelation(image(1, 3, [1, 2, 3]), 'horizontal')).toThrow(RangeError);
    expect(() => adjacentCorrelation(LATIN, 'sideways' as 'horizontal')).toThrow(RangeError);
    expect(() => adjacentCorrelation({ width: 3, height: 3, pixels: new Uint8Array(8) }, 'vertical')).toThrow(RangeError);
  });

  it('is near 1 on a gradient and near 0 on noise', () => {
    const gradient = image(64, 64, Array.from({ length: 64 * 64 }, (_, i) => (i % 64) * 2 + Math.floor(i / 64)));
    for (const direction of ['horizontal', 'vertical', 'diagonal'] as const) {
      expect(adjacentCorrelation(gradient, direction)).toBeGreaterThan(0.5);
    }
    const noise = new Uint8Array(256 * 256);
    deterministicRandom(8)(noise);
    const noisy = { width: 256, height: 256, pixels: noise };
    for (const direction of ['horizontal', 'vertical', 'diagonal'] as const) {
      // 65,280 pairs of independent bytes: r has standard deviation ≈ 1/√65280 ≈ 0.004.
      expect(Math.abs(adjacentCorrelation(noisy, direction))).toBeLessThan(0.02);
    }
  });
});

describe('NPCR, UACI, MSE and PSNR', () => {
  // LATIN with the centre changed 1 → 0 and the last pixel 1 → 255.
  const changed = image(3, 3, [1, 3, 2, 2, 0, 3, 3, 2, 255]);

  it('NPCR: the share of pixels that differ', () => {
    // 2 of 9 pixels differ: 2/9 · 100 %.
    expect(npcr(LATIN, changed)).toBeCloseTo((2 / 9) * 100, 12);
    expect(npcr(LATIN, LATIN)).toBe(0);
  });

  it('UACI: the mean absolute difference over 255', () => {
    // (|1 − 0| + |1 − 255|) / (9 · 255) · 100 = 255 / 2295 · 100 = 100/9 %.
    expect(uaci(LATIN, changed)).toBeCloseTo(100 / 9, 12);
    // Black against white: every pixel changes by 255, UACI = 100 %.
    expect(uaci(filled(3, 3, 0), filled(3, 3, 255))).toBe(100);
  });

  it('MSE and PSNR', () => {
    // (1² + 254²) / 9 = (1 + 64516) / 9 = 64517 / 9.
    expect(mse(LATIN, changed)).toBeCloseTo(64517 / 9, 10);
    // 2×2 black against one pixel of 51: MSE = 51² / 4 = 2601 / 4 = 650.25;
    // PSNR = 10·log10(255² / 650.25) = 10·log10(65025 / 650.25) = 10·log10(100) = 20 dB.
    const black = filled(2, 2, 0);
    const dot = image(2, 2, [51, 0, 0, 0]);
    expect(mse(black, dot)).toBe(650.25);
    expect(psnr(black, dot)).toBeCloseTo(20, 12);
    expect(psnr(LATIN, LATIN)).toBe(Infinity);
  });

  it('reach 255/256 and 257/765 on independent uniform images (Wu et al. 2011)', () => {
    const a = new Uint8Array(512 * 512);
    const b = new Uint8Array(512 * 512);
    deterministicRandom(1)(a);
    deterministicRandom(2)(b);
    const left = { width: 512, height: 512, pixels: a };
    const right = { width: 512, height: 512, pixels: b };
    // Expected NPCR = (1 − 1/256) · 100 = 99.609 %, σ ≈ 0.012 %; UACI = (257/3)/255 · 100 = 33.464 %, σ ≈ 0.046 %.
    expect(npcr(left, right)).toBeCloseTo(99.609, 1);
    expect(Math.abs(uaci(left, right) - 33.464)).toBeLessThan(0.25);
  });

  it('refuse images of different sizes', () => {
    expect(() => npcr(LATIN, filled(3, 2, 0))).toThrow(RangeError);
    expect(() => uaci(LATIN, filled(2, 3, 0))).toThrow(RangeError);
    expect(() => mse(LATIN, { width: 3, height: 3, pixels: [1] as unknown as Uint8Array })).toThrow(TypeError);
  });
});

describe('SSIM', () => {
  const C1 = (0.01 * 255) ** 2; // 6.5025
  const C2 = (0.03 * 255) ** 2; // 58.5225

  // 4×4, smaller than the 11×11 window: one window over the whole image, equal weights 1/16.
  // x: eight 0s and eight 20s, μx = 10, σx² = (8·100 + 8·100)/16 = 100.
  const x = image(4, 4, [0, 20, 0, 20, 20, 0, 20, 0, 0, 20, 0, 20, 20, 0, 20, 0]);

  it('one whole-image window on a 4×4 image: a brighter copy', () => {
    // y = x + 10: μy = 20, σy² = 100, σxy = 100.
    // SSIM = (2·10·20 + C1)(2·100 + C2) / ((10² + 20² + C1)(100 + 100 + C2)) = (400 + C1) / (500 + C1)
    const y = image(4, 4, Array.from(x.pixels, (v) => v + 10));
    expect(ssim(x, y)).toBeCloseTo((400 + C1) / (500 + C1), 12);
    expect((400 + C1) / (500 + C1)).toBeCloseTo(406.5025 / 506.5025, 14);
  });

  it('one whole-image window on a 4×4 image: the negative', () => {
    // y = 20 − x: μy = 10, σy² = 100, σxy = −100.
    // SSIM = (2·10·10 + C1)(−200 + C2) / ((100 + 100 + C1)(200 + C2)) = (C2 − 200) / (C2 + 200) < 0
    const y = image(4, 4, Array.from(x.pixels, (v) => 20 - v));
    expect(ssim(x, y)).toBeCloseTo((C2 - 200) / (C2 + 200), 12);
  });

  it('the 11×11 Gaussian window: constant images', () => {
    // 12×12 constants a = 100 and b = 50: 2×2 = 4 windows, each with μ = the constant, σ = 0:
    // SSIM = (2·100·50 + C1)(0 + C2) / ((100² + 50² + C1)(0 + C2)) = (10000 + C1) / (12500 + C1)
    expect(ssim(filled(12, 12, 100), filled(12, 12, 50))).toBeCloseTo((10000 + C1) / (12500 + C1), 12);
    expect(ssim(filled(12, 12, 100), filled(12, 12, 100))).toBeCloseTo(1, 14);
  });

  it('the 11×11 Gaussian window: one brighter pixel at the centre of an 11×11 image', () => {
    // One window. Weights w(i, j) = g(i)·g(j) / S, g(i) = exp(−i²/(2·1.5²)) = exp(−i²/4.5), i = −5 … 5,
    // S = (Σ g)²; the centre weight is w0 = 1/S.
    //   Σ g = 1 + 2·(e^(−1/4.5) + e^(−4/4.5) + e^(−9/4.5) + e^(−16/4.5) + e^(−25/4.5)) ≈ 3.759232
    const sumG = 1 + 2 * (Math.exp(-1 / 4.5) + Math.exp(-4 / 4.5) + Math.exp(-9 / 4.5) + Math.exp(-16 / 4.5) + Math.exp(-25 / 4.5));
    expect(sumG).toBeCloseTo(3.759232, 5);
    const w0 = 1 / (sumG * sumG); // ≈ 0.070762
    // x = 100 everywhere, 110 at the centre; y = 100 everywhere.
    // μx = 100 + 10·w0;  σx² = Σ w·x² − μx² = w0·(10)² − (10·w0)² = 100·w0·(1 − w0);  μy = 100, σy² = σxy = 0.
    const meanX = 100 + 10 * w0;
    const varianceX = 100 * w0 * (1 - w0);
    const expected = ((2 * meanX * 100 + C1) * C2) / ((meanX ** 2 + 100 ** 2 + C1) * (varianceX + C2)); // ≈ 0.899
    const bump = filled(11, 11, 100);
    bump.pixels[5 * 11 + 5] = 110;
    expect(ssim(bump, filled(11, 11, 100))).toBeCloseTo(expected, 10);
    expect(expected).toBeCloseTo(0.899, 3);
  });

  it('equals a direct 2-D computation, window by window, on 16×14 noise (24 windows)', () => {
    // The reference written as plainly as the formula: w(i, j) = e^(−(i² + j²)/4.5) / Σ, for each of
    // the (16 − 10)·(14 − 10) = 24 window positions (6 columns × 4 rows), SSIM of the window, mean.
    const width = 16;
    const height = 14;
    const a = new Uint8Array(width * height);
    const b = new Uint8Array(width * height);
    deterministicRandom(3)(a);
    deterministicRandom(4)(b);
    for (let i = 0; i < b.length; i++) b[i] = (a[i]! + (b[i]! >> 3)) & 0xff;
    const raw = Array.from({ length: 121 }, (_, k) => Math.exp(-(((k % 11) - 5) ** 2 + (Math.floor(k / 11) - 5) ** 2) / 4.5));
    const total = raw.reduce((sum, w) => sum + w, 0);
    let sum = 0;
    let windows = 0;
    for (let top = 0; top + 11 <= height; top++) {
      for (let left = 0; left + 11 <= width; left++) {
        let mx = 0;
        let my = 0;
        let xx = 0;
        let yy = 0;
        let xy = 0;
        for (let k = 0; k < 121; k++) {
          const at = (top + Math.floor(k / 11)) * width + left + (k % 11);
          const w = raw[k]! / total;
          mx += w * a[at]!;
          my += w * b[at]!;
          xx += w * a[at]! ** 2;
          yy += w * b[at]! ** 2;
          xy += w * a[at]! * b[at]!;
        }
        sum += ((2 * mx * my + C1) * (2 * (xy - mx * my) + C2)) / ((mx ** 2 + my ** 2 + C1) * (xx - mx ** 2 + yy - my ** 2 + C2));
        windows++;
      }
    }
    expect(windows).toBe(24);
    expect(ssim({ width, height, pixels: a }, { width, height, pixels: b })).toBeCloseTo(sum / windows, 12);
  });

  it('is 1 for identical images and near 0 for independent noise', () => {
    const noise = new Uint8Array(64 * 64);
    deterministicRandom(5)(noise);
    const other = new Uint8Array(64 * 64);
    deterministicRandom(6)(other);
    const a = { width: 64, height: 64, pixels: noise };
    expect(ssim(a, a)).toBeCloseTo(1, 12);
    expect(Math.abs(ssim(a, { width: 64, height: 64, pixels: other }))).toBeLessThan(0.05);
  });
});

describe('storageOverhead', () => {
  const holding = (cloud: number, size: number): Holding => ({ cloud, name: `piece ${cloud}`, bytes: new Uint8Array(size) });

  it('is what the clouds keep over the original size', () => {
    // 8 shares of 9 bytes for a 9-byte image: 72 / 9 = 8.
    expect(storageOverhead(9, Array.from({ length: 8 }, (_, i) => holding(i >> 1, 9)))).toBe(8);
    // 3 + 3 + 4 = 10 bytes for 8: 1.25.
    expect(storageOverhead(8, [holding(0, 3), holding(1, 3), holding(2, 4)])).toBe(1.25);
    expect(storageOverhead(8, [])).toBe(0);
  });

  it('needs a positive original size', () => {
    expect(() => storageOverhead(0, [])).toThrow(RangeError);
    expect(() => storageOverhead(2.5, [])).toThrow(RangeError);
  });
});
