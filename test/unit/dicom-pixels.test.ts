/**
 * src/dicom/pixels against third-party writers and renderers: sources written by pydicom, every
 * transfer syntax made by DCMTK and GDCM (test/helpers/dicom-pixel-fixtures.ts), reference images
 * rendered by DCMTK's dcm2pnm.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CT_PRESETS,
  defaultVoi,
  describePreview,
  fullRangeWindow,
  windowLevel,
  openPixels,
  previewFrame,
  readFrame,
  renderFrame,
  type DecodedFrame,
  type PreviewResult,
  type RenderedFrame,
  type VoiChoice,
} from '../../src/dicom/pixels/index.js';
import { encode, renderWithDcmtk, sourceValues, writeSources, type Bitmap, type DcmtkRendering, type SourceName } from '../helpers/dicom-pixel-fixtures.js';
import { fixtureFolder } from '../helpers/dicom-tools.js';

const folder = fixtureFolder('dicom-pixels');
const at = (name: string): string => join(folder.path, `${name}.dcm`);
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(at(name)));

beforeAll(() => {
  writeSources(folder.path);
}, 60_000);

afterAll(() => folder.remove());

function expectOk<T>(result: PreviewResult<T>): T {
  if (!result.ok) expect.fail(`expected a frame, got ${result.problem.code}: ${result.problem.message}`);
  return result.value;
}

async function decodeAll(name: string): Promise<DecodedFrame[]> {
  const instance = expectOk(await openPixels(bytesOf(name)));
  const frames: DecodedFrame[] = [];
  for (let index = 0; index < instance.description.frameCount; index++) frames.push(expectOk(await readFrame(instance, index)));
  return frames;
}

/** Stored values (grey) or RGB bytes (colour) of every frame, in order: what the `.values` file holds. */
function samplesOf(frames: readonly DecodedFrame[]): Int32Array {
  const parts = frames.map((frame) => (frame.kind === 'grey' ? Array.from(frame.stored) : Array.from(frame.rgb)));
  return Int32Array.from(parts.flat());
}

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs(a[index]! - b[index]!));
  return largest;
}

/** Our rendering as DCMTK writes it: one grey byte (PGM) or R, G, B (PPM) per pixel. */
function asBitmapData(image: RenderedFrame, channels: number): Uint8Array {
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * channels);
  for (let pixel = 0; pixel < pixels; pixel++) for (let channel = 0; channel < channels; channel++) data[pixel * channels + channel] = image.rgba[pixel * 4 + channel]!;
  return data;
}

/**
 * Renders `name` with dcm2pnm (from `referenceName` when DCMTK cannot decode the syntax itself: a
 * copy decompressed by another tool) and with us; returns the largest difference of any sample.
 */
async function compareWithDcmtk(name: string, rendering: DcmtkRendering, voi: VoiChoice | undefined, referenceName = name): Promise<{ largest: number; reference: Bitmap }> {
  const reference = renderWithDcmtk(at(referenceName), rendering);
  const ours = expectOk(await previewFrame(bytesOf(name), { frame: (rendering.frame ?? 1) - 1, ...(voi ? { voi } : {}) }));
  expect([ours.image.width, ours.image.height]).toEqual([reference.width, reference.height]);
  const data = asBitmapData(ours.image, reference.channels);
  return { largest: largestDifference(data, reference.data), reference };
}

