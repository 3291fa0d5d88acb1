/**
 * Incremental SHA-256 (FIPS 180-4), because WebCrypto only hashes a whole buffer at once and we
 * never hold a whole file in memory. Pure TypeScript, importable from workers, the main thread and
 * Node. It is checked against crypto.subtle.digest in test/unit/sha256.test.ts.
 *
 * Used only to show people that a rebuilt file is the original: the digest of an original stays in
 * the local catalog and is never written to a share or a bucket (a hash lets a holder confirm a
 * guess, see docs/share-format.md §8).
 *
 * Hash with `createSha256()`: it returns the WebAssembly hasher (src/core/wasm/sha256.ts, about 3×
 * faster) where WebAssembly SIMD is available and this class otherwise, with the same digests.
 */
import { WasmSha256, wasmSha256Available, type IncrementalSha256 } from '../src/core/wasm/sha256.js';

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const ROUND_CONSTANTS = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 §5.3.3: first 32 bits of the fractional parts of the square roots of the first 8 primes.
const INITIAL_STATE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const BLOCK_SIZE = 64;

export class Sha256 {
  private readonly state = new Int32Array(INITIAL_STATE);
  private readonly schedule = new Int32Array(64);
  /** Bytes of an incomplete block, carried over to the next update. */
  private readonly pending = new Uint8Array(BLOCK_SIZE);
  private pendingLength = 0;
  private totalLength = 0;
  private finished = false;

  update(bytes: Uint8Array): this {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`Sha256.update: expected a Uint8Array, got ${typeof bytes}`);
    if (this.finished) throw new Error('Sha256.update: the digest was already taken; start a new Sha256');
    this.totalLength += bytes.length;
    let at = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(BLOCK_SIZE - this.pendingLength, bytes.length);
      this.pending.set(bytes.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      at = take;
      if (this.pendingLength < BLOCK_SIZE) return this;
      this.compress(this.pending, 0);
      this.pendingLength = 0;
    }
    for (; at + BLOCK_SIZE <= bytes.length; at += BLOCK_SIZE) this.compress(bytes, at);
    if (at < bytes.length) {
      this.pending.set(bytes.subarray(at));
      this.pendingLength = bytes.length - at;
    }
    return this;
  }

  /** The 32-byte digest. The hasher cannot be updated afterwards. */
  digest(): Uint8Array {
    if (this.finished) throw new Error('Sha256.digest: the digest was already taken; start a new Sha256');
    this.finished = true;
    // §5.1.1 padding: a 1 bit, zeros, then the message length in bits as a 64-bit big-endian number.
    const bitLength = this.totalLength * 8;
    const block = this.pending;
    block[this.pendingLength] = 0x80;
    block.fill(0, this.pendingLength + 1);
    if (this.pendingLength + 1 > BLOCK_SIZE - 8) {
      this.compress(block, 0);
      block.fill(0);
    }
    const view = new DataView(block.buffer, block.byteOffset, BLOCK_SIZE);
    view.setUint32(BLOCK_SIZE - 8, Math.floor(bitLength / 0x1_0000_0000));
    view.setUint32(BLOCK_SIZE - 4, bitLength >>> 0);
    this.compress(block, 0);
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) outView.setInt32(i * 4, this.state[i]!);
    return out;
  }

  digestHex(): string {
    return toHex(this.digest());
  }

  /** §6.2.2: one 64-byte block starting at `offset`. */
  private compress(bytes: Uint8Array, offset: number): void {
    const w = this.schedule;
    for (let i = 0; i < 16; i++) {
      const j = offset + i * 4;
      w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const w15 = w[i - 15]!;
      const w2 = w[i - 2]!;
      const sigma0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const sigma1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      w[i] = (w[i - 16]! + sigma0 + w[i - 7]! + sigma1) | 0;
    }
    const s = this.state;
    let a = s[0]!, b = s[1]!, c = s[2]!, d = s[3]!, e = s[4]!, f = s[5]!, g = s[6]!, h = s[7]!;
    for (let i = 0; i < 64; i++) {
      const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const choice = (e & f) ^ (~e & g);
      const t1 = (h + sum1 + choice + ROUND_CONSTANTS[i]! + w[i]!) | 0;
      const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (sum0 + majority) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    s[0] = (s[0]! + a) | 0;
    s[1] = (s[1]! + b) | 0;
    s[2] = (s[2]! + c) | 0;
    s[3] = (s[3]! + d) | 0;
    s[4] = (s[4]! + e) | 0;
    s[5] = (s[5]! + f) | 0;
    s[6] = (s[6]! + g) | 0;
    s[7] = (s[7]! + h) | 0;
  }
}

/** The fastest incremental SHA-256 this realm can run: WasmSha256, else the TypeScript Sha256. */
export function createSha256(): IncrementalSha256 {
  return wasmSha256Available() ? new WasmSha256() : new Sha256();
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
