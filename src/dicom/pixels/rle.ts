/**
 * RLE Lossless (PS3.5 Annex G), written here because it is small and exactly specified: a frame is
 * one fragment made of a 64-byte header and up to 15 segments, each segment one byte plane of one
 * sample ("composite pixel code" bytes, most significant first, G.2), compressed with PackBits
 * (G.3). The result is laid out as a native frame would be with Planar Configuration 0, little
 * endian, so the rest of the pipeline treats it as native.
 */
import { PreviewFailure } from './problems.js';

export interface RleLayout {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
}

const HEADER_LENGTH = 64;
const MAX_SEGMENTS = 15;

export function decodeRle(frame: Uint8Array, layout: RleLayout): Uint8Array {
  const { rows, columns, samplesPerPixel, bitsAllocated } = layout;
  const bytesPerSample = bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample) || bytesPerSample < 1) {
    throw new PreviewFailure('pixels.unsupported-layout', `An RLE image with ${bitsAllocated} bits per sample is not drawn by this preview.`);
  }
  if (frame.length < HEADER_LENGTH) throw corrupt('its header is cut short');
  const header = new DataView(frame.buffer, frame.byteOffset, HEADER_LENGTH);
  const segmentCount = header.getUint32(0, true);
  const expected = samplesPerPixel * bytesPerSample;
  // G.5: the header holds the number of segments then their 15 offsets (unused ones are 0).
  if (segmentCount !== expected || segmentCount > MAX_SEGMENTS) {
    throw corrupt(`it has ${segmentCount} segments where the image needs ${expected}`);
  }
  const offsets: number[] = [];
  for (let segment = 0; segment < segmentCount; segment++) offsets.push(header.getUint32(4 + segment * 4, true));
  offsets.push(frame.length);
  for (let segment = 0; segment < segmentCount; segment++) {
    if (offsets[segment]! < HEADER_LENGTH || offsets[segment]! > offsets[segment + 1]!) throw corrupt('its segment offsets are out of order');
  }

  const pixels = rows * columns;
  const output = new Uint8Array(pixels * expected);
  const plane = new Uint8Array(pixels);
  for (let segment = 0; segment < segmentCount; segment++) {
    unpackBits(frame, offsets[segment]!, offsets[segment + 1]!, plane);
    const sample = Math.floor(segment / bytesPerSample);
    // Segment order within a sample is most significant byte first; native little endian wants it last.
    const byte = bytesPerSample - 1 - (segment % bytesPerSample);
    const stride = expected;
    let at = sample * bytesPerSample + byte;
    for (let pixel = 0; pixel < pixels; pixel++, at += stride) output[at] = plane[pixel]!;
  }
  return output;
}

/**
 * PackBits as G.3.1 defines it: a header byte n; 0…127 copies the next n + 1 bytes, −1…−127
 * repeats the next byte −n + 1 times, −128 does nothing. A segment may end with a padding byte
 * (segments are of even length), so decoding stops once the plane is full. A segment that ends
 * before filling its plane, or a run that would overflow it, is damage.
 */
function unpackBits(source: Uint8Array, start: number, end: number, plane: Uint8Array): void {
  let read = start;
  let written = 0;
  const size = plane.length;
  while (written < size) {
    if (read >= end) throw corrupt('a segment ends before its image is complete');
    const header = source[read++]!;
    if (header < 128) {
      const count = header + 1;
      if (read + count > end || written + count > size) throw corrupt('a literal run overflows its segment');
      plane.set(source.subarray(read, read + count), written);
      read += count;
      written += count;
    } else if (header > 128) {
      const count = 257 - header;
      if (read >= end || written + count > size) throw corrupt('a repeat run overflows its segment');
      plane.fill(source[read++]!, written, written + count);
      written += count;
    }
  }
}

function corrupt(why: string): PreviewFailure {
  return new PreviewFailure('pixels.corrupt', `The RLE-compressed image is damaged: ${why}.`);
}
