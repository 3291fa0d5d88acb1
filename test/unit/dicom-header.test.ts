/**
 * Reading headers of files written by DCMTK and GDCM, in every transfer syntax Tessera meets, and
 * of files that are not DICOM or are broken. What is checked is what the page shows: whose study,
 * which series, which image geometry; and for a broken file, which problem.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Comlink from 'comlink';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DICOM_PROBLEM_CODES, parsePersonName, readDicomHeader, readDicomHeaders, type DicomHeader, type HeaderResult } from '../../src/dicom/header.js';
import { deterministicRandom, patternBytes } from '../helpers/deterministic-random.js';
import {
  bytesBlob,
  FIXTURE_TRANSFER_SYNTAX_UIDS,
  jpegLikeBytes,
  pdfLikeBytes,
  readBytes,
  writeInstance,
  type FixtureSyntax,
  type InstanceSpec,
} from '../helpers/dicom-fixtures.js';
import { fixtureFolder, runTool } from '../helpers/dicom-tools.js';

const folder = fixtureFolder('header');
afterAll(() => folder.remove());

const PATIENT: InstanceSpec = {
  studyInstanceUid: '2.25.4242.1',
  seriesInstanceUid: '2.25.4242.1.2',
  sopInstanceUid: '2.25.4242.1.2.7',
  patientName: 'Doe^Jane^Q^Dr^PhD',
  patientId: 'TESSERA-0042',
  patientBirthDate: '19700101',
  patientSex: 'F',
  studyDate: '20240315',
  studyTime: '101500',
  studyDescription: 'CT chest',
  studyId: '99',
  accessionNumber: 'ACC-77',
  referringPhysicianName: 'House^Gregory',
  institutionName: 'Example Hospital',
  modality: 'CT',
  seriesDescription: 'Axial 5mm',
  seriesNumber: 2,
  bodyPartExamined: 'CHEST',
  instanceNumber: 7,
  rows: 16,
  columns: 12,
  burnedInAnnotation: 'YES',
};

/** What every fixture made from PATIENT must read as, whatever its encoding. */
const EXPECTED: Partial<DicomHeader> = {
  sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
  sopInstanceUid: '2.25.4242.1.2.7',
  studyInstanceUid: '2.25.4242.1',
  seriesInstanceUid: '2.25.4242.1.2',
  patientName: {
    text: 'Doe^Jane^Q^Dr^PhD',
    alphabetic: { family: 'Doe', given: 'Jane', middle: 'Q', prefix: 'Dr', suffix: 'PhD' },
  },
  patientId: 'TESSERA-0042',
  patientBirthDate: '19700101',
  patientSex: 'F',
  studyDate: '20240315',
  studyTime: '101500',
  studyDescription: 'CT chest',
  studyId: '99',
  accessionNumber: 'ACC-77',
  referringPhysicianName: { text: 'House^Gregory', alphabetic: { family: 'House', given: 'Gregory', middle: '', prefix: '', suffix: '' } },
  institutionName: 'Example Hospital',
  modality: 'CT',
  seriesDescription: 'Axial 5mm',
  seriesNumber: 2,
  bodyPartExamined: 'CHEST',
  instanceNumber: 7,
  rows: 16,
  columns: 12,
  samplesPerPixel: 1,
  photometricInterpretation: 'MONOCHROME2',
  burnedInAnnotation: true,
  hasPixelData: true,
  specificCharacterSet: [],
  characterSetSupported: true,
  isDicomdir: false,
};

const IDENTIFYING_TEXT = ['Doe', 'Jane', 'TESSERA-0042', 'ACC-77', '19700101', 'House', 'Example Hospital'];

function fileBlob(path: string): Blob {
  return bytesBlob(readBytes(path));
}

async function header(blob: Blob, options?: Parameters<typeof readDicomHeader>[1]): Promise<DicomHeader> {
  const result = await readDicomHeader(blob, options);
  if (result.kind !== 'dicom') throw new Error(`expected a DICOM header, got ${JSON.stringify(result)}`);
  return result.header;
}

