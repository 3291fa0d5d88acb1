/**
 * Block ids for Put Block / Put Block List. The service requires, for one blob, that every block id
 * (committed or not) is base64 of at most 64 bytes and that all have the same length (Put Block,
 * "blockid" URI parameter); a block with an id of another length fails with InvalidBlobOrBlock.
 *
 * Ours are base64 of the 30 ASCII bytes `tessera-<16 hex upload id>-<5-digit part number>`: fixed
 * length, no padding (30 is a multiple of 3), and derived from the upload id and part number alone,
 * so that after a reload the journal's upload id finds its blocks in Get Block List again.
 */
import { assertInteger } from '../../core/assert.js';

/** Azure's limit on blocks per blob (Put Block List). */
export const MAX_BLOCKS = 50_000;

const PREFIX = 'tessera-';
const UPLOAD_ID_PATTERN = /^[0-9a-f]{16}$/;
const BLOCK_ID_TEXT_PATTERN = /^tessera-([0-9a-f]{16})-(\d{5})$/;

/** A fresh upload id: 8 bytes from the platform CSPRNG, as 16 hex digits. */
export function newUploadId(random: (out: Uint8Array) => void = (out) => crypto.getRandomValues(out)): string {
  const bytes = new Uint8Array(8);
  random(bytes);
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function assertUploadId(uploadId: unknown): asserts uploadId is string {
  if (typeof uploadId !== 'string') throw new TypeError(`uploadId must be a string, got ${typeof uploadId}`);
  if (!UPLOAD_ID_PATTERN.test(uploadId)) {
    throw new RangeError(`uploadId must be 16 lowercase hex digits (as createMultipart returns), got ${JSON.stringify(uploadId.slice(0, 40))}`);
  }
}

/** The block id of part `partNumber` (1..50,000) of upload `uploadId`. */
export function blockId(uploadId: string, partNumber: number): string {
  assertUploadId(uploadId);
  assertInteger(partNumber, 'partNumber', 1, MAX_BLOCKS);
  return btoa(`${PREFIX}${uploadId}-${String(partNumber).padStart(5, '0')}`);
}

/** The upload id and part number a block id was made from, or undefined if it is not one of ours. */
export function parseBlockId(id: string): { readonly uploadId: string; readonly partNumber: number } | undefined {
  let text: string;
  try {
    text = atob(id);
  } catch (_error) {
    return undefined;
  }
  const match = BLOCK_ID_TEXT_PATTERN.exec(text);
  if (!match) return undefined;
  const partNumber = Number(match[2]);
  return partNumber >= 1 && partNumber <= MAX_BLOCKS ? { uploadId: match[1]!, partNumber } : undefined;
}
