import { describe, expect, it } from 'vitest';
import { needsSha256, sameFile } from '../../src/records/identity.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('file identity', () => {
  it('checks a rebuild against the fingerprint when the record has one, whatever SHA-256 is there', () => {
    expect(sameFile({ fingerprint: A }, { fingerprint: A })).toBe(true);
    expect(sameFile({ fingerprint: A }, { fingerprint: B, sha256: A })).toBe(false);
    expect(sameFile({ fingerprint: A, sha256: B }, { fingerprint: A })).toBe(true);
    expect(needsSha256({ fingerprint: A })).toBe(false);
  });

  it('checks a record from before fingerprints against the plain SHA-256, which the rebuild must then compute', () => {
    expect(needsSha256({ sha256: A })).toBe(true);
    expect(sameFile({ sha256: A }, { fingerprint: A })).toBe(false);
    expect(sameFile({ sha256: A }, { fingerprint: B, sha256: A })).toBe(true);
  });

  it('is never the same when there is nothing to compare', () => {
    expect(sameFile({}, {})).toBe(false);
    expect(sameFile({ fingerprint: A }, {})).toBe(false);
  });
});
