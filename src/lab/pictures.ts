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

/** Throws a TypeError or RangeError, naming `name`, unless `image` is a well-formed LabImage. */
export function checkImage(image: LabImage, name: string): void {
  if (typeof image !== 'object' || image === null) throw new TypeError(`${name} must be a LabImage`);
  if (!Number.isSafeInteger(image.width) || image.width < 1) throw new RangeError(`${name}.width must be a positive integer, got ${image.width}`);
  if (!Number.isSafeInteger(image.height) || image.height < 1) throw new RangeError(`${name}.height must be a positive integer, got ${image.height}`);
  if (!(image.pixels instanceof Uint8Array)) throw new TypeError(`${name}.pixels must be a Uint8Array`);
  if (image.pixels.length !== image.width * image.height) {
    throw new RangeError(`${name}.pixels must hold ${image.width}×${image.height} = ${image.width * image.height} bytes, got ${image.pixels.length}`);
  }
}
