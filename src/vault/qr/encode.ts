/**
 * A QR code encoder (model 2, ISO/IEC 18004:2015) for what Tessera prints: one byte-mode segment,
 * error correction level M or Q, any version from 1 to 40, and the mask the standard's penalty
 * rules choose (§7.8.3). Pure: no DOM, so it runs in Node for the tests; render.ts draws it.
 *
 * Section numbers below are those of ISO/IEC 18004:2015.
 */
import { errorCorrectionCodewords } from './reed-solomon.js';
import { ALIGNMENT_CENTRES, BLOCKS, ERROR_CORRECTION_PER_BLOCK } from './tables.js';

/** Level M recovers about 15 % of the codewords, Q about 25 % (§7.5.1). */
export type QrErrorCorrection = 'M' | 'Q';

const QR_MAX_VERSION = 40;

export interface QrSymbol {
  readonly version: number;
  readonly errorCorrection: QrErrorCorrection;
  /** The data mask pattern applied, 0..7 (§7.8.2). */
  readonly mask: number;
  /** Modules per side: 17 + 4 × version. */
  readonly size: number;
  /**
   * size × size modules, row by row: 1 dark, 0 light. The quiet zone, four light modules wide on
   * every side (§6.3.8), is not included: whoever draws the symbol adds it.
   */
  readonly modules: Uint8Array;
}

export interface QrOptions {
  readonly errorCorrection: QrErrorCorrection;
  /** Force this mask (0..7) instead of the one with the lowest penalty: for known-answer tests. */
  readonly mask?: number;
  /** Smallest version to use (default 1): the symbol is the smallest version from here that holds the data. */
  readonly minVersion?: number;
}

/** Format information's error correction bits (§7.9.1 Table 12): M is 00, Q is 11. */
const LEVEL_BITS: Readonly<Record<QrErrorCorrection, number>> = { M: 0b00, Q: 0b11 };
const BYTE_MODE = 0b0100;
/** Pad codewords, alternately, after the data (§7.4.10). */
const PAD_CODEWORDS = [0xec, 0x11] as const;

/** Bits of the character count indicator in byte mode (§7.4.1 Table 3). */
function countBits(version: number): number {
  return version <= 9 ? 8 : 16;
}

function sizeOf(version: number): number {
  return 17 + 4 * version;
}

function checkLevel(errorCorrection: unknown): asserts errorCorrection is QrErrorCorrection {
  if (errorCorrection !== 'M' && errorCorrection !== 'Q') throw new RangeError(`errorCorrection: expected "M" or "Q", got ${String(errorCorrection)}`);
}

function checkVersion(name: string, version: number): void {
  if (!Number.isSafeInteger(version) || version < 1 || version > QR_MAX_VERSION) {
    throw new RangeError(`${name}: expected an integer from 1 to ${QR_MAX_VERSION}, got ${version}`);
  }
}

/** A symbol being built: its modules, and which of them are function patterns (never data, never masked). */
interface Grid {
  readonly version: number;
  readonly size: number;
  readonly modules: Uint8Array;
  readonly reserved: Uint8Array;
}

function setFunction(grid: Grid, row: number, column: number, dark: boolean): void {
  grid.modules[row * grid.size + column] = dark ? 1 : 0;
  grid.reserved[row * grid.size + column] = 1;
}

/**
 * Finder, separator, timing and alignment patterns (§6.3.3–6.3.6), the dark module, and the areas
 * of the format and version information, marked as function modules.
 */
function functionPatterns(version: number): Grid {
  const size = sizeOf(version);
  const grid: Grid = { version, size, modules: new Uint8Array(size * size), reserved: new Uint8Array(size * size) };
  // Timing patterns: row 6 and column 6, dark on even positions (the finders overwrite their ends).
  for (let i = 0; i < size; i++) {
    setFunction(grid, 6, i, i % 2 === 0);
    setFunction(grid, i, 6, i % 2 === 0);
  }
  // Finders with their separators: rings around the centre at Chebyshev distance 0–1 dark (the 3×3
  // core), 2 light, 3 dark, 4 light (the separator, where it falls inside the symbol).
  for (const [centreRow, centreColumn] of [
    [3, 3],
    [3, size - 4],
    [size - 4, 3],
  ] as const) {
    for (let dr = -4; dr <= 4; dr++) {
      for (let dc = -4; dc <= 4; dc++) {
        const row = centreRow + dr;
        const column = centreColumn + dc;
        if (row < 0 || row >= size || column < 0 || column >= size) continue;
        const ring = Math.max(Math.abs(dr), Math.abs(dc));
        setFunction(grid, row, column, ring !== 2 && ring !== 4);
      }
    }
  }
  // Alignment patterns at every pair of centres but the three corners under a finder.
  const centres = ALIGNMENT_CENTRES[version - 1]!;
  const last = centres.length - 1;
  centres.forEach((row, i) => {
    centres.forEach((column, j) => {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dr = -2; dr <= 2; dr++) {
        for (let dc = -2; dc <= 2; dc++) setFunction(grid, row + dr, column + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
      }
    });
  });
  // Format information areas (written for real once the mask is chosen) and the dark module (§7.9.1).
  drawFormatInformation(grid, 0);
  // Version information, versions 7 and up (§7.10).
  if (version >= 7) drawVersionInformation(grid);
  return grid;
}

