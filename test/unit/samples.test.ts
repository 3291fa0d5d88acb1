/**
 * The demo sample studies in public/samples, made by test/samples/make-samples.py: the committed
 * files are exactly what the script writes (it runs again here, into test/.output), DCMTK reads
 * every DICOM file without a word on stderr, the manifest lists every file with its size and
 * checksum, and every patient attribute, DICOM or not, is the fictitious patient's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBIAN_PYTHON, fixtureFolder, runTool } from '../helpers/dicom-tools.js';

const REPOSITORY = resolve(import.meta.dirname, '../..');
const SAMPLES = join(REPOSITORY, 'public/samples');
const SCRIPT = join(REPOSITORY, 'test/samples/make-samples.py');

const PATIENT = { name: 'DEMO^ALEX', id: 'TESSERA-DEMO-0001', birthDate: '19750614', sex: 'F' } as const;
const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
const SOP_CLASSES = { CT: '1.2.840.10008.5.1.4.1.1.2', MR: '1.2.840.10008.5.1.4.1.1.4', US: '1.2.840.10008.5.1.4.1.1.3.1' } as const;

interface ManifestFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

interface Sample {
  readonly id: string;
  readonly kind: 'dicom-study' | 'document' | 'file-set';
  readonly title: string;
  readonly description: string;
  readonly modality: string;
  readonly series?: readonly { readonly number: number; readonly description: string; readonly instances: number; readonly transferSyntaxUid: string }[];
  readonly files: readonly ManifestFile[];
  readonly totalBytes: number;
}

interface Manifest {
  readonly generator: string;
  readonly note: string;
  readonly samples: readonly Sample[];
  readonly totalBytes: number;
}

/** Every file under `root`, as sorted '/'-separated paths relative to it. */
function listFiles(root: string, prefix = ''): string[] {
  const paths: string[] = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) paths.push(...listFiles(root, path));
    else paths.push(path);
  }
  return paths.sort();
}

const manifest = JSON.parse(readFileSync(join(SAMPLES, 'samples.json'), 'utf8')) as Manifest;
const committed = listFiles(SAMPLES);
const dicomFiles = committed.filter((path) => path.startsWith('demo-cd/DICOM/') || path === 'demo-cd/DICOMDIR');
const imageFiles = dicomFiles.filter((path) => path !== 'demo-cd/DICOMDIR');
const sampleById = (id: string): Sample => {
  const sample = manifest.samples.find((candidate) => candidate.id === id);
  if (sample === undefined) expect.fail(`no sample ${id} in samples.json`);
  return sample;
};
const read = (path: string): Buffer => readFileSync(join(SAMPLES, path));

