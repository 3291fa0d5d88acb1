/**
 * The identity part of the partition (seed paper 003, Kurnaz & Jasim: patient data split from the
 * image). It lists what a de-identified copy no longer carries: each removed or replaced element
 * with its original encoding, the UID mapping and the date offset. See docs/deidentification.md.
 *
 * WARNING: an identity part is as identifying as the original file. It belongs inside the protected
 * record (encrypted and shared like the file itself), never in a catalog, an object name or a log.
 *
 * The exact original is not rebuilt from the copy and this part: the protected record keeps the
 * original bytes. This part answers the owner's questions about a copy handed out ("which of my
 * instances is 2.25.…?", "what was removed?") without opening the original.
 */
import type { ElementAction } from './profile.js';

export const IDENTITY_PART_VERSION = 1;

export interface IdentityEntry {
  /** Where the element was: tags as 8 hex digits, items as [index], e.g. `00081140[0]/00081155`. */
  readonly path: string;
  readonly action: ElementAction;
  /** The original element (header and value), base64, encoded as `elementTransferSyntaxUid` says. */
  readonly original: string;
}

export interface IdentityPart {
  readonly version: typeof IDENTITY_PART_VERSION;
  /** Table edition and options used (the same words as De-identification Method (0012,0063)). */
  readonly method: readonly string[];
  /** Transfer syntax in which `entries[].original` are encoded (the de-identified copy's). */
  readonly elementTransferSyntaxUid: string;
  readonly entries: readonly IdentityEntry[];
  /** Original UID → replacement, for every UID this file had replaced. */
  readonly uidMap: Readonly<Record<string, string>>;
  /** Days added to every date, when dates were shifted (Modified Dates option); otherwise null. */
  readonly dateOffsetDays: number | null;
}

const ACTIONS = new Set<string>(['D', 'Z', 'X', 'K', 'C', 'U']);

export function identityPartToJson(part: IdentityPart): string {
  return JSON.stringify(part);
}

function fail(what: string): never {
  throw new TypeError(`identity part: ${what}`);
}

/** Reads an identity part back, validating every field (persisted data is checked before use). */
export function identityPartFromJson(json: string): IdentityPart {
  if (typeof json !== 'string') fail(`expected a JSON string, got ${typeof json}`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    fail('not valid JSON');
  }
  if (typeof value !== 'object' || value === null) fail('not an object');
  const part = value as Record<string, unknown>;
  if (part.version !== IDENTITY_PART_VERSION) fail(`unsupported version ${String(part.version)}`);
  if (!Array.isArray(part.method) || !part.method.every((item) => typeof item === 'string')) fail('method must be a list of strings');
  if (typeof part.elementTransferSyntaxUid !== 'string') fail('elementTransferSyntaxUid must be a string');
  if (!Array.isArray(part.entries)) fail('entries must be a list');
  for (const entry of part.entries as unknown[]) {
    const e = entry as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof e.path !== 'string' || typeof e.original !== 'string' || typeof e.action !== 'string' || !ACTIONS.has(e.action)) {
      fail('an entry is not { path, action, original }');
    }
  }
  if (typeof part.uidMap !== 'object' || part.uidMap === null || !Object.values(part.uidMap).every((uid) => typeof uid === 'string')) fail('uidMap must map strings to strings');
  if (part.dateOffsetDays !== null && !Number.isSafeInteger(part.dateOffsetDays)) fail('dateOffsetDays must be an integer or null');
  return part as unknown as IdentityPart;
}