/** The 15-bit format information: level and mask, BCH(15,5) protected, XORed with 101010000010010 (§7.9.1). */
export function formatInformation(errorCorrection: QrErrorCorrection, mask: number): number {
  checkLevel(errorCorrection);
  if (!Number.isSafeInteger(mask) || mask < 0 || mask > 7) throw new RangeError(`mask: expected an integer from 0 to 7, got ${mask}`);
  const data = (LEVEL_BITS[errorCorrection] << 3) | mask;
  return ((data << 10) | bchRemainder(data, 0x537, 10)) ^ 0x5412;
}

/** The 18-bit version information: the version, BCH(18,6) protected (§7.10, Annex D). */
export function versionInformation(version: number): number {
  checkVersion('version', version);
  if (version < 7) throw new RangeError(`version: only versions 7 and up carry version information, got ${version}`);
  return (version << 12) | bchRemainder(version, 0x1f25, 12);
}

/** The remainder of value · x^degree divided by the generator polynomial (bits of an integer). */
function bchRemainder(value: number, generator: number, degree: number): number {
  let remainder = value << degree;
  for (let bit = 30; bit >= degree; bit--) {
    if ((remainder >>> bit) & 1) remainder ^= generator << (bit - degree);
  }
  return remainder;
}

/**
 * Writes the format information twice: around the top-left finder, and split between the
 * bottom-left and top-right ones (§7.9.1 Figure 25). Bit 0 is the least significant.
 */
