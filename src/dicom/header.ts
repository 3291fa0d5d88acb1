/**
 * Reads what a DICOM file says about itself: the header up to Pixel Data, never the pixels. The
 * parsing is dicom-parser's; this module decides how much of the file to read, what is DICOM at
 * all, what is broken and how, and turns the attributes into a plain, structured-clone friendly
 * object (it crosses the worker boundary as it is).
 *
 * Three outcomes, never a thrown error:
 * - `dicom`: a header;
 * - `other`: not DICOM (a PDF, a photo…). Not an error: the file is kept as an opaque record;
 * - `damaged`: DICOM, but the header cannot be read to the end (cut short, lying element lengths,
 *   a broken deflate stream). A problem with a stable code and words a patient understands.
 *
 * What counts as DICOM (PS3.10 §7.1): "DICM" at byte 128 after the preamble. Files without
 * preamble and meta header are common in old archives and from `dcmconv -F`; a file whose first
 * element is in group 0002 (meta header without preamble) or 0008 (a bare data set, where every
 * image's first attributes live) is read as such when its first elements parse in order.
 *
 * Only a prefix of the file is read (64 KiB, doubled until the header is complete), so a 2 GB
 * multi-frame costs the same as a 2 KB one. Pure: no DOM, importable from a worker and from Node.
 */
import * as dicomParserModule from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { decodeText, parseSpecificCharacterSet, splitValues, unknownCharacterSets } from './charset.js';
import { LAST_NEEDED_TAG, MEDIA_STORAGE_DIRECTORY_SOP_CLASS, TAGS, TRANSFER_SYNTAX, formatTag, vrOf, type Keyword } from './tags.js';

