import { GF_EXP, GF_LOG } from './gf256.js';
import { createSimdKernel } from './wasm/simd-kernel.js';

/**
 * The one bulk operation everything reduces to: outputs = coefficients × inputs over GF(2^8),
 * byte-wise across `length` bytes.
 *
 *   outputs[r][i] = XOR over c of  coefficients[r·cols + c] · inputs[c][i]
 *
 * Shamir split is a Vandermonde matrix times [secret, random…], Shamir combine one row of Lagrange
 * coefficients times the shares, Reed–Solomon encode the Cauchy parity rows times the data
 * fragments, decode an inverted k×k selection times the fragments at hand. A faster kernel
 * (WebAssembly SIMD) replaces this one through `setGfKernel` without anything else changing.
 */
export interface GfKernel {
  readonly name: string;
  /** Every input and output must hold at least `length` bytes; outputs are overwritten, not accumulated. */
  matrixMultiply(
    coefficients: Uint8Array,
    rows: number,
    cols: number,
    inputs: readonly Uint8Array[],
    outputs: readonly Uint8Array[],
    length: number,
  ): void;
  /**
   * Memory for a pipeline's buffers, sized once (`capacity` bytes of allocations) and reused for
   * every chunk, so the kernel can work on them in place instead of copying in and out.
   */
  createWorkspace(capacity: number): GfWorkspace;
}

/** The multiply operation alone: a kernel, or a workspace working in place. */
export type GfMultiply = Pick<GfKernel, 'matrixMultiply'>;

export interface GfWorkspace extends GfMultiply {
  /**
   * A buffer of `length` bytes inside the workspace, 64-byte aligned and followed by slack up to the
   * next multiple of 64 (kernels work in 64-byte blocks and may write into it). Views stay valid
   * for the workspace's life. Throws RangeError once the capacity is used up.
   */
  allocate(length: number): Uint8Array<ArrayBuffer>;
  /**
   * Hands the memory back to the kernel for a later workspace. Only once nothing uses its buffers
   * any more; a workspace that is never released is simply garbage-collected.
   */
  release(): void;
}

/** Bytes a workspace needs for allocations of these lengths. */
export function workspaceCapacity(lengths: readonly number[]): number {
  return lengths.reduce((sum, length) => sum + roundUp64(length), 0);
}

export const roundUp64 = (length: number): number => Math.ceil(length / 64) * 64;

/** A bump allocator over `bytes` (whose start is 64-byte aligned in its buffer). */
export function bumpAllocator(bytes: Uint8Array<ArrayBuffer>): (length: number) => Uint8Array<ArrayBuffer> {
  let used = 0;
  return (length) => {
    const size = roundUp64(length);
    if (used + size > bytes.length) throw new RangeError(`workspace exhausted: ${used} + ${size} > ${bytes.length} bytes`);
    const view = bytes.subarray(used, used + length);
    used += size;
    return view;
  };
}

/**
 * Multiplication tables for a fixed coefficient c, packed so a 32-bit word of input needs two
 * lookups: TABLE16[c][w & 0xffff] = (c·(w & 0xff)) | (c·((w >> 8) & 0xff)) << 8. 128 KiB each,
 * built on first use and kept (at most 256 of them, in practice a handful per k and n).
 */
const table16Cache = new Map<number, Uint16Array>();
const table8Cache = new Map<number, Uint8Array>();

function table8(coefficient: number): Uint8Array {
  let table = table8Cache.get(coefficient);
  if (!table) {
    table = new Uint8Array(256);
    if (coefficient !== 0) {
      const logC = GF_LOG[coefficient]!;
      for (let b = 1; b < 256; b++) table[b] = GF_EXP[logC + GF_LOG[b]!]!;
    }
    table8Cache.set(coefficient, table);
  }
  return table;
}

function table16(coefficient: number): Uint16Array {
  let table = table16Cache.get(coefficient);
  if (!table) {
    const low = table8(coefficient);
    table = new Uint16Array(65536);
    for (let hi = 0; hi < 256; hi++) {
      const high = low[hi]! << 8;
      const base = hi << 8;
      for (let lo = 0; lo < 256; lo++) table[base | lo] = high | low[lo]!;
    }
    table16Cache.set(coefficient, table);
  }
  return table;
}

/**
 * Portable JavaScript kernel: 32-bit words, two 16-bit table lookups per word and coefficient, and
 * one pass per output row over all its inputs (so each output word is written once). Little-endian
 * word order is assumed (every platform a browser runs on). Arrays that are not 4-byte aligned,
 * and the byte tail, go through the 8-bit tables.
 */
