import { hex } from '../core/bytes.js';
import { SHARE_EXTENSION } from '../core/format.js';

/** A record id (or any local random id): 16 random bytes, hex. It names the shares' objects and says nothing about the file. */
export const RECORD_ID = /^[0-9a-f]{32}$/;

/** Object key of share x of a record: `tessera/<record id>/<x>.tshare`. No file name, no patient data. */
export function shareKey(recordId: string, x: number): string {
  if (!RECORD_ID.test(recordId)) throw new RangeError(`record id: expected 32 lowercase hex digits, got "${recordId}"`);
  if (!Number.isSafeInteger(x) || x < 1 || x > 255) throw new RangeError(`share x: expected an integer from 1 to 255, got ${x}`);
  return `tessera/${recordId}/${x}${SHARE_EXTENSION}`;
}

export function randomId(): string {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}
