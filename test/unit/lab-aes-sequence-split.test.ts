/**
 * Seed 004's AES + sequence-key split (src/lab/schemes/aes-sequence-split.ts): the paper's key rules
 * with its own examples, the framing of each piece, and the weaknesses the Lab reports — every piece
 * is needed, a wrong sequence key fails, the pieces give their own order away, nothing is
 * authenticated.
 */
import { describe, expect, it } from 'vitest';
import { aesSequenceSplit, SequenceKeyError, sequenceKeyCharacters } from '../../src/lab/schemes/aes-sequence-split.js';
import { decryptCbc } from '../../src/lab/schemes/aes-cbc.js';
import type { LabImage } from '../../src/lab/types.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';

function gradient(width = 40, height = 30): LabImage {
  return { width, height, pixels: Uint8Array.from({ length: width * height }, (_, i) => ((i % width) * 3 + Math.floor(i / width) * 2) & 0xff) };
}

const params = aesSequenceSplit.defaults;
const ALL = [0, 1, 2, 3, 4, 5, 6, 7];

function expectKeyProblem(key: string, code: SequenceKeyError['code']): void {
  let caught: unknown;
  try {
    sequenceKeyCharacters(key);
  } catch (error) {
    caught = error;
  }
  expect(caught, key).toBeInstanceOf(SequenceKeyError);
  expect(caught).toBeInstanceOf(RangeError);
  expect((caught as SequenceKeyError).code).toBe(code);
}

describe('the sequence key (section V-D)', () => {
  it('accepts the paper’s example and gives n = its length', () => {
    expect(params.sequenceKey).toBe('adk21937');
    expect(sequenceKeyCharacters('adk21937')).toEqual(['a', 'd', 'k', '2', '1', '9', '3', '7']);
    expect(aesSequenceSplit.clouds(params)).toBe(8);
    expect(aesSequenceSplit.threshold(params)).toBe(8);
    expect(aesSequenceSplit.keySpaceBits(params)).toBe(128 + 3);
  });

  it('refuses the paper’s three invalid examples, each with its own code', () => {
    expectKeyProblem('Adk 1234', 'sequence-key.space');
    expectKeyProblem('Adk21224', 'sequence-key.repeated');
    expectKeyProblem('Adk12', 'sequence-key.short');
    expect(() => sequenceKeyCharacters('Adk21224')).toThrow('"2" is at positions 4 and 6');
  });

  it('counts characters, not UTF-16 units, and treats any white space as a space', () => {
    expectKeyProblem('abcd\tefgh', 'sequence-key.space');
    expectKeyProblem('abcdefg\n', 'sequence-key.space');
    // 7 emoji are 14 UTF-16 units but 7 characters: too short.
    expectKeyProblem('😀😁😂😃😄😅😆', 'sequence-key.short');
    expect(sequenceKeyCharacters('αβγδεζηθ')).toHaveLength(8);
    expect(() => sequenceKeyCharacters(12345678 as unknown as string)).toThrow(TypeError);
  });
});