function drawFormatInformation(grid: Grid, bits: number): void {
  const { size } = grid;
  const bit = (i: number): boolean => ((bits >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) setFunction(grid, i, 8, bit(i));
  setFunction(grid, 7, 8, bit(6));
  setFunction(grid, 8, 8, bit(7));
  setFunction(grid, 8, 7, bit(8));
  for (let i = 9; i <= 14; i++) setFunction(grid, 8, 14 - i, bit(i));
  for (let i = 0; i <= 7; i++) setFunction(grid, 8, size - 1 - i, bit(i));
  for (let i = 8; i <= 14; i++) setFunction(grid, size - 15 + i, 8, bit(i));
  // Always dark, beside the bottom-left copy (§7.9.1).
  setFunction(grid, size - 8, 8, true);
}

/** Writes the version information in its two 6 × 3 blocks, beside the top-right and bottom-left finders (§7.10). */
function drawVersionInformation(grid: Grid): void {
  const bits = versionInformation(grid.version);
  for (let i = 0; i < 18; i++) {
    const dark = ((bits >>> i) & 1) === 1;
    const near = grid.size - 11 + (i % 3);
    const far = Math.floor(i / 3);
    setFunction(grid, far, near, dark);
    setFunction(grid, near, far, dark);
  }
}

/** Modules left for data and error correction codewords once the function patterns are drawn, per version. */
const dataModuleCounts = new Map<number, number>();

function dataModules(version: number): number {
  let count = dataModuleCounts.get(version);
  if (count === undefined) {
    count = functionPatterns(version).reserved.reduce((free, reserved) => free + (reserved ? 0 : 1), 0);
    dataModuleCounts.set(version, count);
  }
  return count;
}

/** Codewords of the symbol, data and error correction; leftover modules (0–7) are remainder bits. */
function totalCodewords(version: number): number {
  return Math.floor(dataModules(version) / 8);
}

function dataCodewords(version: number, errorCorrection: QrErrorCorrection): number {
  return totalCodewords(version) - BLOCKS[errorCorrection][version - 1]! * ERROR_CORRECTION_PER_BLOCK[errorCorrection][version - 1]!;
}

/** How many bytes one byte-mode segment can hold at this version and level. */
export function byteCapacity(version: number, errorCorrection: QrErrorCorrection): number {
  checkVersion('version', version);
  checkLevel(errorCorrection);
  return Math.floor((dataCodewords(version, errorCorrection) * 8 - 4 - countBits(version)) / 8);
}

/** The smallest version from `minVersion` that holds `length` bytes at this level, or undefined if none does. */
export function versionFor(length: number, errorCorrection: QrErrorCorrection, minVersion = 1): number | undefined {
  for (let version = minVersion; version <= QR_MAX_VERSION; version++) {
    if (byteCapacity(version, errorCorrection) >= length) return version;
  }
  return undefined;
}

/** The data codewords: mode, count, bytes, terminator, then padding to the capacity (§7.4). */
function dataCodewordsOf(data: Uint8Array, version: number, errorCorrection: QrErrorCorrection): Uint8Array {
  const capacity = dataCodewords(version, errorCorrection);
  const codewords = new Uint8Array(capacity);
  let bitLength = 0;
  const append = (value: number, bits: number): void => {
    for (let i = bits - 1; i >= 0; i--, bitLength++) {
      if ((value >>> i) & 1) codewords[bitLength >>> 3]! |= 0x80 >>> (bitLength & 7);
    }
  };
  append(BYTE_MODE, 4);
  append(data.length, countBits(version));
  for (const byte of data) append(byte, 8);
  // Terminator: up to four 0 bits (none need writing), then 0 bits to the byte boundary.
  const used = Math.ceil(Math.min(bitLength + 4, capacity * 8) / 8);
  for (let i = used; i < capacity; i++) codewords[i] = PAD_CODEWORDS[(i - used) % 2]!;
  return codewords;
}

/**
 * Splits the data codewords into blocks, adds each block's error correction codewords, and
 * interleaves them: the first codeword of every block, then the second…, data before error
 * correction (§7.6). Blocks of the second group are one data codeword longer.
 */
function interleave(data: Uint8Array, version: number, errorCorrection: QrErrorCorrection): Uint8Array {
  const blockCount = BLOCKS[errorCorrection][version - 1]!;
  const correction = ERROR_CORRECTION_PER_BLOCK[errorCorrection][version - 1]!;
  const shortLength = Math.floor(data.length / blockCount);
  const longBlocks = data.length % blockCount;
  const blocks: Uint8Array[] = [];
  const corrections: Uint8Array[] = [];
  for (let i = 0, at = 0; i < blockCount; i++) {
    const length = shortLength + (i >= blockCount - longBlocks ? 1 : 0);
    const block = data.subarray(at, at + length);
    at += length;
    blocks.push(block);
    corrections.push(errorCorrectionCodewords(block, correction));
  }
  const out = new Uint8Array(totalCodewords(version));
  let at = 0;
  for (let i = 0; i <= shortLength; i++) {
    for (const block of blocks) if (i < block.length) out[at++] = block[i]!;
  }
  for (let i = 0; i < correction; i++) {
    for (const block of corrections) out[at++] = block[i]!;
  }
  return out;
}

/**
 * Places the codewords, most significant bit first, in two-module-wide columns from the right
 * edge, upwards and downwards in turn, skipping function modules and the vertical timing pattern
 * (§7.7.3). Remainder bits stay light.
 */
function placeCodewords(grid: Grid, codewords: Uint8Array): void {
  const { size } = grid;
  const totalBits = codewords.length * 8;
  let bit = 0;
  let upward = true;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let step = 0; step < size; step++) {
      const row = upward ? size - 1 - step : step;
      for (const column of [right, right - 1]) {
        const index = row * size + column;
        if (grid.reserved[index] || bit >= totalBits) continue;
        grid.modules[index] = (codewords[bit >>> 3]! >>> (7 - (bit & 7))) & 1;
        bit++;
      }
    }
    upward = !upward;
  }
}

/** The data mask conditions of §7.8.2 Table 10, i the row and j the column: the module is inverted where true. */
const MASKS: readonly ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
];

/** XORs the mask into the data modules (applying it twice undoes it). */
function applyMask(grid: Grid, mask: number): void {
  const condition = MASKS[mask]!;
  for (let row = 0; row < grid.size; row++) {
    for (let column = 0; column < grid.size; column++) {
      const index = row * grid.size + column;
      if (!grid.reserved[index] && condition(row, column)) grid.modules[index]! ^= 1;
    }
  }
}