// dicom-parser is a UMD bundle: Vite exposes its functions as named exports, Node's ESM loader only
// as the default export. Both shapes are the same object of functions.
const dicomParser: typeof dicomParserModule = (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule;

export const DICOM_PROBLEM_CODES = [
  'dicom.truncated',
  'dicom.bad-length',
  'dicom.malformed',
  'dicom.bad-deflate',
  'dicom.header-too-large',
  'dicom.unreadable',
  'dicom.not-dicom',
] as const;

export type DicomProblemCode = (typeof DICOM_PROBLEM_CODES)[number];

/**
 * Why a DICOM file could not be read. Serialisable; `message` is one plain sentence for a patient,
 * `detail` says where in the file for a developer. Neither ever quotes a value from the file.
 */
export interface DicomProblem {
  readonly code: DicomProblemCode;
  readonly message: string;
  readonly detail?: string;
}

export const DICOM_PROBLEM_MESSAGES: Record<DicomProblemCode, string> = {
  'dicom.truncated': 'This DICOM file is incomplete: it ends before the data it announces. It was probably cut short while being copied or downloaded.',
  'dicom.bad-length': 'This DICOM file is damaged: a part of it gives a wrong size, so what follows cannot be read.',
  'dicom.malformed': 'This DICOM file is damaged: its structure does not follow the DICOM standard.',
  'dicom.bad-deflate': 'This DICOM file is compressed, and the compressed part is damaged or incomplete.',
  'dicom.header-too-large': 'The description part of this DICOM file is too large to be read here.',
  'dicom.unreadable': 'This file could not be read. It may have been moved, deleted or be open in another program.',
  'dicom.not-dicom': 'This file is not a DICOM file.',
};

function problem(code: DicomProblemCode, detail?: string): DicomProblem {
  return detail === undefined ? { code, message: DICOM_PROBLEM_MESSAGES[code] } : { code, message: DICOM_PROBLEM_MESSAGES[code], detail };
}

/** A person's name (VR PN, PS3.5 §6.2.1.2): up to three component groups of five components. */
export interface PersonNameComponents {
  readonly family: string;
  readonly given: string;
  readonly middle: string;
  readonly prefix: string;
  readonly suffix: string;
}

export interface PersonName {
  /** The decoded value as written, with `^` between components and `=` between groups. */
  readonly text: string;
  readonly alphabetic: PersonNameComponents;
  readonly ideographic?: PersonNameComponents;
  readonly phonetic?: PersonNameComponents;
}

export interface DicomHeader {
  /** `part10`: preamble, "DICM" and meta header; `raw`: a bare data set (or meta header without preamble). */
  readonly layout: 'part10' | 'raw';
  /** From the meta header; for a raw data set, the encoding it was found to use. */
  readonly transferSyntaxUid: string;
  readonly fileSize: number;
  /** Specific Character Set (0008,0005) as normalised Defined Terms ([] for the default repertoire). */
  readonly specificCharacterSet: readonly string[];
  /** False when a term is unknown and text was read as Latin-1. */
  readonly characterSetSupported: boolean;
  readonly isDicomdir: boolean;

  readonly sopClassUid?: string;
  readonly sopInstanceUid?: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;

  readonly patientName?: PersonName;
  readonly patientId?: string;
  /** DA as written, YYYYMMDD (PS3.5 Table 6.2-1). */
  readonly patientBirthDate?: string;
  readonly patientSex?: string;

  readonly studyDate?: string;
  readonly studyTime?: string;
  readonly studyDescription?: string;
  readonly studyId?: string;
  readonly accessionNumber?: string;
  readonly referringPhysicianName?: PersonName;
  readonly institutionName?: string;

  readonly modality?: string;
  readonly seriesDescription?: string;
  readonly seriesNumber?: number;
  readonly bodyPartExamined?: string;
  readonly instanceNumber?: number;

  readonly rows?: number;
  readonly columns?: number;
  readonly numberOfFrames?: number;
  readonly samplesPerPixel?: number;
  readonly bitsAllocated?: number;
  readonly bitsStored?: number;
  readonly pixelRepresentation?: number;
  readonly photometricInterpretation?: string;
  /** Burned In Annotation (0028,0301) is YES: text such as the name may be drawn into the pixels. */
  readonly burnedInAnnotation: boolean;

  readonly hasPixelData: boolean;
  /**
   * Byte offset in the file of Pixel Data's value (native) or of its first item (encapsulated);
   * undefined when there is none or the data set is deflated.
   */
  readonly pixelDataOffset?: number;
}

export type HeaderResult =
  | { readonly kind: 'dicom'; readonly header: DicomHeader }
  | { readonly kind: 'other' }
  | { readonly kind: 'damaged'; readonly problem: DicomProblem };

export interface ReadOptions {
  /** Bytes read first; doubled until the header is complete (default 64 KiB). */
  readonly initialBytes?: number;
  /** Most bytes of header read before giving up with dicom.header-too-large (default 64 MiB). */
  readonly maxHeaderBytes?: number;
}

const DEFAULT_INITIAL_BYTES = 64 * 1024;
const DEFAULT_MAX_HEADER_BYTES = 64 * 1024 * 1024;
const PREAMBLE_LENGTH = 128;
const UNDEFINED_LENGTH = 0xffffffff;

/** Every VR of PS3.5 Table 6.2-1; anything else where a VR belongs means the parser is reading garbage. */
const VALID_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/**
 * Reads the header of one file. Never throws for a file's content (only a TypeError when `file` is
 * not a Blob); a file that cannot be read at all is `damaged` with dicom.unreadable.
 */
export async function readDicomHeader(file: Blob, options: ReadOptions = {}): Promise<HeaderResult> {
  const opened = await openDataSet(file, { ...options, purpose: 'header' });
  if (opened.kind !== 'dicom') return opened;
  try {
    return { kind: 'dicom', header: describe(opened) };
  } catch {
    return { kind: 'damaged', problem: problem('dicom.malformed', 'an attribute could not be read') };
  }
}

/** Reads the headers of a batch of files, one after another; one bad file never stops the others. */
export async function readDicomHeaders(files: readonly Blob[], options: ReadOptions = {}): Promise<HeaderResult[]> {
  if (!Array.isArray(files)) throw new TypeError(`files: expected an array of Blob, got ${typeof files}`);
  const results: HeaderResult[] = [];
  for (const file of files) results.push(await readDicomHeader(file, options));
  return results;
}

/** A data set read far enough for its purpose, with what is needed to interpret it. */
export interface OpenedDataSet {
  readonly kind: 'dicom';
  readonly dataSet: DataSet;
  /** The meta header's elements (transfer syntax, media storage SOP class), or none for a raw data set. */
  readonly meta: DataSet | undefined;
  readonly layout: 'part10' | 'raw';
  readonly transferSyntaxUid: string;
  readonly fileSize: number;
  readonly pixelDataOffset: number | undefined;
  readonly hasPixelData: boolean;
}

export type OpenResult = OpenedDataSet | { readonly kind: 'other' } | { readonly kind: 'damaged'; readonly problem: DicomProblem };

/**
 * Opens a file's data set. `header` stops at Pixel Data (or once past the attributes read here);
 * `whole` reads every element (a DICOMDIR, whose records are the whole data set). Shared with
 * dicomdir.ts.
 */
export async function openDataSet(file: Blob, options: ReadOptions & { readonly purpose: 'header' | 'whole' }): Promise<OpenResult> {
  if (!(file instanceof Blob)) throw new TypeError(`file: expected a Blob or File, got ${Object.prototype.toString.call(file)}`);
  const maxHeaderBytes = checkedSize('maxHeaderBytes', options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
  const initialBytes = Math.min(checkedSize('initialBytes', options.initialBytes ?? DEFAULT_INITIAL_BYTES), maxHeaderBytes);
  try {
    return await open(file, initialBytes, maxHeaderBytes, options.purpose);
  } catch (error) {
    if (error instanceof WindowReadError) return { kind: 'damaged', problem: problem('dicom.unreadable') };
    if (error instanceof InflateError) return { kind: 'damaged', problem: problem('dicom.bad-deflate') };
    // Anything else thrown while parsing (dicom-parser throws strings, and TypeErrors on some
    // malformed input): a damaged file. Its text is not kept, since it may quote file contents.
    return { kind: 'damaged', problem: problem('dicom.malformed', 'the parser stopped on an unexpected structure') };
  }
}

function checkedSize(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 256) throw new RangeError(`${name}: expected an integer ≥ 256, got ${value}`);
  return value;
}

type Layout =
  | { readonly kind: 'part10' }
  /** Meta header without the preamble and "DICM": parsed after a synthetic preamble. */
  | { readonly kind: 'meta-without-preamble' }
  | { readonly kind: 'raw'; readonly transferSyntaxUid: string };

async function open(file: Blob, initialBytes: number, maxHeaderBytes: number, purpose: 'header' | 'whole'): Promise<OpenResult> {
  const fileSize = file.size;
  const start = await FileWindow.open(file, new Uint8Array(0), initialBytes);
  const layout = sniffLayout(start.bytes, fileSize);
  if (layout === undefined) return { kind: 'other' };

  let meta: DataSet | undefined;
  let transferSyntaxUid: string;
  let window: ByteWindow;
  /** Where the data set starts in the window (after the real or synthetic meta header). */
  let dataSetStart: number;
  if (layout.kind === 'raw') {
    transferSyntaxUid = layout.transferSyntaxUid;
    const synthetic = syntheticMetaHeader(transferSyntaxUid);
    window = await FileWindow.open(file, synthetic, initialBytes);
    dataSetStart = synthetic.length;
  } else {
    const prefix = layout.kind === 'part10' ? new Uint8Array(0) : syntheticPreamble();
    window = layout.kind === 'part10' ? start : await FileWindow.open(file, prefix, initialBytes);
    const read = await readMetaHeader(window, maxHeaderBytes);
    if (read.kind !== 'meta') return read;
    meta = read.meta;
    transferSyntaxUid = read.transferSyntaxUid;
    dataSetStart = read.end;
    if (transferSyntaxUid === TRANSFER_SYNTAX.deflatedExplicitLittleEndian) {
      // PS3.5 §A.5: everything after the File Meta Information is one raw deflate stream (RFC 1951).
      // It is inflated as far as needed and parsed as Explicit VR Little Endian behind a synthetic
      // meta header that says so.
      const deflatedStart = read.end - prefix.length;
      const synthetic = syntheticMetaHeader(TRANSFER_SYNTAX.explicitLittleEndian);
      window = await InflatedWindow.open(file, deflatedStart, synthetic, initialBytes);
      dataSetStart = synthetic.length;
    }
  }

  try {
    return await parseWindow(file, window, { layout, meta, transferSyntaxUid, dataSetStart, maxHeaderBytes, purpose });
  } finally {
    window.close();
  }
}

interface ParseWindowOptions {
  readonly layout: Layout;
  readonly meta: DataSet | undefined;
  readonly transferSyntaxUid: string;
  readonly dataSetStart: number;
  readonly maxHeaderBytes: number;
  readonly purpose: 'header' | 'whole';
}

/** Parses, and reads more while the header is incomplete, until done, broken or over the limit. */
async function parseWindow(file: Blob, window: ByteWindow, options: ParseWindowOptions): Promise<OpenResult> {
  const { layout, transferSyntaxUid, dataSetStart, maxHeaderBytes, purpose } = options;
  const fileSize = file.size;
  const explicit = transferSyntaxUid !== TRANSFER_SYNTAX.implicitLittleEndian;
  for (;;) {
    const outcome = attemptParse(window, { explicit, fileSize, dataSetStart, purpose });
    if (outcome.kind === 'need-more') {
      if (window.complete) return { kind: 'damaged', problem: problem('dicom.truncated', 'the file ends inside its header') };
      if (window.bytes.length >= maxHeaderBytes) return { kind: 'damaged', problem: problem('dicom.header-too-large') };
      await window.grow(Math.min(maxHeaderBytes, window.bytes.length * 2));
      continue;
    }
    if (outcome.kind === 'broken') {
      // A bare data set whose first elements do not even parse was never DICOM.
      if (layout.kind === 'raw' && outcome.elementsRead < 3) return { kind: 'other' };
      return { kind: 'damaged', problem: outcome.problem };
    }
    const pixel = outcome.dataSet.elements[TAGS.PixelData.tag];
    const pixelDataOffset = pixel ? window.fileOffset(pixel.dataOffset) : undefined;
    if (pixel && pixelDataOffset !== undefined) {
      const truncation = await checkPixelDataEnd(file, pixel, pixelDataOffset);
      if (truncation) return { kind: 'damaged', problem: truncation };
    }
    if (pixel && window instanceof InflatedWindow && !pixel.hadUndefinedLength) {
      // A deflated file cut short is only seen at the end of its stream: inflate the rest, without
      // keeping it, and check that Pixel Data fits.
      const inflatedLength = await window.drain();
      if (pixel.dataOffset + pixel.length > inflatedLength) {
        return { kind: 'damaged', problem: problem('dicom.truncated', 'the inflated data set ends inside Pixel Data') };
      }
    }
    return {
      kind: 'dicom',
      dataSet: outcome.dataSet,
      meta: options.meta,
      layout: layout.kind === 'part10' ? 'part10' : 'raw',
      transferSyntaxUid,
      fileSize,
      pixelDataOffset,
      hasPixelData: pixel !== undefined,
    };
  }
}

/**
 * What the first bytes say (PS3.10 §7.1). Undefined: not DICOM. A bare data set must start with an
 * element of group 0002 or 0008 whose VR (explicit) or length (implicit) is plausible.
 */
function sniffLayout(bytes: Uint8Array, fileSize: number): Layout | undefined {
  if (bytes.length >= PREAMBLE_LENGTH + 4 && ascii(bytes, PREAMBLE_LENGTH, 4) === 'DICM') return { kind: 'part10' };
  if (bytes.length < 8) return undefined;
  const group = bytes[0]! | (bytes[1]! << 8);
  const vr = ascii(bytes, 4, 2);
  if (group === 0x0002) return VALID_VRS.has(vr) ? { kind: 'meta-without-preamble' } : undefined;
  if (group !== 0x0008) return undefined;
  if (VALID_VRS.has(vr)) return { kind: 'raw', transferSyntaxUid: TRANSFER_SYNTAX.explicitLittleEndian };
  const length = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0;
  if (length === UNDEFINED_LENGTH || length <= fileSize - 8) return { kind: 'raw', transferSyntaxUid: TRANSFER_SYNTAX.implicitLittleEndian };
  return undefined;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let index = start; index < start + length && index < bytes.length; index++) text += String.fromCharCode(bytes[index]!);
  return text;
}