function expectProblem(result: HeaderResult, code: (typeof DICOM_PROBLEM_CODES)[number]): void {
  expect(result.kind).toBe('damaged');
  if (result.kind !== 'damaged') return;
  expect(result.problem.code).toBe(code);
  // A problem never quotes the file: no name, ID or accession of the patient in it.
  const words = `${result.problem.message} ${result.problem.detail ?? ''}`;
  for (const text of IDENTIFYING_TEXT) expect(words).not.toContain(text);
}

/** A Blob that counts the bytes read from it, to check that only the header is read. */
class CountingBlob extends Blob {
  bytesRead = 0;
  override slice(start?: number, end?: number, contentType?: string): Blob {
    const part = super.slice(start, end, contentType);
    this.bytesRead += part.size;
    return part;
  }
}

const ALL_SYNTAXES: readonly FixtureSyntax[] = ['explicit', 'implicit', 'big-endian', 'deflated', 'rle', 'jpeg-lossless', 'jpeg-ls', 'jpeg-2000', 'raw-implicit', 'raw-explicit'];
const paths = new Map<FixtureSyntax, string>();

beforeAll(() => {
  for (const syntax of ALL_SYNTAXES) paths.set(syntax, writeInstance(join(folder.path, `${syntax}.dcm`), PATIENT, syntax));
});

describe('every transfer syntax: the same header', () => {
  for (const syntax of ALL_SYNTAXES) {
    it(`${syntax} (${FIXTURE_TRANSFER_SYNTAX_UIDS[syntax]})`, async () => {
      const path = paths.get(syntax)!;
      const read = await header(fileBlob(path));
      expect(read).toMatchObject({ ...EXPECTED, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 0 });
      expect(read.transferSyntaxUid).toBe(FIXTURE_TRANSFER_SYNTAX_UIDS[syntax]);
      expect(read.layout).toBe(syntax.startsWith('raw-') ? 'raw' : 'part10');
      expect(read.fileSize).toBe(readBytes(path).length);
    });
  }

  it('JPEG baseline (8-bit, written by dcmcjpeg +eb)', async () => {
    const path = writeInstance(join(folder.path, 'jpeg-baseline.dcm'), { ...PATIENT, bitsAllocated: 8 }, 'jpeg-baseline');
    expect(await header(fileBlob(path))).toMatchObject({ ...EXPECTED, bitsAllocated: 8, transferSyntaxUid: '1.2.840.10008.1.2.4.50' });
  });

  it('a meta header without the 128-byte preamble and "DICM"', async () => {
    const bytes = readBytes(paths.get('explicit')!).subarray(132);
    expect(await header(bytesBlob(bytes))).toMatchObject({ ...EXPECTED, layout: 'raw', transferSyntaxUid: '1.2.840.10008.1.2.1' });
  });

  it('a multi-frame image reports its frames', async () => {
    const path = writeInstance(join(folder.path, 'frames.dcm'), { ...PATIENT, frames: 5 }, 'explicit');
    expect(await header(fileBlob(path))).toMatchObject({ numberOfFrames: 5, rows: 16, columns: 12 });
  });
});

describe('person names (PS3.5 §6.2.1.2)', () => {
  it('splits the standard’s example into family, given, middle, prefix and suffix', () => {
    expect(parsePersonName('Adams^John Robert Quincy^^Rev.^B.A. M.Div.')).toEqual({
      text: 'Adams^John Robert Quincy^^Rev.^B.A. M.Div.',
      alphabetic: { family: 'Adams', given: 'John Robert Quincy', middle: '', prefix: 'Rev.', suffix: 'B.A. M.Div.' },
    });
  });

  it('keeps an ideographic group when the alphabetic one is empty, and a lone family name', () => {
    expect(parsePersonName('=山田^太郎')).toEqual({
      text: '=山田^太郎',
      alphabetic: { family: '', given: '', middle: '', prefix: '', suffix: '' },
      ideographic: { family: '山田', given: '太郎', middle: '', prefix: '', suffix: '' },
    });
    expect(parsePersonName('Doe').alphabetic).toEqual({ family: 'Doe', given: '', middle: '', prefix: '', suffix: '' });
  });
});

