/**
 * A DICOM Part 10 writer (PS3.10 7.1) for the de-identified copy: 128-byte preamble of zeros,
 * "DICM", the file meta information in explicit VR little endian with a correct File Meta
 * Information Group Length, then the data set in the requested encoding.
 *
 * Choices, all allowed by PS3.5:
 * - sequences and items are always written with undefined length and their delimiters
 *   (PS3.5 7.5.1), whatever the input used, so no length has to be recomputed up the tree;
 * - group length elements (gggg,0000) of the data set are dropped: they are optional and retired
 *   (PS3.5 7.2), and would be wrong after editing;
 * - odd-length values are padded to even length (PS3.5 7.1.1): UI and the binary VRs with NUL,
 *   text VRs with a space (PS3.5 6.2);
 * - encapsulated pixel data is written back byte for byte after its (OB, undefined length) header.
 */
import type { DicomElement, Encoding } from './dataset.js';

const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const NUL_PADDED_VRS = new Set(['UI', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
const UNDEFINED_LENGTH = 0xffffffff;

class ByteSink {
  private chunks: Uint8Array[] = [];
  private size = 0;

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  get length(): number {
    return this.size;
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function tagBytes(tag: number, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(4);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, littleEndian);
  view.setUint16(2, tag & 0xffff, littleEndian);
  return out;
}

function header(tag: number, vr: string | undefined, length: number, encoding: Encoding): Uint8Array {
  const little = encoding.littleEndian;
  if (!encoding.explicitVr) {
    const out = new Uint8Array(8);
    out.set(tagBytes(tag, little), 0);
    new DataView(out.buffer).setUint32(4, length >>> 0, little);
    return out;
  }
  const explicitVr = vr ?? 'UN';
  if (LONG_LENGTH_VRS.has(explicitVr)) {
    const out = new Uint8Array(12);
    out.set(tagBytes(tag, little), 0);
    out[4] = explicitVr.charCodeAt(0);
    out[5] = explicitVr.charCodeAt(1);
    new DataView(out.buffer).setUint32(8, length >>> 0, little);
    return out;
  }
  const out = new Uint8Array(8);
  out.set(tagBytes(tag, little), 0);
  out[4] = explicitVr.charCodeAt(0);
  out[5] = explicitVr.charCodeAt(1);
  new DataView(out.buffer).setUint16(6, length, little);
  return out;
}

/** Item and delimitation headers have no VR in any transfer syntax (PS3.5 7.5). */
function itemHeader(tag: number, length: number, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(8);
  out.set(tagBytes(tag, littleEndian), 0);
  new DataView(out.buffer).setUint32(4, length >>> 0, littleEndian);
  return out;
}

function padToEven(value: Uint8Array, vr: string | undefined): Uint8Array {
  if (value.length % 2 === 0) return value;
  const out = new Uint8Array(value.length + 1);
  out.set(value, 0);
  out[value.length] = vr !== undefined && NUL_PADDED_VRS.has(vr) ? 0x00 : 0x20;
  return out;
}

function writeElements(elements: readonly DicomElement[], encoding: Encoding, sink: ByteSink): void {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  for (const element of sorted) {
    if ((element.tag & 0xffff) === 0x0000) continue;
    if (element.items) {
      // A UN element holding a sequence keeps its items in implicit VR little endian (PS3.5 6.2.2).
      const itemEncoding: Encoding = element.vr === 'UN' ? { explicitVr: false, littleEndian: true } : encoding;
      sink.push(header(element.tag, element.vr === 'UN' ? 'UN' : 'SQ', UNDEFINED_LENGTH, encoding));
      for (const item of element.items) {
        sink.push(itemHeader(ITEM, UNDEFINED_LENGTH, itemEncoding.littleEndian));
        writeElements(item, itemEncoding, sink);
        sink.push(itemHeader(ITEM_DELIMITATION, 0, itemEncoding.littleEndian));
      }
      sink.push(itemHeader(SEQUENCE_DELIMITATION, 0, itemEncoding.littleEndian));
    } else if (element.encapsulated) {
      sink.push(header(element.tag, 'OB', UNDEFINED_LENGTH, encoding));
      sink.push(element.encapsulated);
    } else {
      const value = padToEven(element.value ?? new Uint8Array(0), element.vr);
      if (encoding.explicitVr && !LONG_LENGTH_VRS.has(element.vr ?? 'UN') && value.length > 0xffff) {
        // A short-length VR cannot carry this value in explicit VR (PS3.5 7.1.2): write it as UN.
        sink.push(header(element.tag, 'UN', value.length, encoding));
      } else {
        sink.push(header(element.tag, element.vr, value.length, encoding));
      }
      sink.push(value);
    }
  }
}

/** Encodes a data set (no preamble, no meta information). */
export function encodeDataSet(elements: readonly DicomElement[], encoding: Encoding): Uint8Array {
  const sink = new ByteSink();
  writeElements(elements, encoding, sink);
  return sink.concat();
}

/**
 * A whole Part 10 file. `meta` must not contain (0002,0000): its value, the byte length of the
 * rest of the file meta information, is computed here (PS3.10 7.1).
 */
export function encodePart10(meta: readonly DicomElement[], dataSet: readonly DicomElement[], encoding: Encoding): Uint8Array {
  const metaEncoding: Encoding = { explicitVr: true, littleEndian: true };
  const metaBody = encodeDataSet(meta, metaEncoding);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, metaBody.length, true);
  const sink = new ByteSink();
  sink.push(new Uint8Array(128));
  sink.push(new TextEncoder().encode('DICM'));
  sink.push(header(0x00020000, 'UL', 4, metaEncoding));
  sink.push(groupLength);
  sink.push(metaBody);
  sink.push(encodeDataSet(dataSet, encoding));
  return sink.concat();
}