function syntheticPreamble(): Uint8Array {
  const bytes = new Uint8Array(PREAMBLE_LENGTH + 4);
  bytes.set([0x44, 0x49, 0x43, 0x4d], PREAMBLE_LENGTH); // "DICM"
  return bytes;
}

/** Preamble, "DICM" and a one-element meta header giving the transfer syntax (PS3.10 §7.1). */
function syntheticMetaHeader(transferSyntaxUid: string): Uint8Array {
  const uid = transferSyntaxUid.length % 2 === 0 ? transferSyntaxUid : `${transferSyntaxUid}\0`;
  const bytes = new Uint8Array(PREAMBLE_LENGTH + 4 + 8 + uid.length);
  bytes.set(syntheticPreamble());
  // (0002,0010) UI, 16-bit length, Explicit VR Little Endian.
  bytes.set([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, uid.length & 0xff, uid.length >> 8], PREAMBLE_LENGTH + 4);
  for (let index = 0; index < uid.length; index++) bytes[PREAMBLE_LENGTH + 12 + index] = uid.charCodeAt(index);
  return bytes;
}

type MetaRead =
  | { readonly kind: 'meta'; readonly meta: DataSet; readonly transferSyntaxUid: string; readonly end: number }
  | { readonly kind: 'damaged'; readonly problem: DicomProblem };

