import { gfMul } from '../gf256.js';
import type { GfKernel } from '../kernel.js';
import { GF256_SIMD_WASM } from './gf256-simd.generated.js';

interface SimdExports {
  readonly memory: WebAssembly.Memory;
  multiply(out: number, terms: number, count: number, length: number): void;
}

/** Bytes of one term record in wasm memory: lo table, hi table, input address, padding. */
const TERM_SIZE = 48;
/** The term records sit at the start of memory; 255 columns fit. */
const TERMS_AREA = 16 * 1024;
/** The kernel works in 64-byte blocks; buffers are padded to it. */
const BLOCK = 64;
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

/**
 * The WebAssembly SIMD kernel, or undefined where the engine has no SIMD (then the JavaScript
 * kernel stays in use). Synchronous: the module is a few hundred bytes, under every engine's limit
 * for synchronous compilation on the main thread.
 *
 * Inputs are copied into the module's memory and outputs copied out (memory copies run at
 * several GB/s, far above the field arithmetic); buffers are padded to 64 bytes with zeros.
 */
export function createSimdKernel(): GfKernel | undefined {
  const bytes = decodeBase64(GF256_SIMD_WASM);
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const wasm = instance.exports as unknown as SimdExports;

  const ensureMemory = (bytesNeeded: number): Uint8Array => {
    const missing = bytesNeeded - wasm.memory.buffer.byteLength;
    if (missing > 0) wasm.memory.grow(Math.ceil(missing / PAGE));
    return new Uint8Array(wasm.memory.buffer);
  };

  return {
    name: 'wasm-simd-nibble',
    matrixMultiply(coefficients, rows, cols, inputs, outputs, length) {
      if (length === 0) return;
      const stride = Math.ceil(length / BLOCK) * BLOCK;
      const inputsAt = TERMS_AREA;
      const outputAt = inputsAt + cols * stride;
      const memory = ensureMemory(outputAt + stride);
      const view = new DataView(memory.buffer);
      for (let c = 0; c < cols; c++) {
        const at = inputsAt + c * stride;
        memory.set(inputs[c]!.subarray(0, length), at);
        memory.fill(0, at + length, at + stride);
      }
      for (let r = 0; r < rows; r++) {
        let count = 0;
        for (let c = 0; c < cols; c++) {
          const coefficient = coefficients[r * cols + c]!;
          if (coefficient === 0) continue;
          const record = count * TERM_SIZE;
          memory.set(tablesFor(coefficient), record);
          view.setUint32(record + 32, inputsAt + c * stride, true);
          count++;
        }
        wasm.multiply(outputAt, 0, count, stride);
        outputs[r]!.set(memory.subarray(outputAt, outputAt + length));
      }
    },
  };
}
