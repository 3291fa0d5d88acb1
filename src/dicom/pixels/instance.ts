/**
 * Opening one DICOM instance for its pixels: the Part 10 header, the transfer syntax, the data set
 * (inflated first when deflated), and the attributes of the Image Pixel module (PS3.3 C.7.6.3) and
 * of the grayscale pipeline (Modality LUT C.11.1, VOI LUT C.11.2) that drawing needs. The header
 * engineer's parser (src/dicom/header.ts) reads what a clinician looks for; this reads only what
 * turns bytes into pixels, and stops at nothing: the pixel data is needed.
 */
import { parseDicom, readPart10Header, type DataSet, type Element } from 'dicom-parser';
import { PreviewFailure } from './problems.js';
import { transferSyntax, type TransferSyntax } from './syntaxes.js';

/** A lookup table as PS3.3 C.11.1.1.1 / C.11.2.1.1 define it (also the palettes, C.7.6.3.1.5). */
export interface LookupTable {
  /** Input value that maps to the first entry; inputs below it map to the first entry. */
  readonly firstMapped: number;
  /** Bits per entry (third value of the descriptor): the output range is 0 … 2^bits − 1. */
  readonly bits: number;
  readonly data: Uint16Array;
}

export interface FileWindow {
  readonly centre: number;
  readonly width: number;
  /** Window Center & Width Explanation (0028,1055), e.g. "BONE"; not patient data. */
  readonly explanation: string | undefined;
}

export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** What turns stored grey values into display values: the Modality LUT, then the VOI LUT. */
export interface GreyLuts {
  /** Modality LUT (C.11.1): a table when the file has one, otherwise rescale slope and intercept. */
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly modalityTable: LookupTable | undefined;
  readonly windows: readonly FileWindow[];
  readonly voiFunction: VoiFunction;
  readonly voiTables: readonly LookupTable[];
}

export interface PixelDescription extends GreyLuts {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  readonly signed: boolean;
  readonly photometric: string;
  readonly planarConfiguration: 0 | 1;
  readonly frameCount: number;
  readonly syntax: TransferSyntax;
  /** Modality (0008,0060): "CT" makes the Hounsfield presets meaningful. */
  readonly modality: string | undefined;
  /** Palette (C.7.6.3.1.5), for PALETTE COLOR only: red, green, blue. */
  readonly palette: readonly [LookupTable, LookupTable, LookupTable] | undefined;
}

export interface PixelInstance {
  readonly description: PixelDescription;
  readonly dataSet: DataSet;
  readonly pixelData: Element;
}

const TRANSFER_SYNTAX_UID = 'x00020010';
const PIXEL_DATA = 'x7fe00010';

/**
 * Reads an instance's header and locates its pixel data. Async because a deflated data set
 * (PS3.5 A.5) is inflated with the platform's DecompressionStream, which is a stream.
 */
export async function openPixelInstance(bytes: Uint8Array): Promise<PixelInstance> {
  let meta: DataSet;
  try {
    meta = readPart10Header(bytes);
  } catch (error) {
    throw new PreviewFailure('pixels.unreadable', 'The file does not start like a DICOM file (no "DICM" header).', { cause: error });
  }
  const uid = meta.string(TRANSFER_SYNTAX_UID)?.replace(/\0/g, '').trim() ?? '';
  const syntax = transferSyntax(uid);
  if (syntax === undefined) {
    throw new PreviewFailure('pixels.unsupported-syntax', `The image is encoded with transfer syntax ${uid === '' ? '(none given)' : safeUid(uid)}, which this preview does not decode.`);
  }

  let full = bytes;
  if (syntax.deflated) {
    const position = (meta as DataSet & { position?: number }).position;
    if (position === undefined) throw new PreviewFailure('pixels.unreadable', 'The file header could not be read.');
    full = await inflateDataSet(bytes, position);
  }

  const dataSet = parseDataSet(full, syntax);
  const pixelData = dataSet.elements[PIXEL_DATA];
  if (pixelData === undefined) {
    if (dataSet.elements['x7fe00008'] !== undefined || dataSet.elements['x7fe00009'] !== undefined) {
      throw new PreviewFailure('pixels.unsupported-layout', 'The image holds floating-point pixels, which this preview does not draw.');
    }
    throw new PreviewFailure('pixels.no-image', 'The file holds no image (no Pixel Data).');
  }
  const description = describePixels(dataSet, syntax);
  return { description, dataSet, pixelData };
}

/**
 * The whole data set. A file cut short inside native pixel data (dicom-parser throws when an
 * element runs past the end) is read again up to the Pixel Data element's header, so that the
 * frames before the cut can still be drawn; frames.ts reports the rest as truncated.
 */