/** The File Meta Information (PS3.10 §7.1): group 0002, Explicit VR Little Endian, right after "DICM". */
async function readMetaHeader(window: ByteWindow, maxHeaderBytes: number): Promise<MetaRead> {
  for (;;) {
    let meta: (DataSet & { position?: number }) | undefined;
    try {
      meta = dicomParser.readPart10Header(window.bytes) as DataSet & { position?: number };
    } catch {
      meta = undefined;
    }
    const end = meta?.position;
    const transferSyntax = meta?.elements[TAGS.TransferSyntaxUID.tag];
    // The meta header is complete once the reader stopped on the first element after group 0002.
    const complete = meta !== undefined && end !== undefined && (end < window.bytes.length || (end === window.bytes.length && window.complete));
    if (complete && meta && end !== undefined) {
      if (!transferSyntax || transferSyntax.dataOffset + transferSyntax.length > end) {
        return { kind: 'damaged', problem: problem('dicom.malformed', 'the meta header has no Transfer Syntax UID (0002,0010)') };
      }
      const uid = trimUid(ascii(window.bytes, transferSyntax.dataOffset, transferSyntax.length));
      return { kind: 'meta', meta, transferSyntaxUid: uid, end };
    }
    if (window.complete) {
      const overrun = end !== undefined && end > window.bytes.length;
      return { kind: 'damaged', problem: problem(overrun || meta === undefined ? 'dicom.truncated' : 'dicom.malformed', 'the file ends inside its meta header') };
    }
    if (window.bytes.length >= maxHeaderBytes) return { kind: 'damaged', problem: problem('dicom.header-too-large') };
    await window.grow(Math.min(maxHeaderBytes, window.bytes.length * 2));
  }
}

