import type { LabImage } from './types.js';

/**
 * The Lab's sample pictures, the same on the page and in `npm run lab`. Two are frames of the demo
 * CD (public/samples/demo-cd, a fictitious patient), decoded at run time by src/dicom/pixels and
 * drawn with the file's own first window, exactly as the DICOM viewer first shows them, then taken
 * as one grey byte per pixel: only pixels, nothing of the header. The page decodes them in the
 * pixels worker (src/app/lab/lab-state.svelte.ts), Node through Vite (test/lab/samples.ts: the
 * codecs import their WebAssembly with `?url`). The third is a synthetic gradient.
 */

export interface LabSample {
  /** Stable id. */
  readonly id: string;
  /** Words for a person choosing a picture. */
  readonly title: string;
  /** Where the pixels come from, for the report. */
  readonly origin: string;
  /** The DICOM file, under the app's base URL (and under public/); undefined for the synthetic picture. */
  readonly dicomPath?: string;
}

export const LAB_SAMPLES: readonly LabSample[] = [
  {
    id: 'ct-chest',
    title: 'CT of the chest (phantom), slice 12 of 24',
    origin: 'demo CD, CT series 1, image 12: 192 × 192, signed 16-bit, drawn with its soft-tissue window (centre 40, width 400 HU)',
    dicomPath: 'samples/demo-cd/DICOM/ST000001/SE000001/IM000012',
  },
  {
    id: 'mr-head',
    title: 'MRI of the head (phantom), T1, slice 8 of 16',
    origin: 'demo CD, MR series 1 (T1, RLE Lossless), image 8: 128 × 128, 12-bit, drawn with its window (centre 1500, width 3000)',
    dicomPath: 'samples/demo-cd/DICOM/ST000002/SE000001/IM000008',
  },
  {
    id: 'gradient',
    title: 'Synthetic gradient, 256 × 256',
    origin: 'synthetic: pixel (x, y) = ⌊(x + y) / 2⌋, every grey level, smooth',
  },
];

/** Side of the synthetic sample. */
export const GRADIENT_SIDE = 256;

/** The synthetic sample: pixel (x, y) = ⌊(x + y) / 2⌋ on a side × side square (side ≤ 256). */
export function syntheticGradient(side: number): LabImage {
  if (!Number.isSafeInteger(side) || side < 2 || side > 256) throw new RangeError(`side must be an integer from 2 to 256, got ${side}`);
  const pixels = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) pixels[y * side + x] = (x + y) >> 1;
  return { width: side, height: side, pixels };
}

/**
 * A rendered grey frame (RGBA with R = G = B, as src/dicom/pixels renderFrame draws MONOCHROME
 * frames) as one byte per pixel. Throws a RangeError for a colour pixel: the Lab's schemes take grey.
 */
export function greyFromRenderedFrame(frame: { readonly width: number; readonly height: number; readonly rgba: Uint8Array | Uint8ClampedArray }): LabImage {
  const { width, height, rgba } = frame;
  if (rgba.length !== width * height * 4) throw new RangeError(`rgba must hold ${width * height * 4} bytes, got ${rgba.length}`);
  const pixels = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < pixels.length; i++, p += 4) {
    if (rgba[p] !== rgba[p + 1] || rgba[p] !== rgba[p + 2]) throw new RangeError(`pixel ${i} is colour; the Lab takes grey frames`);
    pixels[i] = rgba[p]!;
  }
  return { width, height, pixels };
}
