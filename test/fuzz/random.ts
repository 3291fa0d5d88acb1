/**
 * The fuzzer's randomness: a seeded, reproducible stream (xorshift32, test/helpers/deterministic-random.ts),
 * and a seed per input derived from (run seed, target, input number), so that any one input can be
 * made again from those three numbers alone — without replaying the inputs before it. NOT random,
 * never for real use.
 */
import { xorshift32 } from '../helpers/deterministic-random.js';

/** FNV-1a of a text: a target's name as a number, to separate the targets' streams. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** A well-mixed 32-bit seed for input `index` of `target` in the run of `seed` (murmur3's finaliser). */
export function inputSeed(seed: number, target: string, index: number): number {
  let h = (seed ^ hashText(target) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0 || 1;
}

export class FuzzRandom {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = xorshift32(seed);
  }

  /** A 32-bit unsigned integer. */
  word(): number {
    return this.next();
  }

  /** An integer in [0, bound), bound ≥ 1. */
  below(bound: number): number {
    return bound <= 1 ? 0 : this.next() % bound;
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick: no items');
    return items[this.below(items.length)]!;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** A length skewed towards small values (most bugs need few bytes; some need many). */
  smallLength(max: number): number {
    const roll = this.below(10);
    if (roll < 6) return this.between(1, Math.min(max, 8));
    if (roll < 9) return this.between(1, Math.min(max, 128));
    return this.between(1, max);
  }
}
