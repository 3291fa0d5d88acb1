/**
 * Text values decoded according to Specific Character Set (0008,0005): PS3.3 §C.12.1.1.2 (the
 * Defined Terms, Tables C.12-2 to C.12-5) and PS3.5 §6.1 (how code extension works in a value).
 *
 * Two kinds of encoding exist in DICOM:
 * - without code extension: one Defined Term (`ISO_IR 100`, `ISO_IR 192`, `GB18030` …) names one
 *   encoding for the whole value;
 * - with ISO/IEC 2022 code extension: terms prefixed `ISO 2022`, the first of which sets the state
 *   at the start of every value, and escape sequences inside the value designate other character
 *   sets to G0 (bytes 21–7E) or G1 (bytes A1–FE) (PS3.5 §6.1.2.5).
 *
 * The platform's TextDecoder (WHATWG Encoding, in browsers, workers and Node with full ICU) does the
 * actual byte → character mapping; this module only tracks which decoder applies to which bytes.
 * JIS X 0208 and JIS X 0212 in G0 are decoded by EUC-JP after setting each byte's high bit (EUC-JP
 * is exactly those sets moved to GR, with SS3 = 8F in front of JIS X 0212), KS X 1001 in G1 by
 * EUC-KR, GB 2312 in G1 by GBK, JIS X 0201 katakana in G1 by Shift_JIS (its single bytes A1–DF).
 *
 * Pure: no DOM, importable from the page, a worker and Node.
 */

/** A decoder for a run of bytes: a WHATWG encoding label, Latin-1, or JIS X 0208/0212 moved to GR. */
type Decoding =
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'latin1' }
  | { readonly kind: 'jis-g0'; readonly supplementary: boolean };

/** What one Defined Term puts in G0 and G1 (absent: left as it is). */
interface TermDefinition {
  /** Multi-byte or two-byte sets in G0 (JIS X 0208/0212); for every other term G0 is ISO 646 (ASCII). */
  readonly g0?: Decoding;
  /** The set for bytes 80–FF, as a decoder that reads ASCII bytes as ASCII too. */
  readonly g1?: Decoding;
  /** True for terms that replace the whole mechanism: UTF-8, GB18030, GBK (PS3.3 Table C.12-5). */
  readonly stateless?: boolean;
}

const LATIN1: Decoding = { kind: 'latin1' };
const label = (name: string): Decoding => ({ kind: 'label', label: name });

/**
 * ISO 8859 parts as WHATWG labels. Where WHATWG maps the ISO label to a Windows superset
 * (8859-9 → windows-1254, TIS 620 → windows-874) the two agree on every byte DICOM allows (A0–FF);
 * they differ only in the C1 range 80–9F, which these character sets do not use.
 */
const SINGLE_BYTE_SETS: Readonly<Record<string, Decoding>> = {
  '100': LATIN1, // ISO 8859-1, Latin alphabet No. 1
  '101': label('iso-8859-2'), // Latin alphabet No. 2
  '109': label('iso-8859-3'), // Latin alphabet No. 3
  '110': label('iso-8859-4'), // Latin alphabet No. 4
  '144': label('iso-8859-5'), // Cyrillic
  '127': label('iso-8859-6'), // Arabic
  '126': label('iso-8859-7'), // Greek
  '138': label('iso-8859-8'), // Hebrew
  '148': label('iso-8859-9'), // Latin alphabet No. 5
  '203': label('iso-8859-15'), // Latin alphabet No. 9
  '166': label('windows-874'), // TIS 620-2533, Thai
  // JIS X 0201: Romaji (ISO-IR 14) in G0, Katakana (ISO-IR 13) in G1. Shift_JIS reads the
  // katakana bytes A1–DF. Romaji differs from ASCII only at 5C (YEN SIGN) and 7E (OVERLINE)
  // (PS3.5 §H.1.1); they are kept as ASCII, as DCMTK and pydicom do, because 5C is also the value
  // delimiter in SH, LO, PN and UC.
  '13': label('shift_jis'),
};

const JIS_X_0208: Decoding = { kind: 'jis-g0', supplementary: false };
const JIS_X_0212: Decoding = { kind: 'jis-g0', supplementary: true };
const KS_X_1001: Decoding = label('euc-kr');
const GB_2312: Decoding = label('gbk');