describe('where Pixel Data starts', () => {
  const pixelLength = 16 * 12 * 2;

  it('native little endian: the offset points at the pixel values that were written', async () => {
    for (const syntax of ['explicit', 'implicit', 'raw-implicit'] as const) {
      const bytes = readBytes(paths.get(syntax)!);
      const read = await header(bytesBlob(bytes));
      expect(bytes.subarray(read.pixelDataOffset!, read.pixelDataOffset! + pixelLength)).toEqual(patternBytes(pixelLength, PATIENT.instanceNumber));
    }
  });

  it('big endian: the offset points at the same 16-bit values, bytes swapped (PS3.5 §7.3)', async () => {
    const bytes = readBytes(paths.get('big-endian')!);
    const read = await header(bytesBlob(bytes));
    const pattern = patternBytes(pixelLength, PATIENT.instanceNumber);
    const swapped = Uint8Array.from(pattern, (_, index) => pattern[index ^ 1]!);
    expect(bytes.subarray(read.pixelDataOffset!, read.pixelDataOffset! + pixelLength)).toEqual(swapped);
  });

  it('encapsulated: the offset points at the Basic Offset Table item (FFFE,E000)', async () => {
    for (const syntax of ['rle', 'jpeg-lossless', 'jpeg-ls', 'jpeg-2000'] as const) {
      const bytes = readBytes(paths.get(syntax)!);
      const read = await header(bytesBlob(bytes));
      expect([...bytes.subarray(read.pixelDataOffset!, read.pixelDataOffset! + 4)]).toEqual([0xfe, 0xff, 0x00, 0xe0]);
    }
  });

  it('deflated: no file offset, since the pixels are inside the compressed stream', async () => {
    expect((await header(fileBlob(paths.get('deflated')!))).pixelDataOffset).toBeUndefined();
  });
});

describe('reading only the header', () => {
  it('a 4 MB multi-frame image is read no further than its first 64 KiB', async () => {
    const path = writeInstance(join(folder.path, 'large.dcm'), { ...PATIENT, rows: 512, columns: 512, frames: 8 }, 'explicit');
    const blob = new CountingBlob([readBytes(path)]);
    expect(blob.size).toBeGreaterThan(4_000_000);
    expect(await header(blob)).toMatchObject({ numberOfFrames: 8, rows: 512, columns: 512 });
    expect(blob.bytesRead).toBeLessThanOrEqual(64 * 1024);
  });

  it('an encapsulated PDF (pdf2dcm) of 2 MB: no pixel data, and the document itself is not read', async () => {
    const pdf = join(folder.path, 'report.pdf');
    writeFileSync(pdf, Buffer.concat([pdfLikeBytes(), patternBytes(2 * 1024 * 1024), Buffer.from('\n%%EOF\n')]));
    const path = join(folder.path, 'report.dcm');
    runTool('pdf2dcm', ['-q', '+pn', 'Doe^Jane', '+pi', 'TESSERA-0042', pdf, path]);
    const blob = new CountingBlob([readBytes(path)]);
    const read = await header(blob);
    expect(read).toMatchObject({ sopClassUid: '1.2.840.10008.5.1.4.1.1.104.1', hasPixelData: false, patientId: 'TESSERA-0042', modality: 'DOC' });
    expect(blob.bytesRead).toBeLessThanOrEqual(64 * 1024);
  });

  it('a header longer than the first read (a 2,000-item sequence) is read by growing the prefix', async () => {
    const items: string[] = ['(0008,1140) SQ (Sequence with undefined length #=2000)'];
    for (let index = 1; index <= 2000; index++) {
      items.push('(fffe,e000) na (Item with undefined length #=2)', '(0008,1150) UI [1.2.840.10008.5.1.4.1.1.7]', `(0008,1155) UI [2.25.4242.9.${index}]`, '(fffe,e00d) na (ItemDelimitationItem)');
    }
    items.push('(fffe,e0dd) na (SequenceDelimitationItem)');
    const path = writeInstance(join(folder.path, 'long-header.dcm'), { ...PATIENT, extraLines: items }, 'explicit');
    expect(readBytes(path).length).toBeGreaterThan(128 * 1024);
    expect(await header(fileBlob(path))).toMatchObject(EXPECTED);
  });

  it('reading 256 bytes first gives the same header as reading 64 KiB first', async () => {
    for (const syntax of ['explicit', 'implicit', 'big-endian', 'deflated', 'rle'] as const) {
      const blob = fileBlob(paths.get(syntax)!);
      expect(await header(blob, { initialBytes: 256 })).toEqual(await header(blob));
    }
  });
});

