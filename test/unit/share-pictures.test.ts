/**
 * "What one cloud sees" (src/app/share-pictures.ts): shares of a picture are flat noise, k − 1 of
 * them combined are still noise, k give the picture back exactly. On a synthetic 256×256 picture
 * and on the middle CT frame of the demo CD (public/samples/demo-cd), rendered by the app's own
 * pixels code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytePicture, entropy, greyFromRgba, histogram, rgbaFromGrey, sharePictures, type GreyImage } from '../../src/app/share-pictures.js';
import { previewFrame } from '../../src/dicom/pixels/index.js';

const FLAT = 7.99;

/** A gradient with a disc and a bright square: smooth areas, hard edges, few distinct values. */
function syntheticImage(width = 256, height = 256): GreyImage {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = Math.floor((x * 255) / (width - 1) / 2);
      if ((x - 90) ** 2 + (y - 100) ** 2 < 50 ** 2) value = 200;
      if (x > 160 && x < 220 && y > 150 && y < 210) value = 255;
      pixels[y * width + x] = value;
    }
  }
  return { width, height, pixels };
}

async function ctFrame(): Promise<GreyImage> {
  const folder = join(import.meta.dirname, '../../public/samples/demo-cd/DICOM/ST000001/SE000001');
  const files = readdirSync(folder).sort();
  const middle = files[Math.floor((files.length - 1) / 2)]!;
  const preview = await previewFrame(readFileSync(join(folder, middle)));
  if (!preview.ok) throw new Error(preview.problem.message);
  const { image, info } = preview.value;
  expect(info.modality).toBe('CT');
  return greyFromRgba(image.rgba, image.width, image.height);
}

