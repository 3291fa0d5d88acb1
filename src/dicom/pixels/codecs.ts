/// <reference types="vite/client" />
/**
 * The compressed transfer syntaxes, each through a maintained decoder that is loaded only when a
 * frame needs it (a dynamic import, so each is a chunk of its own and none is in the main bundle):
 *
 * - JPEG Baseline / Extended 8-bit (PS3.5 A.4.1): libjpeg-turbo, @cornerstonejs/codec-libjpeg-turbo-8bit;
 * - JPEG Lossless, Process 14 (A.4.1): jpeg-lossless-decoder-js (plain JavaScript);
 * - JPEG-LS (A.4.3): CharLS, @cornerstonejs/codec-charls;
 * - JPEG 2000 (A.4.4): OpenJPEG, @cornerstonejs/codec-openjpeg.
 *
 * The three WebAssembly decoders are Emscripten builds. Their .wasm is imported with Vite's `?url`
 * so that the bundle carries it as an asset with a hashed name, and handed to Emscripten through
 * `locateFile`. Under Node (the unit tests) Emscripten finds the file beside its own script, which
 * is what `locateFile` answers there (its script directory is a path, not a URL).
 *
 * Every decoder is given its own copy of the frame and every failure (Emscripten throws numbers,
 * strings or aborts) becomes `pixels.corrupt`; after a failure the module instance is dropped, as
 * an aborted Emscripten runtime cannot be used again.
 */
import charlsWasm from '@cornerstonejs/codec-charls/decodewasm?url';
import libjpegTurboWasm from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import openjpegWasm from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import { PreviewFailure } from './problems.js';
import type { PixelEncoding } from './syntaxes.js';

/** Interleaved samples, as the decoder produced them (not yet masked or sign-extended). */
export interface DecodedSamples {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  /** 8 → Uint8Array; more → Uint16Array (or Int16Array when the decoder says signed). */
  readonly data: Uint8Array | Uint16Array | Int16Array;
  /**
   * True when the decoder itself turned YCbCr into RGB (libjpeg-turbo for JPEG, OpenJPEG for a
   * JPEG 2000 multi-component transform), so the photometric interpretation no longer applies.
   */
  readonly convertedToRgb: boolean;
}

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** What the three Emscripten decoders share (getEncodedBuffer → decode → getDecodedBuffer). */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface CharlsDecoder extends WasmDecoder {
  /**
   * 0 none, 1 line, 2 sample (ITU-T T.87 / ISO 14495-1 C.2.2). CharLS hands back line- and
   * sample-interleaved scans pixel-interleaved, but a non-interleaved one as planes.
   */
  getInterleaveMode(): number;
}

interface EmscriptenOptions {
  locateFile(path: string, scriptDirectory: string): string;
  print(text: string): void;
  printErr(text: string): void;
}

type EmscriptenFactory<Module> = (options: EmscriptenOptions) => Promise<Module>;

interface LibjpegTurboModule {
  JPEGDecoder: new () => WasmDecoder;
}
interface CharlsModule {
  JpegLSDecoder: new () => CharlsDecoder;
}
interface OpenjpegModule {
  J2KDecoder: new () => WasmDecoder;
}

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  numComp: number;
  xDim: number;
  yDim: number;
}
interface LosslessModule {
  Decoder: new () => LosslessDecoder;
}

/** Where Emscripten looks for its .wasm: the bundler's URL in a browser, its own folder under Node. */
function emscriptenOptions(wasmUrl: string): EmscriptenOptions {
  return {
    locateFile: (path, scriptDirectory) => (path.endsWith('.wasm') && !scriptDirectory.startsWith('/') ? wasmUrl : scriptDirectory + path),
    // OpenJPEG reports its progress on stdout; nothing of it is for the user, and the console stays quiet.
    print: () => {},
    printErr: () => {},
  };
}

/** One instance of each module, created on first use and dropped after any failure. */
class LazyModule<Module> {
  private instance: Promise<Module> | undefined;
  constructor(private readonly load: () => Promise<Module>) {}

  get(): Promise<Module> {
    this.instance ??= this.load().catch((error: unknown) => {
      this.instance = undefined;
      throw new PreviewFailure('pixels.codec-unavailable', 'The image decoder could not be loaded; try again when online, or reload the page.', { cause: error });
    });
    return this.instance;
  }

  drop(): void {
    this.instance = undefined;
  }
}

