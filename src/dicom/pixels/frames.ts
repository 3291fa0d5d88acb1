/**
 * One frame's bytes out of the Pixel Data element (7FE0,0010): native frames (PS3.5 §8.1.1,
 * PS3.3 C.7.6.3) are consecutive and of one size; encapsulated frames (PS3.5 A.4) are spread over
 * fragments, located through the Basic Offset Table, the Extended Offset Table (7FE0,0001 /
 * 7FE0,0002) or, when both are empty, the fragments themselves.
 */
import type { Fragment } from 'dicom-parser';
import type { PixelInstance } from './instance.js';
import { PreviewFailure } from './problems.js';

/** Bytes of one native frame (PS3.5 §8.1.1), for any photometric interpretation. */
function nativeFrameLength(instance: PixelInstance): number {
  const { rows, columns, samplesPerPixel, bitsAllocated, photometric } = instance.description;
  // PS3.3 C.7.6.3.1.2: YBR_FULL_422 keeps one Cb and one Cr for each pair of Y, so a native
  // frame is 2 samples per pixel, not 3.
  const samples = photometric === 'YBR_FULL_422' ? 2 : samplesPerPixel;
  return (rows * columns * samples * bitsAllocated) / 8;
}

/**
 * A native frame, little endian whatever the file's byte order: PS3.5 A.3 stores OW words (and
 * OL / 32-bit values) big endian, so they are swapped back here. Always a copy.
 */
export function nativeFrame(instance: PixelInstance, index: number): Uint8Array {
  const { dataSet, pixelData, description } = instance;
  if (description.bitsAllocated % 8 !== 0) {
    throw new PreviewFailure('pixels.unsupported-layout', `The image has ${description.bitsAllocated} bits per sample; the preview draws 8, 16 or 32.`);
  }
  const frameLength = nativeFrameLength(instance);
  const available = Math.max(0, Math.min(pixelData.length, dataSet.byteArray.length - pixelData.dataOffset));
  const start = pixelData.dataOffset + index * frameLength;
  if ((index + 1) * frameLength > available) {
    if (pixelData.dataOffset + pixelData.length > dataSet.byteArray.length) {
      throw new PreviewFailure('pixels.truncated', `The file is cut short: frame ${index + 1} of ${description.frameCount} is incomplete.`);
    }
    throw new PreviewFailure('pixels.frame-missing', `The file announces ${description.frameCount} frames but its image data holds only ${Math.floor(available / frameLength)}.`);
  }
  const frame = dataSet.byteArray.slice(start, start + frameLength);
  if (description.syntax.bigEndian) {
    // An 8-bit image in OW is swapped in pairs too (PS3.5 A.3); in OB it is not swapped at all.
    const wordBytes = description.bitsAllocated === 8 ? (pixelData.vr === 'OW' ? 2 : 1) : description.bitsAllocated / 8;
    swapBytes(frame, wordBytes);
  }
  return frame;
}

function swapBytes(bytes: Uint8Array, wordBytes: number): void {
  if (wordBytes === 2) {
    for (let index = 0; index + 1 < bytes.length; index += 2) {
      const first = bytes[index]!;
      bytes[index] = bytes[index + 1]!;
      bytes[index + 1] = first;
    }
  } else if (wordBytes === 4) {
    for (let index = 0; index + 3 < bytes.length; index += 4) {
      const b0 = bytes[index]!;
      const b1 = bytes[index + 1]!;
      bytes[index] = bytes[index + 3]!;
      bytes[index + 1] = bytes[index + 2]!;
      bytes[index + 2] = b1;
      bytes[index + 3] = b0;
    }
  }
}

/**
 * The compressed bytes of one encapsulated frame: its fragments, joined (a frame may span several,
 * PS3.5 A.4). Which fragments belong to which frame:
 * 1. the Extended Offset Table when present (one fragment per frame, A.4 note 6);
 * 2. the Basic Offset Table when it is not empty (offsets of each frame's first fragment item,
 *    counted from the first fragment item);
 * 3. otherwise: one frame takes every fragment; as many fragments as frames means one each; else
 *    a new frame starts at each fragment that begins with the codec's start marker.
 */
