/**
 * The QR code encoder (src/vault/qr) against published values and two independent implementations:
 * the Reed–Solomon worked examples of ISO/IEC 18004 Annex I and the Thonky tutorial, the standard's
 * format and version information tables (as ZXing lists them), whole symbols made by Project
 * Nayuki's library (test/vectors/qr-nayuki.json, module for module), and zxing-cpp reading every
 * version at both levels filled to capacity.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byteCapacity, encodeQr, formatInformation, maskPenalty, versionInformation, type QrErrorCorrection } from '../../src/vault/qr/encode.js';
import { errorCorrectionCodewords, generatorPolynomial } from '../../src/vault/qr/reed-solomon.js';
import { qrExtent, qrPath } from '../../src/vault/qr/render.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { readQrSymbol } from '../helpers/qr-reader.js';

interface NayukiVector {
  readonly name: string;
  readonly utf8: string;
  readonly errorCorrection: QrErrorCorrection;
  readonly version: number;
  readonly mask: number;
  readonly modules: readonly string[];
}

const nayuki = JSON.parse(readFileSync(new URL('../vectors/qr-nayuki.json', import.meta.url), 'utf8')) as { vectors: NayukiVector[] };

function rows(symbol: ReturnType<typeof encodeQr>): string[] {
  return Array.from({ length: symbol.size }, (_, row) =>
    Array.from(symbol.modules.subarray(row * symbol.size, (row + 1) * symbol.size), (module) => (module ? 'X' : ' ')).join(''),
  );
}

describe('Reed–Solomon over GF(2^8)/0x11d', () => {
  it('gives the error correction codewords of ISO/IEC 18004 Annex I ("01234567", 1-M)', () => {
    const data = Uint8Array.from([0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11]);
    expect([...errorCorrectionCodewords(data, 10)]).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
  });

  it('gives those of the Thonky tutorial ("HELLO WORLD", 1-M)', () => {
    const data = Uint8Array.from([32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]);
    expect([...errorCorrectionCodewords(data, 10)]).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });

  it('makes codewords divisible by the generator: every root α^i of g(x) is a root of data·x^d + remainder', () => {
    const random = deterministicRandom(18004);
    for (const degree of [7, 10, 13, 16, 18, 22, 24, 26, 28, 30]) {
      const data = new Uint8Array(1 + (degree * 3) % 50);
      random(data);
      const codeword = [...data, ...errorCorrectionCodewords(data, degree)];
      // Evaluate the codeword polynomial at α^i by Horner's rule, with multiplication done bit by bit.
      const multiply = (a: number, b: number): number => {
        let product = 0;
        for (let bit = 7; bit >= 0; bit--) {
          product = (product << 1) ^ (product & 0x80 ? 0x11d : 0);
          if ((b >>> bit) & 1) product ^= a;
        }
        return product;
      };
      let root = 1;
      for (let i = 0; i < degree; i++) {
        expect(codeword.reduce((value, coefficient) => multiply(value, root) ^ coefficient, 0), `degree ${degree}, root α^${i}`).toBe(0);
        root = multiply(root, 2);
      }
    }
  });

  it('refuses a degree no QR code uses', () => {
    expect(() => generatorPolynomial(0)).toThrow(RangeError);
    expect(() => generatorPolynomial(31)).toThrow(/degree: expected an integer from 1 to 30, got 31/);
    expect(() => errorCorrectionCodewords([1, 2] as unknown as Uint8Array, 10)).toThrow(TypeError);
  });
});

describe('format and version information', () => {
  it('matches the standard table of format information for levels M and Q, every mask', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((mask) => formatInformation('M', mask))).toEqual([0x5412, 0x5125, 0x5e7c, 0x5b4b, 0x45f9, 0x40ce, 0x4f97, 0x4aa0]);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((mask) => formatInformation('Q', mask))).toEqual([0x355f, 0x3068, 0x3f31, 0x3a06, 0x24b4, 0x2183, 0x2eda, 0x2bed]);
  });

  it('matches the standard table of version information (Annex D) for versions 7 to 40', () => {
    const table = [
      0x07c94, 0x085bc, 0x09a99, 0x0a4d3, 0x0bbf6, 0x0c762, 0x0d847, 0x0e60d, 0x0f928, 0x10b78, 0x1145d, 0x12a17, 0x13532, 0x149a6, 0x15683, 0x168c9, 0x177ec,
      0x18ec4, 0x191e1, 0x1afab, 0x1b08e, 0x1cc1a, 0x1d33f, 0x1ed75, 0x1f250, 0x209d5, 0x216f0, 0x228ba, 0x2379f, 0x24b0b, 0x2542e, 0x26a64, 0x27541, 0x28c69,
    ];
    expect(table.map((_, i) => versionInformation(i + 7))).toEqual(table);
    expect(() => versionInformation(6)).toThrow(RangeError);
  });

  it('holds the byte capacities of the standard (Table 7)', () => {
    expect([1, 2, 10, 20, 25, 40].map((version) => byteCapacity(version, 'M'))).toEqual([14, 26, 213, 666, 997, 2331]);
    expect([1, 2, 10, 20, 25, 40].map((version) => byteCapacity(version, 'Q'))).toEqual([11, 20, 151, 482, 715, 1663]);
  });
});

describe('whole symbols', () => {
  for (const vector of nayuki.vectors) {
    it(`module for module as Nayuki's library: ${vector.name}`, () => {
      const symbol = encodeQr(Uint8Array.from(Buffer.from(vector.utf8, 'hex')), { errorCorrection: vector.errorCorrection, mask: vector.mask });
      expect(symbol.version).toBe(vector.version);
      expect(rows(symbol)).toEqual(vector.modules);
    });
  }

  it('chooses the mask of lowest penalty, and it is Nayuki’s mask where the two penalty readings agree', () => {
    for (const vector of nayuki.vectors) {
      const data = Uint8Array.from(Buffer.from(vector.utf8, 'hex'));
      const chosen = encodeQr(data, { errorCorrection: vector.errorCorrection });
      const penalties = [0, 1, 2, 3, 4, 5, 6, 7].map((mask) => {
        const symbol = encodeQr(data, { errorCorrection: vector.errorCorrection, mask });
        return maskPenalty(symbol.modules, symbol.size);
      });
      expect(chosen.mask, vector.name).toBe(penalties.indexOf(Math.min(...penalties)));
    }
    // Nayuki's library counts 1:1:3:1:1 patterns by run lengths (also scaled ones such as
    // 2:2:6:2:2); we count module patterns with four light modules beside them, as ZXing does.
    // The two readings of §7.8.3.1 pick the same mask for three of these four symbols.
    expect(nayuki.vectors.map((vector) => encodeQr(Uint8Array.from(Buffer.from(vector.utf8, 'hex')), { errorCorrection: vector.errorCorrection }).mask)).toEqual([7, 7, 7, 6]);
  });

  it('scores each penalty rule of §7.8.3.1 as the standard says (hand-counted 7 × 7 grids)', () => {
    const size = 7;
    // All light: 14 runs of 7 (N1 + 2 each), 36 2×2 blocks (N2 each), 0 % dark (k = 10).
    expect(maskPenalty(new Uint8Array(size * size), size)).toBe(14 * 5 + 36 * 3 + 10 * 10);
    // Row 0 is 1011101, the rest light. N1: rows 1–6 (5 each) and the seven columns (runs of 6 or
    // 7 light: 4 or 5) make 60; N2: the 30 blocks below row 0 make 90; N3: one finder-like
    // pattern, light beyond the edge, 40; N4: 5 of 49 dark, k = 7, 70.
    const grid = new Uint8Array(size * size);
    grid.set([1, 0, 1, 1, 1, 0, 1], 0);
    expect(maskPenalty(grid, size)).toBe(60 + 90 + 40 + 70);
  });

  it('is read back by zxing-cpp at every version from 1 to 40, levels M and Q, filled to capacity', async () => {
    const random = deterministicRandom(40);
    for (const errorCorrection of ['M', 'Q'] as const) {
      for (let version = 1; version <= 40; version++) {
        const data = new Uint8Array(byteCapacity(version, errorCorrection));
        random(data);
        const symbol = encodeQr(data, { errorCorrection, minVersion: version });
        expect(symbol.version).toBe(version);
        expect(await readQrSymbol(symbol), `${version}-${errorCorrection}`).toEqual(data);
      }
    }
  }, 120_000);

  it('is read back with every one of the eight masks forced', async () => {
    const data = new TextEncoder().encode('{"tessera-kit":1,"r":"0123456789abcdef0123456789abcdef"}');
    for (let mask = 0; mask < 8; mask++) {
      const symbol = encodeQr(data, { errorCorrection: 'Q', mask });
      expect(symbol.mask).toBe(mask);
      expect(await readQrSymbol(symbol), `mask ${mask}`).toEqual(data);
    }
  });

  it('takes the smallest version that holds the data, and refuses what version 40 cannot hold', () => {
    expect(encodeQr(new Uint8Array(14), { errorCorrection: 'M' }).version).toBe(1);
    expect(encodeQr(new Uint8Array(15), { errorCorrection: 'M' }).version).toBe(2);
    expect(encodeQr(new Uint8Array(0), { errorCorrection: 'Q' }).version).toBe(1);
    expect(encodeQr(new Uint8Array(2331), { errorCorrection: 'M' }).version).toBe(40);
    expect(() => encodeQr(new Uint8Array(2332), { errorCorrection: 'M' })).toThrow(/2332 bytes do not fit a QR code at level M \(at most 2331 bytes in version 40\)/);
    expect(() => encodeQr(new Uint8Array(1), { errorCorrection: 'L' as QrErrorCorrection })).toThrow(/errorCorrection: expected "M" or "Q", got L/);
    expect(() => encodeQr(new Uint8Array(1), { errorCorrection: 'M', mask: 8 })).toThrow(/mask: expected an integer from 0 to 7, got 8/);
    expect(() => encodeQr(new Uint8Array(1), { errorCorrection: 'M', minVersion: 41 })).toThrow(RangeError);
    expect(() => encodeQr('text' as unknown as Uint8Array, { errorCorrection: 'M' })).toThrow(TypeError);
  });
});

describe('SVG drawing', () => {
  it('draws every dark module once, runs merged, inside a four-module quiet zone', () => {
    const symbol = encodeQr(new TextEncoder().encode('Tessera'), { errorCorrection: 'Q' });
    expect(qrExtent(symbol)).toBe(symbol.size + 8);
    const covered = new Set<string>();
    for (const [, x, y, width] of qrPath(symbol).matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
      for (let dx = 0; dx < Number(width); dx++) covered.add(`${Number(y) - 4},${Number(x) + dx - 4}`);
    }
    const dark = new Set<string>();
    symbol.modules.forEach((module, index) => module && dark.add(`${Math.floor(index / symbol.size)},${index % symbol.size}`));
    expect(covered).toEqual(dark);
  });
});
