import { assertBytes, assertInteger, assertThreshold } from './assert.js';
import { gfDiv, gfMul, gfPow } from './gf256.js';
import { getGfKernel, type GfMultiply } from './kernel.js';
import { defaultRandom } from './random.js';
import type { RandomSource } from './types.js';

/**
 * Byte-wise Shamir secret sharing over GF(2^8) (Shamir 1979; seed paper 000, Algorithms 1 and 2).
 * Every byte of the secret is the constant term of its own polynomial of degree k−1 whose other
 * k−1 coefficients are fresh uniform random bytes; share x holds the polynomial's value at x.
 * Any k−1 values are uniformly distributed whatever the secret (perfect secrecy); k determine it.
 *
 * x-coordinates are 1..n. Shares carry no x byte here; the layout of `shamir-secret-sharing`
 * (value bytes ‖ x) is what the key shares of the share format follow, tested in core-shamir.test.ts.
 */

/** Row x of the Vandermonde matrix: [1, x, x^2, …, x^(k−1)]. */
export function vandermondeMatrix(xs: readonly number[], k: number): Uint8Array {
  const matrix = new Uint8Array(xs.length * k);
  xs.forEach((x, row) => {
    for (let c = 0; c < k; c++) matrix[row * k + c] = gfPow(x, c);
  });
  return matrix;
}

/**
 * Lagrange basis coefficients for evaluating, at `target`, the polynomial through the points with
 * x-coordinates `xs`: f(target) = XOR_j coefficient_j · y_j. At target 0 this recovers the secret;
 * at another share's x it predicts that share (used to name a damaged spare).
 */
export function lagrangeCoefficients(xs: readonly number[], target: number): Uint8Array {
  const coefficients = new Uint8Array(xs.length);
  for (let j = 0; j < xs.length; j++) {
    let numerator = 1;
    let denominator = 1;
    for (let m = 0; m < xs.length; m++) {
      if (m === j) continue;
      numerator = gfMul(numerator, target ^ xs[m]!);
      denominator = gfMul(denominator, xs[j]! ^ xs[m]!);
    }
    coefficients[j] = gfDiv(numerator, denominator);
  }
  return coefficients;
}

function assertDistinctXs(xs: readonly number[]): void {
  const seen = new Set<number>();
  for (const x of xs) {
    assertInteger(x, 'x-coordinate', 1, 255);
    if (seen.has(x)) throw new RangeError(`x-coordinates must be distinct, got ${x} twice`);
    seen.add(x);
  }
}

/**
 * Splits `secret` into n shares (index i holds x = i + 1). `random` must be a CSPRNG; it is asked
 * for the k−1 coefficient blocks of `secret.length` bytes each, in order, never once per byte.
 */
export function splitSecret(secret: Uint8Array, k: number, n: number, random: RandomSource = defaultRandom): Uint8Array[] {
  assertBytes(secret, 'secret');
  assertThreshold(k, n);
  const shares = Array.from({ length: n }, () => new Uint8Array(secret.length));
  const coefficients = randomCoefficientRows(k, secret.length, random);
  splitInto(secret, secret.length, xsUpTo(n), coefficients, shares);
  for (const row of coefficients) row.fill(0);
  return shares;
}

export function xsUpTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/**
 * The k−1 higher coefficients for `length` secret bytes: row c − 1 holds coefficient c of every
 * byte. Each row is its own array (so word-aligned for the kernel) and rows are drawn in order, so
 * the random stream is consumed exactly as one (k−1)·length block would be.
 */
function randomCoefficientRows(k: number, length: number, random: RandomSource): Uint8Array[] {
  const rows: Uint8Array[] = [];
  for (let c = 1; c < k; c++) {
    const row = new Uint8Array(length);
    random(row);
    rows.push(row);
  }
  return rows;
}

/**
 * The streaming form: evaluates at each of `xs` the polynomials whose constant terms are
 * secret[0..length) and whose coefficient c is coefficientRows[c − 1]. Writes outputs[i][0..length).
 */
export function splitInto(
  secret: Uint8Array,
  length: number,
  xs: readonly number[],
  coefficientRows: readonly Uint8Array[],
  outputs: readonly Uint8Array[],
  engine: GfMultiply = getGfKernel(),
): void {
  const k = coefficientRows.length + 1;
  engine.matrixMultiply(vandermondeMatrix(xs, k), xs.length, k, [secret, ...coefficientRows], outputs, length);
}

/**
 * Rebuilds the secret by interpolating at 0 through every share given. With k or more consistent
 * shares the result is the secret; with fewer it is unrelated noise — Shamir alone cannot tell, which
 * is why the share format authenticates what it rebuilds.
 */
export function combineSecret(xs: readonly number[], shares: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(xs) || !Array.isArray(shares)) throw new TypeError('xs and shares must be arrays');
  if (xs.length !== shares.length) throw new RangeError(`xs and shares must have the same length, got ${xs.length} and ${shares.length}`);
  if (xs.length < 2) throw new RangeError(`at least 2 shares are needed, got ${xs.length}`);
  assertDistinctXs(xs);
  shares.forEach((share, i) => assertBytes(share, `shares[${i}]`));
  const length = shares[0]!.length;
  if (shares.some((share) => share.length !== length)) throw new RangeError('all shares must have the same length');
  const secret = new Uint8Array(length);
  evaluateAt(xs, shares, 0, secret, length);
  return secret;
}

/** out[0..length) = f(target), where f is the polynomial through (xs[j], values[j]). */
export function evaluateAt(
  xs: readonly number[],
  values: readonly Uint8Array[],
  target: number,
  out: Uint8Array,
  length: number,
  engine: GfMultiply = getGfKernel(),
): void {
  engine.matrixMultiply(lagrangeCoefficients(xs, target), 1, xs.length, values, [out], length);
}
