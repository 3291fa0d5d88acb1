/**
 * Replacement values: the dummies of action D, shifted dates (Retain Longitudinal Temporal
 * Information with Modified Dates, PS3.15 E.3.6) and cleaned free text (action C on descriptors,
 * PS3.15 E.3.5 and E.3.11). Every value produced here is valid for its VR (PS3.5 6.2).
 */

const ascii = new TextEncoder();

function textBytes(text: string): Uint8Array {
  return ascii.encode(text);
}

/** Raw string value as text, without the trailing padding (PS3.5 6.2: space, or NUL for UI). */
export function valueText(value: Uint8Array): string {
  // latin1 keeps every byte as one code unit, so positions and lengths stay byte positions; the
  // values handled as text here (dates, UIDs, identifiers) are ASCII in every character set.
  let text = '';
  for (const byte of value) text += String.fromCharCode(byte);
  return text.replace(/[\0 ]+$/, '');
}

/**
 * Dummy values for action D (PS3.15 Table E.1-1a: "a non-zero length value that may be a dummy
 * value and consistent with the VR"). They say what happened and carry no information: a date of
 * 1900-01-01 cannot be mistaken for a real study date, "ANONYMIZED" not for a real name.
 */
const DUMMY_TEXT: Readonly<Record<string, string>> = {
  AE: 'ANONYMIZED',
  AS: '000D',
  CS: 'ANONYMIZED',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'ANONYMIZED',
  LT: 'ANONYMIZED',
  PN: 'ANONYMIZED',
  SH: 'ANONYMIZED',
  ST: 'ANONYMIZED',
  TM: '000000',
  UC: 'ANONYMIZED',
  UR: 'urn:uuid:00000000-0000-0000-0000-000000000000',
  UT: 'ANONYMIZED',
};

const BINARY_DUMMY_LENGTH: Readonly<Record<string, number>> = {
  AT: 4,
  FD: 8,
  FL: 4,
  OB: 2,
  OD: 8,
  OF: 4,
  OL: 4,
  OV: 8,
  OW: 2,
  SL: 4,
  SS: 2,
  SV: 8,
  UL: 4,
  UN: 2,
  US: 2,
  UV: 8,
};

/** The dummy for `vr` (UI is handled by the UID mapping, SQ by keeping cleaned items). */
export function dummyValue(vr: string): Uint8Array {
  const text = DUMMY_TEXT[vr];
  if (text !== undefined) return textBytes(text);
  return new Uint8Array(BINARY_DUMMY_LENGTH[vr] ?? 2);
}

const MS_PER_DAY = 86_400_000;

function shiftYmd(year: number, month: number, day: number, days: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const shifted = new Date(date.getTime() + days * MS_PER_DAY);
  const y = shifted.getUTCFullYear();
  if (y < 1 || y > 9999) return undefined;
  return `${String(y).padStart(4, '0')}${String(shifted.getUTCMonth() + 1).padStart(2, '0')}${String(shifted.getUTCDate()).padStart(2, '0')}`;
}

/** One DA value (PS3.5 6.2: YYYYMMDD) moved by `days`; undefined when it is not a valid date. */
export function shiftDate(value: string, days: number): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  return shiftYmd(Number(match[1]), Number(match[2]), Number(match[3]), days);
}

/**
 * One DT value (YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&ZZXX]) moved by `days`. The time of day and
 * the UTC offset are kept: a whole number of days keeps every interval between two shifted values.
 * A value less precise than a day is shifted as if it were the first of its month or year, then cut
 * back to its original precision.
 */
export function shiftDateTime(value: string, days: number): string | undefined {
  const match = /^(\d{4})(\d{2})?(\d{2})?(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?([+-]\d{4})?$/.exec(value.trim());
  if (!match) return undefined;
  const [, year, month, day, time, offset] = match;
  const shifted = shiftYmd(Number(year), Number(month ?? '01'), Number(day ?? '01'), days);
  if (shifted === undefined) return undefined;
  const precision = day !== undefined ? 8 : month !== undefined ? 6 : 4;
  return shifted.slice(0, precision) + (time ?? '') + (offset ?? '');
}

/** Applies `shift` to each value of a multi-valued string (values separated by "\", PS3.5 6.4). */
export function shiftValues(text: string, shift: (one: string) => string | undefined): string | undefined {
  const parts = text.split('\\');
  const out: string[] = [];
  for (const part of parts) {
    if (part.trim() === '') {
      out.push(part);
      continue;
    }
    const shifted = shift(part);
    if (shifted === undefined) return undefined;
    out.push(shifted);
  }
  return out.join('\\');
}

/** Dates written as digits with or without separators (20240131, 2024-01-31, 31/01/2024, 31.01.2024). */
const DATE_IN_TEXT = /\b(\d{4}[-./]?\d{2}[-./]?\d{2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})\b/g;
const REDACTED = '***';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Action C on free text (descriptors, patient characteristics): the text is kept, but every
 * identifying value that the profile removed or replaced elsewhere in the same data set, and every
 * date, is overwritten with "***".
 *
 * WARNING: this cannot find what it does not know. A name or number typed into a description that
 * appears nowhere else in the file stays. Callers warn the user (warning `descriptors-kept`).
 */
export function cleanText(text: string, identifying: readonly string[]): string {
  let out = text.replace(DATE_IN_TEXT, REDACTED);
  const needles = [...new Set(identifying.filter((needle) => needle.length >= 3))].sort((a, b) => b.length - a.length);
  for (const needle of needles) out = out.replace(new RegExp(escapeRegExp(needle), 'gi'), REDACTED);
  return out;
}

/**
 * What to look for in free text: each value of a multi-valued element, and for a person's name
 * (PN, PS3.5 6.2.1) each component too, since a name is written in free text as "John Doe", not
 * "Doe^John".
 */
export function identifyingParts(text: string, vr: string | undefined): string[] {
  const parts = new Set<string>();
  for (const value of text.split('\\')) {
    const trimmed = value.trim();
    if (trimmed) parts.add(trimmed);
    if (vr === 'PN') for (const piece of trimmed.split(/[\^= ]+/)) if (piece.length >= 3) parts.add(piece);
  }
  return [...parts];
}
