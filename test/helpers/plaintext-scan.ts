/**
 * Searches what was sent (requests captured in the browser or at a proxy) for plaintext: any
 * 32-byte window of the original files, and any identifying string in the spellings a request
 * could carry it in.
 *
 * Windows: every 32-byte window of every original is indexed by a 64-bit rolling hash (two
 * independent polynomial hashes mod 2^32, updated in O(1) per byte) in an open-addressing table:
 * both hashes choose the slot, the second is kept in it with the window's position. Every window of
 * everything scanned is hashed the same way, and a candidate found in the table is verified byte for
 * byte against the original before it counts. So a hit is a real copy of 32
 * bytes of an original, and no copy can be missed (equal bytes always hash equal).
 *
 * Each request is searched part by part: the URL (and its percent-decoding), every header (name and
 * value; as set by the page and as sent), the body, and the bytes of every base64 run of 44 or more
 * characters in any of these (standard and URL-safe alphabets), so that an original carried as
 * base64 text would be found too.
 */

/** A request as sent: method, URL, headers and the whole body. */
export interface SentRequest {
  readonly method: string;
  readonly url: string;
  /** Headers as the requester set them. */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers as the network stack sent them, where known (Host, Origin, Referer, Cookie…). */
  readonly extraHeaders: Record<string, string>;
  body: Uint8Array;
}

export interface OriginalFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const WINDOW = 32;

const BASE_1 = 0x01000193;
const BASE_2 = 0x5bd1e995;

function powerMod32(base: number, exponent: number): number {
  let result = 1;
  for (let i = 0; i < exponent; i++) result = Math.imul(result, base);
  return result;
}

const OUT_1 = powerMod32(BASE_1, WINDOW);
const OUT_2 = powerMod32(BASE_2, WINDOW);

/** Where a window of an original was found. */
export interface WindowHit {
  readonly original: string;
  readonly offsetInOriginal: number;
  readonly offsetInPart: number;
}

/** Every 32-byte window of the originals, by rolling hash, with the position of one copy of each. */
export class WindowIndex {
  /** Windows in the originals (overlapping), and how many distinct ones the table holds. */
  readonly windows: number;
  readonly distinctWindows: number;
  readonly #all: Uint8Array;
  readonly #starts: number[] = [];
  readonly #names: string[] = [];
  /**
   * Two numbers a slot, side by side so that a probe touches one cache line: the offset of the
   * window in #all plus 1 (0: empty slot), and its second hash (the pair of hashes chose the slot).
   */
  readonly #table: Int32Array;
  readonly #mask: number;
  readonly #shift: number;