export const javascriptKernel: GfKernel = {
  name: 'javascript-table16',
  createWorkspace(capacity) {
    return { allocate: bumpAllocator(new Uint8Array(capacity)), matrixMultiply: javascriptKernel.matrixMultiply, release: () => undefined };
  },
  matrixMultiply(coefficients, rows, cols, inputs, outputs, length) {
    const aligned = inputs.every((input) => input.byteOffset % 4 === 0) && outputs.every((output) => output.byteOffset % 4 === 0);
    const words = aligned ? length >>> 2 : 0;
    const inputWords = words > 0 ? inputs.slice(0, cols).map((input) => new Uint32Array(input.buffer, input.byteOffset, words)) : [];
    for (let r = 0; r < rows; r++) {
      const row = coefficients.subarray(r * cols, (r + 1) * cols);
      const out = outputs[r]!;
      if (words > 0) multiplyRowWords(row, inputWords, new Uint32Array(out.buffer, out.byteOffset, words), words);
      for (let i = words * 4; i < length; i++) {
        let acc = 0;
        for (let c = 0; c < cols; c++) acc ^= table8(row[c]!)[inputs[c]![i]!]!;
        out[i] = acc;
      }
    }
  },
};

function multiplyRowWords(row: Uint8Array, inputs: readonly Uint32Array[], out: Uint32Array, words: number): void {
  // Coefficient 1 is a plain XOR (every Shamir split row is [1, x, x², …]); others need lookups.
  const plain: Uint32Array[] = [];
  const terms: { table: Uint16Array; input: Uint32Array }[] = [];
  row.forEach((coefficient, c) => {
    if (coefficient === 1) plain.push(inputs[c]!);
    else if (coefficient !== 0) terms.push({ table: table16(coefficient), input: inputs[c]! });
  });
  const base = plain[0];
  if (base === undefined && terms.length === 0) {
    out.fill(0);
    return;
  }
  // One fused pass for the first plain input and up to three lookup terms (covers Shamir split
  // and combine up to k = 3 and k = 4 respectively, and Reed–Solomon up to k = 3); any further
  // inputs are accumulated in additional passes.
  const fused = terms.slice(0, 3);
  const [a, b, c] = fused;
  if (fused.length === 0) {
    out.set(base!);
  } else if (fused.length === 1) {
    const ta = a!.table, ia = a!.input;
    if (base) for (let i = 0; i < words; i++) { const w = ia[i]!; out[i] = base[i]! ^ ta[w & 0xffff]! ^ (ta[w >>> 16]! << 16); }
    else for (let i = 0; i < words; i++) { const w = ia[i]!; out[i] = ta[w & 0xffff]! | (ta[w >>> 16]! << 16); }
  } else if (fused.length === 2) {
    const ta = a!.table, ia = a!.input, tb = b!.table, ib = b!.input;
    if (base) {
      for (let i = 0; i < words; i++) {
        const wa = ia[i]!, wb = ib[i]!;
        out[i] = base[i]! ^ (ta[wa & 0xffff]! | (ta[wa >>> 16]! << 16)) ^ (tb[wb & 0xffff]! | (tb[wb >>> 16]! << 16));
      }
    } else {
      for (let i = 0; i < words; i++) {
        const wa = ia[i]!, wb = ib[i]!;
        out[i] = (ta[wa & 0xffff]! | (ta[wa >>> 16]! << 16)) ^ (tb[wb & 0xffff]! | (tb[wb >>> 16]! << 16));
      }
    }
  } else {
    const ta = a!.table, ia = a!.input, tb = b!.table, ib = b!.input, tc = c!.table, ic = c!.input;
    const init = base ?? null;
    for (let i = 0; i < words; i++) {
      const wa = ia[i]!, wb = ib[i]!, wc = ic[i]!;
      out[i] =
        (init === null ? 0 : init[i]!) ^
        (ta[wa & 0xffff]! | (ta[wa >>> 16]! << 16)) ^
        (tb[wb & 0xffff]! | (tb[wb >>> 16]! << 16)) ^
        (tc[wc & 0xffff]! | (tc[wc >>> 16]! << 16));
    }
  }
  for (const input of plain.slice(1)) for (let i = 0; i < words; i++) out[i]! ^= input[i]!;
  for (const term of terms.slice(3)) {
    const td = term.table, id = term.input;
    for (let i = 0; i < words; i++) {
      const w = id[i]!;
      out[i]! ^= td[w & 0xffff]! | (td[w >>> 16]! << 16);
    }
  }
}

/** WebAssembly SIMD where the engine has it (every current browser and Node ≥ 16), else JavaScript. */
export const defaultKernel: GfKernel = createSimdKernel() ?? javascriptKernel;

let current: GfKernel = defaultKernel;

export function getGfKernel(): GfKernel {
  return current;
}

/** Swaps the bulk kernel (for a faster implementation, or back to the reference one in tests). */
export function setGfKernel(kernel: GfKernel): void {
  current = kernel;
}