function trimUid(value: string): string {
  return value.replace(/[\0 ]+$/, '');
}

type Attempt =
  | { readonly kind: 'done'; readonly dataSet: DataSet }
  | { readonly kind: 'need-more' }
  | { readonly kind: 'broken'; readonly problem: DicomProblem; readonly elementsRead: number };

interface ParseContext {
  readonly explicit: boolean;
  readonly fileSize: number;
  readonly dataSetStart: number;
  readonly purpose: 'header' | 'whole';
}

interface ParseFailure {
  readonly exception: unknown;
  readonly dataSet: DataSet;
}

function isParseFailure(value: unknown): value is ParseFailure {
  return typeof value === 'object' && value !== null && 'exception' in value && 'dataSet' in value;
}

/**
 * One parse of what has been read so far, and what to make of it: done, read more, or broken. A
 * data set's elements are in ascending tag order (PS3.5 §7.1) and carry a known VR (§6.2), so the
 * first element out of order or with no valid VR is where the parser started reading garbage — a
 * length before it was wrong, since nothing else moves a reader in DICOM's tag-length-value stream.
 */
function attemptParse(window: ByteWindow, context: ParseContext): Attempt {
  const bytes = window.bytes;
  let dataSet: DataSet | undefined;
  let exception: unknown;
  let threw = false;
  try {
    dataSet = dicomParser.parseDicom(bytes, {
      ...(context.purpose === 'header' ? { untilTag: TAGS.PixelData.tag } : {}),
      vrCallback: vrOf,
    });
  } catch (error) {
    threw = true;
    if (isParseFailure(error)) {
      dataSet = error.dataSet;
      exception = error.exception;
    } else {
      exception = error;
    }
  }
  if (dataSet === undefined) {
    return window.complete ? broken('dicom.malformed', 'the data set could not be started', 0) : { kind: 'need-more' };
  }

  const elements = Object.values(dataSet.elements)
    .filter((element) => element.dataOffset >= context.dataSetStart)
    .sort((a, b) => a.dataOffset - b.dataOffset);
  let previous: Element | undefined;
  for (const [index, element] of elements.entries()) {
    const outOfOrder = previous !== undefined && element.tag <= previous.tag;
    const badVr = context.explicit && !VALID_VRS.has(element.vr ?? '');
    if (outOfOrder || badVr) {
      if (!previous) return broken('dicom.malformed', 'the first data element cannot be read', index);
      return broken('dicom.bad-length', `the data after element ${formatTag(previous.tag)} cannot be read: its length is wrong`, index);
    }
    previous = element;
  }

  const pixel = dataSet.elements[TAGS.PixelData.tag];
  if (pixel && context.purpose === 'header') return { kind: 'done', dataSet };

  const last = elements.at(-1);
  const lastEnd = last && !last.hadUndefinedLength ? last.dataOffset + last.length : undefined;
  const overrun = last !== undefined && lastEnd !== undefined && lastEnd > bytes.length && last.vr !== 'SQ' ? last : undefined;
  const endOfInput = dataSet.warnings.some((warning) => warning.startsWith('eof'));
  if (!threw && !overrun && !endOfInput) return window.complete ? { kind: 'done', dataSet } : { kind: 'need-more' };

  if (overrun) {
    const fileStart = window.fileOffset(overrun.dataOffset);
    const beyondFile = fileStart !== undefined && fileStart + overrun.length > context.fileSize;
    if (beyondFile || window.complete) return overrunProblem(overrun, context.fileSize, elements.length);
    // Everything read here lies before this element: the rest can stay unread (PS3.5 §7.1 order).
    if (context.purpose === 'header' && overrun.tag > LAST_NEEDED_TAG) return { kind: 'done', dataSet };
    return { kind: 'need-more' };
  }
  if (!window.complete) return { kind: 'need-more' };
  const text = typeof exception === 'string' ? exception : '';
  if (/item tag|item delimiter/i.test(text)) {
    return broken('dicom.bad-length', `a sequence item ${last ? `after element ${formatTag(last.tag)} ` : ''}cannot be read: a length is wrong`, elements.length);
  }
  if (endOfInput || /past end|overread|overrun|eof/i.test(text)) {
    return broken('dicom.truncated', last ? `the file ends inside or after element ${formatTag(last.tag)}` : 'the file ends inside its data set', elements.length);
  }
  return broken('dicom.malformed', last ? `the parser stopped after element ${formatTag(last.tag)}` : 'the parser stopped at the first element', elements.length);
}

