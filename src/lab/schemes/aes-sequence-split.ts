import type { Holding, LabImage, LabRandom, LabScheme, Protection } from '../types.js';
import { decryptCbc, encryptCbc, hex } from './aes-cbc.js';

/**
 * Seed 004 — the EHR image security paper (../../../../shared/seeds/004_bdc5070f9519c53a.txt),
 * section V "Proposed system", C–F: "In the first layer, the images and the text files are encrypted
 * using Advanced Encryption Standard (AES). In the second layer, the encrypted files are divided into
 * n files … For splitting and merging the ciphertexts, a sequence key will be used."
 *
 * What the paper fixes, followed here:
 * - AES with a 128-bit key (V-C), the key kept by the physicians (V-F).
 * - n = the length of the sequence key ("adk21937 (Length = 8) … divided into 8 files", V-D).
 * - A valid sequence key has no space, no character twice, at least 8 characters (V-D i–iii).
 * - "The first and the last character in the splitted file would be the characters in the sequence
 *   key. The first character indicates the index of the current file and the last character
 *   indicates the index of the next file that need to be merged with the current file" (V-D), and
 *   those characters "will be removed in the merging process" (VI, Fig. 5.3).
 * - All n files are needed: "The original EHR can be decrypted only if the n files are merged" (V).
 *
 * What the paper leaves open, and what was chosen:
 * - The AES mode and padding: not named. WebCrypto has no ECB (which a Java `Cipher.getInstance
 *   ("AES")` of the time would have given, leaking the picture's structure block by block); this
 *   uses CBC with PKCS#7 padding and a random 16-byte IV written in front of the ciphertext, so the
 *   "encrypted file" that is split is IV ‖ ciphertext. See aes-cbc.ts: nothing is authenticated.
 * - How the file is cut: into n consecutive parts as equal as can be (part i is bytes
 *   ⌊i·L/n⌋ … ⌊(i+1)·L/n⌋ − 1), part i framed by key character i and key character i + 1; the
 *   last part's "next" character is not defined by the paper — here it is the first character, so
 *   the chain closes into a ring. Piece i is kept by cloud i.
 * - "Character": a Unicode code point, framed in UTF-8; any white space is refused as a "space".
 *
 * WARNING, measured by the Lab: the sequence key protects nothing. Every piece carries its own
 * character and its successor's in the clear, so whoever holds all n pieces chains them without
 * the key; with the ring only the starting piece is unknown (n choices, log2 n bits). The security
 * is AES-128's alone, and it depends on every one of n clouds: lose one piece and the record is
 * gone (no threshold, no redundancy).
 */

export type SequenceSplitParams = {
  /** The sequence key typed by the physician; its length is the number of pieces and clouds. */
  readonly sequenceKey: string;
};

export type SequenceKeyProblem = 'sequence-key.space' | 'sequence-key.repeated' | 'sequence-key.short';

/** A sequence key that breaks one of the paper's three rules (section V-D). */
export class SequenceKeyError extends RangeError {
  override readonly name = 'SequenceKeyError';
  readonly code: SequenceKeyProblem;

  constructor(code: SequenceKeyProblem, message: string) {
    super(message);
    this.code = code;
  }
}

/** The paper's minimum length (section V-D iii). */
export const MIN_SEQUENCE_KEY_LENGTH = 8;

/**
 * Checks the paper's rules and returns the key's characters (code points). The paper's own examples
 * of invalid keys: "Adk 1234" (a space), "Adk21224" (2 twice), "Adk12" (shorter than 8).
 */
export function sequenceKeyCharacters(sequenceKey: string): string[] {
  if (typeof sequenceKey !== 'string') throw new TypeError(`the sequence key must be a string, got ${typeof sequenceKey}`);
  const characters = Array.from(sequenceKey);
  const space = characters.findIndex((c) => /\s/u.test(c));
  if (space >= 0) throw new SequenceKeyError('sequence-key.space', `the sequence key must not contain a space (found one at position ${space + 1})`);
  const seen = new Map<string, number>();
  for (const [position, c] of characters.entries()) {
    const first = seen.get(c);
    if (first !== undefined) {
      throw new SequenceKeyError('sequence-key.repeated', `each character of the sequence key may appear only once ("${c}" is at positions ${first + 1} and ${position + 1})`);
    }
    seen.set(c, position);
  }
  if (characters.length < MIN_SEQUENCE_KEY_LENGTH) {
    throw new SequenceKeyError('sequence-key.short', `the sequence key must have at least ${MIN_SEQUENCE_KEY_LENGTH} characters, got ${characters.length}`);
  }
  return characters;
}

