/** Names of a share bundle and of what is inside it (docs/bundles.md). None says anything about the file. */
import { hex } from '../core/bytes.js';
import { SHARE_EXTENSION } from '../core/format.js';
import type { RandomSource } from '../core/types.js';

export const RECOVERY_TOOL_NAME = 'tessera-recover.html';
export const README_NAME = 'README.txt';

/** `tessera-1a2b3c4d-bundle-2-of-5.zip`: the split id's first 8 hex digits tell records apart, nothing more. */
export function bundleZipName(splitId: string, bundle: number, bundles: number): string {
  return `tessera-${splitId.slice(0, 8)}-bundle-${bundle}-of-${bundles}.zip`;
}

/** A share file's name inside a bundle: 16 random hex digits, so that its name gives nothing away (not even its x). */
export function randomShareEntryName(random: RandomSource = (out) => crypto.getRandomValues(out)): string {
  const bytes = new Uint8Array(8);
  random(bytes);
  return `${hex(bytes)}${SHARE_EXTENSION}`;
}
