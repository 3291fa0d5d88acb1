import type { RandomSource } from '../../src/core/index.js';

/**
 * xorshift32 (Marsaglia 2003) with shifts 13, 17, 5: a reproducible stream of 32-bit words, so a
 * failure can be replayed from its seed — NOT random, never for real use. Seed 0 (a fixed point of
 * xorshift) is replaced by 0x9e3779b9.
 */
export function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/**
 * A reproducible byte stream for known-answer vectors: each byte is the low byte of the next
 * xorshift32 word. Simple enough to re-implement in any language when checking
 * docs/share-format.md's vectors.
 */
export function deterministicRandom(seed: number): RandomSource {
  const next = xorshift32(seed);
  return (out) => {
    for (let i = 0; i < out.length; i++) out[i] = next() & 0xff;
  };
}

/** Deterministic test data: byte i = (i · 31 + 7) mod 251 — not all 256 values, no long runs. */
export function patternBytes(length: number, salt = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7 + salt) % 251;
  return out;
}
