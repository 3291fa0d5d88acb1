/**
 * Reading a DICOM Part 10 file into a small tree the de-identifier can edit and write back.
 * dicom-parser finds the elements (PS3.5 7.1, 7.5); this module keeps, for each one, the raw value
 * bytes in the file's own byte order, so whatever the de-identifier does not touch is written back
 * bit for bit, pixel data above all (native or encapsulated, PS3.5 A.4).
 */
import * as dicomParserNamespace from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { DeidentificationError } from './errors.js';

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;

/** How a data set is encoded (PS3.5 7.1 and 7.3). */
export interface Encoding {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
}

export interface DicomElement {
  /** (group << 16 | element) as an unsigned 32-bit number. */
  readonly tag: number;
  /** Explicit VR from the file, the dictionary's VR in implicit files, or undefined when unknown. */
  vr: string | undefined;
  /** The value bytes (not for sequences nor encapsulated pixel data). */
  value: Uint8Array | undefined;
  /** Items of a sequence, each a data set. */
  items: DicomElement[][] | undefined;
  /**
   * Encapsulated pixel data (PS3.5 A.4): the bytes after the element header, from the Basic Offset
   * Table item through the Sequence Delimitation Item, copied unchanged.
   */
  encapsulated: Uint8Array | undefined;
}

export interface ParsedFile {
  /** The file meta information (group 0002), PS3.10 7.1. */
  readonly meta: DicomElement[];
  readonly dataSet: DicomElement[];
  readonly transferSyntaxUid: string;
  /** The encoding of `dataSet` as read (a deflated file reads as explicit little endian). */
  readonly encoding: Encoding;
}

const UNDEFINED_LENGTH = 0xffffffff;

// dicom-parser ships a UMD bundle: bundlers expose its named exports, Node's ESM loader only a
// default export holding them.
type DicomParserModule = typeof dicomParserNamespace;
const dicomParser: DicomParserModule =
  'parseDicom' in dicomParserNamespace && typeof dicomParserNamespace.parseDicom === 'function'
    ? dicomParserNamespace
    : (dicomParserNamespace as unknown as { default: DicomParserModule }).default;
const DICM_OFFSET = 128;

function tagNumber(tag: string): number {
  return Number.parseInt(tag.slice(1), 16) >>> 0;
}

