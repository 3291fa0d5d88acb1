/**
 * One frame from an opened instance to values ready for display: grey frames keep their stored
 * values (masked to Bits Stored and sign-extended, PS3.5 §8.1.1 and PS3.3 C.7.6.3.1.1) with what
 * the grayscale pipeline needs; colour frames become 8-bit RGB (RGB with either Planar
 * Configuration, YBR_FULL and YBR_FULL_422 by C.7.6.3.1.2, PALETTE COLOR by C.7.6.3.1.5).
 */
import { decodeCompressed } from './codecs.js';
import { encapsulatedFrame, nativeFrame } from './frames.js';
import type { GreyLuts, PixelInstance } from './instance.js';
import { PreviewFailure } from './problems.js';
import { decodeRle } from './rle.js';
import { lookUp } from './voi.js';

/** What the grayscale pipeline needs, carried with each frame so that drawing needs nothing else. */
export interface GreyPipeline extends GreyLuts {
  /** MONOCHROME1: the lowest value is white (C.7.6.3.1.2). */
  readonly inverted: boolean;
}

export interface GreyFrame {
  readonly kind: 'grey';
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Stored values; Float64Array only for 32-bit samples, which Int32 cannot hold unsigned. */
  readonly stored: Int32Array | Float64Array;
  readonly minStored: number;
  readonly maxStored: number;
  readonly pipeline: GreyPipeline;
}

export interface ColourFrame {
  readonly kind: 'colour';
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** 8-bit R, G, B per pixel. */
  readonly rgb: Uint8Array;
}

export type DecodedFrame = GreyFrame | ColourFrame;

interface Samples {
  /** Interleaved (Planar Configuration 0) unless `planar`. */
  readonly data: Uint8Array | Uint16Array | Int16Array | Uint32Array;
  readonly components: number;
  readonly planar: boolean;
  /** Bits to shift right before masking: High Bit + 1 − Bits Stored for native data, 0 from a codec. */
  readonly shift: number;
  readonly convertedToRgb: boolean;
}

