import { HEADER_SIZE, MAX_CHUNK_SIZE, protectBytes, recoverBytes, ReedSolomon, type RandomSource, type Scheme } from '../core/index.js';
import { equalBytes } from '../core/bytes.js';
import { evaluateAt } from '../core/shamir.js';
import { histogram, histogramEntropy } from '../lab/metrics.js';

/**
 * "What one cloud sees": an 8-bit greyscale picture split with the real core, each share's record
 * bytes drawn as a picture of the same width, with its histogram and Shannon entropy — the
 * evidence seed paper 000 gives in its share figures (Figs. 8–16: shares that look like noise,
 * flat histograms), measured here on Tessera's own shares rather than on a model of them.
 *
 * Pure: no DOM. The component (ShareViewer.svelte) only draws what this returns; the unit test
 * (test/unit/share-pictures.test.ts) checks the claims.
 *
 * The picture is protected as ONE chunk (chunk size = its byte count), so each share is
 * header (108 bytes) ‖ one record, and the record's first width·height bytes (shamir) line up
 * pixel for pixel with the picture. The 16 trailing bytes are the share of the authentication tag
 * (shamir) or belong to the last fragment (ssms); they are measured but drawn only where they fall.
 */

export interface GreyImage {
  readonly width: number;
  readonly height: number;
  /** width·height bytes, row by row, 0 = black. */
  readonly pixels: Uint8Array;
}

/** Bytes drawn as a picture, with what was measured on them. */
export interface BytePicture {
  readonly width: number;
  /** ⌈bytes / width⌉: fewer rows than the original for an ssms fragment. */
  readonly height: number;
  /** width·height bytes: the measured bytes, then zero padding up to a whole row. */
  readonly pixels: Uint8Array;
  /** How many of `pixels` are real bytes (the rest is padding, not measured). */
  readonly byteCount: number;
  /** 256 bins: how many bytes took each value. */
  readonly histogram: Uint32Array;
  /** Shannon entropy of those bytes, in bits per byte (0..8). */
  readonly entropy: number;
}

export interface SharePictures {
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  readonly original: BytePicture;
  /** What cloud x = i + 1 keeps: share i's record bytes (header left out). */
  readonly shares: readonly BytePicture[];
  /**
   * shamir: k − 1 shares interpolated at 0 as if they were enough — noise. ssms: undefined, k − 1
   * Reed–Solomon fragments are too few to decode at all.
   */
  readonly fewer: BytePicture | undefined;
  /**
   * k shares put together by the scheme's own arithmetic: shamir — Lagrange at 0, the picture
   * itself; ssms — the Reed–Solomon decoding, which is still AES-GCM ciphertext (noise).
   */
  readonly together: BytePicture;
  /** What recoverBytes rebuilds from k whole shares (key shares included): the picture, verified. */
  readonly rebuilt: BytePicture;
  /** Whether `rebuilt` is the original, byte for byte. */
  readonly identical: boolean;
}

export interface SharePicturesOptions {
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  /** For known-answer tests; the platform CSPRNG by default (the key and nonce always are). */
  readonly random?: RandomSource;
}

/**
 * The histogram and Shannon entropy live with the Lab's metrics (src/lab/metrics.ts); `entropy` here
 * takes a histogram (bins), as this module's callers always had one at hand.
 */
export { histogram, histogramEntropy as entropy };

/** Lays `bytes` out in rows of `width`, zero-padding the last row, and measures them. */
export function bytePicture(bytes: Uint8Array, width: number): BytePicture {
  if (!Number.isSafeInteger(width) || width < 1) throw new RangeError(`width must be a positive integer, got ${width}`);
  const height = Math.max(1, Math.ceil(bytes.length / width));
  const pixels = new Uint8Array(width * height);
  pixels.set(bytes);
  const bins = histogram(bytes);
  return { width, height, pixels, byteCount: bytes.length, histogram: bins, entropy: histogramEntropy(bins) };
}

/**
 * Grey bytes from RGBA (e.g. a rendered DICOM frame): grey frames have R = G = B, so this is R;
 * colour is reduced to luma (ITU-R BT.601 weights, as in JPEG), rounded.
 */
