/**
 * The Lab's sample pictures (src/lab/samples.ts, test/lab/samples.ts), as `npm run lab` and the page
 * take them: the demo CD's frames decoded by src/dicom/pixels and drawn with the file's own first
 * window — what the viewer first shows — as grey bytes; the window each sample's words name is the
 * file's; and the synthetic gradient is its formula.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as dicomPixels from '../../src/dicom/pixels/index.js';
import { greyFromRenderedFrame, LAB_SAMPLES, syntheticGradient } from '../../src/lab/samples.js';
import { loadLabSample } from '../lab/samples.js';

const publicFolder = fileURLToPath(new URL('../../public/', import.meta.url));

describe('the Lab sample pictures', () => {
  for (const sample of LAB_SAMPLES.filter((candidate) => candidate.dicomPath !== undefined)) {
    it(`${sample.id} is ${sample.dicomPath} as the viewer first draws it, in grey bytes`, async () => {
      const image = await loadLabSample(sample, dicomPixels);
      const opened = await dicomPixels.openPixels(new Uint8Array(await readFile(join(publicFolder, sample.dicomPath!))));
      if (!opened.ok) throw new Error(opened.problem.code);
      const info = dicomPixels.describePreview(opened.value);
      expect(info.colour).toBe(false);
      expect([image.width, image.height]).toEqual([info.width, info.height]);
      // The file's first window, given explicitly, draws the same picture: the default is that window.
      const [window] = info.fileWindows;
      expect(window).toBeDefined();
      const frame = await dicomPixels.readFrame(opened.value, 0);
      if (!frame.ok) throw new Error(frame.problem.code);
      const explicit = dicomPixels.renderFrame(frame.value, { kind: 'window', window: { centre: window!.centre, width: window!.width, function: info.voiFunction }, source: 'file' });
      expect(Buffer.from(greyFromRenderedFrame(explicit).pixels).equals(Buffer.from(image.pixels))).toBe(true);
      // The words for the report name that window, and the size.
      expect(sample.origin).toContain(`centre ${window!.centre}, width ${window!.width}`);
      expect(sample.origin).toContain(`${info.width} × ${info.height}`);
      // A picture worth measuring: many grey levels, black background and bright parts.
      expect(new Set(image.pixels).size).toBeGreaterThan(16);
      expect(Math.min(...image.pixels)).toBe(0);
    });
  }

  it('the gradient is ⌊(x + y) / 2⌋', async () => {
    const gradient = LAB_SAMPLES.find((sample) => sample.dicomPath === undefined)!;
    const image = await loadLabSample(gradient, dicomPixels);
    expect(image.pixels[0]).toBe(0);
    expect(image.pixels[image.width * image.height - 1]).toBe(image.width - 1);
    expect(Array.from(syntheticGradient(3).pixels)).toEqual([0, 0, 1, 0, 1, 1, 1, 1, 2]);
    expect(() => syntheticGradient(257)).toThrow(RangeError);
    expect(() => syntheticGradient(1.5)).toThrow(RangeError);
  });

  it('greyFromRenderedFrame takes grey RGBA and refuses colour or a wrong length', () => {
    expect(Array.from(greyFromRenderedFrame({ width: 2, height: 1, rgba: Uint8Array.of(7, 7, 7, 255, 200, 200, 200, 255) }).pixels)).toEqual([7, 200]);
    expect(() => greyFromRenderedFrame({ width: 1, height: 1, rgba: Uint8Array.of(7, 8, 7, 255) })).toThrow(RangeError);
    expect(() => greyFromRenderedFrame({ width: 2, height: 1, rgba: Uint8Array.of(7, 7, 7, 255) })).toThrow(RangeError);
  });
});
