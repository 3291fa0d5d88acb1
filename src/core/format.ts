import { equalBytes, fromHex, hex, toArrayBufferView } from './bytes.js';
import { assertInteger, assertThreshold } from './assert.js';
import { TesseraError } from './errors.js';
import type { Scheme, ShareHeader } from './types.js';

/**
 * Share format v1 — docs/share-format.md is the normative description; this file implements it.
 *
 *   offset size  field
 *        0    8  magic 89 54 53 52 0D 0A 1A 0A  ("\x89TSR\r\n\x1a\n")
 *        8    1  version = 1
 *        9    1  scheme: 1 = shamir, 2 = ssms
 *       10    1  k
 *       11    1  n
 *       12    1  x (1..n)
 *       13    3  reserved, zero
 *       16    4  chunk size, bytes of the original per chunk, big-endian
 *       20    8  size of the original in bytes, big-endian (< 2^53)
 *       28   16  split id (random)
 *       44   32  key share: Shamir share at x of the 32-byte record key
 *       76   32  SHA-256 of bytes 0..75
 *      108       chunk records
 */

export const MAGIC = Uint8Array.of(0x89, 0x54, 0x53, 0x52, 0x0d, 0x0a, 0x1a, 0x0a);
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 108;
export const HEADER_DIGEST_OFFSET = 76;
export const KEY_SIZE = 32;
export const SPLIT_ID_SIZE = 16;
/** AES-GCM tag: appended to every chunk (ssms: ciphertext tag; shamir: GMAC tag shared with the chunk). */
export const TAG_SIZE = 16;
/**
 * 768 KiB: three fingerprint blocks, and small enough that WebCrypto in Chromium works on it in
 * recycled memory (it copies its input and allocates its output; past about 960 KiB each call maps
 * fresh pages from the kernel, and AES-GCM over 1 MiB chunks ran at 480–590 MB/s against 1,200–1,400
 * over 768 KiB: docs/benchmarks.md). Any size from 1 to MAX_CHUNK_SIZE is read.
 */
export const DEFAULT_CHUNK_SIZE = 768 * 1024;
export const MAX_CHUNK_SIZE = 1 << 26;
/** STREAM's 32-bit counter bounds the number of chunks. */
export const MAX_CHUNKS = 2 ** 32;
export const SHARE_EXTENSION = '.tshare';

const SCHEME_IDS: Record<Scheme, number> = { shamir: 1, ssms: 2 };

function schemeFromId(id: number): Scheme | undefined {
  return id === 1 ? 'shamir' : id === 2 ? 'ssms' : undefined;
}

export function chunkCount(size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize));
}

/** Bytes of the original in chunk `index` (the last chunk may be short, or empty for an empty file). */
export function chunkLength(size: number, chunkSize: number, index: number): number {
  return Math.min(chunkSize, size - index * chunkSize);
}

/** Bytes chunk record of a chunk of `length` bytes takes in every share. */
export function recordLength(scheme: Scheme, k: number, length: number): number {
  return scheme === 'shamir' ? length + TAG_SIZE : Math.ceil((length + TAG_SIZE) / k);
}

/** Size in bytes of each of the n shares of a `size`-byte original. */
export function shareSize(scheme: Scheme, k: number, n: number, size: number, chunkSize: number = DEFAULT_CHUNK_SIZE): number {
  assertThreshold(k, n);
  assertInteger(size, 'size', 0, Number.MAX_SAFE_INTEGER);
  assertInteger(chunkSize, 'chunkSize', 1, MAX_CHUNK_SIZE);
  const chunks = chunkCount(size, chunkSize);
  const last = chunkLength(size, chunkSize, chunks - 1);
  return HEADER_SIZE + (chunks - 1) * recordLength(scheme, k, chunkSize) + recordLength(scheme, k, last);
}

/** Byte offset of chunk record `index` in a share. */
export function recordOffset(scheme: Scheme, k: number, chunkSize: number, index: number): number {
  return HEADER_SIZE + index * recordLength(scheme, k, chunkSize);
}