function parseDataSet(full: Uint8Array, syntax: TransferSyntax): DataSet {
  const options = syntax.deflated ? { inflater: () => full } : {};
  try {
    return parseDicom(full, options);
  } catch (error) {
    try {
      const header = parseDicom(full, { ...options, untilTag: PIXEL_DATA });
      const pixelData = header.elements[PIXEL_DATA];
      // Only native data can be read from its header alone; fragments need the whole element.
      if (pixelData !== undefined && syntax.encoding === 'native' && pixelData.dataOffset < full.length) return header;
    } catch {
      // Damaged before the pixel data too: reported below.
    }
    // dicom-parser throws `{ exception, dataSet }` when it fails part way.
    const partial = (error as { dataSet?: DataSet } | undefined)?.dataSet;
    if (partial?.elements[PIXEL_DATA] !== undefined || partial?.elements['x00280010'] !== undefined) {
      throw new PreviewFailure('pixels.truncated', 'The file is cut short: its image data is incomplete.', { cause: error });
    }
    throw new PreviewFailure('pixels.unreadable', 'The file could not be read as DICOM: an element runs past the end of the file.', { cause: error });
  }
}

/** A UID is digits and dots; anything else is not echoed back (it would be file content). */
function safeUid(uid: string): string {
  return /^[0-9.]{1,64}$/.test(uid) ? uid : '(not a valid UID)';
}

/** PS3.5 A.5: everything after the File Meta Information is one raw deflate stream (RFC 1951). */
async function inflateDataSet(bytes: Uint8Array, position: number): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes.slice(position)]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    const inflated = new Uint8Array(await new Response(stream).arrayBuffer());
    const full = new Uint8Array(position + inflated.length);
    full.set(bytes.subarray(0, position), 0);
    full.set(inflated, position);
    return full;
  } catch (error) {
    throw new PreviewFailure('pixels.corrupt', 'The compressed (deflated) part of the file is damaged.', { cause: error });
  }
}

function describePixels(dataSet: DataSet, syntax: TransferSyntax): PixelDescription {
  const rows = dataSet.uint16('x00280010');
  const columns = dataSet.uint16('x00280011');
  const bitsAllocated = dataSet.uint16('x00280100');
  if (rows === undefined || columns === undefined || bitsAllocated === undefined) {
    throw new PreviewFailure('pixels.no-image', 'The file has pixel data but no image size (Rows, Columns or Bits Allocated missing).');
  }
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const highBit = dataSet.uint16('x00280102') ?? bitsStored - 1;
  const signed = dataSet.uint16('x00280103') === 1;
  const photometric = (dataSet.string('x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase();
  const planarConfiguration = dataSet.uint16('x00280006') === 1 ? 1 : 0;
  // Number of Frames is IS (C.7.6.6); absent means one frame.
  const frames = dataSet.intString('x00280008');
  const frameCount = frames === undefined || Number.isNaN(frames) ? 1 : frames;

  if (rows === 0 || columns === 0) throw new PreviewFailure('pixels.inconsistent', 'The image has zero rows or columns.');
  if (!Number.isSafeInteger(frameCount) || frameCount < 1) {
    throw new PreviewFailure('pixels.inconsistent', `The file announces ${frameCount} frames.`);
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit + 1 < bitsStored || highBit >= bitsAllocated) {
    throw new PreviewFailure('pixels.inconsistent', `Bits Stored ${bitsStored}, High Bit ${highBit} and Bits Allocated ${bitsAllocated} contradict each other.`);
  }
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw new PreviewFailure('pixels.unsupported-layout', `The image has ${samplesPerPixel} samples per pixel; the preview draws 1 (grey) or 3 (colour).`);
  }

  const slope = dataSet.floatString('x00281053');
  const intercept = dataSet.floatString('x00281052');
  const signedTables = signed;
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    signed,
    photometric,
    planarConfiguration,
    frameCount,
    syntax,
    modality: dataSet.string('x00080060')?.trim().toUpperCase() || undefined,
    rescaleSlope: slope !== undefined && Number.isFinite(slope) && slope !== 0 ? slope : 1,
    rescaleIntercept: intercept !== undefined && Number.isFinite(intercept) ? intercept : 0,
    modalityTable: firstTableOf(dataSet, 'x00283000', signedTables),
    windows: fileWindows(dataSet),
    voiFunction: voiFunction(dataSet),
    voiTables: tablesOf(dataSet, 'x00283010', signedTables),
    palette: photometric === 'PALETTE COLOR' ? palette(dataSet, signed) : undefined,
  };
}

