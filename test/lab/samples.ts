import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as DicomPixels from '../../src/dicom/pixels/index.js';
import { GRADIENT_SIDE, greyFromRenderedFrame, syntheticGradient, type LabSample } from '../../src/lab/samples.js';
import type { LabImage } from '../../src/lab/types.js';

/**
 * The Lab's sample pictures in Node (src/lab/samples.ts): the demo CD's frames decoded by
 * src/dicom/pixels and drawn with the default VOI (the file's first window) as the viewer first
 * shows them, or the synthetic gradient. `pixels` is src/dicom/pixels/index.ts, passed in: plain Node
 * cannot import it (its codecs import .wasm with Vite's `?url`), so `npm run lab` loads it through
 * Vite (loadDicomPixels) while Vitest imports it directly.
 */

const publicFolder = fileURLToPath(new URL('../../public/', import.meta.url));

export async function loadLabSample(sample: LabSample, pixels: typeof DicomPixels): Promise<LabImage> {
  if (sample.dicomPath === undefined) return syntheticGradient(GRADIENT_SIDE);
  const opened = await pixels.openPixels(new Uint8Array(await readFile(join(publicFolder, sample.dicomPath))));
  if (!opened.ok) throw new Error(`${sample.dicomPath} does not open: ${opened.problem.code}`);
  const frame = await pixels.readFrame(opened.value, 0);
  if (!frame.ok) throw new Error(`${sample.dicomPath}: its first frame does not decode: ${frame.problem.code}`);
  return greyFromRenderedFrame(pixels.renderFrame(frame.value));
}

/** src/dicom/pixels through a Vite server without config (no watcher, no HMR); close it after use. */
export async function loadDicomPixels(): Promise<{ readonly pixels: typeof DicomPixels; close(): Promise<void> }> {
  const { createServer } = await import('vite');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const vite = await createServer({ root, configFile: false, logLevel: 'warn', appType: 'custom', server: { middlewareMode: true, hmr: false, ws: false, watch: null } });
  try {
    return { pixels: (await vite.ssrLoadModule('/src/dicom/pixels/index.ts')) as typeof DicomPixels, close: () => vite.close() };
  } catch (error) {
    await vite.close();
    throw error;
  }
}
