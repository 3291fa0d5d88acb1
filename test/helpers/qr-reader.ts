/**
 * Reading QR codes in Node with zxing-cpp (the `zxing-wasm` package, the same reader the app loads
 * for photos): an implementation independent of our encoder, to check its symbols decode, and to
 * read the app's rendered QR code back from a screenshot.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import type { QrSymbol } from '../../src/vault/qr/index.js';

let prepared = false;

function prepare(): void {
  if (prepared) return;
  // Node has no fetch for a file path: hand Emscripten the .wasm bytes from node_modules.
  const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
  const bytes = readFileSync(wasmPath);
  prepareZXingModule({ overrides: { wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer } });
  prepared = true;
}

const OPTIONS: ReaderOptions = { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1, textMode: 'Plain', characterSet: 'BINARY' };

/** The bytes of the one QR code in an image file (PNG, JPEG), or undefined when none is found. */
export async function readQrImage(image: Uint8Array): Promise<Uint8Array | undefined> {
  prepare();
  const [result] = await readBarcodes(image, OPTIONS);
  return result?.isValid ? result.bytes : undefined;
}

/** The bytes of a symbol drawn black on white, `scale` pixels a module, with its quiet zone; undefined when it does not decode. */
export async function readQrSymbol(symbol: QrSymbol, scale = 3): Promise<Uint8Array | undefined> {
  prepare();
  const extent = symbol.size + 8;
  const width = extent * scale;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let row = 0; row < symbol.size; row++) {
    for (let column = 0; column < symbol.size; column++) {
      if (!symbol.modules[row * symbol.size + column]) continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const at = (((row + 4) * scale + dy) * width + (column + 4) * scale + dx) * 4;
          data[at] = data[at + 1] = data[at + 2] = 0;
        }
      }
    }
  }
  const [result] = await readBarcodes({ data, width, height: width, colorSpace: 'srgb' } as ImageData, OPTIONS);
  return result?.isValid ? result.bytes : undefined;
}