interface Dump {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const dumps = new Map<string, Dump>();

/** DCMTK's dcmdump of a file, long values in full and UIDs as numbers; stderr kept apart. */
function dcmdump(path: string): Dump {
  let dump = dumps.get(path);
  if (dump === undefined) {
    const result = spawnSync('dcmdump', ['+L', '-Un', join(SAMPLES, path)], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
    dump = { status: result.status, stdout: result.stdout ?? '', stderr: `${result.error?.message ?? ''}${result.stderr ?? ''}` };
    dumps.set(path, dump);
  }
  return dump;
}

/** The values of every element with this tag (`gggg,eeee`, lower case) in a dump, at any depth. */
function values(path: string, tag: string): string[] {
  const found: string[] = [];
  for (const line of dcmdump(path).stdout.split('\n')) {
    const match = /^\s*\(([0-9a-f]{4},[0-9a-f]{4})\) [A-Za-z]{2} (?:\[(.*?)\]|(\S+))\s+#/.exec(line);
    if (match?.[1] === tag) found.push(match[2] ?? match[3] ?? '');
  }
  return found;
}

function value(path: string, tag: string): string {
  const found = values(path, tag);
  expect(found, `${tag} in ${path}`).toHaveLength(1);
  return found[0]!;
}

/** The last `count` bytes of a file: native Pixel Data is the last element of these files. */
const pixelBytes = (bytes: Uint8Array, count: number): Uint8Array => bytes.subarray(bytes.length - count);

const folder = fixtureFolder('samples');
const generated = join(folder.path, 'samples');

afterAll(() => folder.remove());

describe('make-samples.py', () => {
  // Run inside the test, not in a hook: without pydicom or DCMTK this test fails, it is never skipped.
  it('writes exactly the committed files, byte for byte', () => {
    runTool(DEBIAN_PYTHON, [SCRIPT, generated]);
    expect(listFiles(generated)).toEqual(committed);
    const different = committed.filter((path) => !readFileSync(join(generated, path)).equals(read(path)));
    expect(different, 'files that differ from a fresh run of test/samples/make-samples.py').toEqual([]);
  }, 60_000);
});

describe('samples.json', () => {
  it('lists every file with its size and SHA-256', () => {
    expect(new Set(manifest.samples.map((sample) => sample.id)).size).toBe(manifest.samples.length);
    for (const sample of manifest.samples) {
      expect(sample.title.length, sample.id).toBeGreaterThan(0);
      expect(sample.files.length, sample.id).toBeGreaterThan(0);
      for (const file of sample.files) {
        expect(file.path, 'a relative path inside public/samples').toMatch(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[\w./-]+$/);
        const bytes = read(file.path);
        expect(statSync(join(SAMPLES, file.path)).size, file.path).toBe(file.bytes);
        expect(createHash('sha256').update(bytes).digest('hex'), file.path).toBe(file.sha256);
      }
      expect(sample.totalBytes, sample.id).toBe(sample.files.reduce((sum, file) => sum + file.bytes, 0));
    }
    // The whole CD lists every file there is, once.
    const cd = sampleById('demo-cd');
    expect(cd.kind).toBe('file-set');
    expect(cd.files.map((file) => file.path).sort()).toEqual(committed.filter((path) => path !== 'samples.json'));
    expect(manifest.totalBytes).toBe(cd.totalBytes);
    // Each study and document is a part of it, and together they are all of it but the DICOMDIR.
    const parts = manifest.samples.filter((sample) => sample.kind !== 'file-set').flatMap((sample) => sample.files.map((file) => file.path));
    expect(parts.sort()).toEqual(cd.files.map((file) => file.path).filter((path) => path !== 'demo-cd/DICOMDIR').sort());
  });

  it('says what each study holds: modality, series, instance counts and transfer syntaxes', () => {
    const studies = manifest.samples.filter((sample) => sample.kind === 'dicom-study');
    expect(studies.map((study) => [study.id, study.modality])).toEqual([
      ['ct-chest', 'CT'],
      ['mr-head', 'MR'],
      ['us-neck', 'US'],
    ]);
    for (const study of studies) {
      expect(study.series?.reduce((sum, series) => sum + series.instances, 0), study.id).toBe(study.files.length);
      for (const file of study.files) {
        expect(value(file.path, '0008,0060'), file.path).toBe(study.modality);
        const seriesNumber = Number(value(file.path, '0020,0011'));
        const series = study.series?.find((candidate) => candidate.number === seriesNumber);
        expect(series, `${file.path}: series ${seriesNumber} in the manifest`).toBeDefined();
        expect(value(file.path, '0002,0010'), file.path).toBe(series?.transferSyntaxUid);
        expect(value(file.path, '0008,103e'), file.path).toBe(series?.description);
      }
    }
  }, 30_000);

  it('keeps public/samples small (under 6 MB)', () => {
    const total = committed.reduce((sum, path) => sum + statSync(join(SAMPLES, path)).size, 0);
    expect(total).toBeLessThan(6 * 1024 * 1024);
  });
});

describe('the demo CD', () => {
  it('is laid out as a CD export: a DICOMDIR at the root, ISO 9660 names of 8 characters', () => {
    expect(committed).toContain('demo-cd/DICOMDIR');
    for (const path of committed.filter((candidate) => candidate.startsWith('demo-cd/'))) {
      for (const component of path.split('/').slice(1)) expect(component, path).toMatch(/^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{1,3})?$/);
    }
  });

  it('has a DICOMDIR that references every image, and only them, under one patient', () => {
    const references = values('demo-cd/DICOMDIR', '0004,1500').map((fileId) => `demo-cd/${fileId.split('\\').join('/')}`);
    expect(references.sort()).toEqual(imageFiles);
    expect(values('demo-cd/DICOMDIR', '0004,1430').filter((type) => type === 'PATIENT')).toHaveLength(1);
    expect(values('demo-cd/DICOMDIR', '0004,1430').filter((type) => type === 'STUDY')).toHaveLength(3);
    expect(values('demo-cd/DICOMDIR', '0004,1430').filter((type) => type === 'SERIES')).toHaveLength(4);
    expect(value('demo-cd/DICOMDIR', '0004,1130')).toBe('TESSERA_DEMO');
  });
});

describe('the DICOM files', () => {
  it('are read by DCMTK dcmdump without a warning', () => {
    expect(dicomFiles.length).toBe(24 + 16 + 16 + 1 + 1);
    for (const path of dicomFiles) {
      const dump = dcmdump(path);
      expect({ path, status: dump.status, stderr: dump.stderr }).toEqual({ path, status: 0, stderr: '' });
    }
  }, 30_000);

  it('all belong to the fictitious patient', () => {
    for (const path of dicomFiles) {
      expect(values(path, '0010,0010'), path).toEqual([PATIENT.name]);
      expect(values(path, '0010,0020'), path).toEqual([PATIENT.id]);
      if (path === 'demo-cd/DICOMDIR') continue;
      expect(values(path, '0010,0030'), path).toEqual([PATIENT.birthDate]);
      expect(values(path, '0010,0040'), path).toEqual([PATIENT.sex]);
      expect(value(path, '0008,0080'), path).toBe('Tessera Demo Hospital');
      expect(value(path, '0010,4000'), path).toMatch(/^Fictitious patient/);
      for (const tag of ['0008,0018', '0020,000d', '0020,000e']) expect(value(path, tag), `${tag} in ${path}`).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    }
  }, 30_000);

  it('make a CT series of 24 signed 16-bit slices in HU with air, lung, water and bone', () => {
    const ct = sampleById('ct-chest').files.map((file) => file.path);
    expect(ct).toHaveLength(24);
    const positions = new Set<string>();
    for (const [index, path] of ct.entries()) {
      expect(value(path, '0008,0016')).toBe(SOP_CLASSES.CT);
      expect(value(path, '0020,0013')).toBe(String(index + 1));
      expect([value(path, '0028,0010'), value(path, '0028,0011'), value(path, '0028,0100'), value(path, '0028,0103')]).toEqual(['192', '192', '16', '1']);
      expect([value(path, '0028,1052'), value(path, '0028,1053')]).toEqual(['-1024', '1']);
      expect([value(path, '0028,1050'), value(path, '0028,1051')]).toEqual(['40\\-600', '400\\1500']);
      expect(value(path, '0018,0015')).toBe('CHEST');
      positions.add(value(path, '0020,0032'));
    }
    expect(positions.size).toBe(24);
    expect(new Set(ct.map((path) => value(path, '0020,0052'))).size).toBe(1);
    // A slice in the middle of the chest, in HU.
    const stored = pixelBytes(read(ct[13]!), 192 * 192 * 2);
    const hu = Array.from(new Int16Array(stored.buffer.slice(stored.byteOffset, stored.byteOffset + stored.byteLength)), (value) => value - 1024);
    const count = (low: number, high: number): number => hu.filter((value) => value >= low && value <= high).length;
    expect(count(-3024, -3024), 'padding outside the reconstruction circle').toBeGreaterThan(1000);
    expect(count(-1050, -950), 'air').toBeGreaterThan(1000);
    expect(count(-780, -620), 'lung').toBeGreaterThan(1000);
    expect(count(-30, 30), 'water').toBeGreaterThan(1000);
    expect(count(650, 1300), 'bone').toBeGreaterThan(50);
  });

  it('make an MR study of two 12-bit series, RLE and JPEG-LS, that DCMTK decodes', () => {
    const folderForDecoded = join(folder.path, 'decoded');
    mkdirSync(folderForDecoded, { recursive: true });
    for (const file of sampleById('mr-head').files) {
      const path = file.path;
      expect(value(path, '0008,0016')).toBe(SOP_CLASSES.MR);
      expect([value(path, '0028,0100'), value(path, '0028,0101'), value(path, '0028,0103')]).toEqual(['16', '12', '0']);
      const syntax = value(path, '0002,0010');
      const decoded = join(folderForDecoded, path.replaceAll('/', '_'));
      if (syntax === RLE_LOSSLESS) runTool('dcmdrle', ['--quiet', join(SAMPLES, path), decoded]);
      else if (syntax === JPEG_LS_LOSSLESS) runTool('dcmdjpls', ['--quiet', join(SAMPLES, path), decoded]);
      else expect.fail(`${path}: unexpected transfer syntax ${syntax}`);
      const pixels = pixelBytes(readFileSync(decoded), 128 * 128 * 2);
      const samples = new Uint16Array(pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength));
      expect(Math.max(...samples), path).toBeLessThanOrEqual(4095);
      expect(Math.max(...samples), path).toBeGreaterThan(2000);
    }
    expect(new Set(sampleById('mr-head').files.map((file) => value(file.path, '0002,0010')))).toEqual(new Set([RLE_LOSSLESS, JPEG_LS_LOSSLESS]));
  }, 30_000);

  it('make a 12-frame RGB ultrasound clip with burned-in annotation', () => {
    const [path, ...others] = sampleById('us-neck').files.map((file) => file.path);
    expect(others).toEqual([]);
    expect(value(path!, '0008,0016')).toBe(SOP_CLASSES.US);
    expect(value(path!, '0002,0010')).toBe(EXPLICIT_LITTLE);
    expect([value(path!, '0028,0004'), value(path!, '0028,0006'), value(path!, '0028,0008')]).toEqual(['RGB', '0', '12']);
    expect([value(path!, '0028,0010'), value(path!, '0028,0011')]).toEqual(['120', '160']);
    expect(value(path!, '0028,0301')).toBe('YES');
    const frameBytes = 120 * 160 * 3;
    const pixels = pixelBytes(read(path!), 12 * frameBytes);
    const rgb = (frame: number, row: number, column: number): [number, number, number] => {
      const at = frame * frameBytes + (row * 160 + column) * 3;
      return [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!];
    };
    // The burned-in text: white letters in the top-left corner of every frame.
    for (let frame = 0; frame < 12; frame++) {
      let white = 0;
      for (let row = 0; row < 27; row++) for (let column = 0; column < 100; column++) if (rgb(frame, row, column).every((sample) => sample === 235)) white += 1;
      expect(white, `frame ${frame + 1}`).toBeGreaterThan(100);
    }
    // Colour flow: red pixels in the vessel, and the clip moves.
    let red = 0;
    for (let row = 50; row < 88; row++) for (let column = 52; column < 108; column++) {
      const [r, g, b] = rgb(3, row, column);
      if (r > g + 40 && b === 0) red += 1;
    }
    expect(red).toBeGreaterThan(200);
    expect(Buffer.compare(pixels.subarray(0, frameBytes), pixels.subarray(6 * frameBytes, 7 * frameBytes))).not.toBe(0);
  });
});