const N1 = 3;
const N2 = 3;
const N3 = 40;
const N4 = 10;

/**
 * The penalty of the masked symbol, format information included (§7.8.3.1 Table 11):
 * - N1 + (run − 5) for each run of five or more same-coloured modules in a row or column;
 * - N2 for each 2 × 2 block of one colour (overlapping blocks counted each, which is 3·(m−1)·(n−1)
 *   for an m × n block);
 * - N3 for each 1:1:3:1:1 dark–light–dark–light–dark pattern with four light modules before or
 *   after it in its row or column (outside the symbol counts as light: the quiet zone);
 * - N4 × k, k the whole number of 5 % steps by which the dark share strays from 50 %.
 */
export function maskPenalty(modules: Uint8Array, size: number): number {
  let penalty = 0;
  const at = (row: number, column: number): number => modules[row * size + column]!;
  for (const byRow of [true, false]) {
    for (let line = 0; line < size; line++) {
      const module = (i: number): number => (i < 0 || i >= size ? 0 : byRow ? at(line, i) : at(i, line));
      let run = 1;
      for (let i = 1; i <= size; i++) {
        if (i < size && module(i) === module(i - 1)) {
          run++;
          continue;
        }
        if (run >= 5) penalty += N1 + run - 5;
        run = 1;
      }
      for (let i = 0; i + 7 <= size; i++) {
        const finderLike =
          module(i) === 1 && module(i + 1) === 0 && module(i + 2) === 1 && module(i + 3) === 1 && module(i + 4) === 1 && module(i + 5) === 0 && module(i + 6) === 1;
        if (!finderLike) continue;
        const lightBefore = [1, 2, 3, 4].every((d) => module(i - d) === 0);
        const lightAfter = [7, 8, 9, 10].every((d) => module(i + d) === 0);
        if (lightBefore || lightAfter) penalty += N3;
      }
    }
  }
  let dark = 0;
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      dark += at(row, column);
      if (row + 1 < size && column + 1 < size) {
        const colour = at(row, column);
        if (at(row, column + 1) === colour && at(row + 1, column) === colour && at(row + 1, column + 1) === colour) penalty += N2;
      }
    }
  }
  const total = size * size;
  penalty += N4 * Math.floor(Math.abs(dark * 20 - total * 10) / total);
  return penalty;
}

/**
 * Encodes `data` as one byte-mode segment in the smallest version (from `minVersion`) that holds it
 * at the given level, with the mask of lowest penalty (the first on a tie) unless one is forced.
 * RangeError when the data does not fit version 40.
 */
export function encodeQr(data: Uint8Array, options: QrOptions): QrSymbol {
  if (!(data instanceof Uint8Array)) throw new TypeError(`data: expected a Uint8Array, got ${typeof data}`);
  const { errorCorrection, mask: forcedMask, minVersion = 1 } = options;
  checkLevel(errorCorrection);
  checkVersion('minVersion', minVersion);
  if (forcedMask !== undefined && (!Number.isSafeInteger(forcedMask) || forcedMask < 0 || forcedMask > 7)) {
    throw new RangeError(`mask: expected an integer from 0 to 7, got ${forcedMask}`);
  }
  const version = versionFor(data.length, errorCorrection, minVersion);
  if (version === undefined) {
    throw new RangeError(
      `data: ${data.length} bytes do not fit a QR code at level ${errorCorrection} (at most ${byteCapacity(QR_MAX_VERSION, errorCorrection)} bytes in version 40)`,
    );
  }
  const grid = functionPatterns(version);
  placeCodewords(grid, interleave(dataCodewordsOf(data, version, errorCorrection), version, errorCorrection));

  let mask = forcedMask ?? 0;
  if (forcedMask === undefined) {
    let lowest = Infinity;
    for (let candidate = 0; candidate < 8; candidate++) {
      applyMask(grid, candidate);
      drawFormatInformation(grid, formatInformation(errorCorrection, candidate));
      const penalty = maskPenalty(grid.modules, grid.size);
      if (penalty < lowest) {
        lowest = penalty;
        mask = candidate;
      }
      applyMask(grid, candidate);
    }
  }
  applyMask(grid, mask);
  drawFormatInformation(grid, formatInformation(errorCorrection, mask));
  return { version, errorCorrection, mask, size: grid.size, modules: grid.modules };
}
