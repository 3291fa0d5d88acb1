import type { RandomSource } from '../../src/core/index.js';

/**
 * A reproducible byte stream for known-answer vectors — NOT random, never for real use. xorshift32
 * (Marsaglia 2003) with shifts 13, 17, 5; each step yields the low byte of the new state. Simple
 * enough to re-implement in any language when checking docs/share-format.md's vectors.
 */
export function deterministicRandom(seed: number): RandomSource {
  let state = seed >>> 0 || 0x9e3779b9;
  return (out) => {
    for (let i = 0; i < out.length; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
  };
}

/** Deterministic test data: byte i = (i · 31 + 7) mod 251 — not all 256 values, no long runs. */
export function patternBytes(length: number, salt = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7 + salt) % 251;
  return out;
}