function broken(code: DicomProblemCode, detail: string, elementsRead: number): Attempt {
  return { kind: 'broken', problem: problem(code, detail), elementsRead };
}

/**
 * An element whose value runs past the end of the file. A length larger than the whole file, or odd
 * (every value length is even, PS3.5 §7.1.1), is a lie; otherwise the file was cut short.
 */
function overrunProblem(element: Element, fileSize: number, elementsRead: number): Attempt {
  if (element.length > fileSize || element.length % 2 === 1) {
    return broken('dicom.bad-length', `element ${formatTag(element.tag)} claims ${element.length} bytes, more than the file holds`, elementsRead);
  }
  return broken('dicom.truncated', `the file ends inside element ${formatTag(element.tag)}`, elementsRead);
}

const TAIL_BYTES = 4096;

/**
 * Pixel Data is the last thing read only as far as its start; a file cut inside it is still caught.
 * Native pixel data has a length (PS3.5 §8.1.1); encapsulated pixel data ends with a Sequence
 * Delimitation Item (PS3.5 §A.4), after which only Data Set Trailing Padding (FFFC,FFFC) may follow.
 */
async function checkPixelDataEnd(file: Blob, pixel: Element, fileOffset: number): Promise<DicomProblem | undefined> {
  if (!pixel.hadUndefinedLength) {
    if (pixel.length > file.size || pixel.length % 2 === 1) {
      return problem('dicom.bad-length', `Pixel Data claims ${pixel.length} bytes, more than the file holds`);
    }
    return fileOffset + pixel.length > file.size ? problem('dicom.truncated', 'the file ends inside Pixel Data') : undefined;
  }
  const tailStart = Math.max(fileOffset, file.size - TAIL_BYTES);
  const tail = await readSlice(file, tailStart, file.size);
  const delimiter = [0xfe, 0xff, 0xdd, 0xe0, 0x00, 0x00, 0x00, 0x00];
  if (endsWith(tail, delimiter)) return undefined;
  const padding = [...delimiter, 0xfc, 0xff, 0xfc, 0xff];
  if (indexOf(tail, padding) >= 0) return undefined;
  return problem('dicom.truncated', 'the file ends inside encapsulated Pixel Data (no sequence delimiter at its end)');
}

function endsWith(bytes: Uint8Array, suffix: readonly number[]): boolean {
  if (bytes.length < suffix.length) return false;
  return suffix.every((byte, index) => bytes[bytes.length - suffix.length + index] === byte);
}

function indexOf(bytes: Uint8Array, needle: readonly number[]): number {
  outer: for (let start = 0; start + needle.length <= bytes.length; start++) {
    for (let index = 0; index < needle.length; index++) if (bytes[start + index] !== needle[index]) continue outer;
    return start;
  }
  return -1;
}

// ── Reading a growing prefix ─────────────────────────────────────────────────────────────────────

/** Bytes read so far: a synthetic prefix (when one was needed) followed by the file's or the inflated bytes. */
interface ByteWindow {
  readonly bytes: Uint8Array;
  /** True once `bytes` hold everything there is to read. */
  readonly complete: boolean;
  /** The file offset of a position in `bytes`, or undefined for a synthetic or inflated position. */
  fileOffset(position: number): number | undefined;
  /** Reads on until `bytes` holds at least `length` bytes or everything there is. */
  grow(length: number): Promise<void>;
  /** Stops reading (the rest of a deflate stream is never needed once the header is complete). */
  close(): void;
}

