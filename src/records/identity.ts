import { FINGERPRINT_BLOCK, fingerprintBlockOf } from '../core/fingerprint.js';

/**
 * Which file a record (or a recovery kit, or a link) names: its fingerprint (src/core/fingerprint.ts),
 * or, for those made before fingerprints, the plain SHA-256 of the whole file. A rebuild is checked
 * against whichever the record has; only the old ones make a recovery hash the whole file again.
 */
export interface FileIdentity {
  /**
   * SHA-256 over the SHA-256 digests of the file's 256 KiB blocks, `256k:` and hex; plain hex for
   * fingerprints made with 1 MiB blocks (builds of 2026-11-21).
   */
  readonly fingerprint?: string;
  /** SHA-256 of the whole file, hex: records, kits and links from before fingerprints. */
  readonly sha256?: string;
}

/** What a rebuild computes so that it can be checked against what a record names. */
export interface IdentityCheck {
  /** Also the plain SHA-256 of the whole file (a record from before fingerprints). */
  readonly sha256: boolean;
  /** The block size of the fingerprint to compute: the record's own, else today's. */
  readonly fingerprintBlock: number;
}

/** Today's check: the fingerprint alone, with 256 KiB blocks. */
export const FINGERPRINT_CHECK: IdentityCheck = { sha256: false, fingerprintBlock: FINGERPRINT_BLOCK };

/** Whether `rebuilt` is the file `expected` names. Never true when there is nothing to compare. */
export function sameFile(expected: FileIdentity, rebuilt: FileIdentity): boolean {
  if (expected.fingerprint !== undefined) return rebuilt.fingerprint === expected.fingerprint;
  return expected.sha256 !== undefined && rebuilt.sha256 === expected.sha256;
}

/** What checking a rebuild against `expected` needs computed. */
export function identityCheckFor(expected: FileIdentity): IdentityCheck {
  if (expected.fingerprint === undefined) return { sha256: true, fingerprintBlock: FINGERPRINT_BLOCK };
  return { sha256: false, fingerprintBlock: fingerprintBlockOf(expected.fingerprint) ?? FINGERPRINT_BLOCK };
}
