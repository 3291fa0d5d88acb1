import { describe, expect, it } from 'vitest';
import { FINGERPRINT_BLOCK, LEGACY_FINGERPRINT_BLOCK } from '../../src/core/index.js';
import { identityCheckFor, sameFile } from '../../src/records/identity.js';

const A = `256k:${'a'.repeat(64)}`;
const B = `256k:${'b'.repeat(64)}`;
const HEX_A = 'a'.repeat(64);

describe('file identity', () => {
  it('checks a rebuild against the fingerprint when the record has one, whatever SHA-256 is there', () => {
    expect(sameFile({ fingerprint: A }, { fingerprint: A })).toBe(true);
    expect(sameFile({ fingerprint: A }, { fingerprint: B, sha256: HEX_A })).toBe(false);
    expect(sameFile({ fingerprint: A, sha256: B }, { fingerprint: A })).toBe(true);
    expect(identityCheckFor({ fingerprint: A })).toEqual({ sha256: false, fingerprintBlock: FINGERPRINT_BLOCK });
  });

  it('checks a fingerprint made with 1 MiB blocks (plain hex) with 1 MiB blocks, and never equal to a 256 KiB one of the same digits', () => {
    expect(identityCheckFor({ fingerprint: HEX_A })).toEqual({ sha256: false, fingerprintBlock: LEGACY_FINGERPRINT_BLOCK });
    expect(sameFile({ fingerprint: HEX_A }, { fingerprint: A })).toBe(false);
    expect(sameFile({ fingerprint: HEX_A }, { fingerprint: HEX_A })).toBe(true);
  });

  it('checks a record from before fingerprints against the plain SHA-256, which the rebuild must then compute', () => {
    expect(identityCheckFor({ sha256: HEX_A })).toEqual({ sha256: true, fingerprintBlock: FINGERPRINT_BLOCK });
    expect(sameFile({ sha256: HEX_A }, { fingerprint: HEX_A })).toBe(false);
    expect(sameFile({ sha256: HEX_A }, { fingerprint: B, sha256: HEX_A })).toBe(true);
  });

  it('is never the same when there is nothing to compare', () => {
    expect(sameFile({}, {})).toBe(false);
    expect(sameFile({ fingerprint: A }, {})).toBe(false);
  });
});
