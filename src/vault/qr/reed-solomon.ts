/**
 * Reed–Solomon error correction codewords of a QR code block (ISO/IEC 18004:2015 §7.5.2).
 *
 * QR codes compute over GF(2^8) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d),
 * not the AES field (0x11b) of src/core/gf256.ts, and generate with g(x) = ∏_{i<d} (x − α^i),
 * α = 2. The codewords are the remainder of data(x)·x^d divided by g(x), highest degree first.
 */

const PRIMITIVE = 0x11d;

/** α^i for i = 0..509 (doubled, so a product of two logs needs no reduction) and log α of 1..255. */
const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  let value = 1;
  for (let power = 0; power < 255; power++) {
    EXP[power] = value;
    LOG[value] = power;
    value <<= 1;
    if (value & 0x100) value ^= PRIMITIVE;
  }
  for (let power = 255; power < 510; power++) EXP[power] = EXP[power - 255]!;
}

function multiply(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

const generators = new Map<number, Uint8Array>();

/**
 * The coefficients of g(x) of degree `degree`, highest first, without the leading 1 (which is
 * always 1): g(x) = x^d + c[0]·x^(d−1) + … + c[d−1].
 */
export function generatorPolynomial(degree: number): Uint8Array {
  if (!Number.isSafeInteger(degree) || degree < 1 || degree > 30) {
    throw new RangeError(`degree: expected an integer from 1 to 30, got ${degree}`);
  }
  let generator = generators.get(degree);
  if (generator) return generator;
  // Multiply out (x − α^0)(x − α^1)…, keeping the coefficients below the leading term.
  generator = new Uint8Array(degree);
  generator[degree - 1] = 1;
  for (let root = 0; root < degree; root++) {
    for (let i = 0; i < degree; i++) {
      generator[i] = multiply(generator[i]!, EXP[root]!) ^ (i + 1 < degree ? generator[i + 1]! : 0);
    }
  }
  generators.set(degree, generator);
  return generator;
}

/** The `degree` error correction codewords of one block of data codewords. */
export function errorCorrectionCodewords(data: Uint8Array, degree: number): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError(`data: expected a Uint8Array, got ${typeof data}`);
  const generator = generatorPolynomial(degree);
  const remainder = new Uint8Array(degree);
  for (const byte of data) {
    // Long division, one data codeword at a time: shift the remainder and subtract factor·g(x).
    const factor = byte ^ remainder[0]!;
    remainder.copyWithin(0, 1);
    remainder[degree - 1] = 0;
    for (let i = 0; i < degree; i++) remainder[i] = remainder[i]! ^ multiply(generator[i]!, factor);
  }
  return remainder;
}