export async function decodeFrame(instance: PixelInstance, index: number): Promise<DecodedFrame> {
  const description = instance.description;
  if (!Number.isSafeInteger(index) || index < 0 || index >= description.frameCount) {
    throw new PreviewFailure('pixels.frame-missing', `Frame ${index + 1} was asked for; the image has ${description.frameCount}.`);
  }
  const samples = await frameSamples(instance, index);
  const { rows, columns, photometric } = description;
  const pixels = rows * columns;

  if (photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2') {
    if (samples.components !== 1) throw new PreviewFailure('pixels.inconsistent', `A grey image decoded to ${samples.components} samples per pixel.`);
    const { stored, min, max } = storedValues(samples, pixels, description.bitsStored, description.signed);
    return {
      kind: 'grey',
      index,
      width: columns,
      height: rows,
      stored,
      minStored: min,
      maxStored: max,
      pipeline: {
        rescaleSlope: description.rescaleSlope,
        rescaleIntercept: description.rescaleIntercept,
        modalityTable: description.modalityTable,
        windows: description.windows,
        voiFunction: description.voiFunction,
        voiTables: description.voiTables,
        inverted: photometric === 'MONOCHROME1',
      },
    };
  }
  if (photometric === 'PALETTE COLOR') {
    const palette = description.palette;
    if (palette === undefined || samples.components !== 1) throw new PreviewFailure('pixels.inconsistent', 'The palette colour image is incomplete.');
    const { stored } = storedValues(samples, pixels, description.bitsStored, description.signed);
    const rgb = new Uint8Array(pixels * 3);
    for (let channel = 0; channel < 3; channel++) {
      const table = palette[channel]!;
      const scale = 255 / (2 ** table.bits - 1);
      for (let pixel = 0; pixel < pixels; pixel++) rgb[pixel * 3 + channel] = Math.round(lookUp(table, stored[pixel]!) * scale);
    }
    return { kind: 'colour', index, width: columns, height: rows, rgb };
  }
  if (samples.components !== 3) throw new PreviewFailure('pixels.inconsistent', `A colour image decoded to ${samples.components} samples per pixel.`);
  const rgb = eightBit(samples, pixels, description.bitsStored);
  if (!samples.convertedToRgb) {
    if (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422') ybrFullToRgb(rgb);
    else if (photometric !== 'RGB') {
      throw new PreviewFailure('pixels.unsupported-layout', `The colour model ${safeName(photometric)} is not drawn by this preview.`);
    }
  }
  return { kind: 'colour', index, width: columns, height: rows, rgb };
}

function safeName(value: string): string {
  return /^[A-Z0-9_ ]{1,16}$/.test(value) ? value : '(unknown)';
}

async function frameSamples(instance: PixelInstance, index: number): Promise<Samples> {
  const { description } = instance;
  const { rows, columns, samplesPerPixel, bitsAllocated, highBit, bitsStored, syntax, photometric } = description;
  const nativeShift = highBit + 1 - bitsStored;
  switch (syntax.encoding) {
    case 'native': {
      const bytes = nativeFrame(instance, index);
      if (photometric === 'YBR_FULL_422') {
        if (bitsAllocated !== 8 || columns % 2 !== 0) throw new PreviewFailure('pixels.unsupported-layout', 'This YBR_FULL_422 layout is not drawn by this preview.');
        return { data: upsample422(bytes, rows, columns), components: 3, planar: false, shift: 0, convertedToRgb: false };
      }
      return { data: typedSamples(bytes, bitsAllocated), components: samplesPerPixel, planar: description.planarConfiguration === 1, shift: nativeShift, convertedToRgb: false };
    }
    case 'rle': {
      const bytes = decodeRle(encapsulatedFrame(instance, index), { rows, columns, samplesPerPixel, bitsAllocated });
      // G.2: segments are whole planes, so the Planar Configuration of the file does not apply.
      return { data: typedSamples(bytes, bitsAllocated), components: samplesPerPixel, planar: false, shift: nativeShift, convertedToRgb: false };
    }
    default: {
      const decoded = await decodeCompressed(syntax.encoding, encapsulatedFrame(instance, index), bitsAllocated);
      if (decoded.width !== columns || decoded.height !== rows) {
        throw new PreviewFailure('pixels.corrupt', `The compressed image is damaged or does not belong to this header: it decoded to ${decoded.width} × ${decoded.height} pixels, the header says ${columns} × ${rows}.`);
      }
      return { data: decoded.data, components: decoded.components, planar: false, shift: 0, convertedToRgb: decoded.convertedToRgb };
    }
  }
}

/** Little-endian bytes as samples. Every platform a browser runs on is little endian, as typed arrays are. */
function typedSamples(bytes: Uint8Array, bitsAllocated: number): Uint8Array | Uint16Array | Uint32Array {
  if (bitsAllocated === 8) return bytes;
  if (bitsAllocated === 16) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  if (bitsAllocated === 32) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  throw new PreviewFailure('pixels.unsupported-layout', `The image has ${bitsAllocated} bits per sample; the preview draws 8, 16 or 32.`);
}

/** Stored value of each grey sample: shifted, masked to Bits Stored, sign-extended from its top bit. */
function storedValues(samples: Samples, pixels: number, bitsStored: number, signed: boolean): { stored: Int32Array | Float64Array; min: number; max: number } {
  const { data, shift } = samples;
  if (data.length < pixels) throw new PreviewFailure('pixels.truncated', 'The image data is shorter than the image.');
  const wide = bitsStored > 16;
  const stored = wide ? new Float64Array(pixels) : new Int32Array(pixels);
  const mask = bitsStored >= 32 ? 0xffffffff : 2 ** bitsStored - 1;
  const modulus = 2 ** bitsStored;
  const signBit = 2 ** (bitsStored - 1);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let pixel = 0; pixel < pixels; pixel++) {
    // `>>>` reads a decoder's Int16 output as its 16-bit pattern; `>>> 0` keeps 32-bit values unsigned.
    let value = (((data[pixel]! & 0xffffffff) >>> shift) & mask) >>> 0;
    if (signed && value >= signBit) value -= modulus;
    stored[pixel] = value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { stored, min, max };
}

/** Colour samples to 8 bits per channel, interleaved; wider samples are scaled from their Bits Stored range. */
function eightBit(samples: Samples, pixels: number, bitsStored: number): Uint8Array {
  const { data, planar, components } = samples;
  if (data.length < pixels * components) throw new PreviewFailure('pixels.truncated', 'The image data is shorter than the image.');
  const rgb = new Uint8Array(pixels * 3);
  const top = 2 ** Math.max(8, bitsStored) - 1;
  const scale = data instanceof Uint8Array ? 1 : 255 / top;
  for (let pixel = 0; pixel < pixels; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      const value = data[planar ? channel * pixels + pixel : pixel * 3 + channel]!;
      rgb[pixel * 3 + channel] = scale === 1 ? value : Math.round(Math.min(top, Math.max(0, value)) * scale);
    }
  }
  return rgb;
}

/** Native YBR_FULL_422 (C.7.6.3.1.2): Y1 Y2 Cb Cr for each pair of pixels, to Y Cb Cr for each pixel. */
function upsample422(bytes: Uint8Array, rows: number, columns: number): Uint8Array {
  const pixels = rows * columns;
  const output = new Uint8Array(pixels * 3);
  for (let pair = 0; pair < pixels / 2; pair++) {
    const cb = bytes[pair * 4 + 2]!;
    const cr = bytes[pair * 4 + 3]!;
    output.set([bytes[pair * 4]!, cb, cr, bytes[pair * 4 + 1]!, cb, cr], pair * 6);
  }
  return output;
}

/**
 * YBR_FULL to RGB in place, with the inverse of the equations in C.7.6.3.1.2 (ITU-R BT.601 full
 * range, as JFIF uses): R = Y + 1.402 (Cr − 128), G = Y − 0.344136 (Cb − 128) − 0.714136 (Cr − 128),
 * B = Y + 1.772 (Cb − 128).
 */
function ybrFullToRgb(pixels: Uint8Array): void {
  for (let at = 0; at + 2 < pixels.length; at += 3) {
    const y = pixels[at]!;
    const cb = pixels[at + 1]! - 128;
    const cr = pixels[at + 2]! - 128;
    pixels[at] = clampByte(y + 1.402 * cr);
    pixels[at + 1] = clampByte(y - 0.344136 * cb - 0.714136 * cr);
    pixels[at + 2] = clampByte(y + 1.772 * cb);
  }
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}