export function greyFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): GreyImage {
  assertSize(width, height);
  if (rgba.length !== width * height * 4) throw new RangeError(`rgba must hold ${width * height * 4} bytes, got ${rgba.length}`);
  const pixels = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < pixels.length; i++, p += 4) {
    const r = rgba[p]!;
    const g = rgba[p + 1]!;
    const b = rgba[p + 2]!;
    pixels[i] = r === g && g === b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  return { width, height, pixels };
}

/** RGBA for a canvas from grey bytes (opaque). */
export function rgbaFromGrey(picture: { readonly width: number; readonly height: number; readonly pixels: Uint8Array }): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(picture.width * picture.height * 4);
  for (let i = 0, p = 0; i < picture.pixels.length; i++, p += 4) {
    const v = picture.pixels[i]!;
    rgba[p] = v;
    rgba[p + 1] = v;
    rgba[p + 2] = v;
    rgba[p + 3] = 255;
  }
  return rgba;
}

function assertSize(width: number, height: number): void {
  if (!Number.isSafeInteger(width) || width < 1) throw new RangeError(`width must be a positive integer, got ${width}`);
  if (!Number.isSafeInteger(height) || height < 1) throw new RangeError(`height must be a positive integer, got ${height}`);
}

/** Splits `image` with the real core and measures what each cloud, k − 1 clouds and k clouds see. */
export async function sharePictures(image: GreyImage, options: SharePicturesOptions): Promise<SharePictures> {
  assertSize(image.width, image.height);
  if (!(image.pixels instanceof Uint8Array) || image.pixels.length !== image.width * image.height) {
    throw new RangeError(`pixels must be a Uint8Array of ${image.width * image.height} bytes`);
  }
  if (image.pixels.length > MAX_CHUNK_SIZE) throw new RangeError(`the picture must be at most ${MAX_CHUNK_SIZE} bytes, got ${image.pixels.length}`);
  const { scheme, k, n } = options;
  const size = image.pixels.length;
  // One chunk: record bytes map onto pixels one to one (shamir) or fragment by fragment (ssms).
  const { shares } = await protectBytes(image.pixels, { scheme, k, n, chunkSize: size, ...(options.random ? { random: options.random } : {}) });
  const records = shares.map((share) => share.subarray(HEADER_SIZE));
  const width = image.width;
  const recordLength = records[0]!.length;
  const xs = records.map((_, i) => i + 1);

  let fewer: BytePicture | undefined;
  let together: BytePicture;
  if (scheme === 'shamir') {
    // Lagrange at 0 through k − 1 points: a polynomial of degree k − 2 that the real one is not;
    // its value at 0 is uniform whatever the picture (perfect secrecy), so it is noise.
    // (With k = 2 that is one share: the constant through one point is the share itself.)
    fewer = bytePicture(interpolateAtZero(xs.slice(0, k - 1), records.slice(0, k - 1), recordLength).subarray(0, size), width);
    together = bytePicture(interpolateAtZero(xs.slice(0, k), records.slice(0, k), recordLength).subarray(0, size), width);
  } else {
    // Reed–Solomon needs k fragments to solve for k unknowns: with k − 1 there is nothing to draw.
    // The last k fragments, so that (when n > k) parity is really decoded, not just copied.
    const rs = new ReedSolomon(k, n);
    const chosen: (Uint8Array | undefined)[] = records.map((record, i) => (i >= n - k ? record : undefined));
    const data = rs.decode(chosen);
    const ciphertext = new Uint8Array(k * recordLength);
    data.forEach((fragment, j) => ciphertext.set(fragment, j * recordLength));
    together = bytePicture(ciphertext.subarray(0, size), width);
  }
  const { data } = await recoverBytes(shares.slice(n - k));
  return {
    scheme,
    k,
    n,
    original: bytePicture(image.pixels, width),
    shares: records.map((record) => bytePicture(scheme === 'shamir' ? record.subarray(0, size) : record, width)),
    fewer,
    together,
    rebuilt: bytePicture(data, width),
    identical: equalBytes(data, image.pixels),
  };
}

function interpolateAtZero(xs: readonly number[], records: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  evaluateAt(xs, records, 0, out, length);
  return out;
}
