/**
 * What a presenter can do to a demo cloud (src/app/CloudPanel.svelte) besides switching it off:
 * make it slow, and damage one of its objects. Pure arithmetic, so that it is tested on its own;
 * demo-bucket.ts applies it.
 */

/** A slow demo cloud waits this long before every call (open, read, write, head, list, delete)… */
export const SLOW_DEMO_CALL_DELAY_MS = 200;
/** …and then moves bytes no faster than this (5 MB/s), so a presenter sees progress crawl. */
export const SLOW_DEMO_BYTES_PER_SECOND = 5_000_000;

/** How long a slow demo cloud holds a call that moves `bytes` bytes (0 for a call that moves none). */
export function slowDemoDelayMs(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`bytes: expected a non-negative integer, got ${bytes}`);
  return SLOW_DEMO_CALL_DELAY_MS + (bytes / SLOW_DEMO_BYTES_PER_SECOND) * 1000;
}

/** How many bytes "Corrupt a share" flips: enough to hit a share's data, whatever its layout. */
export const DAMAGE_LENGTH = 16;

/** The bytes "Corrupt a share" flips in an object of `size` bytes: DAMAGE_LENGTH (or fewer) in its middle. */
export function damageRange(size: number): { readonly offset: number; readonly length: number } {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size: expected a non-negative integer, got ${size}`);
  const length = Math.min(DAMAGE_LENGTH, size);
  return { offset: Math.floor((size - length) / 2), length };
}

/** Every bit of `bytes` inverted, in place (so no value can flip back to itself). */
export function flipBytes<T extends Uint8Array>(bytes: T): T {
  for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0xff;
  return bytes;
}

/** Resolves after `ms` milliseconds; every realm (page, worker, Node) has setTimeout. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
