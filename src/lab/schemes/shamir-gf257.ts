import { bytesAsPicture } from '../pictures.js';
import type { Holding, LabImage, LabRandom, LabScheme, Protection } from '../types.js';

/**
 * Seed 000 — Marwan, Kartit & Ouahmane, "Improving the Security of Cloud-based Medical Image
 * Storage" (../../../../shared/seeds/000_1fb43644c2cd193b.txt), sections VI–VII: Shamir's (t, n)
 * threshold sharing of 8-bit pixels modulo the prime p = 257, (t, n) = (4, 8), the eight shares kept
 * two per cloud on the four clouds of a DepSky cloud-of-clouds.
 *
 * The paper describes two constructions, and both are here (`polynomial`):
 *
 * - `'pixels'` (the default: what the paper ran and published, section VII, equations 5–8, Figs.
 *   8–16, with reference [38], S. Wang's MATLAB "Distributed storage based on secret sharing
 *   schemes"). "The secret image is split into m portions with t pixels", and portion k's polynomial
 *   is s_k(x) = s_0 + s_1·x + … + s_{t−1}·x^{t−1} whose t coefficients are ALL pixels (equation 7);
 *   reconstruction solves for all t coefficients (equation 8) and reshapes them back into the image.
 *   [38] is a MATLAB File Exchange entry; a public copy of what appears to be its code, with the
 *   paper's exact parameters (t = 4, 8 shares, base 257), does `reshape(Im_linear, [], t)`: the
 *   image, read as one line, is cut into t consecutive blocks of m = W·H/t pixels, and polynomial i
 *   takes pixel i of each block. So does this, with two differences: MATLAB reads column by column
 *   (its blocks are vertical strips), a LabImage row by row (horizontal bands); and where [38]
 *   refuses a size not divisible by t, this zero-pads to m = ⌈W·H/t⌉. Each share holds m values: a
 *   quarter of the image for t = 4. This is Thien & Lin's
 *   "secret image sharing" (the paper's [33]) WITHOUT its secret permutation of the pixels.
 *   WARNING: no randomness enters, so the section VIII theorem ("t − 1 or less shares do not leak
 *   out any information") does not hold for it: a share is a fixed linear mix of t image blocks and
 *   shows them (zero blocks drop out entirely), t − 1 shares pin each portion of t pixels down to at
 *   most 257 of its 2^(8t) values, and the same image always gives the same shares.
 *
 * - `'random'` (section VI, Algorithm 1 with equation 1 mod p): one polynomial per pixel,
 *   f(x) = s + a_1·x + … + a_{t−1}·x^{t−1} mod 257, the a_j drawn "Random In (GF[2^8])" (Algorithm 1
 *   line 5), i.e. uniform bytes 0 … 255, as the paper writes it. Each share is as large as the image.
 *   WARNING: coefficients that never take the value 256 make the scheme not quite perfect: given
 *   t − 1 shares, a candidate secret whose unique completing polynomial needs a coefficient 256 is
 *   ruled out — on average 256·(1 − (256/257)^(t−1)) ≈ 3 of 256 candidates per pixel for t = 4. Exact
 *   Shamir would draw the a_j uniformly from 0 … 256.
 *
 * Share x (x = 1 … n) is f(x), and share s_i = (i, f(i)) is "distributed to the i-th cloud provider"
 * (section VI-B), yet section VII stores "two shares in each node of the DepSky system" without
 * saying which two. Here cloud c (0-based) keeps shares x = 2c + 1 and 2c + 2: cloud 0 shares 1 and 2,
 * cloud 1 shares 3 and 4, cloud 2 shares 5 and 6, cloud 3 shares 7 and 8. Which two does not matter
 * for what follows: WARNING, with two shares per cloud any TWO clouds hold four distinct shares and
 * rebuild the image, so the effective threshold is 2 of 4 clouds, not "4 of 8"; and one cloud with
 * one share from another is t − 1 shares, which in the 'pixels' construction leak at least 24 of
 * every 32 bits (all of them when one block is known, e.g. a black border).
 *
 * A share value lies in 0 … 256 and 256 does not fit a byte. The paper says nothing about it; [38]
 * keeps shares in MATLAB int32 arrays (4 bytes per value) and draws them through uint8(), which
 * shows 256 as 255. Here a share is stored as a byte plane (value mod 256, so 256 is stored as 0)
 * followed by an overflow list: a little-endian uint32 count, then the uint32 index of every value
 * that was 256. That costs 4 + 4·(number of 256s) bytes per share, ≈ 1.6 % for uniform values
 * (1 in 257); storageOverhead measures it. The picture of a share is its byte plane, drawn at the
 * picture's width (a band W wide and H/t high for 'pixels'). A share's x is its name ("share x").
 */

