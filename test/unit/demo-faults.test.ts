import { describe, expect, it } from 'vitest';
import {
  DAMAGE_LENGTH,
  SLOW_DEMO_BYTES_PER_SECOND,
  SLOW_DEMO_CALL_DELAY_MS,
  damageRange,
  flipBytes,
  slowDemoDelayMs,
} from '../../src/storage/demo-faults.js';

describe('slowDemoDelayMs', () => {
  it('waits the per-call delay for a call that moves nothing, and adds the time the capped rate takes', () => {
    expect(SLOW_DEMO_CALL_DELAY_MS).toBe(200);
    expect(SLOW_DEMO_BYTES_PER_SECOND).toBe(5_000_000);
    expect(slowDemoDelayMs(0)).toBe(200);
    expect(slowDemoDelayMs(5_000_000)).toBe(1200);
    expect(slowDemoDelayMs(1_000_000)).toBe(400);
    expect(slowDemoDelayMs(1)).toBeCloseTo(200.0002, 6);
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses %s bytes with a RangeError', (bytes) => {
    expect(() => slowDemoDelayMs(bytes)).toThrow(RangeError);
    expect(() => slowDemoDelayMs(bytes)).toThrow(/^bytes: expected a non-negative integer, got /);
  });
});

describe('damageRange', () => {
  it('takes DAMAGE_LENGTH bytes from the middle of an object', () => {
    expect(DAMAGE_LENGTH).toBe(16);
    expect(damageRange(1000)).toEqual({ offset: 492, length: 16 });
    expect(damageRange(17)).toEqual({ offset: 0, length: 16 });
    expect(damageRange(16)).toEqual({ offset: 0, length: 16 });
  });

  it('takes all of a smaller object, and nothing of an empty one', () => {
    expect(damageRange(5)).toEqual({ offset: 0, length: 5 });
    expect(damageRange(0)).toEqual({ offset: 0, length: 0 });
  });

  it('stays inside the object for every size', () => {
    for (let size = 0; size < 100; size++) {
      const { offset, length } = damageRange(size);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset + length).toBeLessThanOrEqual(size);
    }
  });

  it('refuses a size that is not a non-negative integer', () => {
    expect(() => damageRange(-1)).toThrow(RangeError);
    expect(() => damageRange(1.5)).toThrow(/^size: expected a non-negative integer, got 1.5$/);
  });
});

describe('flipBytes', () => {
  it('changes every byte, in place, and flipping twice gives the bytes back', () => {
    const original = Uint8Array.from({ length: 256 }, (_, i) => i);
    const bytes = original.slice();
    expect(flipBytes(bytes)).toBe(bytes);
    for (let i = 0; i < 256; i++) expect(bytes[i]).not.toBe(original[i]);
    expect(flipBytes(bytes)).toEqual(original);
  });
});