  constructor(originals: readonly OriginalFile[]) {
    const total = originals.reduce((sum, file) => sum + file.bytes.length, 0);
    this.#all = new Uint8Array(total);
    let offset = 0;
    let windows = 0;
    for (const file of originals) {
      this.#all.set(file.bytes, offset);
      this.#starts.push(offset);
      this.#names.push(file.name);
      offset += file.bytes.length;
      windows += Math.max(0, file.bytes.length - WINDOW + 1);
    }
    this.windows = windows;
    let bits = 4;
    // At most two thirds full, so that probes stay short: 8 bytes a slot, about 12 per window.
    while (1 << bits < windows * 1.5) bits++;
    this.#mask = (1 << bits) - 1;
    this.#shift = 32 - bits;
    this.#table = new Int32Array(2 << bits);
    let distinct = 0;
    originals.forEach((file, index) => {
      const start = this.#starts[index]!;
      rollWindows(file.bytes, (at, hash1, hash2) => {
        if (this.#insert(start + at, hash1, hash2)) distinct++;
      });
    });
    this.distinctWindows = distinct;
  }

  /**
   * How many windows of `bytes` are windows of an original (each verified byte for byte), and where
   * the first `keep` of them are.
   */
  find(bytes: Uint8Array, keep = 3): { count: number; hits: WindowHit[] } {
    const hits: WindowHit[] = [];
    let count = 0;
    // Hot loop: the table in locals, the rolling hash inline.
    const table = this.#table;
    const mask = this.#mask;
    const shift = this.#shift;
    const all = this.#all;
    let hash1 = 0;
    let hash2 = 0;
    for (let i = 0; i < bytes.length; i++) {
      const incoming = bytes[i]!;
      if (i < WINDOW) {
        hash1 = (Math.imul(hash1, BASE_1) + incoming) | 0;
        hash2 = (Math.imul(hash2, BASE_2) + incoming) | 0;
        if (i < WINDOW - 1) continue;
      } else {
        const outgoing = bytes[i - WINDOW]!;
        hash1 = (Math.imul(hash1, BASE_1) + incoming - Math.imul(outgoing, OUT_1)) | 0;
        hash2 = (Math.imul(hash2, BASE_2) + incoming - Math.imul(outgoing, OUT_2)) | 0;
      }
      const at = i - WINDOW + 1;
      for (let slot = Math.imul(hash1 ^ ((hash2 << 13) | (hash2 >>> 19)), 0x9e3779b1) >>> shift; table[2 * slot] !== 0; slot = (slot + 1) & mask) {
        if (table[2 * slot + 1] !== hash2) continue;
        const position = table[2 * slot]! - 1;
        let equal = true;
        for (let j = 0; j < WINDOW && equal; j++) equal = all[position + j] === bytes[at + j];
        if (!equal) continue;
        if (count++ < keep) hits.push({ ...this.#locate(position), offsetInPart: at });
        break;
      }
    }
    return { count, hits };
  }

  #slot(hash1: number, hash2: number): number {
    return Math.imul(hash1 ^ ((hash2 << 13) | (hash2 >>> 19)), 0x9e3779b1) >>> this.#shift;
  }

  /** False when the same window is in the table already. */
  #insert(position: number, hash1: number, hash2: number): boolean {
    let slot = this.#slot(hash1, hash2);
    const table = this.#table;
    for (; table[2 * slot] !== 0; slot = (slot + 1) & this.#mask) {
      if (table[2 * slot + 1] === hash2 && this.#equal(table[2 * slot]! - 1, this.#all, position)) return false;
    }
    table[2 * slot] = position + 1;
    table[2 * slot + 1] = hash2;
    return true;
  }

  #equal(position: number, bytes: Uint8Array, at: number): boolean {
    for (let i = 0; i < WINDOW; i++) if (this.#all[position + i] !== bytes[at + i]) return false;
    return true;
  }

  #locate(position: number): { original: string; offsetInOriginal: number } {
    let index = this.#starts.length - 1;
    while (this.#starts[index]! > position) index--;
    return { original: this.#names[index]!, offsetInOriginal: position - this.#starts[index]! };
  }
}

/** Calls `visit` with the two hashes of every 32-byte window of `bytes`, in order. */
function rollWindows(bytes: Uint8Array, visit: (at: number, hash1: number, hash2: number) => void): void {
  if (bytes.length < WINDOW) return;
  let hash1 = 0;
  let hash2 = 0;
  for (let i = 0; i < WINDOW; i++) {
    hash1 = (Math.imul(hash1, BASE_1) + bytes[i]!) | 0;
    hash2 = (Math.imul(hash2, BASE_2) + bytes[i]!) | 0;
  }
  visit(0, hash1, hash2);
  for (let i = WINDOW; i < bytes.length; i++) {
    const out = bytes[i - WINDOW]!;
    hash1 = (Math.imul(hash1, BASE_1) + bytes[i]! - Math.imul(out, OUT_1)) | 0;
    hash2 = (Math.imul(hash2, BASE_2) + bytes[i]! - Math.imul(out, OUT_2)) | 0;
    visit(i - WINDOW + 1, hash1, hash2);
  }
}

/**
 * The spellings an identifying string may take in a request: as is, percent-encoded (both
 * encodeURIComponent and form encoding), a person name (`FAMILY^GIVEN`) joined as a viewer shows
 * it, a DICOM date (`YYYYMMDD`) as ISO 8601; the search itself ignores ASCII case. A name's parts
 * alone are searched only when the caller lists them (a part may be a common word).
 */
function identifyingSpellings(values: readonly string[]): string[] {
  const spellings = new Set<string>();
  for (const value of values) {
    const forms = [value];
    if (value.includes('^')) {
      const parts = value.split('^').filter((part) => part.length > 0);
      forms.push(parts.join(' '), parts.join(', '), [...parts].reverse().join(' '));
    }
    if (/^\d{8}$/.test(value)) forms.push(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`);
    for (const form of forms) {
      spellings.add(form);
      spellings.add(encodeURIComponent(form));
      spellings.add(encodeURIComponent(form).replaceAll('%20', '+'));
    }
  }
  return [...spellings].map((spelling) => spelling.toLowerCase());
}

/** One thing found where it must not be. */
export interface Leak {
  readonly request: string;
  readonly where: string;
  readonly what: string;
}

export interface ScanFigures {
  readonly requests: number;
  /** Bytes searched: every part of every request (base64-decoded runs counted too). */
  readonly bytesScanned: number;
  readonly windowHits: number;
  readonly stringHits: number;
}

/** The parts of a request that are searched, each with where it came from. */
function partsOf(request: SentRequest): { where: string; bytes: Uint8Array }[] {
  const parts: { where: string; bytes: Uint8Array }[] = [{ where: 'URL', bytes: Buffer.from(request.url, 'utf8') }];
  let decoded = request.url;
  try {
    decoded = decodeURIComponent(request.url.replaceAll('+', ' '));
  } catch {
    decoded = request.url.replace(/%([0-9a-f]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  if (decoded !== request.url) parts.push({ where: 'URL (decoded)', bytes: Buffer.from(decoded, 'latin1') });
  for (const [label, headers] of [
    ['header', request.headers],
    ['header as sent', request.extraHeaders],
  ] as const) {
    for (const [name, value] of Object.entries(headers)) parts.push({ where: `${label} ${name}`, bytes: Buffer.from(`${name}: ${value}`, 'utf8') });
  }
  parts.push({ where: 'body', bytes: request.body });
  const runs: { where: string; bytes: Uint8Array }[] = [];
  for (const part of parts) {
    const text = Buffer.from(part.bytes.buffer, part.bytes.byteOffset, part.bytes.byteLength).toString('latin1');
    for (const match of text.matchAll(/[A-Za-z0-9+/_-]{44,}={0,2}/g)) {
      runs.push({ where: `${part.where}, base64 at ${match.index}`, bytes: Buffer.from(match[0].replaceAll('-', '+').replaceAll('_', '/'), 'base64') });
    }
  }
  return [...parts, ...runs];
}

/** What the search found in one request. */
export interface RequestScan {
  readonly leaks: Leak[];
  readonly bytesScanned: number;
  readonly windowHits: number;
  readonly stringHits: number;
}

/** Searches one request for windows of the originals and for the (lower-cased) spellings. */
function scanRequest(request: SentRequest, index: WindowIndex | undefined, spellings: readonly string[]): RequestScan {
  const name = `${request.method} ${request.url.split('?')[0]}`;
  const leaks: Leak[] = [];
  let bytesScanned = 0;
  let windowHits = 0;
  let stringHits = 0;
  for (const part of partsOf(request)) {
    bytesScanned += part.bytes.length;
    const found = index?.find(part.bytes) ?? { count: 0, hits: [] };
    windowHits += found.count;
    for (const hit of found.hits) {
      leaks.push({ request: name, where: `${part.where} at ${hit.offsetInPart}`, what: `32 bytes of ${hit.original} at ${hit.offsetInOriginal}` });
    }
    const text = Buffer.from(part.bytes.buffer, part.bytes.byteOffset, part.bytes.byteLength).toString('latin1').toLowerCase();
    for (const spelling of spellings) {
      if (!text.includes(spelling)) continue;
      stringHits++;
      leaks.push({ request: name, where: part.where, what: `identifying string "${spelling}"` });
    }
  }
  return { leaks, bytesScanned, windowHits, stringHits };
}

/**
 * Searches every request for windows of the originals and identifying strings: what was found
 * (at most three window hits a part are described, all are counted), the totals, and each
 * request's own result in the order given.
 */
export function scanForPlaintext(
  requests: readonly SentRequest[],
  index: WindowIndex | undefined,
  identifying: readonly string[],
): { leaks: Leak[]; figures: ScanFigures; each: RequestScan[] } {
  const spellings = identifyingSpellings(identifying);
  const each = requests.map((request) => scanRequest(request, index, spellings));
  const sum = (field: 'bytesScanned' | 'windowHits' | 'stringHits'): number => each.reduce((total, scan) => total + scan[field], 0);
  return {
    leaks: each.flatMap((scan) => scan.leaks),
    figures: { requests: requests.length, bytesScanned: sum('bytesScanned'), windowHits: sum('windowHits'), stringHits: sum('stringHits') },
    each,
  };
}