class WindowReadError extends Error {
  override readonly name = 'WindowReadError';
}

class InflateError extends Error {
  override readonly name = 'InflateError';
}

async function readSlice(file: Blob, start: number, end: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await file.slice(start, end).arrayBuffer());
  } catch (error) {
    throw new WindowReadError('the file could not be read', { cause: error });
  }
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
}

class FileWindow implements ByteWindow {
  private constructor(
    private readonly file: Blob,
    private readonly prefixLength: number,
    public bytes: Uint8Array,
  ) {}

  static async open(file: Blob, prefix: Uint8Array, length: number): Promise<FileWindow> {
    const first = await readSlice(file, 0, Math.min(file.size, length));
    return new FileWindow(file, prefix.length, concat(prefix, first));
  }

  get complete(): boolean {
    return this.bytes.length - this.prefixLength >= this.file.size;
  }

  fileOffset(position: number): number | undefined {
    return position >= this.prefixLength ? position - this.prefixLength : undefined;
  }

  close(): void {}

  async grow(length: number): Promise<void> {
    const readSoFar = this.bytes.length - this.prefixLength;
    const end = Math.min(this.file.size, Math.max(readSoFar, length - this.prefixLength));
    if (end <= readSoFar) return;
    this.bytes = concat(this.bytes, await readSlice(this.file, readSoFar, end));
  }
}

class InflatedWindow implements ByteWindow {
  private done = false;

  private constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    public bytes: Uint8Array,
  ) {}

  static async open(file: Blob, deflatedStart: number, prefix: Uint8Array, length: number): Promise<InflatedWindow> {
    let reader: ReadableStreamDefaultReader<Uint8Array>;
    try {
      reader = file.slice(deflatedStart).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
    } catch (error) {
      throw new WindowReadError('the file could not be read', { cause: error });
    }
    const window = new InflatedWindow(reader, prefix);
    await window.grow(prefix.length + length);
    return window;
  }

  get complete(): boolean {
    return this.done;
  }

  fileOffset(): undefined {
    return undefined;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.reader.cancel().catch(() => undefined);
  }

  /** Inflates the rest of the stream without keeping it; returns the length of everything inflated. */
  async drain(): Promise<number> {
    let total = this.bytes.length;
    while (!this.done) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.reader.read();
      } catch (error) {
        throw new InflateError('the deflated data set could not be inflated', { cause: error });
      }
      if (chunk.done) this.done = true;
      else total += chunk.value.length;
    }
    return total;
  }

  async grow(length: number): Promise<void> {
    const chunks: Uint8Array[] = [this.bytes];
    let total = this.bytes.length;
    while (!this.done && total < length) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await this.reader.read();
      } catch (error) {
        throw new InflateError('the deflated data set could not be inflated', { cause: error });
      }
      if (chunk.done) {
        this.done = true;
        break;
      }
      chunks.push(chunk.value);
      total += chunk.value.length;
    }
    if (chunks.length > 1) {
      const joined = new Uint8Array(total);
      let offset = 0;
      for (const chunk of chunks) {
        joined.set(chunk, offset);
        offset += chunk.length;
      }
      this.bytes = joined;
    }
  }
}

// ── From data set to header ──────────────────────────────────────────────────────────────────────