describe('protect and recover', () => {
  it('frames piece i with key character i and the next one, the last closing the ring', async () => {
    const image = gradient();
    const protection = await aesSequenceSplit.protect(image, params, deterministicRandom(1));
    const key = 'adk21937';
    expect(protection.holdings.map((holding) => holding.name)).toEqual(['piece a…d', 'piece d…k', 'piece k…2', 'piece 2…1', 'piece 1…9', 'piece 9…3', 'piece 3…7', 'piece 7…a']);
    for (const [i, holding] of protection.holdings.entries()) {
      expect(holding.cloud).toBe(i);
      expect(String.fromCharCode(holding.bytes[0]!)).toBe(key[i]);
      expect(String.fromCharCode(holding.bytes.at(-1)!)).toBe(key[(i + 1) % 8]);
    }
    // IV (16) + CBC ciphertext of 1,200 bytes padded to 1,216, over 8 pieces, + 2 framing bytes each.
    const total = protection.holdings.reduce((sum, holding) => sum + holding.bytes.length, 0);
    expect(total).toBe(16 + 1216 + 8 * 2);
  });

  it('round-trips with a key of multi-byte characters', async () => {
    const image = gradient();
    const unicode = { sequenceKey: 'αβγδεζηθ' };
    const protection = await aesSequenceSplit.protect(image, unicode, deterministicRandom(2));
    const rebuilt = await aesSequenceSplit.recover(protection, ALL, unicode);
    expect(Buffer.from(rebuilt.pixels).equals(Buffer.from(image.pixels))).toBe(true);
  });

  it('needs all n pieces: any one cloud missing and nothing is rebuilt', async () => {
    const protection = await aesSequenceSplit.protect(gradient(), params, deterministicRandom(3));
    for (const missing of ALL) {
      await expect(
        aesSequenceSplit.recover(protection, ALL.filter((cloud) => cloud !== missing), params),
        `without cloud ${missing}`,
      ).rejects.toThrow(`cannot rebuild: all 8 pieces are needed, the pieces on cloud ${missing} are missing`);
    }
  });

  it('fails with a wrong sequence key', async () => {
    const image = gradient();
    const protection = await aesSequenceSplit.protect(image, params, deterministicRandom(4));
    // Other characters.
    await expect(aesSequenceSplit.recover(protection, ALL, { sequenceKey: 'qwertyui' })).rejects.toThrow(/cannot merge/);
    // The same characters in another order: the pieces' own links contradict it.
    await expect(aesSequenceSplit.recover(protection, ALL, { sequenceKey: 'adk21973' })).rejects.toThrow(/cannot merge: the piece/);
    // An invalid key is refused before anything else.
    await expect(aesSequenceSplit.recover(protection, ALL, { sequenceKey: 'adk 1937' })).rejects.toBeInstanceOf(SequenceKeyError);
    // A rotation of the right key follows the ring from the wrong piece: never the picture.
    const rotated = aesSequenceSplit.recover(protection, ALL, { sequenceKey: 'dk21937a' }).then(
      (picture) => Buffer.from(picture.pixels).equals(Buffer.from(image.pixels)),
      () => false,
    );
    expect(await rotated).toBe(false);
  });

  it('does not notice an altered piece: the rebuild is silently wrong (CBC, no authentication)', async () => {
    const image = gradient();
    const protection = await aesSequenceSplit.protect(image, params, deterministicRandom(5));
    const holdings = protection.holdings.map((holding, i) => {
      if (i !== 3) return holding;
      const bytes = holding.bytes.slice();
      bytes[20] = bytes[20]! ^ 0x01;
      return { ...holding, bytes };
    });
    const rebuilt = await aesSequenceSplit.recover({ ...protection, holdings }, ALL, params);
    const changed = rebuilt.pixels.reduce((count, v, i) => count + (v === image.pixels[i] ? 0 : 1), 0);
    // One flipped ciphertext bit garbles its 16-byte block and flips one byte of the next.
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(17);
  });
});

describe('WARNING: the sequence key protects nothing', () => {
  it('whoever holds all pieces orders them without it, up to the n starting points', async () => {
    const image = gradient();
    const protection = await aesSequenceSplit.protect(image, params, deterministicRandom(6));
    // The attacker gets the pieces in no particular order (here: reversed), reads each one's first and
    // last byte (ASCII key), chains the "next" links, and tries each piece as the start: n = 8 orders,
    // 3 bits. With the AES key (the only real secret), exactly one decrypts to the picture; no
    // sequence key was used.
    const pieces = protection.holdings.map((holding) => holding.bytes).reverse();
    const byFirst = new Map(pieces.map((piece) => [piece[0]!, piece]));
    const { key } = protection.secret as { key: Uint8Array };
    let found = 0;
    for (const start of pieces) {
      const ordered: Uint8Array[] = [];
      let current: Uint8Array | undefined = start;
      for (let i = 0; i < pieces.length && current; i++) {
        ordered.push(current.subarray(1, -1));
        current = byFirst.get(current.at(-1)!);
      }
      const file = Buffer.concat(ordered);
      const plain = await decryptCbc(key, file.subarray(0, 16), file.subarray(16)).catch(() => undefined);
      if (plain && Buffer.from(plain).equals(Buffer.from(image.pixels))) found++;
    }
    expect(found).toBe(1);
  });
});
