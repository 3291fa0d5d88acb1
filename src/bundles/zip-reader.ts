/**
 * Reads the directory of a zip archive held in a Blob (a File the person gave), without reading the
 * archive into memory: only its end record and central directory are read, and a stored entry comes
 * back as a slice of the Blob (no copy; a share of a gigabyte stays on disk). A deflated entry (a
 * bundle someone re-zipped) is inflated with the platform's DecompressionStream into a Blob.
 *
 * Written from PKWARE's APPNOTE.TXT 6.3.10: §4.3.7 local file header, §4.3.12 central directory
 * header, §4.3.14–4.3.16 Zip64 and end of central directory records, §4.5.3 the Zip64 extra field.
 * Archives split over several disks and encrypted entries are refused. jszip, which the app uses
 * for dropped studies, reads the whole archive into memory first; bundles hold shares as large as
 * the original file, so they get this reader.
 *
 * Entry names are only looked at, never used as paths: nothing is extracted to a file system.
 */
import { BundleError } from './errors.js';

export interface ZipEntry {
  /** The name as stored (UTF-8 when flagged, else read as Latin-1: only ASCII names matter here). */
  readonly name: string;
  /** 0 stored, 8 deflated; others are listed but cannot be opened. */
  readonly method: number;
  readonly encrypted: boolean;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the entry's local header. */
  readonly headerOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** A bundle holds a handful of entries; a directory larger than this is not one. */
const MAX_DIRECTORY_SIZE = 4 * 1024 * 1024;
const MAX_ENTRIES = 10_000;

async function readBytes(blob: Blob, offset: number, length: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
}

function damaged(what: string): BundleError {
  return new BundleError('bundle.damaged', `The zip file is damaged: ${what}.`);
}

/** A 64-bit little-endian field as a Number, refused above 2^53 (no real file is that large). */
function uint64(view: DataView, at: number): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw damaged('a size or offset is impossibly large');
  return Number(value);
}

/** Whether the Blob starts like a zip: a local file header, or the end record of an empty archive. */
export async function looksLikeZip(blob: Blob): Promise<boolean> {
  if (blob.size < 4) return false;
  const signature = new DataView((await readBytes(blob, 0, 4)).buffer).getUint32(0, true);
  return signature === LOCAL_SIGNATURE || signature === EOCD_SIGNATURE;
}