function describe(opened: OpenedDataSet): DicomHeader {
  const { dataSet, meta } = opened;
  const characterSet = parseSpecificCharacterSet(rawText(dataSet, 'SpecificCharacterSet'));
  const text = (keyword: Keyword): string | undefined => firstValue(dataSet, keyword, characterSet);
  const person = (keyword: Keyword): PersonName | undefined => {
    const value = firstValue(dataSet, keyword, characterSet);
    return value === undefined ? undefined : parsePersonName(value);
  };
  const mediaStorageSopClass = meta ? firstValue(meta, 'MediaStorageSOPClassUID', []) : undefined;
  const sopClassUid = text('SOPClassUID') ?? mediaStorageSopClass;
  const header: DicomHeader = {
    layout: opened.layout,
    transferSyntaxUid: opened.transferSyntaxUid,
    fileSize: opened.fileSize,
    specificCharacterSet: characterSet,
    characterSetSupported: unknownCharacterSets(characterSet).length === 0,
    isDicomdir: sopClassUid === MEDIA_STORAGE_DIRECTORY_SOP_CLASS || dataSet.elements[TAGS.DirectoryRecordSequence.tag] !== undefined,
    sopClassUid,
    sopInstanceUid: text('SOPInstanceUID') ?? (meta ? firstValue(meta, 'MediaStorageSOPInstanceUID', []) : undefined),
    studyInstanceUid: text('StudyInstanceUID'),
    seriesInstanceUid: text('SeriesInstanceUID'),
    patientName: person('PatientName'),
    patientId: text('PatientID'),
    patientBirthDate: text('PatientBirthDate'),
    patientSex: text('PatientSex'),
    studyDate: text('StudyDate'),
    studyTime: text('StudyTime'),
    studyDescription: text('StudyDescription'),
    studyId: text('StudyID'),
    accessionNumber: text('AccessionNumber'),
    referringPhysicianName: person('ReferringPhysicianName'),
    institutionName: text('InstitutionName'),
    modality: text('Modality'),
    seriesDescription: text('SeriesDescription'),
    seriesNumber: integer(text('SeriesNumber')),
    bodyPartExamined: text('BodyPartExamined'),
    instanceNumber: integer(text('InstanceNumber')),
    rows: unsigned16(dataSet, 'Rows'),
    columns: unsigned16(dataSet, 'Columns'),
    numberOfFrames: integer(text('NumberOfFrames')),
    samplesPerPixel: unsigned16(dataSet, 'SamplesPerPixel'),
    bitsAllocated: unsigned16(dataSet, 'BitsAllocated'),
    bitsStored: unsigned16(dataSet, 'BitsStored'),
    pixelRepresentation: unsigned16(dataSet, 'PixelRepresentation'),
    photometricInterpretation: text('PhotometricInterpretation'),
    burnedInAnnotation: text('BurnedInAnnotation')?.toUpperCase() === 'YES',
    hasPixelData: opened.hasPixelData,
    pixelDataOffset: opened.pixelDataOffset,
  };
  return withoutUndefined(header);
}

/** Drops absent properties, so that a record compares and clones as the plain object it describes. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** The bytes of an element's value, clipped to what was read. */
export function valueBytes(dataSet: DataSet, tag: string): Uint8Array | undefined {
  const element = dataSet.elements[tag];
  if (!element || element.hadUndefinedLength || element.length === 0) return undefined;
  const bytes = dataSet.byteArray as Uint8Array;
  const start = Math.min(element.dataOffset, bytes.length);
  return bytes.subarray(start, Math.min(bytes.length, start + element.length));
}

function rawText(dataSet: DataSet, keyword: Keyword): string | undefined {
  const bytes = valueBytes(dataSet, TAGS[keyword].tag);
  return bytes === undefined ? undefined : decodeText(bytes, [], 'CS');
}

/** The first value of a string attribute, decoded and trimmed; undefined when absent or empty. */
function firstValue(dataSet: DataSet, keyword: Keyword, characterSet: readonly string[]): string | undefined {
  const { tag, vr } = TAGS[keyword];
  const bytes = valueBytes(dataSet, tag);
  if (bytes === undefined) return undefined;
  const value = splitValues(decodeText(bytes, characterSet, vr), vr)[0];
  return value === undefined || value === '' ? undefined : value;
}

function unsigned16(dataSet: DataSet, keyword: Keyword): number | undefined {
  const element = dataSet.elements[TAGS[keyword].tag];
  if (!element || element.length < 2 || element.dataOffset + 2 > dataSet.byteArray.length) return undefined;
  // The data set's own byte order: big endian for Explicit VR Big Endian (PS3.5 §7.3).
  return dataSet.byteArrayParser.readUint16(dataSet.byteArray, element.dataOffset);
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return undefined;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : undefined;
}

/**
 * Splits a decoded PN value into component groups (`=`: alphabetic, ideographic, phonetic) and
 * components (`^`: family, given, middle, prefix, suffix), PS3.5 §6.2.1.2. Only the first value of
 * a multi-valued PN is meant; split at `\` first.
 */
export function parsePersonName(text: string): PersonName {
  const [alphabetic = '', ideographic, phonetic] = text.split('=');
  const components = (group: string): PersonNameComponents => {
    const [family = '', given = '', middle = '', prefix = '', suffix = ''] = group.split('^').map((part) => part.trim());
    return { family, given, middle, prefix, suffix };
  };
  return {
    text,
    alphabetic: components(alphabetic),
    ...(ideographic !== undefined && ideographic !== '' ? { ideographic: components(ideographic) } : {}),
    ...(phonetic !== undefined && phonetic !== '' ? { phonetic: components(phonetic) } : {}),
  };
}