describe('histogram and entropy', () => {
  it('match hand-computed values on tiny inputs', () => {
    expect(entropy(histogram(new Uint8Array(0)))).toBe(0);
    expect(entropy(histogram(Uint8Array.of(7, 7, 7, 7)))).toBe(0);
    // Two values equally often: 1 bit.
    expect(entropy(histogram(Uint8Array.of(0, 255, 0, 255)))).toBe(1);
    // Four values equally often: 2 bits.
    expect(entropy(histogram(Uint8Array.of(1, 2, 3, 4)))).toBe(2);
    // p = 3/4, 1/4: −(3/4·log2 3/4 + 1/4·log2 1/4) = 2 − (3/4)·log2 3 ≈ 0.811278.
    expect(entropy(histogram(Uint8Array.of(9, 9, 9, 1)))).toBeCloseTo(2 - 0.75 * Math.log2(3), 12);
    // Every value once: 8 bits, the most there is.
    expect(entropy(histogram(Uint8Array.from({ length: 256 }, (_, i) => i)))).toBe(8);
    const bins = histogram(Uint8Array.of(0, 0, 5, 255));
    expect([bins[0], bins[5], bins[255], bins.reduce((a, b) => a + b, 0)]).toEqual([2, 1, 1, 4]);
  });

  it('rejects what is not a histogram', () => {
    expect(() => entropy(new Uint32Array(10))).toThrow(TypeError);
    expect(() => histogram([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => bytePicture(new Uint8Array(4), 0)).toThrow(RangeError);
  });

  it('lays bytes out in rows, padding only the last', () => {
    const picture = bytePicture(Uint8Array.of(1, 2, 3, 4, 5), 2);
    expect([picture.width, picture.height, picture.byteCount]).toEqual([2, 3, 5]);
    expect(Array.from(picture.pixels)).toEqual([1, 2, 3, 4, 5, 0]);
    // Padding is not measured.
    expect(picture.histogram[0]).toBe(0);
  });

  it('reads grey from RGBA and back', () => {
    const grey = greyFromRgba(Uint8Array.of(10, 10, 10, 255, 255, 0, 0, 255), 2, 1);
    expect(Array.from(grey.pixels)).toEqual([10, 76]);
    expect(Array.from(rgbaFromGrey(grey))).toEqual([10, 10, 10, 255, 76, 76, 76, 255]);
  });
});

describe.each([
  ['a synthetic 256×256 picture', async () => syntheticImage()],
  ['the demo CD CT frame', ctFrame],
])('shamir 3-of-5 on %s', (_, load) => {
  it('gives flat shares, noise from k − 1, the picture from k', async () => {
    const image = await load();
    // 256×256 synthetic; the demo CT is 192×192 (36,864 bytes: expected ≈ 7.995, σ ≈ 0.0005).
    expect(image.width * image.height).toBeGreaterThanOrEqual(192 * 192);
    const pictures = await sharePictures(image, { scheme: 'shamir', k: 3, n: 5 });
    expect(pictures.original.entropy).toBeLessThan(7.5);
    expect(pictures.shares).toHaveLength(5);
    for (const share of pictures.shares) {
      expect([share.width, share.height]).toEqual([image.width, image.height]);
      expect(share.entropy).toBeGreaterThanOrEqual(FLAT);
    }
    expect(pictures.fewer!.entropy).toBeGreaterThanOrEqual(FLAT);
    expect(Buffer.from(pictures.fewer!.pixels).equals(Buffer.from(image.pixels))).toBe(false);
    expect(Buffer.from(pictures.together.pixels).equals(Buffer.from(image.pixels))).toBe(true);
    expect(pictures.identical).toBe(true);
    expect(Buffer.from(pictures.rebuilt.pixels).equals(Buffer.from(image.pixels))).toBe(true);
    console.info(`shamir ${_}: original ${pictures.original.entropy.toFixed(4)}, shares ${pictures.shares.map((s) => s.entropy.toFixed(4)).join(' ')}, k−1 ${pictures.fewer!.entropy.toFixed(4)}`);
  });
});

describe.each([
  ['a synthetic 256×256 picture', async () => syntheticImage()],
  ['the demo CD CT frame', ctFrame],
])('ssms 3-of-5 on %s', (_, load) => {
  it('gives fragments a third of the size, ciphertext from k, the picture once decrypted', async () => {
    const image = await load();
    const pictures = await sharePictures(image, { scheme: 'ssms', k: 3, n: 5 });
    const fragment = Math.ceil((image.pixels.length + 16) / 3);
    for (const share of pictures.shares) {
      expect(share.byteCount).toBe(fragment);
      expect(share.height).toBe(Math.ceil(fragment / image.width));
      // Fragments are ≈ 1/3 as many bytes, and the plug-in estimate of uniform bytes falls short
      // of 8 by ≈ 255 / (2·N·ln 2) bits (Miller–Madow): 0.015 for the CT frame's 12,294 bytes. The
      // bound allows that bias and 0.01 more (≈ 8 standard deviations).
      expect(share.entropy).toBeGreaterThanOrEqual(8 - 255 / (2 * fragment * Math.LN2) - 0.01);
    }
    expect(pictures.fewer).toBeUndefined();
    expect(pictures.together.entropy).toBeGreaterThanOrEqual(FLAT);
    expect(Buffer.from(pictures.together.pixels).equals(Buffer.from(image.pixels))).toBe(false);
    expect(pictures.identical).toBe(true);
    console.info(`ssms ${_}: shares ${pictures.shares.map((s) => s.entropy.toFixed(4)).join(' ')}, ciphertext ${pictures.together.entropy.toFixed(4)}`);
  });
});

it('works for k = 2 (one share is all k − 1 are) and k = n', async () => {
  const image = syntheticImage(256, 256);
  const two = await sharePictures(image, { scheme: 'shamir', k: 2, n: 2 });
  expect(Buffer.from(two.fewer!.pixels).equals(Buffer.from(two.shares[0]!.pixels))).toBe(true);
  expect(Buffer.from(two.together.pixels).equals(Buffer.from(image.pixels))).toBe(true);
  const ssms = await sharePictures(image, { scheme: 'ssms', k: 2, n: 2 });
  expect(ssms.identical).toBe(true);
});