/** The entries of the archive's central directory, in its order. Throws BundleError for anything malformed. */
export async function readZipDirectory(blob: Blob): Promise<ZipEntry[]> {
  if (blob.size < EOCD_SIZE) throw new BundleError('bundle.not-zip', `The file is only ${blob.size} bytes long: not a zip file.`);
  // The end record is the last 22 bytes plus a comment of at most 65,535 bytes.
  const tailStart = Math.max(0, blob.size - EOCD_SIZE - MAX_COMMENT);
  const tail = await readBytes(blob, tailStart, blob.size - tailStart);
  const tailView = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (tailView.getUint32(at, true) === EOCD_SIGNATURE && at + EOCD_SIZE + tailView.getUint16(at + 20, true) <= tail.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new BundleError('bundle.not-zip', 'No end-of-archive record: this is not a zip file, or it was cut short.');
  const diskNumber = tailView.getUint16(eocd + 4, true);
  const directoryDisk = tailView.getUint16(eocd + 6, true);
  let entryCount = tailView.getUint16(eocd + 10, true);
  let directorySize = tailView.getUint32(eocd + 12, true);
  let directoryOffset = tailView.getUint32(eocd + 16, true);
  /** Where the records after the central directory begin: nothing of the directory may lie beyond. */
  let directoryLimit = tailStart + eocd;
  if (diskNumber !== 0 || directoryDisk !== 0) throw new BundleError('bundle.unsupported', 'The zip file is split over several parts.');

  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    // Zip64: a locator just before the end record points to the Zip64 end record (§4.3.15).
    const locatorAt = tailStart + eocd - 20;
    if (locatorAt < 0) throw damaged('the Zip64 locator is missing');
    const locator = new DataView((await readBytes(blob, locatorAt, 20)).buffer);
    if (locator.getUint32(0, true) !== ZIP64_LOCATOR_SIGNATURE) throw damaged('the Zip64 locator is missing');
    if (locator.getUint32(4, true) !== 0 || locator.getUint32(16, true) > 1) throw new BundleError('bundle.unsupported', 'The zip file is split over several parts.');
    const recordAt = uint64(locator, 8);
    if (recordAt + 56 > locatorAt) throw damaged('the Zip64 end record lies outside the file');
    const record = new DataView((await readBytes(blob, recordAt, 56)).buffer);
    if (record.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw damaged('the Zip64 end record is missing');
    entryCount = uint64(record, 32);
    directorySize = uint64(record, 40);
    directoryOffset = uint64(record, 48);
    directoryLimit = recordAt;
  }
  if (entryCount > MAX_ENTRIES) throw damaged(`it claims ${entryCount} entries`);
  if (directorySize > MAX_DIRECTORY_SIZE) throw damaged('its directory is impossibly large');
  if (directoryOffset + directorySize > directoryLimit) throw damaged('its directory lies outside the file');

  const directory = await readBytes(blob, directoryOffset, directorySize);
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < entryCount; index++) {
    if (at + 46 > directory.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) throw damaged(`directory entry ${index + 1} is broken`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const disk = view.getUint16(at + 34, true);
    let headerOffset = view.getUint32(at + 42, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw damaged(`directory entry ${index + 1} is cut short`);
    const nameBytes = directory.subarray(at + 46, at + 46 + nameLength);
    const name = (flags & 0x0800 ? utf8 : latin1).decode(nameBytes);
    // The Zip64 extra field holds, in this order, each of the four values whose 32-bit field is all ones (§4.5.3).
    if (size === 0xffffffff || compressedSize === 0xffffffff || headerOffset === 0xffffffff) {
      const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
      const extraView = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
      let found = false;
      for (let field = 0; field + 4 <= extra.length; ) {
        const id = extraView.getUint16(field, true);
        const length = extraView.getUint16(field + 2, true);
        if (field + 4 + length > extra.length) break;
        if (id === 0x0001) {
          let value = field + 4;
          const next = (): number => {
            if (value + 8 > field + 4 + length) throw damaged(`the Zip64 field of entry ${index + 1} is too short`);
            const read = uint64(extraView, value);
            value += 8;
            return read;
          };
          if (size === 0xffffffff) size = next();
          if (compressedSize === 0xffffffff) compressedSize = next();
          if (headerOffset === 0xffffffff) headerOffset = next();
          found = true;
          break;
        }
        field += 4 + length;
      }
      if (!found) throw damaged(`entry ${index + 1} lacks its Zip64 sizes`);
    }
    if (disk !== 0 && disk !== 0xffff) throw new BundleError('bundle.unsupported', 'The zip file is split over several parts.');
    if (headerOffset + 30 > directoryOffset) throw damaged(`entry ${index + 1} lies outside the file`);
    entries.push({ name, method, encrypted: (flags & 0x0001) !== 0, crc32: crc, compressedSize, size, headerOffset });
    at = end;
  }
  return entries;
}

/**
 * The entry's content as a Blob: a slice of the archive for a stored entry (nothing is read),
 * inflated for a deflated one (at most `size` bytes are produced: a zip bomb stops there).
 */
export async function openZipEntry(blob: Blob, entry: ZipEntry): Promise<Blob> {
  if (entry.encrypted) throw new BundleError('bundle.unsupported', `“${entry.name}” is encrypted.`);
  if (entry.method !== 0 && entry.method !== 8) throw new BundleError('bundle.unsupported', `“${entry.name}” uses compression method ${entry.method}.`);
  const header = await readBytes(blob, entry.headerOffset, 30);
  const view = new DataView(header.buffer);
  if (header.length < 30 || view.getUint32(0, true) !== LOCAL_SIGNATURE) throw damaged(`the header of “${entry.name}” is missing`);
  const dataStart = entry.headerOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  if (dataStart + entry.compressedSize > blob.size) throw damaged(`“${entry.name}” is cut short`);
  const data = blob.slice(dataStart, dataStart + entry.compressedSize);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw damaged(`the sizes of “${entry.name}” disagree`);
    return data;
  }
  return inflate(data, entry);
}

async function inflate(data: Blob, entry: ZipEntry): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let produced = 0;
  const reader = data.stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      produced += value.length;
      if (produced > entry.size) throw damaged(`“${entry.name}” inflates to more than its stated ${entry.size} bytes`);
      parts.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof BundleError) throw error;
    throw new BundleError('bundle.damaged', `The zip file is damaged: “${entry.name}” does not inflate.`, { cause: error });
  }
  if (produced !== entry.size) throw damaged(`“${entry.name}” inflates to ${produced} bytes, not ${entry.size}`);
  return new Blob(parts);
}