describe('files that are not DICOM are other records, not errors', () => {
  const cases: [string, Uint8Array][] = [
    ['a PDF report', pdfLikeBytes()],
    ['a JPEG photo', jpegLikeBytes()],
    ['an empty file', new Uint8Array(0)],
    ['a three-byte file', Uint8Array.of(1, 2, 3)],
    ['plain text', new TextEncoder().encode('Discharge letter.\nAll well.\n')],
  ];
  for (const [label, bytes] of cases) {
    it(label, async () => {
      expect(await readDicomHeader(bytesBlob(bytes))).toEqual({ kind: 'other' });
    });
  }

  it('random bytes (20 files, fixed seed)', async () => {
    const random = deterministicRandom(0xd1c0);
    for (let index = 0; index < 20; index++) {
      const bytes = new Uint8Array(100 + index * 97);
      random(bytes);
      expect(await readDicomHeader(bytesBlob(bytes))).toEqual({ kind: 'other' });
    }
  });
});

/** Offset of the first occurrence of `text` (as Latin-1 bytes) in `bytes`. */
function offsetOf(bytes: Uint8Array, text: string): number {
  const needle = Buffer.from(text, 'latin1');
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(needle);
  if (at < 0) throw new Error(`fixture does not contain ${text}`);
  return at;
}

function withUint16(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint16(offset, value, true);
  return copy;
}

function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

