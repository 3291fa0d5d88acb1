/**
 * Bad input never escapes src/dicom/pixels as a throw and never hangs: every file below ends as
 * `{ ok: false, problem }` with the expected code and words free of file content. The damaged
 * files are made from third-party fixtures (pydicom, DCMTK, GDCM) by cutting or overwriting bytes,
 * or by DCMTK's dcmodify lying in the header.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSet } from 'dicom-parser';
import { parseDicom } from 'dicom-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPixels, previewFrame, readFrame, type PreviewProblemCode, type PreviewResult } from '../../src/dicom/pixels/index.js';
import { encode, writeSources } from '../helpers/dicom-pixel-fixtures.js';
import { xorshift32 } from '../helpers/deterministic-random.js';
import { fixtureFolder, runPython, runTool } from '../helpers/dicom-tools.js';

const folder = fixtureFolder('dicom-pixels-bad');
const at = (name: string): string => join(folder.path, `${name}.dcm`);
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(at(name)));

/** The patient data the sources carry (see dicom-pixel-fixtures.ts); it must never reach a message. */
const PATIENT_STRINGS = ['Fixture', 'Pixels', 'PIXELS-0001'];

const COMPRESSED: readonly [string, string, string, readonly string[]][] = [
  ['gray8', 'gray8-jpeg-baseline', 'dcmcjpeg', ['+eb']],
  ['gray8', 'gray8-jpeg-lossless', 'dcmcjpeg', ['+e1']],
  ['gray8', 'gray8-jpegls', 'dcmcjpls', []],
  ['gray8', 'gray8-j2k', 'gdcmconv', ['--j2k']],
  ['gray8', 'gray8-rle', 'dcmcrle', []],
];

beforeAll(() => {
  writeSources(folder.path);
  for (const [source, output, tool, options] of COMPRESSED) encode(folder.path, source, output, tool, options);
  encode(folder.path, 'mr12', 'mr12-jpeg-12bit', 'dcmcjpeg', ['+ee']);
}, 120_000);

afterAll(() => folder.remove());

function expectProblem<T>(result: PreviewResult<T>, code: PreviewProblemCode): string {
  if (result.ok) expect.fail(`expected ${code}, got a frame`);
  expect(result.problem.code).toBe(code);
  for (const text of PATIENT_STRINGS) expect(result.problem.message).not.toContain(text);
  return result.problem.message;
}

/** The first fragment's data of an encapsulated file, located by a second reader (dicom-parser itself). */
function firstFragment(bytes: Uint8Array): { position: number; length: number } {
  const dataSet: DataSet = parseDicom(bytes);
  const fragment = dataSet.elements['x7fe00010']?.fragments?.[0];
  if (fragment === undefined) throw new Error('no fragment');
  return fragment;
}