describe('lossless transfer syntaxes decode to exactly the source values', () => {
  // [source, output name, tool, options]
  const cases: readonly [SourceName, string, string, readonly string[]][] = [
    ['ct16', 'ct16-implicit', 'dcmconv', ['+ti']],
    ['ct16', 'ct16-big', 'dcmconv', ['+tb']],
    ['ct16', 'ct16-deflated', 'dcmconv', ['+td']],
    ['ct16', 'ct16-rle', 'dcmcrle', []],
    ['ct16', 'ct16-rle-gdcm', 'gdcmconv', ['--rle']],
    ['ct16', 'ct16-jpeg-sv1', 'dcmcjpeg', ['+e1']],
    ['ct16', 'ct16-jpeg-lossless', 'dcmcjpeg', ['+el']],
    ['ct16', 'ct16-jpegls', 'dcmcjpls', []],
    ['ct16', 'ct16-jpegls-gdcm', 'gdcmconv', ['--jpegls']],
    ['ct16', 'ct16-j2k', 'gdcmconv', ['--j2k']],
    ['ct12', 'ct12-big', 'dcmconv', ['+tb']],
    ['ct12', 'ct12-rle', 'dcmcrle', []],
    ['ct12', 'ct12-jpeg-sv1', 'dcmcjpeg', ['+e1']],
    ['ct12', 'ct12-jpegls', 'dcmcjpls', []],
    ['ct12', 'ct12-j2k', 'gdcmconv', ['--j2k']],
    ['mr12', 'mr12-jpeg-sv1', 'dcmcjpeg', ['+e1']],
    ['mr12', 'mr12-j2k', 'gdcmconv', ['--j2k']],
    ['gray8', 'gray8-implicit', 'dcmconv', ['+ti']],
    ['gray8', 'gray8-big', 'dcmconv', ['+tb']],
    ['gray8', 'gray8-deflated', 'dcmconv', ['+td']],
    ['gray8', 'gray8-rle', 'dcmcrle', []],
    ['gray8', 'gray8-jpeg-sv1', 'dcmcjpeg', ['+e1']],
    // Frames spread over 1 KiB fragments with an empty Basic Offset Table (PS3.5 A.4).
    ['gray8', 'gray8-jpeg-fragments', 'dcmcjpeg', ['+e1', '+fs', '1', '-ot']],
    ['gray8', 'gray8-jpegls-fragments', 'dcmcjpls', ['+fs', '1', '-ot']],
    ['gray8', 'gray8-jpegls', 'dcmcjpls', []],
    ['gray8', 'gray8-j2k', 'gdcmconv', ['--j2k']],
    ['rgb', 'rgb-big', 'dcmconv', ['+tb']],
    ['rgb', 'rgb-rle', 'dcmcrle', []],
    ['rgb', 'rgb-rle-gdcm', 'gdcmconv', ['--rle']],
    ['rgb', 'rgb-jpeg-sv1', 'dcmcjpeg', ['+e1']],
    ['rgb', 'rgb-jpegls-line', 'dcmcjpls', ['+il']],
    ['rgb', 'rgb-jpegls-sample', 'dcmcjpls', ['+is']],
    ['rgb', 'rgb-jpegls-none', 'dcmcjpls', ['+in']],
    ['rgb', 'rgb-j2k', 'gdcmconv', ['--j2k']],
    ['rgb-planar', 'rgb-planar-native', 'dcmconv', ['+te']],
    ['rgb-planar', 'rgb-planar-rle', 'dcmcrle', []],
    ['palette', 'palette-rle', 'dcmcrle', []],
  ];

  beforeAll(() => {
    for (const [source, output, tool, options] of cases) encode(folder.path, source, output, tool, options);
  }, 120_000);

  it.each(cases)('%s → %s (%s %s)', async (source, output) => {
    const frames = await decodeAll(output);
    const expected = sourceValues(folder.path, source);
    if (frames[0]!.kind === 'grey' || source !== 'palette') expect(samplesOf(frames)).toEqual(expected);
    else {
      // Palette: the indices survive; compare the drawn colours with the uncompressed source's.
      const original = await decodeAll(source);
      expect(samplesOf(frames)).toEqual(samplesOf(original));
    }
  });

  it.each(['ct16', 'ct12', 'mr12', 'gray8', 'mono1', 'voilut', 'sigmoid', 'rgb', 'rgb-planar', 'ybr-422'] as const)('uncompressed source %s', async (source) => {
    const frames = await decodeAll(source);
    if (source === 'ybr-422') return; // checked against RGB below
    expect(samplesOf(frames)).toEqual(sourceValues(folder.path, source));
  });
});

