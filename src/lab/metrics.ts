import type { Holding, LabImage } from './types.js';

/**
 * Image-security metrics of the Lab, each with the formula it computes. They are the measures the
 * seed papers publish (seed 001 equations 6–11: entropy, correlation, NPCR; seed 003 equations
 * 1–6: MSE, PSNR, SSIM, NPCR, UACI), computed here one way for every scheme so that the figures of
 * one scheme can be set beside another's.
 *
 * Pure and deterministic: no DOM, no randomness. Every function is checked against values computed
 * by hand on tiny images in test/unit/lab-metrics.test.ts.
 */

const PEAK = 255;

/** 256 bins: bins[v] = how many bytes of `bytes` equal v. The one histogram of the app. */
export function histogram(bytes: Uint8Array): Uint32Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  const bins = new Uint32Array(256);
  for (let i = 0; i < bytes.length; i++) bins[bytes[i]!]!++;
  return bins;
}

/**
 * Shannon entropy of a 256-bin histogram, H = −Σ p_v·log2 p_v over the non-empty bins, with
 * p_v = bins[v] / Σ bins, in bits per byte (seed 001 equation 6). 8 when all 256 values are equally
 * frequent, 0 for no data or a single repeated value.
 *
 * WARNING: a flat histogram is necessary, not sufficient, for secrecy — ciphertext and Shamir
 * shares have it, but so does a counter 0, 1, …, 255, 0, 1, … . The security argument is the
 * scheme's (for Tessera's own shares, docs/share-format.md §8); this is the evidence a person can see.
 */