describe('the documents', () => {
  it('include a well-formed one-page PDF report about the fictitious patient', () => {
    const [file] = sampleById('report').files;
    const pdf = read(file!.path);
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    expect(text.endsWith('%%EOF\n')).toBe(true);
    // startxref points at the cross-reference table, and each entry at its object.
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    expect(text.startsWith('xref\n', startxref)).toBe(true);
    const table = /^xref\n0 (\d+)\n((?:\d{10} \d{5} [fn] \n)+)trailer\n/.exec(text.slice(startxref));
    expect(table).not.toBeNull();
    const entries = table![2]!.trimEnd().split(' \n').slice(1);
    expect(entries).toHaveLength(Number(table![1]) - 1);
    for (const [index, entry] of entries.entries()) expect(text.startsWith(`${index + 1} 0 obj\n`, Number(entry.slice(0, 10)))).toBe(true);
    // The content stream's length is what its dictionary says.
    const stream = /<< \/Length (\d+) >>\nstream\n/.exec(text);
    expect(text.startsWith('endstream', stream!.index + stream![0].length + Number(stream![1]))).toBe(true);
    expect(text).toContain('/Type /Page ');
    expect(text).toContain('(Demo report \x97 fictitious patient)');
    expect(text).toContain(`Patient ID: ${PATIENT.id}`);
    expect(text).toContain('Patient: DEMO, Alex');
  });

  it('include a JPEG photo', () => {
    const [file] = sampleById('photo').files;
    const jpeg = read(file!.path);
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect([...jpeg.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(jpeg.toString('latin1')).not.toContain(PATIENT.name);
  });
});