export function encapsulatedFrame(instance: PixelInstance, index: number): Uint8Array {
  const { dataSet, pixelData, description } = instance;
  const fragments = pixelData.fragments ?? [];
  const bytes = dataSet.byteArray;
  if (fragments.length === 0) throw new PreviewFailure('pixels.truncated', 'The compressed image data holds no fragments.');

  const groups = frameFragments(instance, fragments);
  if (index >= groups.length) {
    throw new PreviewFailure('pixels.frame-missing', `The file announces ${description.frameCount} frames but its compressed data holds only ${groups.length}.`);
  }
  const group = groups[index]!;
  if (group.some((fragment) => fragment.position + fragment.length > bytes.length)) {
    throw new PreviewFailure('pixels.truncated', `The file is cut short: the compressed data of frame ${index + 1} is incomplete.`);
  }
  const length = group.reduce((sum, fragment) => sum + fragment.length, 0);
  const frame = new Uint8Array(length);
  let offset = 0;
  for (const fragment of group) {
    frame.set(bytes.subarray(fragment.position, fragment.position + fragment.length), offset);
    offset += fragment.length;
  }
  return frame;
}

function frameFragments(instance: PixelInstance, fragments: readonly Fragment[]): Fragment[][] {
  const { pixelData, description, dataSet } = instance;
  const extended = extendedOffsets(instance);
  const offsets = extended ?? pixelData.basicOffsetTable ?? [];
  if (offsets.length > 0) {
    // A table shorter than the frame count leaves the later frames missing (reported when asked
    // for); the frames it does list are still drawn.
    return offsets.map((start, frame) => {
      const end = offsets[frame + 1] ?? Number.POSITIVE_INFINITY;
      const group = fragments.filter((fragment) => fragment.offset >= start && fragment.offset < end);
      if (group.length === 0) throw new PreviewFailure('pixels.inconsistent', `The offset table points frame ${frame + 1} at no fragment.`);
      return group;
    });
  }
  if (description.frameCount === 1) return [[...fragments]];
  if (fragments.length === description.frameCount) return fragments.map((fragment) => [fragment]);
  if (description.syntax.encoding === 'rle') {
    // PS3.5 G.1: each RLE frame is exactly one fragment, so a count mismatch is a damaged file.
    return fragments.map((fragment) => [fragment]);
  }
  const groups: Fragment[][] = [];
  for (const fragment of fragments) {
    if (groups.length === 0 || startsFrame(dataSet.byteArray, fragment)) groups.push([fragment]);
    else groups[groups.length - 1]!.push(fragment);
  }
  return groups;
}

/** JPEG SOI (FFD8, ITU-T T.81 B.2), JPEG 2000 SOC + SIZ (FF4F FF51, T.800 A.4) or a JP2 signature box. */
function startsFrame(bytes: Uint8Array, fragment: Fragment): boolean {
  const at = fragment.position;
  if (fragment.length < 4) return false;
  if (bytes[at] === 0xff && bytes[at + 1] === 0xd8) return true;
  if (bytes[at] === 0xff && bytes[at + 1] === 0x4f && bytes[at + 2] === 0xff && bytes[at + 3] === 0x51) return true;
  return fragment.length >= 8 && bytes[at + 4] === 0x6a && bytes[at + 5] === 0x50 && bytes[at + 6] === 0x20 && bytes[at + 7] === 0x20;
}

/**
 * Extended Offset Table (7FE0,0001, OV): one 64-bit offset per frame, counted like the Basic Offset
 * Table's. Offsets beyond 2^53 cannot be in a file a browser holds, so they mean damage.
 */
function extendedOffsets(instance: PixelInstance): number[] | undefined {
  const element = instance.dataSet.elements['x7fe00001'];
  if (element === undefined || element.length === 0) return undefined;
  const bytes = instance.dataSet.byteArray;
  if (element.dataOffset + element.length > bytes.length || element.length % 8 !== 0) {
    throw new PreviewFailure('pixels.truncated', 'The file is cut short inside its frame offset table.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + element.dataOffset, element.length);
  const offsets: number[] = [];
  for (let position = 0; position < element.length; position += 8) {
    const offset = view.getBigUint64(position, true);
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new PreviewFailure('pixels.inconsistent', 'The frame offset table is damaged.');
    offsets.push(Number(offset));
  }
  return offsets;
}