describe('lossy transfer syntaxes stay within their tolerance', () => {
  // [source, output, tool, options, largest allowed difference, largest allowed mean difference]
  // JPEG-LS near-lossless guarantees |error| ≤ NEAR (dcmcjpls +en: NEAR = 2). The DCT codecs have
  // no bound; the numbers are what quality 90 (DCMTK's default) reaches on these noisy images
  // with room to spare, and a decoder that mixed up samples or frames would miss them by far.
  const cases: readonly [SourceName, string, string, readonly string[], number, number][] = [
    ['gray8', 'gray8-jpeg-baseline', 'dcmcjpeg', ['+eb'], 24, 4],
    ['gray8', 'gray8-jpeg-extended', 'dcmcjpeg', ['+ee'], 24, 4],
    ['gray8', 'gray8-jpegls-near', 'dcmcjpls', ['+en'], 2, 1.5],
    ['rgb', 'rgb-jpegls-near', 'dcmcjpls', ['+en'], 2, 1.5],
    // gdcmconv's -q for JPEG 2000 is a target PSNR in dB.
    ['gray8', 'gray8-j2k-lossy', 'gdcmconv', ['--j2k', '--lossy', '-q', '40'], 24, 4],
  ];

  beforeAll(() => {
    for (const [source, output, tool, options] of cases) encode(folder.path, source, output, tool, options);
  }, 60_000);

  it.each(cases)('%s → %s (%s %s): largest difference ≤ %d, mean ≤ %d', async (source, output, _tool, _options, largest, mean) => {
    const decoded = samplesOf(await decodeAll(output));
    const expected = sourceValues(folder.path, source);
    expect(largestDifference(decoded, expected)).toBeLessThanOrEqual(largest);
    let sum = 0;
    for (let index = 0; index < decoded.length; index++) sum += Math.abs(decoded[index]! - expected[index]!);
    expect(sum / decoded.length).toBeLessThanOrEqual(mean);
  });

  it('JPEG baseline colour (YBR_FULL_422 in the file, RGB out of libjpeg-turbo) stays close to the RGB source', async () => {
    encode(folder.path, 'rgb', 'rgb-jpeg-baseline', 'dcmcjpeg', ['+eb']);
    const instance = expectOk(await openPixels(bytesOf('rgb-jpeg-baseline')));
    expect(describePreview(instance).photometric).toBe('YBR_FULL_422');
    const decoded = samplesOf([expectOk(await readFrame(instance, 0)), expectOk(await readFrame(instance, 1))]);
    const expected = sourceValues(folder.path, 'rgb');
    let sum = 0;
    for (let index = 0; index < decoded.length; index++) sum += Math.abs(decoded[index]! - expected[index]!);
    // Chroma is halved horizontally, so edges of colour lose detail: a mean, not a largest difference.
    expect(sum / decoded.length).toBeLessThanOrEqual(5);
  });
});

