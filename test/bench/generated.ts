/** Sources and sinks for the benchmark: none of them holds more than the chunk in hand. */
import type { ByteSink, ByteSource } from '../../src/core/index.js';

/** Offset added to the word index before mixing, so that the stream does not start at mix(0) = 0. */
const WORD_OFFSET = 0x9e3779b9;

/**
 * `size` deterministic pseudo-random bytes, made on demand: word w of the stream is a 32-bit mix
 * (the murmur3 finaliser) of w, so any range can be produced without the ones before it and the
 * whole never exists in memory. Not random in any cryptographic sense: only input.
 */
export function generatedSource(size: number): ByteSource {
  return {
    size,
    read(offset, length) {
      const end = Math.min(size, offset + length);
      if (end <= offset) return Promise.resolve(new Uint8Array(0));
      const firstWord = Math.floor(offset / 4);
      const words = new Uint32Array(Math.ceil(end / 4) - firstWord);
      for (let i = 0; i < words.length; i++) {
        let z = (firstWord + i + WORD_OFFSET) | 0;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        words[i] = z ^ (z >>> 16);
      }
      const start = offset - firstWord * 4;
      return Promise.resolve(new Uint8Array(words.buffer, start, end - offset));
    },
  };
}

/** Counts what it is given and keeps nothing: the cost of the sink is not what is measured. */
export class DiscardSink implements ByteSink {
  bytes = 0;

  write(bytes: Uint8Array): Promise<void> {
    this.bytes += bytes.length;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