export function histogramEntropy(bins: Uint32Array): number {
  if (!(bins instanceof Uint32Array) || bins.length !== 256) throw new TypeError('bins must be a Uint32Array of 256 counts');
  let total = 0;
  for (const count of bins) total += count;
  if (total === 0) return 0;
  let bits = 0;
  for (const count of bins) {
    if (count === 0) continue;
    const p = count / total;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Shannon entropy of `bytes` in bits per byte: histogramEntropy(histogram(bytes)). */
export function entropy(bytes: Uint8Array): number {
  return histogramEntropy(histogram(bytes));
}

/**
 * Pearson's correlation coefficient with population moments, as seed 001 equations 7–10 write it:
 *   r = cov(a, b) / (√D(a)·√D(b)),  cov(a, b) = (1/N) Σ (a_i − ā)(b_i − b̄),  D(a) = (1/N) Σ (a_i − ā)².
 * r is undefined when a or b is constant (D = 0); this returns 0 then, by convention ("no linear
 * relation can be measured"), so that a figure in a table or a genetic algorithm's fitness stays a
 * finite number. Sums are accumulated on centred values (two passes) for accuracy.
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`a and b must have the same length, got ${a.length} and ${b.length}`);
  const n = a.length;
  if (n === 0) throw new RangeError('a and b must hold at least one value');
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < n; i++) {
    sumA += a[i]!;
    sumB += b[i]!;
  }
  const meanA = sumA / n;
  const meanB = sumB / n;
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    covariance += da * db;
    varianceA += da * da;
    varianceB += db * db;
  }
  if (varianceA === 0 || varianceB === 0) return 0;
  // The 1/N factors cancel.
  return covariance / Math.sqrt(varianceA * varianceB);
}

export type AdjacentDirection = 'horizontal' | 'vertical' | 'diagonal';

/** (column step, row step) from a pixel to its neighbour in each direction. */
const NEIGHBOUR: Readonly<Record<AdjacentDirection, readonly [number, number]>> = { horizontal: [1, 0], vertical: [0, 1], diagonal: [1, 1] };

/**
 * Correlation of adjacent pixels (seed 001 equations 7–10, the usual test of image ciphers): the
 * Pearson coefficient r(x, y) above over pairs (x_i, y_i) = (P(c, r), P(c + dc, r + dr)) with
 * (dc, dr) = (1, 0) horizontal, (0, 1) vertical, (1, 1) diagonal (down-right). An image has
 * (W−1)·H horizontal, W·(H−1) vertical and (W−1)·(H−1) diagonal pairs.
 *
 * With `pairs` undefined every pair is used. With `pairs` = m, m pairs spread evenly over that list
 * (pair number ⌊j·total/m⌋ for j = 0 … m−1, in row order) — a deterministic stand-in for the
 * papers' "N randomly chosen pairs", so that the same image always gives the same figure.
 * Near 1 for a natural image, near 0 for noise; 0 by convention when the pixels are constant.
 */
export function adjacentCorrelation(image: LabImage, direction: AdjacentDirection, pairs?: number): number {
  assertImage(image, 'image');
  const { width, height, pixels } = image;
  if (!Object.hasOwn(NEIGHBOUR, direction)) throw new RangeError(`direction must be horizontal, vertical or diagonal, got ${String(direction)}`);
  const [dc, dr] = NEIGHBOUR[direction];
  const columns = width - dc;
  const rows = height - dr;
  const total = columns * rows;
  if (total < 1) throw new RangeError(`a ${width}×${height} image has no ${direction} pairs`);
  const count = pairs ?? total;
  if (!Number.isSafeInteger(count) || count < 1 || count > total) {
    throw new RangeError(`pairs must be an integer from 1 to ${total} (the ${direction} pairs of a ${width}×${height} image), got ${count}`);
  }
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const pair = count === total ? j : Math.floor((j * total) / count);
    const row = Math.floor(pair / columns);
    const column = pair - row * columns;
    x[j] = pixels[row * width + column]!;
    y[j] = pixels[(row + dr) * width + column + dc]!;
  }
  return pearson(x, y);
}

/**
 * Number of Pixels Change Rate (Wu, Noonan & Agaian 2011, equation 1; seed 001 equation 11, seed 003
 * equation 4), in percent:  NPCR = (1/(W·H)) Σ_{i,j} D(i, j) × 100,  D(i, j) = 0 if a(i, j) = b(i, j),
 * else 1. Two independent uniform 8-bit images give 255/256 ≈ 99.609 %.
 */
export function npcr(a: LabImage, b: LabImage): number {
  assertSameSize(a, b);
  let changed = 0;
  for (let i = 0; i < a.pixels.length; i++) if (a.pixels[i] !== b.pixels[i]) changed++;
  return (changed / a.pixels.length) * 100;
}

/**
 * Unified Averaged Changed Intensity (Wu, Noonan & Agaian 2011, equation 2; seed 003 equation 5),
 * in percent, for 8-bit pixels:  UACI = (1/(W·H)) Σ_{i,j} |a(i, j) − b(i, j)| / 255 × 100.
 * Two independent uniform 8-bit images give (257/3)/255 ≈ 33.464 %.
 */
export function uaci(a: LabImage, b: LabImage): number {
  assertSameSize(a, b);
  let sum = 0;
  for (let i = 0; i < a.pixels.length; i++) sum += Math.abs(a.pixels[i]! - b.pixels[i]!);
  return (sum / (a.pixels.length * PEAK)) * 100;
}

/** Mean squared error (seed 003 equation 1):  MSE = (1/(W·H)) Σ_{i,j} (a(i, j) − b(i, j))². */
export function mse(a: LabImage, b: LabImage): number {
  assertSameSize(a, b);
  let sum = 0;
  for (let i = 0; i < a.pixels.length; i++) {
    const d = a.pixels[i]! - b.pixels[i]!;
    sum += d * d;
  }
  return sum / a.pixels.length;
}

/**
 * Peak signal-to-noise ratio in dB (seed 003 equation 2) with peak R = 255:
 *   PSNR = 10·log10(255² / MSE);  Infinity when the images are identical (MSE = 0).
 */
export function psnr(a: LabImage, b: LabImage): number {
  const error = mse(a, b);
  return error === 0 ? Infinity : 10 * Math.log10((PEAK * PEAK) / error);
}

/** SSIM constants (Wang et al. 2004, equation 7 and section III-C): K1 = 0.01, K2 = 0.03, L = 255. */
const C1 = (0.01 * PEAK) ** 2;
const C2 = (0.03 * PEAK) ** 2;
/** The window of Wang et al. 2004 section III-C: 11×11, circular-symmetric Gaussian, σ = 1.5. */
const WINDOW = 11;
/** The Gaussian is separable: w(i, j) = g(i)·g(j), with g normalised so that Σ g = 1 (so Σ w = 1). */
const GAUSSIAN = gaussian(WINDOW, 1.5);

/**
 * Structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004, "Image quality assessment: from
 * error visibility to structural similarity", equations 13–14 and section III-C), the mean SSIM:
 *   SSIM(x, y) = ((2·μx·μy + C1)(2·σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)),
 *   C1 = (K1·L)² = 6.5025, C2 = (K2·L)² = 58.5225,
 * with μ, σ², σxy the weighted mean, variance and covariance under an 11×11 Gaussian window
 * (σ = 1.5, weights w normalised to Σ w = 1; μx = Σ w·x, σx² = Σ w·x² − μx², σxy = Σ w·x·y − μx·μy,
 * equations 14–16), placed at every position where it fits inside the image (the reference
 * implementation's "valid" filtering, (W−10)·(H−10) windows), and averaged (equation 17, MSSIM).
 * No down-sampling (the 2009 revision of the reference code scales large images down first).
 *
 * An image smaller than 11 pixels in either direction is one window covering the whole image, with
 * equal weights 1/(W·H): the global SSIM. That is what the hand-computed tests check.
 */
export function ssim(a: LabImage, b: LabImage): number {
  assertSameSize(a, b);
  const { width, height } = a;
  if (width < WINDOW || height < WINDOW) {
    const weight = 1 / (width * height);
    let meanX = 0;
    let meanY = 0;
    let squareX = 0;
    let squareY = 0;
    let product = 0;
    for (let i = 0; i < a.pixels.length; i++) {
      const u = a.pixels[i]!;
      const v = b.pixels[i]!;
      meanX += weight * u;
      meanY += weight * v;
      squareX += weight * u * u;
      squareY += weight * v * v;
      product += weight * u * v;
    }
    return ssimOf(meanX, meanY, squareX, squareY, product);
  }
  // Weighted sums of x, y, x², y², x·y over every window, filtering rows then columns.
  const columns = width - WINDOW + 1;
  const rows = height - WINDOW + 1;
  const x = a.pixels;
  const y = b.pixels;
  const horizontal = Array.from({ length: 5 }, () => new Float64Array(height * columns));
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < columns; c++) {
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let k = 0; k < WINDOW; k++) {
        const g = GAUSSIAN[k]!;
        const u = x[r * width + c + k]!;
        const v = y[r * width + c + k]!;
        sx += g * u;
        sy += g * v;
        sxx += g * u * u;
        syy += g * v * v;
        sxy += g * u * v;
      }
      const at = r * columns + c;
      horizontal[0]![at] = sx;
      horizontal[1]![at] = sy;
      horizontal[2]![at] = sxx;
      horizontal[3]![at] = syy;
      horizontal[4]![at] = sxy;
    }
  }
  const [hx, hy, hxx, hyy, hxy] = horizontal as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      let meanX = 0;
      let meanY = 0;
      let squareX = 0;
      let squareY = 0;
      let product = 0;
      for (let k = 0; k < WINDOW; k++) {
        const g = GAUSSIAN[k]!;
        const at = (r + k) * columns + c;
        meanX += g * hx[at]!;
        meanY += g * hy[at]!;
        squareX += g * hxx[at]!;
        squareY += g * hyy[at]!;
        product += g * hxy[at]!;
      }
      sum += ssimOf(meanX, meanY, squareX, squareY, product);
    }
  }
  return sum / (rows * columns);
}

