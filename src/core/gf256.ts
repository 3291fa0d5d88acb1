/**
 * Arithmetic in GF(2^8) with the AES reduction polynomial x^8 + x^4 + x^3 + x + 1 (0x11b),
 * FIPS-197 §4. Addition is XOR. Multiplication uses log/antilog tables over the generator 0x03
 * (0x02 is not a generator modulo 0x11b).
 *
 * These scalar functions are for coefficients (a few per chunk); bulk work over megabytes goes
 * through kernel.ts.
 */

export const GF_POLYNOMIAL = 0x11b;
export const GF_GENERATOR = 0x03;

/** EXP[i] = 3^i, doubled to 510 entries so EXP[LOG[a] + LOG[b]] needs no reduction mod 255. */
export const GF_EXP: Uint8Array = new Uint8Array(510);
/** LOG[a] for a ≠ 0; LOG[0] is unused (0 has no logarithm). */
export const GF_LOG: Uint8Array = new Uint8Array(256);

/** Carry-less multiply-and-reduce, the textbook "xtime" way; used to build the tables and to test them. */
export function gfMulSlow(a: number, b: number): number {
  let product = 0;
  let x = a;
  let y = b;
  while (y > 0) {
    if (y & 1) product ^= x;
    x <<= 1;
    if (x & 0x100) x ^= GF_POLYNOMIAL;
    y >>= 1;
  }
  return product;
}

{
  let value = 1;
  for (let i = 0; i < 255; i++) {
    GF_EXP[i] = value;
    GF_EXP[i + 255] = value;
    GF_LOG[value] = i;
    value = gfMulSlow(value, GF_GENERATOR);
  }
}

export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return GF_EXP[GF_LOG[a]! + GF_LOG[b]!]!;
}

export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('gfInv: 0 has no inverse in GF(2^8)');
  return GF_EXP[255 - GF_LOG[a]!]!;
}

export function gfDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('gfDiv: division by 0 in GF(2^8)');
  if (a === 0) return 0;
  return GF_EXP[GF_LOG[a]! + 255 - GF_LOG[b]!]!;
}

/** a^e for e ≥ 0 (0^0 = 1). */
export function gfPow(a: number, e: number): number {
  if (e === 0) return 1;
  if (a === 0) return 0;
  return GF_EXP[(GF_LOG[a]! * e) % 255]!;
}

/**
 * Inverts a square matrix (row-major, size×size) by Gauss–Jordan elimination. Throws RangeError if
 * it is singular — which never happens for the matrices Tessera builds (Vandermonde with distinct
 * points, and k-row selections of [I; Cauchy]).
 */
export function gfInvertMatrix(matrix: Uint8Array, size: number): Uint8Array {
  if (matrix.length !== size * size) throw new RangeError(`gfInvertMatrix: expected ${size * size} entries, got ${matrix.length}`);
  const work = Uint8Array.from(matrix);
  const inverse = new Uint8Array(size * size);
  for (let i = 0; i < size; i++) inverse[i * size + i] = 1;

  for (let column = 0; column < size; column++) {
    let pivotRow = column;
    while (pivotRow < size && work[pivotRow * size + column] === 0) pivotRow++;
    if (pivotRow === size) throw new RangeError('gfInvertMatrix: matrix is singular');
    if (pivotRow !== column) {
      swapRows(work, size, pivotRow, column);
      swapRows(inverse, size, pivotRow, column);
    }
    const scale = gfInv(work[column * size + column]!);
    for (let j = 0; j < size; j++) {
      work[column * size + j] = gfMul(work[column * size + j]!, scale);
      inverse[column * size + j] = gfMul(inverse[column * size + j]!, scale);
    }
    for (let row = 0; row < size; row++) {
      const factor = work[row * size + column]!;
      if (row === column || factor === 0) continue;
      for (let j = 0; j < size; j++) {
        work[row * size + j]! ^= gfMul(factor, work[column * size + j]!);
        inverse[row * size + j]! ^= gfMul(factor, inverse[column * size + j]!);
      }
    }
  }
  return inverse;
}

function swapRows(matrix: Uint8Array, size: number, a: number, b: number): void {
  for (let j = 0; j < size; j++) {
    const t = matrix[a * size + j]!;
    matrix[a * size + j] = matrix[b * size + j]!;
    matrix[b * size + j] = t;
  }
}
