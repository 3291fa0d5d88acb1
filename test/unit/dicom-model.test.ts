/**
 * The study model, as a clinician reads it: whose study, which series, how many images, how large,
 * and which files are not images. Files are written by DCMTK and read by the header reader.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDicomHeaders, type DicomHeader, type HeaderResult } from '../../src/dicom/header.js';
import { IDENTIFYING_ATTRIBUTES, StudyModel, isIdentifying, type ModelFile } from '../../src/dicom/model.js';
import { xorshift32 } from '../helpers/deterministic-random.js';
import { bytesBlob, jpegLikeBytes, makeStudy, pdfLikeBytes, readBytes } from '../helpers/dicom-fixtures.js';
import { fixtureFolder } from '../helpers/dicom-tools.js';

const folder = fixtureFolder('model');
const files: ModelFile[] = [];
let results: HeaderResult[] = [];

beforeAll(async () => {
  const first = makeStudy(join(folder.path, 'doe'), {
    patientName: 'Doe^Jane',
    patientId: 'TESSERA-0042',
    patientBirthDate: '19700101',
    patientSex: 'F',
    studyDate: '20240315',
    studyDescription: 'CT chest',
    accessionNumber: 'ACC-77',
    series: [
      { description: 'Axial 5mm', modality: 'CT', bodyPartExamined: 'CHEST', count: 3 },
      { description: 'Coronal', modality: 'CT', bodyPartExamined: 'CHEST', count: 2 },
      { description: 'Dose report', modality: 'SR', count: 1 },
    ],
  });
  const earlier = makeStudy(join(folder.path, 'doe-2019'), {
    studyNumber: 2,
    patientName: 'Doe^Jane',
    patientId: 'TESSERA-0042',
    studyDate: '20190102',
    studyDescription: 'MR knee',
    series: [{ description: 'Sagittal PD', modality: 'MR', count: 2 }],
    transferSyntax: 'implicit',
  });
  const other = makeStudy(join(folder.path, 'roe'), {
    studyNumber: 3,
    patientName: 'Roe^Richard',
    patientId: 'TESSERA-0043',
    studyDate: '20230707',
    series: [{ description: 'Hand', modality: 'CR', count: 1 }],
  });
  for (const [prefix, made] of [['doe', first], ['doe-2019', earlier], ['roe', other]] as const) {
    for (const path of made.paths) {
      const bytes = readBytes(join(folder.path, prefix, path));
      files.push({ path: `${prefix}/${path}`, file: bytesBlob(bytes), size: bytes.length });
    }
  }
  const truncated = readBytes(join(folder.path, 'doe', first.paths[0]!)).subarray(0, 400);
  for (const [path, bytes] of [
    ['reports/discharge.pdf', pdfLikeBytes()],
    ['photos/wound.jpg', jpegLikeBytes()],
    ['doe/broken.dcm', truncated],
  ] as const) {
    files.push({ path, file: bytesBlob(bytes), size: bytes.length });
  }
  results = await readDicomHeaders(files.map((file) => file.file));
});

afterAll(() => folder.remove());

function modelOf(order: readonly number[]): StudyModel {
  const model = new StudyModel();
  for (const index of order) model.add(files[index]!, results[index]!);
  return model;
}

describe('Patient → Study → Series → Instance', () => {
  it('groups a drop of three studies of two patients, with counts and sizes at every level', () => {
    const tree = modelOf(files.map((_, index) => index)).snapshot();
    const sizeOf = (prefix: string): number => files.filter((file) => file.path.startsWith(prefix) && !file.path.endsWith('broken.dcm')).reduce((sum, file) => sum + file.size, 0);

    expect(tree.patients.map((patient) => [patient.patientName?.text, patient.patientId, patient.instanceCount])).toEqual([
      ['Doe^Jane', 'TESSERA-0042', 8],
      ['Roe^Richard', 'TESSERA-0043', 1],
    ]);
    const doe = tree.patients[0]!;
    expect(doe).toMatchObject({ patientBirthDate: '19700101', patientSex: 'F', totalSize: sizeOf('doe/') + sizeOf('doe-2019/') });
    // Studies by date: the 2019 knee first.
    expect(doe.studies.map((study) => [study.studyDate, study.studyDescription, study.modalities, study.instanceCount])).toEqual([
      ['20190102', 'MR knee', ['MR'], 2],
      ['20240315', 'CT chest', ['CT', 'SR'], 6],
    ]);
    const chest = doe.studies[1]!;
    expect(chest).toMatchObject({ accessionNumber: 'ACC-77', totalSize: sizeOf('doe/') });
    expect(chest.series.map((series) => [series.seriesNumber, series.seriesDescription, series.modality, series.bodyPartExamined, series.instanceCount])).toEqual([
      [1, 'Axial 5mm', 'CT', 'CHEST', 3],
      [2, 'Coronal', 'CT', 'CHEST', 2],
      [3, 'Dose report', 'SR', undefined, 1],
    ]);
    const axial = chest.series[0]!;
    expect(axial.instances.map((instance) => [instance.header.instanceNumber, instance.path])).toEqual([
      [1, 'doe/series-1/image-0001.dcm'],
      [2, 'doe/series-1/image-0002.dcm'],
      [3, 'doe/series-1/image-0003.dcm'],
    ]);
    expect(axial.totalSize).toBe(sizeOf('doe/series-1/'));
    expect(axial.transferSyntaxUids).toEqual(['1.2.840.10008.1.2.1']);
    expect(doe.studies[0]!.series[0]!.transferSyntaxUids).toEqual(['1.2.840.10008.1.2']);
  });

  it('keeps files that are not DICOM, and damaged ones, as other records of the same drop', () => {
    const tree = modelOf(files.map((_, index) => index)).snapshot();
    expect(tree.others.map((other) => [other.path, other.reason, other.problem?.code])).toEqual([
      ['doe/broken.dcm', 'damaged', 'dicom.truncated'],
      ['photos/wound.jpg', 'not-dicom', undefined],
      ['reports/discharge.pdf', 'not-dicom', undefined],
    ]);
    expect(tree.instanceCount + tree.otherCount).toBe(files.length);
    expect(tree.instanceSize + tree.otherSize).toBe(files.reduce((sum, file) => sum + file.size, 0));
  });

  it('gives the same tree whatever order the files arrive in (workers answer in any order)', () => {
    const reference = modelOf(files.map((_, index) => index)).snapshot();
    const next = xorshift32(2024);
    for (let round = 0; round < 5; round++) {
      const order = files.map((_, index) => index);
      for (let index = order.length - 1; index > 0; index--) {
        const other = next() % (index + 1);
        [order[index], order[other]] = [order[other]!, order[index]!];
      }
      expect(modelOf(order).snapshot()).toEqual(reference);
    }
  });

  it('is a plain snapshot: it clones across a worker boundary, and later additions do not change it', () => {
    const model = modelOf([0, 1]);
    const before = model.snapshot();
    expect(structuredClone(before)).toEqual(before);
    model.add(files[2]!, results[2]!);
    expect(before.instanceCount).toBe(2);
    expect(model.snapshot().instanceCount).toBe(3);
  });
});

describe('2,000 instances', () => {
  it('are added and shown cheaply (well under a second)', () => {
    const template = results[0]!;
    if (template.kind !== 'dicom') throw new Error('fixture 0 should be DICOM');
    const headers: DicomHeader[] = Array.from({ length: 2000 }, (_, index) => ({
      ...template.header,
      seriesInstanceUid: `2.25.9.${index % 4}`,
      sopInstanceUid: `2.25.9.${index % 4}.${index}`,
      instanceNumber: 2000 - index,
    }));
    const blob = new Blob(['x']);
    const started = performance.now();
    const model = new StudyModel();
    for (const [index, header] of headers.entries()) {
      model.add({ path: `big/${index}.dcm`, file: blob, size: 1000 }, { kind: 'dicom', header });
      if (index % 100 === 99) model.snapshot(); // the page redraws as batches arrive
    }
    const tree = model.snapshot();
    const elapsed = performance.now() - started;
    expect(tree.patients[0]!.studies[0]!.series.map((series) => series.instanceCount)).toEqual([500, 500, 500, 500]);
    expect(tree.patients[0]!.studies[0]!.series[0]!.instances[0]!.header.instanceNumber).toBe(4);
    expect(tree.instanceSize).toBe(2_000_000);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('identifying attributes', () => {
  it('marks what the Basic Application Level Confidentiality Profile removes or replaces', () => {
    for (const attribute of ['patientName', 'patientId', 'patientBirthDate', 'patientSex', 'studyDate', 'accessionNumber', 'institutionName', 'referringPhysicianName', 'studyInstanceUid', 'sopInstanceUid']) {
      expect(isIdentifying(attribute), attribute).toBe(true);
    }
    for (const attribute of ['modality', 'bodyPartExamined', 'rows', 'transferSyntaxUid', 'sopClassUid', 'instanceNumber']) {
      expect(isIdentifying(attribute), attribute).toBe(false);
    }
    expect(IDENTIFYING_ATTRIBUTES.studyInstanceUid).toBe('U');
  });

  it('every identifying attribute is one the header reader fills in', () => {
    const header = results[0]!.kind === 'dicom' ? results[0]!.header : undefined;
    const missing = Object.keys(IDENTIFYING_ATTRIBUTES).filter((attribute) => !['studyId', 'referringPhysicianName', 'institutionName', 'seriesDescription', 'studyTime'].includes(attribute) && header?.[attribute as keyof DicomHeader] === undefined);
    expect(missing).toEqual([]);
  });
});
