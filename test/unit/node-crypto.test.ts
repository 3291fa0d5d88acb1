import { afterEach, describe, expect, it } from 'vitest';
import { nodeCryptoBackend } from '../../src/cli/node-crypto.js';
import { protectBytes, recoverBytes, setCryptoBackend, webCryptoBackend, type CryptoBackend } from '../../src/core/index.js';
import { fingerprintBytes } from '../../src/core/fingerprint.js';
import { randomBytes } from '../helpers/bytes.js';

afterEach(() => setCryptoBackend(webCryptoBackend));

const nonce = (seed: number): Uint8Array<ArrayBuffer> => new Uint8Array(12).map((_, i) => (seed * 13 + i * 7) & 0xff);

describe('the command line crypto backend (node:crypto)', () => {
  it.each([0, 1, 15, 16, 17, 4096, 768 * 1024, 768 * 1024 + 5])('seals %i bytes exactly as WebCrypto does, and each opens the other', async (length) => {
    const raw = randomBytes(32);
    const plaintext = randomBytes(length);
    const additionalData = randomBytes(32);
    const [webKey, nodeKey] = await Promise.all([webCryptoBackend.importKey(raw), nodeCryptoBackend.importKey(raw)]);
    const fromWeb = await webCryptoBackend.seal(webKey, nonce(length), additionalData, plaintext);
    const fromNode = await nodeCryptoBackend.seal(nodeKey, nonce(length), additionalData, plaintext);
    expect(fromNode.length).toBe(length + 16);
    expect(Buffer.from(fromNode).equals(Buffer.from(fromWeb))).toBe(true);
    expect(Buffer.from((await nodeCryptoBackend.open(nodeKey, nonce(length), additionalData, fromWeb))!).equals(Buffer.from(plaintext))).toBe(true);
    expect(Buffer.from((await webCryptoBackend.open(webKey, nonce(length), additionalData, fromNode))!).equals(Buffer.from(plaintext))).toBe(true);
  });

  it('refuses what does not verify, as WebCrypto does: a flipped bit, another nonce, other additional data, another key, a cut tag', async () => {
    const raw = randomBytes(32);
    const key = await nodeCryptoBackend.importKey(raw);
    const plaintext = randomBytes(5000);
    const additionalData = randomBytes(32);
    const sealed = await nodeCryptoBackend.seal(key, nonce(1), additionalData, plaintext);
    const flipped = sealed.slice();
    flipped[2500]! ^= 1;
    const otherData = additionalData.slice();
    otherData[0]! ^= 0x80;
    const cases: [string, Promise<Uint8Array | null>][] = [
      ['flipped ciphertext bit', nodeCryptoBackend.open(key, nonce(1), additionalData, flipped)],
      ['another nonce', nodeCryptoBackend.open(key, nonce(2), additionalData, sealed)],
      ['other additional data', nodeCryptoBackend.open(key, nonce(1), otherData, sealed)],
      ['another key', nodeCryptoBackend.importKey(randomBytes(32)).then((other) => nodeCryptoBackend.open(other, nonce(1), additionalData, sealed))],
      ['tag cut short', nodeCryptoBackend.open(key, nonce(1), additionalData, sealed.subarray(0, sealed.length - 1))],
      ['shorter than a tag', nodeCryptoBackend.open(key, nonce(1), additionalData, sealed.subarray(0, 10))],
    ];
    for (const [what, opened] of cases) expect(await opened, what).toBeNull();
    // The untouched one still opens.
    expect(Buffer.from((await nodeCryptoBackend.open(key, nonce(1), additionalData, sealed))!).equals(Buffer.from(plaintext))).toBe(true);
  });

  it('hashes as WebCrypto does', async () => {
    for (const length of [0, 3, 64, 262144, 262147]) {
      const bytes = randomBytes(length);
      expect(Buffer.from(await nodeCryptoBackend.sha256(bytes)).toString('hex')).toBe(Buffer.from(await webCryptoBackend.sha256(bytes)).toString('hex'));
    }
  });

  it('does not read its input after the call returns, so the caller may reuse the array at once', async () => {
    const key = await nodeCryptoBackend.importKey(randomBytes(32));
    const plaintext = randomBytes(100_000);
    const copy = plaintext.slice();
    const additionalData = randomBytes(32);
    const sealing = nodeCryptoBackend.seal(key, nonce(3), additionalData, plaintext);
    const hashing = nodeCryptoBackend.sha256(plaintext);
    plaintext.fill(0);
    expect(Buffer.from((await nodeCryptoBackend.open(key, nonce(3), additionalData, await sealing))!).equals(Buffer.from(copy))).toBe(true);
    expect(Buffer.from(await hashing).toString('hex')).toBe(Buffer.from(await webCryptoBackend.sha256(copy)).toString('hex'));
  });

  it.each(['ssms', 'shamir'] as const)('%s shares made with one backend are rebuilt by the other, byte for byte, with the same fingerprint', async (scheme) => {
    const data = randomBytes(3 * 768 * 1024 + 12345);
    const expected = await fingerprintBytes(data);
    const backends: [CryptoBackend, CryptoBackend][] = [
      [nodeCryptoBackend, webCryptoBackend],
      [webCryptoBackend, nodeCryptoBackend],
    ];
    for (const [maker, reader] of backends) {
      setCryptoBackend(maker);
      const { result, shares } = await protectBytes(data, { scheme, k: 3, n: 5, fingerprint: true });
      setCryptoBackend(reader);
      const rebuilt = await recoverBytes([shares[4]!, shares[1]!, shares[2]!], { fingerprint: true });
      expect(Buffer.from(rebuilt.data).equals(Buffer.from(data)), `${maker.name} → ${reader.name}`).toBe(true);
      expect(result.fingerprint).toBe(expected);
      expect(rebuilt.result.fingerprint).toBe(expected);
    }
  });
});