describe('what is drawn matches DCMTK dcm2pnm within ±1 grey level', () => {
  beforeAll(() => {
    // DCMTK has no JPEG 2000 decoder: GDCM decompresses a copy for dcm2pnm to render. dcm2pnm
    // cannot pick a frame of a compressed colour image by itself: dcmdjpeg decompresses a copy.
    encode(folder.path, 'ct16', 'ct16-j2k-ref', 'gdcmconv', ['--j2k']);
    encode(folder.path, 'ct16-j2k-ref', 'ct16-j2k-ref-raw', 'gdcmconv', ['--raw']);
    encode(folder.path, 'rgb', 'rgb-jpeg-baseline-ref', 'dcmcjpeg', ['+eb']);
    encode(folder.path, 'rgb-jpeg-baseline-ref', 'rgb-jpeg-baseline-ref-raw', 'dcmdjpeg', []);
  }, 60_000);

  const fileWindow = (centre: number, width: number, fn: 'LINEAR' | 'SIGMOID' = 'LINEAR'): VoiChoice => ({ kind: 'window', window: { centre, width, function: fn }, source: 'file' });
  // [what, file, dcm2pnm options, our VOI choice (undefined: our default), file dcm2pnm reads if not the same]
  const cases: readonly [string, string, DcmtkRendering, VoiChoice | undefined, string?][] = [
    ['CT frame 1, first file window (the default)', 'ct16', { voi: { fileWindow: 1 } }, undefined],
    ['CT frame 2, second file window', 'ct16', { frame: 2, voi: { fileWindow: 2 } }, fileWindow(-600, 1500)],
    ['CT frame 3, bone preset W2000/L300', 'ct16', { frame: 3, voi: { window: [300, 2000] } }, { kind: 'window', window: { centre: 300, width: 2000, function: 'LINEAR' }, source: 'preset' }],
    ['CT frame 1, brain preset W80/L40', 'ct16', { voi: { window: [40, 80] } }, { kind: 'window', window: { centre: 40, width: 80, function: 'LINEAR' }, source: 'preset' }],
    ['CT (JPEG 2000) frame 2, first file window', 'ct16-j2k-ref', { frame: 2, voi: { fileWindow: 1 } }, undefined, 'ct16-j2k-ref-raw'],
    ['JPEG baseline colour frame 2 (libjpeg-turbo here, IJG in dcmdjpeg)', 'rgb-jpeg-baseline-ref', { frame: 2 }, undefined, 'rgb-jpeg-baseline-ref-raw'],
    ['CT 12-bit signed, slope 2, a narrow window', 'ct12', { voi: { window: [-1000, 700] } }, { kind: 'window', window: { centre: -1000, width: 700, function: 'LINEAR' }, source: 'user' }],
    ['CT 12-bit signed, min-max window (our default when the file has none)', 'ct12', { voi: 'min-max' }, undefined],
    ['MR 12-bit, min-max window', 'mr12', { voi: 'min-max' }, undefined],
    ['MR 12-bit, width 1 (a threshold)', 'mr12', { voi: { window: [2000, 1] } }, { kind: 'window', window: { centre: 2000, width: 1, function: 'LINEAR' }, source: 'user' }],
    ['8-bit frame 4, file window', 'gray8', { frame: 4, voi: { fileWindow: 1 } }, undefined],
    ['MONOCHROME1 (inverted), file window', 'mono1', { voi: { fileWindow: 1 } }, undefined],
    ['VOI LUT Sequence table', 'voilut', { voi: { fileTable: 1 } }, undefined],
    ['VOI LUT Function SIGMOID', 'sigmoid', { voi: { fileWindow: 1 }, sigmoid: true }, undefined],
    ['RGB frame 2', 'rgb', { frame: 2 }, undefined],
    ['RGB planar configuration 1', 'rgb-planar', {}, undefined],
    ['PALETTE COLOR, 16-bit entries', 'palette', {}, undefined],
  ];

  it.each(cases)('%s', async (_label, name, rendering, voi, referenceName) => {
    const { largest } = await compareWithDcmtk(name, rendering, voi, referenceName);
    expect(largest).toBeLessThanOrEqual(1);
  });

  /**
   * YBR_FULL → RGB: DCMTK's conversion lands up to 2 levels from the equations of PS3.3
   * C.7.6.3.1.2 rounded to nearest (which is what we do): measured −2…+1 against dcm2pnm, while
   * ours gives back the RGB the YCbCr was made from within ±1 (the rounding of the YCbCr itself).
   * So: ±2 against DCMTK, ±1 against the source colours.
   */
  it.each(['ybr-full', 'ybr-422'])('%s: within ±2 of dcm2pnm', async (name) => {
    const { largest } = await compareWithDcmtk(name, {}, undefined);
    expect(largest).toBeLessThanOrEqual(2);
  });

  it('YBR_FULL gives back the RGB it was made from within ±1', async () => {
    const ours = expectOk(await previewFrame(bytesOf('ybr-full')));
    const rgb = sourceValues(folder.path, 'rgb').subarray(0, 40 * 56 * 3);
    expect(largestDifference(asBitmapData(ours.image, 3), rgb)).toBeLessThanOrEqual(1);
  });

  it('YBR_FULL_422 (native) upsamples chroma by repeating it, as the standard lays it out', async () => {
    const frame = expectOk(await readFrame(expectOk(await openPixels(bytesOf('ybr-422'))), 0));
    const converted = expectOk(await previewFrame(bytesOf('ybr-full')));
    // Pixels at even columns keep their own chroma, so they match the full-resolution YBR_FULL image exactly.
    expect(frame.kind).toBe('colour');
    const drawn = asBitmapData(renderFrame(frame), 3);
    const full = asBitmapData(converted.image, 3);
    for (let pixel = 0; pixel < 40 * 56; pixel += 2) {
      for (let channel = 0; channel < 3; channel++) expect(drawn[pixel * 3 + channel]).toBe(full[pixel * 3 + channel]);
    }
  });
});

describe('VOI functions, exactly as PS3.3 C.11.2.1.2 and C.11.2.1.3 define them', () => {
  const linear = { centre: 100, width: 11, function: 'LINEAR' } as const;
  const exact = { centre: 100, width: 11, function: 'LINEAR_EXACT' } as const;

  it('LINEAR: black up to c − 0.5 − (w − 1)/2, white above c − 0.5 + (w − 1)/2, (x − (c − 0.5))/(w − 1) + 0.5 between', () => {
    expect(windowLevel(94.5, linear)).toBe(0);
    expect(windowLevel(95, linear)).toBeCloseTo(0.05, 12);
    expect(windowLevel(99.5, linear)).toBe(0.5);
    expect(windowLevel(104.5, linear)).toBe(1);
    expect(windowLevel(104.6, linear)).toBe(1);
  });

  it('LINEAR_EXACT: no −0.5 and −1 terms', () => {
    expect(windowLevel(94.5, exact)).toBe(0);
    expect(windowLevel(95, exact)).toBeCloseTo(0.5 - 5 / 11, 12);
    expect(windowLevel(100, exact)).toBe(0.5);
    expect(windowLevel(105.5, exact)).toBe(1);
  });

  it('SIGMOID: 1 / (1 + exp(−4 (x − c) / w))', () => {
    const sigmoid = { centre: 100, width: 11, function: 'SIGMOID' } as const;
    expect(windowLevel(100, sigmoid)).toBe(0.5);
    expect(windowLevel(111, sigmoid)).toBeCloseTo(1 / (1 + Math.exp(-4)), 12);
  });

  it('LINEAR with width 1 is a threshold at c − 0.5', () => {
    const threshold = { centre: 2000, width: 1, function: 'LINEAR' } as const;
    expect(windowLevel(1999, threshold)).toBe(0);
    expect(windowLevel(2000, threshold)).toBe(1);
  });

  it('the full-range window takes min to black and max to white', () => {
    const window = fullRangeWindow(-1000, 3000);
    expect(windowLevel(-1000, window)).toBe(0);
    expect(windowLevel(3000, window)).toBe(1);
    expect(windowLevel(-999, window)).toBeGreaterThan(0);
  });

  it('CT presets in Hounsfield units: lung, bone, brain, abdomen', () => {
    expect(CT_PRESETS.map((preset) => [preset.id, preset.centre, preset.width])).toEqual([
      ['lung', -600, 1500],
      ['bone', 300, 2000],
      ['brain', 40, 80],
      ['abdomen', 40, 400],
    ]);
  });
});