interface SequenceSplitSecret {
  /** The AES-128 key, kept by the physicians. */
  readonly key: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const IV_SIZE = 16;
const encoder = new TextEncoder();

export const aesSequenceSplit: LabScheme<SequenceSplitParams> = {
  id: 'aes-sequence-split',
  title: 'AES-128, ciphertext split into n files by a sequence key',
  paper: {
    seed: '004_bdc5070f9519c53a.txt',
    title: 'EHR image security paper: AES and splitting the ciphertext with a sequence key',
    where: 'section V (C Encryption, D Sequence Key, F Decryption) and section VI, Figs. 5.1–5.3',
  },
  // The paper's own example of a valid key (section V-D).
  defaults: { sequenceKey: 'adk21937' },
  clouds: (params) => sequenceKeyCharacters(params.sequenceKey).length,
  threshold: (params) => sequenceKeyCharacters(params.sequenceKey).length,
  // AES-128, plus the starting piece of the ring (the only order the pieces do not state).
  keySpaceBits: (params) => 128 + Math.log2(sequenceKeyCharacters(params.sequenceKey).length),
  lossless: true,

  async protect(image: LabImage, params: SequenceSplitParams, random: LabRandom): Promise<Protection> {
    const characters = sequenceKeyCharacters(params.sequenceKey);
    const n = characters.length;
    const key = new Uint8Array(16);
    random(key);
    const iv = new Uint8Array(IV_SIZE);
    random(iv);
    const ciphertext = await encryptCbc(key, iv, image.pixels);
    const file = new Uint8Array(IV_SIZE + ciphertext.length);
    file.set(iv);
    file.set(ciphertext, IV_SIZE);
    const holdings: Holding[] = characters.map((character, i) => {
      const next = characters[(i + 1) % n]!;
      const part = file.subarray(Math.floor((i * file.length) / n), Math.floor(((i + 1) * file.length) / n));
      const first = encoder.encode(character);
      const last = encoder.encode(next);
      const bytes = new Uint8Array(first.length + part.length + last.length);
      bytes.set(first);
      bytes.set(part, first.length);
      bytes.set(last, first.length + part.length);
      return { cloud: i, name: `piece ${character}…${next}`, bytes };
    });
    const secret: SequenceSplitSecret = { key, width: image.width, height: image.height };
    return {
      holdings,
      ownerKeeps: `AES-128 key ${hex(key)} and the sequence key "${params.sequenceKey}"`,
      // What Fig. 5.1 shows: the encrypted image (IV left out), as many bytes as the picture has.
      cipherImage: { width: image.width, height: image.height, pixels: ciphertext.slice(0, image.pixels.length) },
      secret,
    };
  },

  /** Merges the pieces in the order the sequence key in `params` gives, then decrypts. */
  async recover(protection: Protection, clouds: readonly number[], params: SequenceSplitParams): Promise<LabImage> {
    const characters = sequenceKeyCharacters(params.sequenceKey);
    const n = characters.length;
    const { key, width, height } = protection.secret as SequenceSplitSecret;
    const wanted = new Set(clouds);
    const pieces = protection.holdings.filter((holding) => wanted.has(holding.cloud)).map((holding) => holding.bytes);
    if (pieces.length < n) {
      const missing = protection.holdings.filter((holding) => !wanted.has(holding.cloud)).map((holding) => holding.cloud);
      throw new Error(`cannot rebuild: all ${n} pieces are needed, the pieces on cloud${missing.length === 1 ? '' : 's'} ${missing.join(', ')} are missing`);
    }
    // Index the pieces by their first character, then follow "next" from the key's first character.
    const byFirst = new Map<string, { readonly next: string; readonly body: Uint8Array }>();
    for (const piece of pieces) {
      const first = characters.find((c) => startsWith(piece, encoder.encode(c)));
      const next = characters.find((c) => endsWith(piece, encoder.encode(c)));
      if (first === undefined || next === undefined) throw new Error('cannot merge: a piece does not begin and end with characters of this sequence key');
      if (byFirst.has(first)) throw new Error(`cannot merge: two pieces begin with "${first}"`);
      const body = piece.subarray(encoder.encode(first).length, piece.length - encoder.encode(next).length);
      byFirst.set(first, { next, body });
    }
    const parts: Uint8Array[] = [];
    let current = characters[0]!;
    for (let i = 0; i < n; i++) {
      const entry = byFirst.get(current);
      if (entry === undefined) throw new Error(`cannot merge: no piece begins with "${current}"`);
      const expected = characters[(i + 1) % n]!;
      if (entry.next !== expected) throw new Error(`cannot merge: the piece "${current}" says the next is "${entry.next}", the sequence key says "${expected}"`);
      parts.push(entry.body);
      current = entry.next;
    }
    const file = concat(parts);
    let pixels: Uint8Array;
    try {
      pixels = await decryptCbc(key, file.subarray(0, IV_SIZE), file.subarray(IV_SIZE));
    } catch (cause) {
      throw new Error('cannot decrypt the merged file: wrong key, pieces out of order, or altered', { cause });
    }
    if (pixels.length !== width * height) throw new Error(`the merged file decrypts to ${pixels.length} bytes, expected ${width * height}`);
    return { width, height, pixels };
  },
};

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function endsWith(bytes: Uint8Array, suffix: Uint8Array): boolean {
  const offset = bytes.length - suffix.length;
  return offset >= 0 && suffix.every((b, i) => bytes[offset + i] === b);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