/**
 * Window Center (0028,1050) and Width (0028,1051) are multi-valued DS: pairs with the same index
 * belong together (C.11.2.1.2). Pairs without a valid width are dropped.
 */
function fileWindows(dataSet: DataSet): FileWindow[] {
  const count = Math.min(dataSet.numStringValues('x00281050') ?? 0, dataSet.numStringValues('x00281051') ?? 0);
  const windows: FileWindow[] = [];
  for (let index = 0; index < count; index++) {
    const centre = dataSet.floatString('x00281050', index);
    const width = dataSet.floatString('x00281051', index);
    if (centre === undefined || width === undefined || !Number.isFinite(centre) || !Number.isFinite(width) || width <= 0) continue;
    windows.push({ centre, width, explanation: dataSet.string('x00281055', index)?.trim() || undefined });
  }
  return windows;
}

/** VOI LUT Function (0028,1056), C.11.2.1.3; LINEAR when absent or unknown. */
function voiFunction(dataSet: DataSet): VoiFunction {
  const value = dataSet.string('x00281056')?.trim().toUpperCase();
  return value === 'SIGMOID' || value === 'LINEAR_EXACT' ? value : 'LINEAR';
}

function firstTableOf(dataSet: DataSet, sequenceTag: string, signed: boolean): LookupTable | undefined {
  return tablesOf(dataSet, sequenceTag, signed)[0];
}

/** Items of a Modality LUT Sequence (0028,3000) or VOI LUT Sequence (0028,3010). */
function tablesOf(dataSet: DataSet, sequenceTag: string, signed: boolean): LookupTable[] {
  const items = dataSet.elements[sequenceTag]?.items ?? [];
  const tables: LookupTable[] = [];
  for (const item of items) {
    if (item.dataSet === undefined) continue;
    const table = lookupTable(item.dataSet, 'x00283002', 'x00283006', signed);
    if (table !== undefined) tables.push(table);
  }
  return tables;
}

/**
 * A LUT from its descriptor and data (C.11.1.1.1): descriptor = [entries (0 means 65536), first
 * value mapped (signed when the input is), bits per entry]. The data is OW (or US): one entry per
 * 16-bit word, except that an 8-bit palette may be packed two entries a word (C.7.6.3.1.6), which
 * shows as half as many bytes as entries × 2.
 */
function lookupTable(dataSet: DataSet, descriptorTag: string, dataTag: string, signed: boolean): LookupTable | undefined {
  const descriptor = dataSet.elements[descriptorTag];
  const dataElement = dataSet.elements[dataTag];
  if (descriptor === undefined || dataElement === undefined || descriptor.length < 6) return undefined;
  const entries = dataSet.uint16(descriptorTag, 0) || 65536;
  const firstRaw = dataSet.uint16(descriptorTag, 1) ?? 0;
  const firstMapped = signed && firstRaw >= 0x8000 ? firstRaw - 0x10000 : firstRaw;
  const bits = dataSet.uint16(descriptorTag, 2) ?? 16;
  const data = new Uint16Array(entries);
  if (dataElement.length >= entries * 2) {
    for (let index = 0; index < entries; index++) data[index] = dataSet.uint16(dataTag, index) ?? 0;
  } else if (dataElement.length >= entries) {
    // Packed 8-bit entries: in file order, whatever the byte order of the words (A.1 / A.3).
    const bigEndian = dataSet.byteArrayParser.readUint16(new Uint8Array([1, 0]), 0) !== 1;
    for (let index = 0; index < entries; index++) {
      const position = bigEndian ? index ^ 1 : index;
      data[index] = dataSet.byteArray[dataElement.dataOffset + position] ?? 0;
    }
  } else {
    return undefined;
  }
  if (bits < 1 || bits > 16) return undefined;
  return { firstMapped, bits, data };
}

function palette(dataSet: DataSet, signed: boolean): readonly [LookupTable, LookupTable, LookupTable] {
  if (dataSet.elements['x00281221'] !== undefined) {
    throw new PreviewFailure('pixels.unsupported-layout', 'The image uses a segmented colour palette, which this preview does not draw.');
  }
  const red = lookupTable(dataSet, 'x00281101', 'x00281201', signed);
  const green = lookupTable(dataSet, 'x00281102', 'x00281202', signed);
  const blue = lookupTable(dataSet, 'x00281103', 'x00281203', signed);
  if (red === undefined || green === undefined || blue === undefined) {
    throw new PreviewFailure('pixels.inconsistent', 'The image is palette colour but its palette is missing or incomplete.');
  }
  return [red, green, blue];
}