describe('broken DICOM files get a specific problem', () => {
  it('cut inside Pixel Data (native): dicom.truncated', async () => {
    const bytes = readBytes(paths.get('explicit')!);
    expectProblem(await readDicomHeader(bytesBlob(bytes.subarray(0, bytes.length - 100))), 'dicom.truncated');
  });

  it('cut inside the header: dicom.truncated', async () => {
    for (const syntax of ['explicit', 'implicit', 'big-endian'] as const) {
      const bytes = readBytes(paths.get(syntax)!);
      expectProblem(await readDicomHeader(bytesBlob(bytes.subarray(0, offsetOf(bytes, 'Doe^') + 3))), 'dicom.truncated');
    }
  });

  it('cut inside the meta header: dicom.truncated', async () => {
    const bytes = readBytes(paths.get('explicit')!);
    expectProblem(await readDicomHeader(bytesBlob(bytes.subarray(0, 150))), 'dicom.truncated');
  });

  it('cut inside encapsulated Pixel Data (RLE, JPEG): dicom.truncated', async () => {
    for (const syntax of ['rle', 'jpeg-lossless'] as const) {
      const bytes = readBytes(paths.get(syntax)!);
      expectProblem(await readDicomHeader(bytesBlob(bytes.subarray(0, bytes.length - 20))), 'dicom.truncated');
    }
  });

  it('a deflated file cut short: dicom.bad-deflate', async () => {
    const bytes = readBytes(paths.get('deflated')!);
    expectProblem(await readDicomHeader(bytesBlob(bytes.subarray(0, bytes.length - 40))), 'dicom.bad-deflate');
  });

  it('a length larger than the whole file (Patient’s Name claims 32,766 bytes): dicom.bad-length', async () => {
    const bytes = readBytes(paths.get('explicit')!);
    const lengthField = offsetOf(bytes, 'Doe^') - 2;
    expectProblem(await readDicomHeader(bytesBlob(withUint16(bytes, lengthField, 0x7ffe))), 'dicom.bad-length');
  });

  it('a length that lands inside the next element: dicom.bad-length', async () => {
    for (const syntax of ['explicit', 'implicit'] as const) {
      const bytes = readBytes(paths.get(syntax)!);
      const at = offsetOf(bytes, 'Doe^');
      const mutated = syntax === 'explicit' ? withUint16(bytes, at - 2, 18 + 6) : withUint32(bytes, at - 4, 18 + 6);
      expectProblem(await readDicomHeader(bytesBlob(mutated)), 'dicom.bad-length');
    }
  });

  it('Pixel Data claiming more than the file holds: dicom.bad-length', async () => {
    const bytes = readBytes(paths.get('explicit')!);
    const read = await header(bytesBlob(bytes));
    expectProblem(await readDicomHeader(bytesBlob(withUint32(bytes, read.pixelDataOffset! - 4, 0x7ffffff0))), 'dicom.bad-length');
  });

  it('"DICM" followed by garbage: dicom.malformed', async () => {
    const bytes = new Uint8Array(600);
    deterministicRandom(7)(bytes);
    bytes.set([0x44, 0x49, 0x43, 0x4d], 128);
    bytes.set([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0x14, 0x00, ...Buffer.from('1.2.840.10008.1.2.1\0')], 132);
    expectProblem(await readDicomHeader(bytesBlob(bytes)), 'dicom.malformed');
  });

  it('a file that cannot be read: dicom.unreadable', async () => {
    class UnreadableBlob extends Blob {
      override slice(): Blob {
        const part = new Blob(['x']);
        Object.defineProperty(part, 'arrayBuffer', { value: () => Promise.reject(new DOMException('gone', 'NotReadableError')) });
        return part;
      }
    }
    expectProblem(await readDicomHeader(new UnreadableBlob(['DICM'])), 'dicom.unreadable');
  });
});

describe('a batch of files', () => {
  it('one bad file never stops the others, and results keep the order of the files', async () => {
    const explicit = readBytes(paths.get('explicit')!);
    const results = await readDicomHeaders([
      bytesBlob(explicit),
      bytesBlob(pdfLikeBytes()),
      bytesBlob(explicit.subarray(0, explicit.length - 10)),
      fileBlob(paths.get('implicit')!),
    ]);
    expect(results.map((result) => (result.kind === 'damaged' ? result.problem.code : result.kind))).toEqual(['dicom', 'other', 'dicom.truncated', 'dicom']);
  });

  it('refuses what is not a Blob, with a TypeError naming the argument', async () => {
    await expect(readDicomHeader('file.dcm' as unknown as Blob)).rejects.toThrow(new TypeError('file: expected a Blob or File, got [object String]'));
    await expect(readDicomHeader(new Blob([]), { initialBytes: 10 })).rejects.toThrow(RangeError);
  });
});

describe('across the worker boundary (Comlink over a MessageChannel, the structured clone a Worker uses)', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const channel of channels.splice(0)) {
      channel.port1.close();
      channel.port2.close();
    }
  });

  it('headers and problems arrive exactly as they were made', async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    Comlink.expose({ readDicomHeaders }, channel.port1 as unknown as Comlink.Endpoint);
    const remote = Comlink.wrap<{ readDicomHeaders: typeof readDicomHeaders }>(channel.port2 as unknown as Comlink.Endpoint);
    const explicit = readBytes(paths.get('explicit')!);
    const files = [bytesBlob(explicit), bytesBlob(jpegLikeBytes()), bytesBlob(explicit.subarray(0, 300))];
    const local = await readDicomHeaders(files);
    const across = await remote.readDicomHeaders(files);
    expect(across).toEqual(local);
    expect(structuredClone(local)).toEqual(local);
    expect(across[2]).toMatchObject({ kind: 'damaged', problem: { code: 'dicom.truncated' } });
  });
});