function defineTerms(): ReadonlyMap<string, TermDefinition> {
  const terms = new Map<string, TermDefinition>();
  // PS3.3 Table C.12-2 (single-byte, no code extension) and C.12-3 (single-byte, with extension).
  terms.set('ISO_IR 6', {});
  terms.set('ISO 2022 IR 6', {});
  for (const [number, decoding] of Object.entries(SINGLE_BYTE_SETS)) {
    terms.set(`ISO_IR ${number}`, { g1: decoding });
    terms.set(`ISO 2022 IR ${number}`, { g1: decoding });
  }
  // PS3.3 Table C.12-4: multi-byte sets with code extension.
  terms.set('ISO 2022 IR 87', { g0: JIS_X_0208 });
  terms.set('ISO 2022 IR 159', { g0: JIS_X_0212 });
  terms.set('ISO 2022 IR 149', { g1: KS_X_1001 });
  terms.set('ISO 2022 IR 58', { g1: GB_2312 });
  // PS3.3 Table C.12-5: multi-byte sets without code extension.
  terms.set('ISO_IR 192', { g1: label('utf-8'), stateless: true });
  terms.set('GB18030', { g1: label('gb18030'), stateless: true });
  terms.set('GBK', { g1: label('gbk'), stateless: true });
  return terms;
}

const TERMS = defineTerms();

/**
 * Escape sequences (the bytes after ESC) that designate a set, from PS3.3 Tables C.12-3 and C.12-4
 * and PS3.5 Tables H.1-1 and H.1-2: `(` designates a 94-set to G0, `)` a 94-set to G1, `-` a 96-set
 * to G1, `$` a 94×94 set (`$B` and `$@` without the second intermediate byte, ISO/IEC 2022 §13.3.2).
 */
const ESCAPES: ReadonlyMap<string, { readonly g0?: Decoding; readonly g1?: Decoding }> = new Map([
  ['(B', { g0: LATIN1 }], // ISO-IR 6, ASCII
  ['(J', { g0: LATIN1 }], // ISO-IR 14, JIS X 0201 Romaji (read as ASCII, see SINGLE_BYTE_SETS)
  [')I', { g1: label('shift_jis') }], // ISO-IR 13, JIS X 0201 Katakana
  ['$B', { g0: JIS_X_0208 }], // ISO-IR 87
  ['$@', { g0: JIS_X_0208 }], // ISO-IR 42, the 1978 edition of JIS X 0208 (PS3.5 Table H.2-1)
  ['$(D', { g0: JIS_X_0212 }], // ISO-IR 159
  ['$)C', { g1: KS_X_1001 }], // ISO-IR 149
  ['$)A', { g1: GB_2312 }], // ISO-IR 58
  ['-A', { g1: LATIN1 }],
  ['-B', { g1: SINGLE_BYTE_SETS['101']! }],
  ['-C', { g1: SINGLE_BYTE_SETS['109']! }],
  ['-D', { g1: SINGLE_BYTE_SETS['110']! }],
  ['-L', { g1: SINGLE_BYTE_SETS['144']! }],
  ['-G', { g1: SINGLE_BYTE_SETS['127']! }],
  ['-F', { g1: SINGLE_BYTE_SETS['126']! }],
  ['-H', { g1: SINGLE_BYTE_SETS['138']! }],
  ['-M', { g1: SINGLE_BYTE_SETS['148']! }],
  ['-b', { g1: SINGLE_BYTE_SETS['203']! }],
  ['-T', { g1: SINGLE_BYTE_SETS['166']! }],
]);

const ESC = 0x1b;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const EQUALS = 0x3d;

/** VRs whose values the Specific Character Set applies to (PS3.5 §6.1.2.3); all others are ISO 646. */
const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'PN', 'LT', 'UC', 'UT']);
/** VRs holding one value that may contain a backslash (PS3.5 Table 6.2-1: ST, LT, UT, UR). */
const SINGLE_VALUED_VRS = new Set(['ST', 'LT', 'UT', 'UR']);

/**
 * Specific Character Set (0008,0005) as its list of Defined Terms. A missing or empty first value
 * stands for the default repertoire, ISO-IR 6 (PS3.3 §C.12.1.1.2). Terms are normalised for the
 * spellings found in the wild (`ISO-IR 100`, `ISO_IR100`, lower case).
 */
