import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WasmSha256, wasmSha256Available } from '../../src/core/wasm/sha256.js';
import { createSha256, Sha256, toHex } from '../../workers/sha256.js';
import { xorshift32 } from '../helpers/deterministic-random.js';

const MiB = 1024 * 1024;

function nodeDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function subtleDigest(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

function pseudoRandomBytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const next = xorshift32(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = next() & 0xff;
  return out;
}

/** Cuts `bytes` into pieces of random sizes up to `largest` (zero-length pieces included). */
function randomPieces(bytes: Uint8Array, seed: number, largest: number): Uint8Array[] {
  const next = xorshift32(seed);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = next() % (largest + 1);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

function wasmHex(pieces: readonly Uint8Array[]): string {
  const hasher = new WasmSha256();
  for (const piece of pieces) hasher.update(piece);
  return hasher.digestHex();
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('WasmSha256', () => {
  it('runs here (Node has WebAssembly SIMD), and createSha256 picks it', () => {
    expect(wasmSha256Available()).toBe(true);
    expect(createSha256()).toBeInstanceOf(WasmSha256);
  });

  it.each([
    // FIPS 180-4 / CAVP examples (NIST "Cryptographic Standards and Guidelines: Examples with Intermediate Values").
    ['the empty string', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['"abc"', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'the 448-bit message',
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    [
      'the 896-bit message',
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    ],
  ])('matches the FIPS 180-4 digest of %s', (_name, text, expected) => {
    expect(new WasmSha256().update(ascii(text)).digestHex()).toBe(expected);
    const bytes = ascii(text);
    expect(wasmHex(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toBe(expected);
  });

  it('matches the FIPS 180-4 digest of one million "a", whole and in 1000-byte pieces', () => {
    const expected = 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0';
    const million = new Uint8Array(1_000_000).fill(0x61);
    expect(new WasmSha256().update(million).digestHex()).toBe(expected);
    const hasher = new WasmSha256();
    for (let at = 0; at < million.length; at += 1000) hasher.update(million.subarray(at, at + 1000));
    expect(hasher.digestHex()).toBe(expected);
  });

  it('matches node:crypto, crypto.subtle and the TypeScript Sha256 for every length 0..300, in random pieces', async () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = pseudoRandomBytes(length, 1000 + length);
      const expected = nodeDigest(bytes);
      expect(await subtleDigest(bytes), `crypto.subtle, ${length} bytes`).toBe(expected);
      expect(new WasmSha256().update(bytes).digestHex(), `whole, ${length} bytes`).toBe(expected);
      expect(wasmHex(randomPieces(bytes, length + 1, 70)), `pieces, ${length} bytes`).toBe(expected);
      expect(new Sha256().update(bytes).digestHex(), `TypeScript, ${length} bytes`).toBe(expected);
    }
  });

  it.each([
    ['1 MiB + 7 bytes', MiB + 7, [7, 63, 64, 65, 4096, MiB]],
    ['2.5 MiB + 3 bytes (single updates over the 1 MiB copy size)', 2.5 * MiB + 3, [3 * MiB]],
  ])('matches node:crypto, crypto.subtle and the TypeScript Sha256 for %s in random pieces', async (_name, length, largests) => {
    const bytes = pseudoRandomBytes(length, length);
    const expected = nodeDigest(bytes);
    expect(await subtleDigest(bytes)).toBe(expected);
    expect(new Sha256().update(bytes).digestHex()).toBe(expected);
    expect(new WasmSha256().update(bytes).digestHex()).toBe(expected);
    for (const [i, largest] of largests.entries()) {
      expect(wasmHex(randomPieces(bytes, 77 + i, largest)), `pieces of up to ${largest} bytes`).toBe(expected);
    }
    // A partial block first, so that every 1 MiB copy after it starts mid-block.
    expect(wasmHex([bytes.subarray(0, 5), bytes.subarray(5)])).toBe(expected);
  });

  it('gives the same digest as the TypeScript Sha256 for the same updates', () => {
    const bytes = pseudoRandomBytes(200_003, 9);
    const pieces = randomPieces(bytes, 5, 3000);
    const ts = new Sha256();
    const wasm = new WasmSha256();
    for (const piece of pieces) {
      ts.update(piece);
      wasm.update(piece);
    }
    expect(toHex(wasm.digest())).toBe(toHex(ts.digest()));
  });

  it('keeps hashers apart while they take turns in the shared module', () => {
    const first = pseudoRandomBytes(50_000, 1);
    const second = pseudoRandomBytes(70_001, 2);
    const a = new WasmSha256();
    const b = new WasmSha256();
    const aPieces = randomPieces(first, 3, 1000);
    const bPieces = randomPieces(second, 4, 1000);
    for (let i = 0; i < Math.max(aPieces.length, bPieces.length); i++) {
      if (aPieces[i]) a.update(aPieces[i]!);
      if (bPieces[i]) b.update(bPieces[i]!);
    }
    expect(b.digestHex()).toBe(nodeDigest(second));
    expect(a.digestHex()).toBe(nodeDigest(first));
  });

  it('hashes views at any offset of any buffer, Node Buffers included', () => {
    const backing = pseudoRandomBytes(10_000, 3);
    const view = backing.subarray(13, 9_000);
    expect(new WasmSha256().update(view).digestHex()).toBe(nodeDigest(view));
    const buffer = Buffer.from(view);
    expect(new WasmSha256().update(buffer).digestHex()).toBe(nodeDigest(view));
  });

  it('returns 32 bytes that equal node:crypto digest', () => {
    const bytes = pseudoRandomBytes(1234, 4);
    const digest = new WasmSha256().update(bytes).digest();
    expect(digest).toHaveLength(32);
    expect(Buffer.from(digest).equals(createHash('sha256').update(bytes).digest())).toBe(true);
  });

  it('refuses to be used after the digest was taken', () => {
    const hasher = new WasmSha256();
    hasher.digest();
    expect(() => hasher.update(new Uint8Array(1))).toThrow(/already taken/);
    expect(() => hasher.digest()).toThrow(/already taken/);
  });

  it('refuses what is not bytes', () => {
    expect(() => new WasmSha256().update('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
