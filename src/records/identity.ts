/**
 * Which file a record (or a recovery kit, or a link) names: its fingerprint (src/core/fingerprint.ts),
 * or, for those made before fingerprints, the plain SHA-256 of the whole file. A rebuild is checked
 * against whichever the record has; only the old ones make a recovery hash the whole file again.
 */
export interface FileIdentity {
  /** SHA-256 over the SHA-256 digests of the file's 1 MiB blocks, hex. */
  readonly fingerprint?: string;
  /** SHA-256 of the whole file, hex: records, kits and links from before fingerprints. */
  readonly sha256?: string;
}

/** Whether `rebuilt` is the file `expected` names. Never true when there is nothing to compare. */
export function sameFile(expected: FileIdentity, rebuilt: FileIdentity): boolean {
  if (expected.fingerprint !== undefined) return rebuilt.fingerprint === expected.fingerprint;
  return expected.sha256 !== undefined && rebuilt.sha256 === expected.sha256;
}

/** Whether checking a rebuild against `expected` needs the plain SHA-256 of the whole file. */
export function needsSha256(expected: FileIdentity): boolean {
  return expected.fingerprint === undefined;
}
