import { gfMul } from '../gf256.js';
import { bumpAllocator, roundUp64, type GfKernel, type GfWorkspace } from '../kernel.js';
import { GF256_SIMD_WASM } from './gf256-simd.generated.js';

type Multiply = (out: number, terms: number, count: number, start: number, end: number) => void;

/** Bytes of one term record in wasm memory: lo table, hi table, input address, plain-XOR flag, padding. */
const TERM_SIZE = 48;
/** The term records sit at the start of memory; 255 columns fit. */
const TERMS_AREA = 16 * 1024;
const PAGE = 65536;

/**
 * Nibble tables for a coefficient: lo[j] = c·j and hi[j] = c·(j << 4), 32 bytes, cached (at most
 * 256 of them).
 */
const nibbleTables = new Map<number, Uint8Array>();
function tablesFor(coefficient: number): Uint8Array {
  let tables = nibbleTables.get(coefficient);
  if (!tables) {
    tables = new Uint8Array(32);
    for (let j = 0; j < 16; j++) {
      tables[j] = gfMul(coefficient, j);
      tables[16 + j] = gfMul(coefficient, j << 4);
    }
    nibbleTables.set(coefficient, tables);
  }
  return tables;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const pagesFor = (bytes: number): number => Math.ceil(bytes / PAGE);

/**
 * Bytes per stripe: all rows are computed for one stripe before the next, so the inputs' stripe is
 * read from memory once and then from cache (16 KiB × a few inputs stays within L1/L2).
 */
const STRIPE = 16 * 1024;

/**
 * outputs = coefficients × inputs, in stripes. The term records of every row (tables, input
 * address, plain-XOR flag) are written once at the start of `memory`; rows whose records do not all
 * fit in the terms area are done one at a time, each over the whole length.
 */
function multiplyMatrix(
  memory: Uint8Array,
  view: DataView,
  multiply: Multiply,
  coefficients: Uint8Array,
  rows: number,
  cols: number,
  addressOf: (column: number) => number,
  outputAddressOf: (row: number) => number,
  length: number,
): void {
  const end = roundUp64(length);
  const writeTerms = (r: number, at: number): number => {
    let count = 0;
    for (let c = 0; c < cols; c++) {
      const coefficient = coefficients[r * cols + c]!;
      if (coefficient === 0) continue;
      const record = at + count * TERM_SIZE;
      memory.set(tablesFor(coefficient), record);
      view.setUint32(record + 32, addressOf(c), true);
      view.setUint32(record + 36, coefficient === 1 ? 1 : 0, true);
      count++;
    }
    return count;
  };
  if (rows * cols * TERM_SIZE > TERMS_AREA) {
    for (let r = 0; r < rows; r++) multiply(outputAddressOf(r), 0, writeTerms(r, 0), 0, end);
    return;
  }
  const counts = Array.from({ length: rows }, (_, r) => writeTerms(r, r * cols * TERM_SIZE));
  for (let start = 0; start < end; start += STRIPE) {
    const stop = Math.min(end, start + STRIPE);
    for (let r = 0; r < rows; r++) multiply(outputAddressOf(r), r * cols * TERM_SIZE, counts[r]!, start, stop);
  }
}

/**
 * The WebAssembly SIMD kernel, or undefined where the engine has no SIMD (then the JavaScript
 * kernel stays in use). Synchronous: the module is a few hundred bytes, under every engine's limit
 * for synchronous compilation on the main thread.
 *
 * In a workspace it works in place on the workspace's buffers. The plain `matrixMultiply` (for
 * arrays from anywhere) copies inputs into its own memory and outputs back out.
 */
export function createSimdKernel(): GfKernel | undefined {
  const bytes = decodeBase64(GF256_SIMD_WASM);
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return undefined;
  const compiled = new WebAssembly.Module(bytes);
  const instantiate = (memory: WebAssembly.Memory): Multiply =>
    (new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as { multiply: Multiply }).multiply;

  // Released workspace memories, reused by later workspaces that fit: each WebAssembly memory
  // reserves a large stretch of address space, and making one per protect/recover call lets them
  // pile up until the garbage collector runs.
  const pool: { memory: WebAssembly.Memory; multiply: Multiply }[] = [];
  const POOLED = 8;

  const scratchMemory = new WebAssembly.Memory({ initial: 1 });
  const scratchMultiply = instantiate(scratchMemory);

  const copyingMultiply: GfKernel['matrixMultiply'] = (coefficients, rows, cols, inputs, outputs, length) => {
    if (length === 0) return;
    const stride = roundUp64(length);
    const inputAt = (c: number): number => TERMS_AREA + c * stride;
    const outputAt = (r: number): number => TERMS_AREA + (cols + r) * stride;
    const missing = outputAt(rows) - scratchMemory.buffer.byteLength;
    if (missing > 0) scratchMemory.grow(pagesFor(missing));
    const memory = new Uint8Array(scratchMemory.buffer);
    for (let c = 0; c < cols; c++) memory.set(inputs[c]!.subarray(0, length), inputAt(c));
    multiplyMatrix(memory, new DataView(scratchMemory.buffer), scratchMultiply, coefficients, rows, cols, inputAt, outputAt, length);
    for (let r = 0; r < rows; r++) outputs[r]!.set(memory.subarray(outputAt(r), outputAt(r) + length));
  };

  return {
    name: 'wasm-simd-nibble',
    matrixMultiply: copyingMultiply,
    createWorkspace(capacity): GfWorkspace {
      // One spare block at the end: kernels may read up to 63 bytes past a view's end.
      const bytesNeeded = TERMS_AREA + capacity + 64;
      const fit = pool.findIndex((entry) => entry.memory.buffer.byteLength >= bytesNeeded);
      const entry =
        fit >= 0
          ? pool.splice(fit, 1)[0]!
          : (() => {
              const memory = new WebAssembly.Memory({ initial: pagesFor(bytesNeeded) });
              return { memory, multiply: instantiate(memory) };
            })();
      const memoryObject = entry.memory;
      const multiply = entry.multiply;
      let released = false;
      const memory = new Uint8Array(memoryObject.buffer);
      const view = new DataView(memoryObject.buffer);
      const owned = (array: Uint8Array): boolean => array.buffer === memoryObject.buffer;
      return {
        allocate: bumpAllocator(memory.subarray(TERMS_AREA, TERMS_AREA + capacity)),
        matrixMultiply(coefficients, rows, cols, inputs, outputs, length) {
          if (length === 0) return;
          if (!inputs.slice(0, cols).every(owned) || !outputs.slice(0, rows).every(owned)) {
            copyingMultiply(coefficients, rows, cols, inputs, outputs, length);
            return;
          }
          multiplyMatrix(memory, view, multiply, coefficients, rows, cols, (c) => inputs[c]!.byteOffset, (r) => outputs[r]!.byteOffset, length);
        },
        release() {
          if (released) return;
          released = true;
          if (pool.length < POOLED) pool.push(entry);
        },
      };
    },
  };
}