describe('frames, metadata and the default view', () => {
  it('describes a multi-frame CT without patient data, with its file windows and the CT presets', async () => {
    const info = describePreview(expectOk(await openPixels(bytesOf('ct16'))));
    expect(info).toMatchObject({ frameCount: 3, width: 96, height: 80, colour: false, photometric: 'MONOCHROME2', bitsStored: 16, signed: true, modality: 'CT' });
    expect(info.transferSyntax).toEqual({ uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian' });
    expect(info.fileWindows).toEqual([
      { centre: 40, width: 400, explanation: 'SOFT' },
      { centre: -600, width: 1500, explanation: 'LUNG' },
    ]);
    expect(info.presets).toBe(CT_PRESETS);
    expect(JSON.stringify(info)).not.toMatch(/Fixture|PIXELS-0001/);
    expect(describePreview(expectOk(await openPixels(bytesOf('mr12')))).presets).toEqual([]);
  });

  it('reads each frame on its own: frame 3 of 4 is the third quarter of the source', async () => {
    const instance = expectOk(await openPixels(bytesOf('gray8')));
    const frame = expectOk(await readFrame(instance, 2));
    const size = 48 * 64;
    expect(frame.index).toBe(2);
    expect(samplesOf([frame])).toEqual(sourceValues(folder.path, 'gray8').subarray(2 * size, 3 * size));
  });

  it('defaults: the first file window, else the first VOI LUT table, else the full range', async () => {
    const first = async (name: string): Promise<VoiChoice | undefined> => {
      const frame = expectOk(await readFrame(expectOk(await openPixels(bytesOf(name))), 0));
      return frame.kind === 'grey' ? defaultVoi(frame) : undefined;
    };
    expect(await first('ct16')).toEqual({ kind: 'window', window: { centre: 40, width: 400, function: 'LINEAR' }, source: 'file' });
    expect(await first('sigmoid')).toEqual({ kind: 'window', window: { centre: 2000, width: 1800, function: 'SIGMOID' }, source: 'file' });
    expect(await first('voilut')).toEqual({ kind: 'table', index: 0 });
    const values = sourceValues(folder.path, 'mr12');
    expect(await first('mr12')).toEqual({ kind: 'window', window: fullRangeWindow(Math.min(...values), Math.max(...values)), source: 'full-range' });
    const drawn = expectOk(await previewFrame(bytesOf('mr12'))).image;
    expect(drawn.voi).toMatchObject({ kind: 'window', source: 'full-range' });
  });

  it('MONOCHROME1 is drawn inverted: the lowest value white, the highest black', async () => {
    const { image } = expectOk(await previewFrame(bytesOf('mono1')));
    const values = sourceValues(folder.path, 'mono1');
    const lowest = values.indexOf(Math.min(...values));
    const highest = values.indexOf(Math.max(...values));
    expect(image.rgba[lowest * 4]).toBe(255);
    expect(image.rgba[highest * 4]).toBe(0);
  });

  it('PALETTE COLOR maps each index through the 16-bit red, green and blue tables', async () => {
    const { image, info } = expectOk(await previewFrame(bytesOf('palette')));
    expect(info.colour).toBe(true);
    const indices = sourceValues(folder.path, 'palette');
    const eight = (entry: number): number => Math.round((entry * 255) / 65535);
    indices.forEach((index, pixel) => {
      expect([image.rgba[pixel * 4], image.rgba[pixel * 4 + 1], image.rgba[pixel * 4 + 2]]).toEqual([
        eight(index * 257),
        eight((255 - index) * 257),
        eight(Math.min(65535, Math.abs(index - 128) * 2 * 257)),
      ]);
    });
  });
});
