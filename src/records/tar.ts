/**
 * A study (or any folder) protected as one record: its files laid end to end in a POSIX tar archive
 * (IEEE Std 1003.1-2017, "pax" interchange format, ustar headers with pax extended headers where a
 * name or size does not fit). Tar because it is a stream of headers and unchanged file bytes, so
 *
 *  - the archive is a Blob made of small header arrays and the user's own File objects: nothing is
 *    read or copied to build it, and the share worker reads it like any file, slice by slice;
 *  - every file comes back byte for byte, with its folder path and name;
 *  - any computer opens the rebuilt record without Tessera (`tar -xf`, Windows' tar, macOS Archive
 *    Utility), which matters for an archive meant to outlive this website.
 *
 * Nothing here touches the DOM; Blob exists in workers and in Node.
 */

const BLOCK = 512;
/** The largest size a ustar header holds: 11 octal digits. */
const USTAR_MAX_SIZE = 0o77777777777;

export interface TarInput {
  /** Relative path with '/' separators, as in the user's folder: `CT/series-1/IM0001.dcm`. */
  readonly path: string;
  readonly file: Blob;
  /** Milliseconds since 1970 (File.lastModified); 0 when unknown. */
  readonly lastModified?: number;
}

export interface TarEntry {
  readonly path: string;
  /** Where the file's bytes start in the archive, and how many there are. */
  readonly offset: number;
  readonly size: number;
  readonly lastModified: number;
}