const libjpegTurbo = new LazyModule<LibjpegTurboModule>(async () => {
  // @ts-expect-error -- the package ships no type declarations; LibjpegTurboModule is its API as used here.
  const factory = (await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs')) as { default: EmscriptenFactory<LibjpegTurboModule> };
  return factory.default(emscriptenOptions(libjpegTurboWasm));
});
const charls = new LazyModule<CharlsModule>(async () => {
  // @ts-expect-error -- the package ships no type declarations; CharlsModule is its API as used here.
  const factory = (await import('@cornerstonejs/codec-charls/decodewasmjs')) as { default: EmscriptenFactory<CharlsModule> };
  return factory.default(emscriptenOptions(charlsWasm));
});
const openjpeg = new LazyModule<OpenjpegModule>(async () => {
  // @ts-expect-error -- the package ships no type declarations; OpenjpegModule is its API as used here.
  const factory = (await import('@cornerstonejs/codec-openjpeg/decodewasmjs')) as { default: EmscriptenFactory<OpenjpegModule> };
  return factory.default(emscriptenOptions(openjpegWasm));
});
const lossless = new LazyModule<LosslessModule>(
  // @ts-expect-error -- the package's declared types file is missing from its release; LosslessModule is its API as used here.
  () => import('jpeg-lossless-decoder-js') as Promise<LosslessModule>,
);

/** Decodes one compressed frame; `bitsAllocated` tells how wide the output samples are. */
export async function decodeCompressed(encoding: Exclude<PixelEncoding, 'native' | 'rle'>, frame: Uint8Array, bitsAllocated: number): Promise<DecodedSamples> {
  switch (encoding) {
    case 'jpeg-baseline':
    case 'jpeg-extended': {
      const precision = jpegPrecision(frame);
      if (precision !== undefined && precision > 8) {
        throw new PreviewFailure('pixels.unsupported-syntax', `The image is ${precision}-bit lossy JPEG, which this preview does not decode (8-bit only).`);
      }
      return withWasm(libjpegTurbo, (module) => new module.JPEGDecoder(), frame, true);
    }
    case 'jpeg-ls':
      return withWasm(charls, (module) => new module.JpegLSDecoder(), frame, false);
    case 'jpeg-2000':
      return withWasm(openjpeg, (module) => new module.J2KDecoder(), frame, true);
    case 'jpeg-lossless':
      return decodeLossless(frame, bitsAllocated);
  }
}

async function withWasm<Module, Decoder extends WasmDecoder>(
  lazy: LazyModule<Module>,
  create: (module: Module) => Decoder,
  frame: Uint8Array,
  convertsColour: boolean,
): Promise<DecodedSamples> {
  const module = await lazy.get();
  let decoder: Decoder | undefined;
  try {
    decoder = create(module);
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const raw = decoder.getDecodedBuffer();
    const pixels = info.width * info.height;
    const expected = pixels * info.componentCount * (info.bitsPerSample > 8 ? 2 : 1);
    if (raw.length < expected) throw new PreviewFailure('pixels.corrupt', 'The compressed image is damaged: the decoder returned too few pixels.');
    // Copy out of the WebAssembly memory, which the next decode (or delete) reuses.
    const bytes = raw.slice(0, expected);
    let data: Uint8Array | Uint16Array | Int16Array =
      info.bitsPerSample > 8 ? (info.isSigned ? new Int16Array(bytes.buffer) : new Uint16Array(bytes.buffer)) : bytes;
    if (info.componentCount > 1 && 'getInterleaveMode' in decoder && (decoder as unknown as CharlsDecoder).getInterleaveMode() === 0) {
      data = interleavePlanes(data, info.width * info.height, info.componentCount);
    }
    return { width: info.width, height: info.height, components: info.componentCount, data, convertedToRgb: convertsColour && info.componentCount === 3 };
  } catch (error) {
    if (error instanceof PreviewFailure) throw error;
    lazy.drop();
    throw new PreviewFailure('pixels.corrupt', 'The compressed image is damaged: the decoder could not read it.', { cause: error });
  } finally {
    try {
      decoder?.delete();
    } catch {
      lazy.drop();
    }
  }
}

async function decodeLossless(frame: Uint8Array, bitsAllocated: number): Promise<DecodedSamples> {
  const module = await lossless.get();
  try {
    const decoder = new module.Decoder();
    const copy = frame.slice();
    const decoded = decoder.decode(copy.buffer, 0, copy.length, bitsAllocated > 8 ? 2 : 1);
    const width = decoder.xDim;
    const height = decoder.yDim;
    const components = decoder.numComp;
    if (decoded.length < width * height * components || width === 0 || height === 0) {
      throw new PreviewFailure('pixels.corrupt', 'The compressed image is damaged: the decoder returned too few pixels.');
    }
    return { width, height, components, data: decoded, convertedToRgb: false };
  } catch (error) {
    if (error instanceof PreviewFailure) throw error;
    throw new PreviewFailure('pixels.corrupt', 'The compressed image is damaged: the decoder could not read it.', { cause: error });
  }
}

function interleavePlanes<T extends Uint8Array | Uint16Array | Int16Array>(data: T, pixels: number, components: number): T {
  const output = new (data.constructor as new (length: number) => T)(data.length);
  for (let component = 0; component < components; component++) {
    for (let pixel = 0; pixel < pixels; pixel++) output[pixel * components + component] = data[component * pixels + pixel]!;
  }
  return output;
}

/**
 * Sample precision from the first start-of-frame marker (ITU-T T.81 B.2.2: SOFn, length, P), so
 * that a 12-bit lossy JPEG gets a plain "not supported" instead of a decoder error.
 */
function jpegPrecision(frame: Uint8Array): number | undefined {
  let at = 2;
  while (at + 4 < frame.length) {
    if (frame[at] !== 0xff) return undefined;
    const marker = frame[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return frame[at + 4];
    const length = (frame[at + 2]! << 8) | frame[at + 3]!;
    at += 2 + length;
  }
  return undefined;
}
