import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/core/bytes.js';
import { randomBytes } from '../helpers/bytes.js';

describe('equalBytes', () => {
  const base = randomBytes(1000 + 8);

  it('finds a single flipped bit anywhere, for aligned and unaligned views of any length', () => {
    for (const offset of [0, 1, 4, 7]) {
      for (const length of [0, 1, 63, 64, 65, 999]) {
        const a = base.subarray(offset, offset + length);
        const copy = new Uint8Array(length + 8).subarray(offset % 4 === 0 ? 4 : 3, (offset % 4 === 0 ? 4 : 3) + length);
        copy.set(a);
        expect(equalBytes(a, copy)).toBe(true);
        for (const at of [0, length >> 1, length - 1]) {
          if (length === 0) continue;
          copy[at]! ^= 0x10;
          expect(equalBytes(a, copy), `offset ${offset}, length ${length}, byte ${at}`).toBe(false);
          copy[at]! ^= 0x10;
        }
      }
    }
  });

  it('tells arrays of different lengths apart', () => {
    expect(equalBytes(base.subarray(0, 64), base.subarray(0, 65))).toBe(false);
  });
});