export class TarError extends Error {
  override readonly name = 'TarError';
  constructor(
    readonly code: 'tar.unsafe-path' | 'tar.damaged' | 'tar.not-tar',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A path safe to write under a folder the user chose: relative, no empty, `.` or `..` component,
 * no backslash or drive letter, no NUL. Returns the normalised path or throws `tar.unsafe-path`.
 */
export function safeRelativePath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  const unsafe =
    path.startsWith('/') || path.includes('\\') || path.includes('\0') || /^[a-zA-Z]:/.test(path) || parts.length === 0 || parts.some((part) => part === '..');
  if (unsafe) throw new TarError('tar.unsafe-path', 'A file in this record has a name that points outside its folder; it was not written.');
  return parts.join('/');
}

const encoder = new TextEncoder();

function writeString(header: Uint8Array, at: number, length: number, text: string): void {
  const bytes = encoder.encode(text);
  header.set(bytes.subarray(0, length), at);
}

/** `value` in octal, zero-padded to length − 1 digits and NUL-terminated (ustar numeric fields). */
function writeOctal(header: Uint8Array, at: number, length: number, value: number): void {
  writeString(header, at, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

function isAsciiPrintable(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** One pax extended-header record: "<length> <key>=<value>\n", where length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + 1;
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return `${length}${body}`;
}

function ustarHeader(name: string, size: number, mtimeSeconds: number, type: '0' | 'x'): Uint8Array<ArrayBuffer> {
  const header = new Uint8Array(BLOCK);
  writeString(header, 0, 100, name);
  writeOctal(header, 100, 8, 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, mtimeSeconds);
  header[156] = type.charCodeAt(0);
  writeString(header, 257, 6, 'ustar\0');
  writeString(header, 263, 2, '00');
  // The checksum is computed with its own field read as eight spaces.
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  writeString(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return header;
}

const padding = (size: number): Uint8Array<ArrayBuffer> => new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);

/**
 * The archive of `inputs`, in their order, as a Blob that refers to the files rather than copying
 * them. Names that ustar cannot hold (over 100 bytes, or not printable ASCII) and sizes of 8 GiB
 * and more get a pax extended header, which every current tar reads. Throws `tar.unsafe-path` for
 * a path that would not extract inside its folder, and RangeError for two files with one path.
 */
export function buildTar(inputs: readonly TarInput[]): Blob {
  const parts: BlobPart[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const path = safeRelativePath(input.path);
    if (seen.has(path)) throw new RangeError(`two files would have the same path in the record: ${inputs.indexOf(input) + 1}`);
    seen.add(path);
    const size = input.file.size;
    const mtime = Math.max(0, Math.floor((input.lastModified ?? 0) / 1000));
    const needsPax = !isAsciiPrintable(path) || encoder.encode(path).length > 100 || size > USTAR_MAX_SIZE;
    let name = path;
    if (needsPax) {
      let records = paxRecord('path', path);
      if (size > USTAR_MAX_SIZE) records += paxRecord('size', String(size));
      const body = encoder.encode(records);
      parts.push(ustarHeader('PaxHeaders/entry', body.length, mtime, 'x'), body, padding(body.length));
      // The ustar name is only a fallback for readers without pax: keep it short and ASCII.
      name = `entry-${seen.size}`;
    }
    parts.push(ustarHeader(name, Math.min(size, USTAR_MAX_SIZE), mtime, '0'), input.file, padding(size));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return new Blob(parts, { type: 'application/x-tar' });
}

/** Whether `head` (the first 512 bytes or more of a file) looks like a ustar/pax/GNU tar header. */
export function looksLikeTar(head: Uint8Array): boolean {
  if (head.length < BLOCK) return false;
  const magic = String.fromCharCode(...head.subarray(257, 262));
  return magic === 'ustar' && checksumMatches(head.subarray(0, BLOCK));
}

function checksumMatches(header: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  const stored = parseOctal(header.subarray(148, 156));
  return stored === sum;
}

function parseOctal(field: Uint8Array): number {
  // GNU base-256 for large values: the first byte's high bit set, the rest big-endian.
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = new TextDecoder().decode(field).replace(/[\0 ]+$/g, '').replace(/^[\0 ]+/, '');
  if (!/^[0-7]*$/.test(text)) return Number.NaN;
  return text === '' ? 0 : parseInt(text, 8);
}

function readString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? field.subarray(0, end) : field);
}

function parsePax(body: Uint8Array): Map<string, string> {
  const values = new Map<string, string>();
  const text = new TextDecoder().decode(body);
  let at = 0;
  while (at < text.length) {
    const space = text.indexOf(' ', at);
    const length = Number(text.slice(at, space));
    if (space < 0 || !Number.isInteger(length) || length <= 0) break;
    // Lengths count bytes, not characters: measure the record in bytes.
    const record = new TextDecoder().decode(encoder.encode(text.slice(at)).subarray(0, length));
    const equals = record.indexOf('=');
    if (equals > 0) values.set(record.slice(record.indexOf(' ') + 1, equals), record.slice(equals + 1, -1));
    at += record.length;
  }
  return values;
}

/**
 * The regular files of a tar archive, with where each one's bytes are, read header by header from
 * the Blob (never the whole archive). Reads ustar, pax (path, size) and GNU long names; skips
 * directories, links and other entries. Throws `tar.not-tar` if the first header is not a tar
 * header and `tar.damaged` if a later one is broken or the archive ends inside a file.
 */
export async function readTarIndex(archive: Blob): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  let at = 0;
  let pax: Map<string, string> | undefined;
  let longName: string | undefined;
  const read = async (offset: number, length: number): Promise<Uint8Array> => new Uint8Array(await archive.slice(offset, offset + length).arrayBuffer());
  for (;;) {
    if (at + BLOCK > archive.size) {
      if (entries.length === 0 && at === 0) throw new TarError('tar.not-tar', 'This record is not a folder archive.');
      throw new TarError('tar.damaged', 'The folder archive ends early.');
    }
    const header = await read(at, BLOCK);
    if (header.every((byte) => byte === 0)) return entries;
    if (!checksumMatches(header)) {
      throw new TarError(at === 0 ? 'tar.not-tar' : 'tar.damaged', at === 0 ? 'This record is not a folder archive.' : 'The folder archive is damaged.');
    }
    const type = String.fromCharCode(header[156]!);
    const headerSize = parseOctal(header.subarray(124, 136));
    const size = pax?.has('size') ? Number(pax.get('size')) : headerSize;
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError('tar.damaged', 'The folder archive is damaged.');
    const dataAt = at + BLOCK;
    if (dataAt + size > archive.size) throw new TarError('tar.damaged', 'The folder archive ends early.');
    const next = dataAt + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pax = parsePax(await read(dataAt, size));
    } else if (type === 'L') {
      longName = readString(await read(dataAt, size));
    } else if (type === 'g') {
      // Global pax header: nothing in it that changes where files are.
    } else {
      if (type === '0' || type === '\0' || type === '7') {
        const prefix = readString(header.subarray(345, 500));
        const name = readString(header.subarray(0, 100));
        const path = pax?.get('path') ?? longName ?? (prefix ? `${prefix}/${name}` : name);
        entries.push({ path, offset: dataAt, size, lastModified: parseOctal(header.subarray(136, 148)) * 1000 });
      }
      pax = undefined;
      longName = undefined;
    }
    at = next;
  }
}
