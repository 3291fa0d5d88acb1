import type { LabImage } from './types.js';

/**
 * Bytes a cloud keeps, drawn as the cloud would see them in an image viewer: rows of `width` bytes.
 * Whole rows only — the last partial row is left out rather than padded, since padding (zeros)
 * would add pairs of equal neighbours and bias the adjacent-pixel correlation measured on it. Fewer
 * bytes than one row make a single row of all of them; no bytes, undefined.
 */
export function bytesAsPicture(bytes: Uint8Array, width: number): LabImage | undefined {
  if (!Number.isSafeInteger(width) || width < 1) throw new RangeError(`width must be a positive integer, got ${width}`);
  if (bytes.length === 0) return undefined;
  if (bytes.length < width) return { width: bytes.length, height: 1, pixels: bytes };
  const height = Math.floor(bytes.length / width);
  return { width, height, pixels: bytes.subarray(0, width * height) };
}
