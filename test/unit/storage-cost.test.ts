import { describe, expect, it } from 'vitest';
import { shareSize } from '../../src/core/index.js';
import { storageCost } from '../../src/app/schemes.js';
import { formatBytes, formatFactor } from '../../src/app/format.js';

describe('storageCost', () => {
  it('is n shares of shareSize each, for every file', () => {
    const cost = storageCost('ssms', 3, 5, [64 * 1024 * 1024, 10]);
    const perCloud = shareSize('ssms', 3, 5, 64 * 1024 * 1024) + shareSize('ssms', 3, 5, 10);
    expect(cost.perCloud).toBe(perCloud);
    expect(cost.total).toBe(5 * perCloud);
    expect(cost.factor).toBeCloseTo((5 * perCloud) / (64 * 1024 * 1024 + 10), 12);
  });

  it('is about n× for perfect secrecy and about n/k× for strong & compact', () => {
    expect(storageCost('shamir', 2, 3, [50_000_000]).factor).toBeCloseTo(3, 2);
    expect(storageCost('ssms', 3, 5, [50_000_000]).factor).toBeCloseTo(5 / 3, 2);
  });

  it('shows the factor from an example size before any file is chosen, and no bytes', () => {
    const cost = storageCost('ssms', 3, 5, []);
    expect(cost.total).toBe(0);
    expect(cost.factor).toBeCloseTo(5 / 3, 2);
  });
});

describe('formatting', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [999, '999 bytes'],
    [1000, '1.0 kB'],
    [67_108_864, '67.1 MB'],
  ])('%i bytes read as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('writes factors with at most two decimals', () => {
    expect(formatFactor(5)).toBe('5×');
    expect(formatFactor(5 / 3)).toBe('1.67×');
  });
});