/** Header without its digest (bytes 0..75); the caller appends SHA-256 of it. */
function encodeHeaderBody(header: ShareHeader): Uint8Array {
  const bytes = new Uint8Array(HEADER_DIGEST_OFFSET);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[8] = FORMAT_VERSION;
  bytes[9] = SCHEME_IDS[header.scheme];
  bytes[10] = header.k;
  bytes[11] = header.n;
  bytes[12] = header.x;
  view.setUint32(16, header.chunkSize);
  view.setBigUint64(20, BigInt(header.size));
  bytes.set(fromHex(header.splitId), 28);
  bytes.set(header.keyShare, 44);
  return bytes;
}

export async function encodeHeader(header: ShareHeader): Promise<Uint8Array> {
  const body = encodeHeaderBody(header);
  const out = new Uint8Array(HEADER_SIZE);
  out.set(body, 0);
  out.set(new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBufferView(body))), HEADER_DIGEST_OFFSET);
  return out;
}

/**
 * The 32 bytes every chunk's authentication is bound to (GCM additional data): version, scheme,
 * k, n, then chunk size, size and split id — header bytes 8..11 ‖ 16..43. Not x: it differs per share.
 */
export function bindingFromHeader(header: Uint8Array): Uint8Array {
  const binding = new Uint8Array(32);
  binding.set(header.subarray(8, 12), 0);
  binding.set(header.subarray(16, 44), 4);
  return binding;
}

/**
 * Parses and checks a header: magic, version, length, digest, then every field's range. Throws a
 * TesseraError whose code says which check failed; `shareIndex` names the share in the caller's list.
 */
export async function parseHeader(bytes: Uint8Array, shareIndex?: number): Promise<ShareHeader> {
  const at = shareIndex === undefined ? {} : { shareIndex };
  const label = shareIndex === undefined ? 'The share' : `Share #${shareIndex + 1}`;
  const magicBytes = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < magicBytes; i++) {
    if (bytes[i] !== MAGIC[i]) throw new TesseraError('share.magic', `${label} does not start with the Tessera share signature.`, at);
  }
  if (bytes.length < MAGIC.length + 1) {
    throw new TesseraError(bytes.length === 0 ? 'share.magic' : 'share.truncated', `${label} is only ${bytes.length} bytes long.`, at);
  }
  if (bytes[8] !== FORMAT_VERSION) {
    throw new TesseraError('share.version', `${label} has format version ${bytes[8]}; this reader knows version ${FORMAT_VERSION}.`, at);
  }
  if (bytes.length < HEADER_SIZE) {
    throw new TesseraError('share.truncated', `${label} is cut short inside its header (${bytes.length} of ${HEADER_SIZE} bytes).`, at);
  }
  const body = bytes.subarray(0, HEADER_DIGEST_OFFSET);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBufferView(body)));
  if (!equalBytes(digest, bytes.subarray(HEADER_DIGEST_OFFSET, HEADER_SIZE))) {
    throw new TesseraError('share.header-corrupt', `${label} has a damaged header (its checksum does not match).`, at);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const scheme = schemeFromId(bytes[9]!);
  const k = bytes[10]!;
  const n = bytes[11]!;
  const x = bytes[12]!;
  const chunkSize = view.getUint32(16);
  const size = view.getBigUint64(20);
  const invalid = (what: string): TesseraError =>
    new TesseraError('share.header-corrupt', `${label} has an impossible header: ${what}.`, at);
  if (!scheme) throw invalid(`unknown scheme ${bytes[9]}`);
  if (k < 2 || n < k) throw invalid(`k = ${k}, n = ${n}`);
  if (x < 1 || x > n) throw invalid(`x = ${x} with n = ${n}`);
  if (bytes[13] !== 0 || bytes[14] !== 0 || bytes[15] !== 0) throw invalid('reserved bytes are not zero');
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw invalid(`chunk size ${chunkSize}`);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`size ${size}`);
  if (chunkCount(Number(size), chunkSize) > MAX_CHUNKS) throw invalid('too many chunks');
  return {
    version: FORMAT_VERSION,
    scheme,
    k,
    n,
    x,
    chunkSize,
    size: Number(size),
    splitId: hex(bytes.subarray(28, 44)),
    keyShare: bytes.slice(44, 76),
  };
}
