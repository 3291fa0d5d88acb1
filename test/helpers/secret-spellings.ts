import { fingerprintDigits } from '../../src/core/fingerprint.js';

/**
 * Every spelling of a secret a careless store could hold, for tests that search what is kept at rest
 * (the page's IndexedDB, localStorage, OPFS names) for it: as text, URL-encoded, as hex (lower and
 * upper case), as UTF-16 code units, and as base64 and base64url starting at each of the three byte
 * alignments (so the secret is found inside a longer encoded value too).
 */
export function textSpellings(secret: string): string[] {
  return byteSpellings(Buffer.from(secret, 'utf8'), [secret, encodeURIComponent(secret), Buffer.from(secret, 'utf16le').toString('latin1')]);
}

/**
 * The same for a digest given as hex (a fingerprint, a SHA-256): the hex itself, and its bytes in
 * every spelling. A fingerprint's `256k:` (docs/fingerprint.md) is not secret: its digits are.
 */
export function digestSpellings(digest: string): string[] {
  const hex = fingerprintDigits(digest);
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) throw new RangeError(`hex: expected an even number of hex digits, got ${hex.length} characters`);
  return byteSpellings(Buffer.from(hex, 'hex'), [hex.toLowerCase(), hex.toUpperCase()]);
}

function byteSpellings(bytes: Buffer, plain: readonly string[]): string[] {
  // Base64 of a value that starts `skip` bytes before the secret: the characters that depend only on
  // the secret's own bytes, whole groups of three.
  const aligned = [0, 1, 2].map((skip) => bytes.subarray(skip).toString('base64').slice(0, Math.floor((bytes.length - skip) / 3) * 4));
  const spellings = new Set([
    ...plain,
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('latin1'),
    ...aligned,
    ...aligned.map((text) => text.replace(/\+/g, '-').replace(/\//g, '_')),
  ]);
  // Too short a spelling would match by chance.
  return [...spellings].filter((spelling) => spelling.length >= 6);
}