export function parseSpecificCharacterSet(value: string | undefined): readonly string[] {
  if (value === undefined) return [];
  return value.split('\\').map(normaliseTerm);
}

function normaliseTerm(term: string): string {
  const upper = term.trim().toUpperCase();
  const plain = /^ISO[ _-]?IR[ _-]?(\d+)$/.exec(upper);
  if (plain) return `ISO_IR ${plain[1]}`;
  const extended = /^ISO[ _-]?2022[ _-]?IR[ _-]?(\d+)$/.exec(upper);
  if (extended) return `ISO 2022 IR ${extended[1]}`;
  return upper;
}

/** The terms of a Specific Character Set that this module does not know (decoded as Latin-1). */
export function unknownCharacterSets(terms: readonly string[]): readonly string[] {
  return terms.filter((term) => term !== '' && !TERMS.has(term));
}

/**
 * Decodes one element's value bytes to text. `terms` is the data set's Specific Character Set
 * (parseSpecificCharacterSet); `vr` decides which delimiters reset the code extension state and
 * whether the character set applies at all. The result keeps the delimiters (`\` between values,
 * `^` and `=` in person names); padding is not removed (see splitValues).
 *
 * Lenient where real files are: bytes 80–FF under the default repertoire are read as Latin-1;
 * bytes 80–FF before any G1 designation use the first G1 set the terms list; unknown escape
 * sequences are skipped; undecodable bytes become U+FFFD. It never throws.
 */
export function decodeText(bytes: Uint8Array, terms: readonly string[], vr: string): string {
  if (!TEXT_VRS.has(vr)) return decodeWith(LATIN1, bytes);
  const first = TERMS.get(terms[0] ?? '') ?? {};
  if (first.stateless && first.g1) return decodeWith(first.g1, bytes);
  const single = terms.length <= 1;
  if (single && !bytes.includes(ESC) && first.g0 === undefined) return decodeWith(first.g1 ?? LATIN1, bytes);
  return decodeExtended(bytes, terms, vr);
}

interface CodeState {
  g0: Decoding | undefined;
  g1: Decoding | undefined;
}

/**
 * ISO/IEC 2022 code extension within one value (PS3.5 §6.1.2.5). Bytes are cut into runs that one
 * decoder reads: the G0 set's when G0 holds a two-byte set, otherwise the G1 set's (every G1 decoder
 * here reads bytes below 80 as ASCII, so G0 = ASCII and G1 share one run).
 *
 * PS3.5 §6.1.2.5.3: the state returns to the one the first term sets before every CR, LF, FF, TAB
 * (any control character other than ESC), before the value delimiter `\`, and in person names
 * before the `^` and `=` delimiters. A delimiter is only one while G0 holds a single-byte set; while
 * it holds JIS X 0208, bytes 21–7E are halves of characters.
 */
function decodeExtended(bytes: Uint8Array, terms: readonly string[], vr: string): string {
  const initial = TERMS.get(terms[0] ?? '') ?? {};
  const fallbackG1 = terms.map((term) => TERMS.get(term)?.g1).find((decoding) => decoding !== undefined) ?? LATIN1;
  const resetsAtComponents = vr === 'PN';
  const resetsAtBackslash = !SINGLE_VALUED_VRS.has(vr);
  const state: CodeState = { g0: initial.g0, g1: initial.g1 };
  let text = '';
  let runStart = 0;
  let runDecoding = currentDecoding(state, fallbackG1);

  const flush = (end: number): void => {
    if (end > runStart) text += decodeWith(runDecoding, bytes.subarray(runStart, end));
  };

  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index]!;
    if (byte === ESC) {
      flush(index);
      const escape = readEscape(bytes, index + 1);
      const designation = ESCAPES.get(escape.text);
      if (designation?.g0 !== undefined) state.g0 = designation.g0 === LATIN1 ? undefined : designation.g0;
      if (designation?.g1 !== undefined) state.g1 = designation.g1;
      index = escape.end;
      runStart = index;
      runDecoding = currentDecoding(state, fallbackG1);
      continue;
    }
    const twoByteG0 = state.g0 !== undefined;
    const isControl = byte < 0x20 || byte === 0x7f;
    const isDelimiter =
      !twoByteG0 && ((resetsAtBackslash && byte === BACKSLASH) || (resetsAtComponents && (byte === CARET || byte === EQUALS)));
    if (isControl || isDelimiter) {
      flush(index);
      text += String.fromCharCode(byte);
      state.g0 = initial.g0;
      state.g1 = initial.g1;
      index += 1;
      runStart = index;
      runDecoding = currentDecoding(state, fallbackG1);
      continue;
    }
    if (twoByteG0 && byte < 0x80 && byte !== 0x20) {
      // A JIS X 0208/0212 character is two bytes in 21–7E; a space stays a space (PS3.5 §H.2).
      index += 2;
      continue;
    }
    if (byte >= 0x80 && twoByteG0) {
      // GR bytes while G0 holds a two-byte set: decode them with G1's decoder in a run of their own.
      flush(index);
      let end = index;
      while (end < bytes.length && bytes[end]! >= 0x80) end++;
      text += decodeWith(state.g1 ?? fallbackG1, bytes.subarray(index, end));
      index = end;
      runStart = index;
      continue;
    }
    index += 1;
  }
  flush(Math.min(index, bytes.length));
  return text;
}

