import { describe, expect, it } from 'vitest';
import { Sha256, toHex } from '../../workers/sha256.js';
import { xorshift32 } from '../helpers/deterministic-random.js';

async function reference(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be replayed. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const next = xorshift32(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = next() & 0xff;
  return out;
}

describe('Sha256', () => {
  it('matches the FIPS 180-4 example digests', () => {
    // FIPS 180-2 Appendix B.1 and B.2 ("abc" and the 448-bit message), and the empty string.
    expect(new Sha256().update(new TextEncoder().encode('abc')).digestHex()).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(
      new Sha256().update(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).digestHex(),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(new Sha256().digestHex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 65_537])(
    'matches crypto.subtle.digest for %i bytes, whole or in uneven pieces',
    async (length) => {
      const bytes = pseudoRandomBytes(length, length + 7);
      const expected = await reference(bytes);
      expect(new Sha256().update(bytes).digestHex()).toBe(expected);

      const pieces = new Sha256();
      const sizes = [1, 3, 64, 7, 129, 2, 63];
      for (let at = 0, i = 0; at < length; i++) {
        const size = sizes[i % sizes.length]!;
        pieces.update(bytes.subarray(at, at + size));
        at += size;
      }
      expect(pieces.digestHex()).toBe(expected);
    },
  );

  it('matches crypto.subtle.digest for 3 MiB fed in 1 MiB + 1 pieces', async () => {
    const bytes = pseudoRandomBytes(3 * 1024 * 1024, 42);
    const hasher = new Sha256();
    for (let at = 0; at < bytes.length; at += 1024 * 1024 + 1) hasher.update(bytes.subarray(at, at + 1024 * 1024 + 1));
    expect(hasher.digestHex()).toBe(await reference(bytes));
  });

  it('refuses to be used after the digest was taken', () => {
    const hasher = new Sha256();
    hasher.digest();
    expect(() => hasher.update(new Uint8Array(1))).toThrow(/already taken/);
    expect(() => hasher.digest()).toThrow(/already taken/);
  });

  it('refuses what is not bytes', () => {
    expect(() => new Sha256().update('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