/** SSIM of one window from its weighted moments Σw·x, Σw·y, Σw·x², Σw·y², Σw·x·y. */
function ssimOf(meanX: number, meanY: number, squareX: number, squareY: number, product: number): number {
  const varianceX = squareX - meanX * meanX;
  const varianceY = squareY - meanY * meanY;
  const covariance = product - meanX * meanY;
  return ((2 * meanX * meanY + C1) * (2 * covariance + C2)) / ((meanX * meanX + meanY * meanY + C1) * (varianceX + varianceY + C2));
}

/** size weights g(i) ∝ exp(−i² / (2σ²)), i measured from the centre, Σ g = 1. */
function gaussian(size: number, sigma: number): Float64Array {
  const half = (size - 1) / 2;
  const weights = Float64Array.from({ length: size }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * sigma * sigma)));
  const sum = weights.reduce((total, w) => total + w, 0);
  return weights.map((w) => w / sum);
}

/**
 * Storage overhead: every byte the clouds keep, over the original's size,
 *   overhead = (Σ_holdings |bytes|) / originalBytes,
 * so 1 means no overhead, n for n full copies (Shamir (k, n) on bytes), n/k for an ideal erasure
 * code. What the owner keeps off the clouds (a key, an index) is not counted.
 */
export function storageOverhead(originalBytes: number, holdings: readonly Holding[]): number {
  if (!Number.isSafeInteger(originalBytes) || originalBytes < 1) {
    throw new RangeError(`originalBytes must be a positive integer, got ${originalBytes}`);
  }
  let stored = 0;
  for (const holding of holdings) stored += holding.bytes.length;
  return stored / originalBytes;
}

function assertImage(image: LabImage, name: string): void {
  if (!Number.isSafeInteger(image.width) || image.width < 1) throw new RangeError(`${name}.width must be a positive integer, got ${image.width}`);
  if (!Number.isSafeInteger(image.height) || image.height < 1) throw new RangeError(`${name}.height must be a positive integer, got ${image.height}`);
  if (!(image.pixels instanceof Uint8Array)) throw new TypeError(`${name}.pixels must be a Uint8Array`);
  if (image.pixels.length !== image.width * image.height) {
    throw new RangeError(`${name}.pixels must hold ${image.width}×${image.height} = ${image.width * image.height} bytes, got ${image.pixels.length}`);
  }
}

function assertSameSize(a: LabImage, b: LabImage): void {
  assertImage(a, 'a');
  assertImage(b, 'b');
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`the images must have the same size, got ${a.width}×${a.height} and ${b.width}×${b.height}`);
  }
}