function currentDecoding(state: CodeState, fallbackG1: Decoding): Decoding {
  return state.g0 ?? state.g1 ?? fallbackG1;
}

/** An escape sequence: intermediate bytes 20–2F then one final byte 30–7E (ISO/IEC 2022 §13.1). */
function readEscape(bytes: Uint8Array, start: number): { text: string; end: number } {
  let end = start;
  while (end < bytes.length && bytes[end]! >= 0x20 && bytes[end]! <= 0x2f) end++;
  if (end < bytes.length && bytes[end]! >= 0x30 && bytes[end]! <= 0x7e) end++;
  let text = '';
  for (let index = start; index < end; index++) text += String.fromCharCode(bytes[index]!);
  return { text, end };
}

const decoders = new Map<string, TextDecoder>();

function decoderFor(name: string): TextDecoder {
  let decoder = decoders.get(name);
  if (!decoder) {
    decoder = new TextDecoder(name);
    decoders.set(name, decoder);
  }
  return decoder;
}

function decodeWith(decoding: Decoding, bytes: Uint8Array): string {
  switch (decoding.kind) {
    case 'latin1': {
      // ISO 8859-1 maps each byte to the code point of the same number; TextDecoder('latin1') would
      // be windows-1252, which differs in 80–9F.
      let text = '';
      for (let start = 0; start < bytes.length; start += 4096) {
        text += String.fromCharCode(...bytes.subarray(start, start + 4096));
      }
      return text;
    }
    case 'label':
      return decoderFor(decoding.label).decode(bytes);
    case 'jis-g0': {
      // Each pair of bytes 21–7E becomes the EUC-JP pair with high bits set (preceded by SS3 for
      // JIS X 0212); a lone trailing byte is left high-bit-set, which EUC-JP decodes as U+FFFD.
      const shifted = new Uint8Array(bytes.length * 2);
      let length = 0;
      let index = 0;
      while (index < bytes.length) {
        const byte = bytes[index]!;
        if (byte === 0x20) {
          shifted[length++] = byte;
          index += 1;
          continue;
        }
        if (decoding.supplementary) shifted[length++] = 0x8f;
        shifted[length++] = byte | 0x80;
        if (index + 1 < bytes.length) shifted[length++] = bytes[index + 1]! | 0x80;
        index += 2;
      }
      return decoderFor('euc-jp').decode(shifted.subarray(0, length));
    }
  }
}

/**
 * Removes the padding a VR allows (PS3.5 Table 6.2-1): trailing NUL for UI, trailing spaces for
 * the text VRs (where leading spaces are significant), leading and trailing spaces for the rest.
 */
function trimValue(value: string, vr: string): string {
  if (vr === 'UI') return value.replace(/[\0 ]+$/, '');
  if (SINGLE_VALUED_VRS.has(vr)) return value.replace(/[\0 ]+$/, '');
  return value.replace(/^[\0 ]+|[\0 ]+$/g, '');
}

/** A decoded value split into its values at `\` (not for ST, LT, UT, UR), each trimmed. */
export function splitValues(text: string, vr: string): readonly string[] {
  if (SINGLE_VALUED_VRS.has(vr)) return [trimValue(text, vr)];
  return text.split('\\').map((value) => trimValue(value, vr));
}