export type ShamirGf257Params = {
  /** t: shares needed to rebuild (the paper: 4). */
  readonly threshold: number;
  /** n: shares made, at most 256 (the x-coordinates 1 … n must be distinct and non-zero mod 257; the paper: 8). */
  readonly shares: number;
  /** How many consecutive shares each cloud keeps (DepSky placement, the paper: 2). */
  readonly sharesPerCloud: number;
  /** Section VII's pixels-as-coefficients construction, or section VI's Algorithm 1 (see above). */
  readonly polynomial: 'pixels' | 'random';
};

const P = 257;

/** INVERSE[a] = a⁻¹ mod 257 for a = 1 … 256 (by Fermat: a^255). */
const INVERSE = (() => {
  const table = new Uint16Array(P);
  for (let a = 1; a < P; a++) table[a] = power(a, P - 2);
  return table;
})();

function power(base: number, exponent: number): number {
  let result = 1;
  let b = base % P;
  for (let e = exponent; e > 0; e >>= 1) {
    if (e & 1) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

interface Gf257Secret {
  readonly width: number;
  readonly height: number;
}

const PAPER = {
  seed: '000_1fb43644c2cd193b.txt',
  title: 'Marwan, Kartit & Ouahmane, "Improving the Security of Cloud-based Medical Image Storage"',
  where: 'section VI (Shamir, Algorithm 1 and 2, DepSky) and section VII (equations 5–8, (4, 8) with p = 257, two shares per cloud)',
} as const;

function makeScheme(id: string, title: string, polynomial: ShamirGf257Params['polynomial']): LabScheme<ShamirGf257Params> {
  return {
    id,
    title,
    paper: PAPER,
    defaults: { threshold: 4, shares: 8, sharesPerCloud: 2, polynomial },
    clouds: (params) => Math.ceil(assertParams(params).shares / params.sharesPerCloud),
    threshold: (params) => Math.ceil(assertParams(params).threshold / params.sharesPerCloud),
    keySpaceBits: () => undefined,
    lossless: true,
    protect: async (image, params, random) => protectGf257(image, params, random),
    recover: async (protection, clouds, params) => recoverGf257(protection, clouds, params),
  };
}

/** Section VII as the paper ran it: t pixels per polynomial, no randomness, shares 1/t of the image. */
export const shamirGf257 = makeScheme('shamir-gf257', 'Shamir over GF(257) on pixels, (4, 8), as simulated (section VII)', 'pixels');

/** Section VI's Algorithm 1 over GF(257): one pixel per polynomial, t − 1 random byte coefficients. */
export const shamirGf257Algorithm1 = makeScheme('shamir-gf257-random', 'Shamir over GF(257) on pixels, (4, 8), Algorithm 1 (section VI)', 'random');

function assertParams(params: ShamirGf257Params): ShamirGf257Params {
  const { threshold, shares, sharesPerCloud, polynomial } = params;
  if (!Number.isSafeInteger(shares) || shares < 2 || shares > P - 1) throw new RangeError(`shares must be an integer from 2 to ${P - 1}, got ${shares}`);
  if (!Number.isSafeInteger(threshold) || threshold < 2 || threshold > shares) {
    throw new RangeError(`threshold must be an integer from 2 to shares (${shares}), got ${threshold}`);
  }
  if (!Number.isSafeInteger(sharesPerCloud) || sharesPerCloud < 1 || sharesPerCloud > shares) {
    throw new RangeError(`sharesPerCloud must be an integer from 1 to shares (${shares}), got ${sharesPerCloud}`);
  }
  if (polynomial !== 'pixels' && polynomial !== 'random') throw new RangeError(`polynomial must be 'pixels' or 'random', got ${String(polynomial)}`);
  return params;
}

/** How many values each share holds: one per pixel ('random'), one per portion of t pixels ('pixels'). */
function valuesPerShare(pixelCount: number, params: ShamirGf257Params): number {
  return params.polynomial === 'pixels' ? Math.ceil(pixelCount / params.threshold) : pixelCount;
}

/**
 * The polynomial coefficients, coefficient j of polynomial i at coefficients[j][i]: section VII
 * takes pixel i of block j (zero past the end); section VI takes the pixel, then random bytes.
 */
function coefficientsOf(pixels: Uint8Array, params: ShamirGf257Params, random: LabRandom): Uint8Array[] {
  const m = valuesPerShare(pixels.length, params);
  const coefficients: Uint8Array[] = [];
  if (params.polynomial === 'pixels') {
    for (let j = 0; j < params.threshold; j++) {
      const block = new Uint8Array(m);
      block.set(pixels.subarray(j * m, Math.min(pixels.length, (j + 1) * m)));
      coefficients.push(block);
    }
  } else {
    coefficients.push(pixels);
    // Algorithm 1 line 5: p[i] ← Random In (GF[2^8]) — bytes 0 … 255, never 256 (see the WARNING).
    const randomBytes = new Uint8Array((params.threshold - 1) * m);
    random(randomBytes);
    for (let j = 1; j < params.threshold; j++) coefficients.push(randomBytes.subarray((j - 1) * m, j * m));
  }
  return coefficients;
}

async function protectGf257(image: LabImage, params: ShamirGf257Params, random: LabRandom): Promise<Protection> {
  assertParams(params);
  assertImage(image);
  const coefficients = coefficientsOf(image.pixels, params, random);
  const m = coefficients[0]!.length;
  const holdings: Holding[] = [];
  for (let x = 1; x <= params.shares; x++) {
    // Horner: f(x) = (…(c_{t−1}·x + c_{t−2})·x + …)·x + c_0 mod 257.
    const values = new Uint16Array(m);
    for (let j = params.threshold - 1; j >= 0; j--) {
      const c = coefficients[j]!;
      for (let i = 0; i < m; i++) values[i] = (values[i]! * x + c[i]!) % P;
    }
    const bytes = encodeShare(values);
    holdings.push({
      cloud: Math.floor((x - 1) / params.sharesPerCloud),
      name: `share ${x}`,
      bytes,
      picture: bytesAsPicture(bytes.subarray(0, m), image.width),
    });
  }
  const secret: Gf257Secret = { width: image.width, height: image.height };
  return { holdings, secret };
}

async function recoverGf257(protection: Protection, clouds: readonly number[], params: ShamirGf257Params): Promise<LabImage> {
  assertParams(params);
  const { width, height } = protection.secret as Gf257Secret;
  const m = valuesPerShare(width * height, params);
  const wanted = new Set(clouds);
  const points = new Map<number, Uint16Array>();
  for (const holding of protection.holdings) {
    if (!wanted.has(holding.cloud)) continue;
    const x = Number(/^share (\d+)$/.exec(holding.name)?.[1]);
    if (!Number.isSafeInteger(x) || x < 1 || x > params.shares) throw new RangeError(`${holding.name} on cloud ${holding.cloud} is not a share of this scheme`);
    points.set(x, decodeShare(holding.bytes, m, holding.name));
  }
  if (points.size < params.threshold) {
    throw new Error(
      `cannot rebuild: clouds ${[...wanted].join(', ') || '(none)'} hold ${points.size} share${points.size === 1 ? '' : 's'}, ` +
        `${params.threshold} are needed (${params.sharesPerCloud} per cloud: ${Math.ceil(params.threshold / params.sharesPerCloud)} clouds)`,
    );
  }
  const xs = [...points.keys()].sort((a, b) => a - b).slice(0, params.threshold);
  const ys = xs.map((x) => points.get(x)!);
  // Equation 8: solve V·c = y for the coefficients c, V the t×t Vandermonde matrix of the xs.
  const inverse = invertVandermonde(xs);
  const rows = params.polynomial === 'pixels' ? params.threshold : 1;
  const pixels = new Uint8Array(width * height);
  for (let j = 0; j < rows; j++) {
    const weights = inverse[j]!;
    const start = j * m;
    const end = Math.min(pixels.length, start + m);
    for (let i = 0; start + i < end; i++) {
      let c = 0;
      for (let l = 0; l < xs.length; l++) c += weights[l]! * ys[l]![i]!;
      // A coefficient of 256 is not a pixel: only altered shares give one. [38] casts the result
      // with uint8(), which saturates 256 to 255; so does this (no integrity check — as the paper).
      pixels[start + i] = Math.min(255, c % P);
    }
  }
  return { width, height, pixels };
}

/** Rows of V⁻¹ mod 257, V[r][j] = xs[r]^j: coefficient j = Σ_r inverse[j][r]·y_r (Gauss–Jordan). */
function invertVandermonde(xs: readonly number[]): number[][] {
  const t = xs.length;
  const a = xs.map((x, r) => [...Array.from({ length: t }, (_, j) => power(x, j)), ...Array.from({ length: t }, (_, j) => (j === r ? 1 : 0))]);
  for (let col = 0; col < t; col++) {
    const pivot = a.findIndex((row, r) => r >= col && row[col]! !== 0);
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const scale = INVERSE[a[col]![col]!]!;
    a[col] = a[col]!.map((v) => (v * scale) % P);
    for (let r = 0; r < t; r++) {
      if (r === col || a[r]![col] === 0) continue;
      const factor = a[r]![col]!;
      a[r] = a[r]!.map((v, j) => (((v - factor * a[col]![j]!) % P) + P) % P);
    }
  }
  // a = [I | V⁻¹]; V⁻¹[j][r] is the weight of y_r in coefficient j.
  return a.map((row) => row.slice(t));
}

/** Byte plane (value mod 256) ‖ uint32 LE count ‖ uint32 LE index of each value 256. */
function encodeShare(values: Uint16Array): Uint8Array {
  const overflow: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] === 256) overflow.push(i);
  const bytes = new Uint8Array(values.length + 4 + 4 * overflow.length);
  for (let i = 0; i < values.length; i++) bytes[i] = values[i]! & 0xff;
  const view = new DataView(bytes.buffer);
  view.setUint32(values.length, overflow.length, true);
  overflow.forEach((index, k) => view.setUint32(values.length + 4 + 4 * k, index, true));
  return bytes;
}

function decodeShare(bytes: Uint8Array, m: number, name: string): Uint16Array {
  if (bytes.length < m + 4) throw new RangeError(`${name} is ${bytes.length} bytes, too short for ${m} values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(m, true);
  if (bytes.length !== m + 4 + 4 * count) throw new RangeError(`${name} is ${bytes.length} bytes, expected ${m + 4 + 4 * count} for ${count} overflow entries`);
  const values = Uint16Array.from(bytes.subarray(0, m));
  for (let k = 0; k < count; k++) {
    const index = view.getUint32(m + 4 + 4 * k, true);
    if (index >= m || values[index] !== 0) throw new RangeError(`${name}: overflow entry ${k} (index ${index}) does not point at a stored 0`);
    values[index] = 256;
  }
  return values;
}

function assertImage(image: LabImage): void {
  if (!Number.isSafeInteger(image.width) || image.width < 1 || !Number.isSafeInteger(image.height) || image.height < 1) {
    throw new RangeError(`image size must be positive integers, got ${image.width}×${image.height}`);
  }
  if (!(image.pixels instanceof Uint8Array) || image.pixels.length !== image.width * image.height) {
    throw new RangeError(`image.pixels must be a Uint8Array of ${image.width * image.height} bytes`);
  }
}