describe('damaged or unusual files give a typed problem, never a throw', () => {
  it('random bytes: pixels.unreadable', async () => {
    const next = xorshift32(4);
    const noise = Uint8Array.from({ length: 4096 }, () => next() & 0xff);
    expectProblem(await openPixels(noise), 'pixels.unreadable');
    expectProblem(await previewFrame(new Uint8Array(0)), 'pixels.unreadable');
  });

  it('a DICOM file without pixel data: pixels.no-image', async () => {
    const dump = join(folder.path, 'no-image.txt');
    writeFileSync(dump, '(0008,0016) UI =BasicTextSRStorage\n(0008,0018) UI [1.2.826.0.1.3680043.10.1199.99]\n(0008,0060) CS [SR]\n');
    runTool('dump2dcm', ['+te', dump, at('no-image')]);
    expectProblem(await previewFrame(bytesOf('no-image')), 'pixels.no-image');
  });

  it('pixel data cut short inside the last frame: earlier frames draw, the last is pixels.truncated', async () => {
    const whole = bytesOf('ct16');
    const cut = whole.slice(0, whole.length - 5000);
    const opened = await openPixels(cut);
    if (!opened.ok) expect.fail(opened.problem.message);
    expect((await readFrame(opened.value, 0)).ok).toBe(true);
    expect((await readFrame(opened.value, 1)).ok).toBe(true);
    expectProblem(await readFrame(opened.value, 2), 'pixels.truncated');
  });

  it('compressed pixel data cut short: pixels.truncated', async () => {
    const whole = bytesOf('gray8-jpeg-lossless');
    expectProblem(await previewFrame(whole.slice(0, whole.length - 200), { frame: 3 }), 'pixels.truncated');
  });

  it('a frame count larger than the native data holds (dcmodify): pixels.frame-missing for the frames that are not there', async () => {
    writeFileSync(at('ct16-more-frames'), bytesOf('ct16'));
    runTool('dcmodify', ['-nb', '-m', '(0028,0008)=5', at('ct16-more-frames')]);
    const opened = await openPixels(bytesOf('ct16-more-frames'));
    if (!opened.ok) expect.fail(opened.problem.message);
    expect(opened.value.description.frameCount).toBe(5);
    expect((await readFrame(opened.value, 2)).ok).toBe(true);
    const message = expectProblem(await readFrame(opened.value, 3), 'pixels.frame-missing');
    expect(message).toMatch(/announces 5 frames .* only 3/);
  });

  it('a frame count larger than the compressed data holds: pixels.frame-missing', async () => {
    writeFileSync(at('jpeg-more-frames'), bytesOf('gray8-jpeg-lossless'));
    runTool('dcmodify', ['-nb', '-m', '(0028,0008)=6', at('jpeg-more-frames')]);
    const opened = await openPixels(bytesOf('jpeg-more-frames'));
    if (!opened.ok) expect.fail(opened.problem.message);
    expect((await readFrame(opened.value, 3)).ok).toBe(true);
    expectProblem(await readFrame(opened.value, 4), 'pixels.frame-missing');
  });

  it('a frame number out of range: pixels.frame-missing', async () => {
    expectProblem(await previewFrame(bytesOf('gray8'), { frame: 4 }), 'pixels.frame-missing');
    expectProblem(await previewFrame(bytesOf('gray8'), { frame: -1 }), 'pixels.frame-missing');
  });

  it('Bits Stored larger than Bits Allocated (dcmodify): pixels.inconsistent', async () => {
    writeFileSync(at('bits-lie'), bytesOf('mr12'));
    runTool('dcmodify', ['-nb', '-m', '(0028,0101)=20', at('bits-lie')]);
    expectProblem(await previewFrame(bytesOf('bits-lie')), 'pixels.inconsistent');
  });

  it('a transfer syntax without a decoder here (MPEG-2 video): pixels.unsupported-syntax, naming the UID', async () => {
    runPython(
      String.raw`
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
ds.file_meta.TransferSyntaxUID = '1.2.840.10008.1.2.4.100'
ds.save_as(sys.argv[2], write_like_original=True)
`,
      [at('gray8-jpeg-baseline'), at('mpeg2')],
    );
    const message = expectProblem(await previewFrame(bytesOf('mpeg2')), 'pixels.unsupported-syntax');
    expect(message).toContain('1.2.840.10008.1.2.4.100');
  });

  it('12-bit lossy JPEG (DCMTK +ee): pixels.unsupported-syntax, in plain words', async () => {
    const message = expectProblem(await previewFrame(bytesOf('mr12-jpeg-12bit')), 'pixels.unsupported-syntax');
    expect(message).toMatch(/12-bit lossy JPEG/);
  });

  it('a segmented palette (pydicom): pixels.unsupported-layout', async () => {
    runPython(
      String.raw`
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
ds.SegmentedRedPaletteColorLookupTableData = b'\x00\x00\x01\x00\xff\x00'
ds['SegmentedRedPaletteColorLookupTableData'].VR = 'OW'
ds.save_as(sys.argv[2])
`,
      [at('palette'), at('palette-segmented')],
    );
    expectProblem(await previewFrame(bytesOf('palette-segmented')), 'pixels.unsupported-layout');
  });

  it('an element length that runs past the end of the file: pixels.truncated', async () => {
    const bytes = bytesOf('gray8');
    // Rows (0028,0010) is US in explicit VR: tag 4 + VR 2 + length 2 + value 2 = 10 bytes, so
    // Columns (0028,0011) follows with its 16-bit length at +6; make it 0xFFF0.
    const rowsAt = bytes.findIndex((_byte, index) => bytes[index] === 0x28 && bytes[index + 1] === 0x00 && bytes[index + 2] === 0x10 && bytes[index + 3] === 0x00);
    expect(Array.from(bytes.subarray(rowsAt + 10, rowsAt + 14))).toEqual([0x28, 0x00, 0x11, 0x00]);
    const lying = bytes.slice();
    lying[rowsAt + 10 + 6] = 0xf0;
    lying[rowsAt + 10 + 7] = 0xff;
    // The image header was read before the lie, so the file reads as one cut short.
    expectProblem(await previewFrame(lying), 'pixels.truncated');
  });
});

describe('corrupt compressed fragments: pixels.corrupt, and the decoder still works afterwards', () => {
  it.each(COMPRESSED.map(([, output]) => output))('%s with its header overwritten', async (name) => {
    const bytes = bytesOf(name);
    const fragment = firstFragment(bytes);
    const damaged = bytes.slice();
    // Keep the first two bytes (the JPEG SOI / JPEG 2000 SOC / RLE segment count's low byte) and
    // wreck the headers after them.
    damaged.fill(0xff, fragment.position + 2, fragment.position + Math.min(fragment.length, 64));
    if (name.endsWith('-rle')) damaged.fill(0x07, fragment.position, fragment.position + 4);
    expectProblem(await previewFrame(damaged), 'pixels.corrupt');
    // A failed decode must not leave the codec unusable for the next file.
    const again = await previewFrame(bytes);
    expect(again.ok).toBe(true);
  });

  it.each(COMPRESSED.map(([, output]) => output))('%s with random bytes written over its data (200 seeds): always a result, never a throw', async (name) => {
    const bytes = bytesOf(name);
    const fragment = firstFragment(bytes);
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const next = xorshift32(seed);
      const damaged = bytes.slice();
      const count = 1 + (next() % 16);
      for (let hit = 0; hit < count; hit++) damaged[fragment.position + (next() % fragment.length)] = next() & 0xff;
      const result = await previewFrame(damaged);
      outcomes.add(result.ok ? 'drawn' : result.problem.code);
    }
    // Damage inside entropy-coded data often still decodes (to wrong pixels), headers do not.
    expect([...outcomes].every((outcome) => ['drawn', 'pixels.corrupt', 'pixels.inconsistent', 'pixels.truncated', 'pixels.unsupported-syntax'].includes(outcome))).toBe(true);
    expect((await previewFrame(bytes)).ok).toBe(true);
  }, 60_000);
});
