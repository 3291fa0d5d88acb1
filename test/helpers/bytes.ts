/**
 * Bytes for tests and the benchmark, in Node and in the browser alike (the benchmark's ceilings
 * worker is bundled with it).
 */

/** `length` CSPRNG bytes (crypto.getRandomValues fills at most 64 KiB per call). */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(length, at + 65536)));
  return bytes;
}

/** Same length and the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