export function tagHex(tag: number): string {
  return (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

export function encodingOf(transferSyntaxUid: string): Encoding {
  if (transferSyntaxUid === TRANSFER_SYNTAX.implicitLittle) return { explicitVr: false, littleEndian: true };
  if (transferSyntaxUid === TRANSFER_SYNTAX.explicitBig) return { explicitVr: true, littleEndian: false };
  // Every other transfer syntax (explicit little, deflated once inflated, all encapsulated ones)
  // encodes the data set as explicit VR little endian (PS3.5 A.2, A.4, A.5).
  return { explicitVr: true, littleEndian: true };
}

function asciiAt(bytes: Uint8Array, offset: number, length: number): string {
  let text = '';
  for (let i = offset; i < offset + length && i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** The Transfer Syntax UID, read without a full parse so a deflated body can be inflated first. */
function peekTransferSyntax(bytes: Uint8Array): { uid: string; metaEnd: number } {
  let position = DICM_OFFSET + 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let uid: string | undefined;
  let endedInMeta = true;
  while (position + 8 <= bytes.length) {
    const group = view.getUint16(position, true);
    if (group !== 0x0002) {
      endedInMeta = false;
      break;
    }
    const element = view.getUint16(position + 2, true);
    const vr = asciiAt(bytes, position + 4, 2);
    let length: number;
    let headerLength: number;
    if (['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT'].includes(vr)) {
      if (position + 12 > bytes.length) throw new DeidentificationError('dicom.truncated', 'The file ends inside its file meta information.');
      length = view.getUint32(position + 8, true);
      headerLength = 12;
    } else {
      length = view.getUint16(position + 6, true);
      headerLength = 8;
    }
    if (length === UNDEFINED_LENGTH || position + headerLength + length > bytes.length) {
      throw new DeidentificationError('dicom.truncated', 'The file ends inside its file meta information.');
    }
    if (element === 0x0010) uid = asciiAt(bytes, position + headerLength, length).replace(/[\0 ]+$/, '');
    position += headerLength + length;
  }
  // Bytes that stop while still in group 0002 are a cut file, not one without a transfer syntax.
  if (endedInMeta) throw new DeidentificationError('dicom.truncated', 'The file ends inside its file meta information.');
  if (uid === undefined) throw new DeidentificationError('dicom.malformed', 'The file meta information has no Transfer Syntax UID (0002,0010).');
  return { uid, metaEnd: position };
}

/** Inflates a deflated data set (PS3.5 A.5: raw deflate, RFC 1951, no zlib header). */
async function inflateRaw(deflated: Uint8Array): Promise<Uint8Array> {
  try {
    const stream = new Blob([deflated as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new DeidentificationError('dicom.malformed', 'The deflated data set could not be inflated.', { cause: error });
  }
}

/** What dicom-parser threw (it throws strings, Errors and `{ exception, dataSet }`), as a safe message. */
function parserMessage(thrown: unknown): string {
  const inner = typeof thrown === 'object' && thrown !== null && 'exception' in thrown ? (thrown as { exception: unknown }).exception : thrown;
  if (typeof inner === 'string') return inner;
  if (inner instanceof Error) return inner.message;
  return 'unknown parser failure';
}

function classifyParserFailure(message: string): DeidentificationError {
  // dicom-parser's messages name positions and tags only, never values, so they may be kept.
  if (/DICM prefix not found/i.test(message)) return new DeidentificationError('dicom.not-dicom', 'This is not a DICOM file (no "DICM" marker after the 128-byte preamble).');
  if (/overrun|eof|beyond|end of|truncat|outside/i.test(message)) return new DeidentificationError('dicom.truncated', `The file is cut short (${message}).`);
  return new DeidentificationError('dicom.malformed', `The file's structure is invalid (${message}).`);
}

function checkedValue(bytes: Uint8Array, element: Element): Uint8Array {
  if (element.dataOffset < 0 || element.length < 0 || element.dataOffset + element.length > bytes.length) {
    throw new DeidentificationError('dicom.truncated', `The file ends inside element ${element.tag.slice(1)}.`);
  }
  return bytes.subarray(element.dataOffset, element.dataOffset + element.length);
}

function convertDataSet(dataSet: DataSet, bytes: Uint8Array): DicomElement[] {
  return convertElements(Object.values(dataSet.elements), bytes);
}

function convertElements(elements: readonly Element[], bytes: Uint8Array): DicomElement[] {
  const out: DicomElement[] = [];
  for (const element of elements) {
    const tag = tagNumber(element.tag);
    if (element.items) {
      out.push({
        tag,
        vr: element.vr ?? 'SQ',
        value: undefined,
        items: element.items.map((item) => (item.dataSet ? convertDataSet(item.dataSet, bytes) : [])),
        encapsulated: undefined,
      });
    } else if (element.encapsulatedPixelData) {
      out.push({ tag, vr: element.vr ?? 'OB', value: undefined, items: undefined, encapsulated: checkedValue(bytes, element) });
    } else if (element.hadUndefinedLength) {
      // An undefined length is allowed only for sequences, encapsulated pixel data and UN holding a
      // sequence (PS3.5 7.1.3); anything else cannot be re-encoded faithfully.
      throw new DeidentificationError('dicom.malformed', `Element ${element.tag.slice(1)} has an undefined length but is not a sequence.`);
    } else {
      out.push({ tag, vr: element.vr, value: checkedValue(bytes, element), items: undefined, encapsulated: undefined });
    }
  }
  out.sort((a, b) => a.tag - b.tag);
  return out;
}

/**
 * Parses a Part 10 file. `vrOf` gives the dictionary VR of a tag for implicit VR data sets
 * (dicom-parser needs to know which elements are sequences; it guesses the others by peeking).
 */
export async function readPart10(input: Uint8Array, vrOf: (tag: number) => string | undefined): Promise<ParsedFile> {
  if (!(input instanceof Uint8Array)) throw new TypeError(`bytes must be a Uint8Array, got ${typeof input}`);
  if (input.length < DICM_OFFSET + 4 || asciiAt(input, DICM_OFFSET, 4) !== 'DICM') {
    throw new DeidentificationError('dicom.not-dicom', 'This is not a DICOM file (no "DICM" marker after the 128-byte preamble).');
  }
  const { uid, metaEnd } = peekTransferSyntax(input);
  const deflated = uid === TRANSFER_SYNTAX.deflatedExplicitLittle;
  // Inflated here (the API is async anyway); dicom-parser would otherwise reach for Node's zlib or
  // a global pako. Its inflater callback must return the data set alone: parsing restarts at 0.
  const inflated = deflated ? await inflateRaw(input.subarray(metaEnd)) : undefined;
  let parsed: DataSet;
  try {
    parsed = dicomParser.parseDicom(input, {
      ...(inflated ? { inflater: () => inflated } : {}),
      vrCallback: ((tag: string) => vrOf(tagNumber(tag))) as (tag: string) => void,
    });
  } catch (error) {
    throw classifyParserFailure(parserMessage(error));
  }
  const elements = Object.values(parsed.elements);
  // The meta elements' offsets point into the input; the data set's into the (inflated) body.
  const meta = convertElements(elements.filter((element) => tagNumber(element.tag) >>> 16 === 0x0002), input);
  const dataSet = convertElements(elements.filter((element) => tagNumber(element.tag) >>> 16 !== 0x0002), parsed.byteArray as Uint8Array);
  return {
    meta,
    dataSet,
    transferSyntaxUid: uid,
    encoding: encodingOf(deflated ? TRANSFER_SYNTAX.explicitLittle : uid),
  };
}
