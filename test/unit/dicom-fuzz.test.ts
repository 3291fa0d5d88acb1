/**
 * A fixed-seed mutation fuzzer over the header reader and the DICOMDIR reader. Real files made by
 * DCMTK and GDCM are mutated (bit flips, byte overwrites, length fields set to edge values,
 * truncation, insertion, deletion, duplication) and read; every result must be one of the three
 * outcomes with a known problem code, cloneable across a worker boundary, and come back within a
 * time bound. A failure prints the seed and input number, so it can be replayed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDicomdir } from '../../src/dicom/dicomdir.js';
import { DICOM_PROBLEM_CODES, readDicomHeader, type HeaderResult } from '../../src/dicom/header.js';
import { xorshift32 } from '../helpers/deterministic-random.js';
import { bytesBlob, makeDicomdir, makeStudy, readBytes, writeInstance, type FixtureSyntax, type InstanceSpec } from '../helpers/dicom-fixtures.js';
import { fixtureFolder } from '../helpers/dicom-tools.js';

const SEED = 0x7e55_e4a0;
const INPUTS_PER_BASE = 600;
/** Per input; a typical one takes well under a millisecond. Generous for a loaded CI machine. */
const TIME_BOUND_MS = 1000;

const SPEC: InstanceSpec = {
  studyInstanceUid: '2.25.77.1',
  seriesInstanceUid: '2.25.77.1.1',
  sopInstanceUid: '2.25.77.1.1.1',
  specificCharacterSet: '\\ISO 2022 IR 87',
  patientName: Uint8Array.from([0x59, 0x61, 0x6d, 0x61, 0x64, 0x61, 0x3d, 0x1b, 0x24, 0x42, 0x3b, 0x33, 0x45, 0x44, 0x1b, 0x28, 0x42]),
  patientId: 'FUZZ-1',
  studyDescription: 'Fuzz base',
  modality: 'MR',
  instanceNumber: 1,
  extraLines: [
    '(0008,1140) SQ (Sequence with undefined length #=2)',
    '(fffe,e000) na (Item with undefined length #=2)',
    '(0008,1150) UI [1.2.840.10008.5.1.4.1.1.7]',
    '(0008,1155) UI [2.25.77.9.1]',
    '(fffe,e00d) na (ItemDelimitationItem)',
    '(fffe,e000) na (Item with undefined length #=2)',
    '(0008,1150) UI [1.2.840.10008.5.1.4.1.1.7]',
    '(0008,1155) UI [2.25.77.9.2]',
    '(fffe,e00d) na (ItemDelimitationItem)',
    '(fffe,e0dd) na (SequenceDelimitationItem)',
  ],
};

const SYNTAXES: readonly FixtureSyntax[] = ['explicit', 'implicit', 'big-endian', 'deflated', 'rle', 'jpeg-ls', 'raw-implicit'];

type Mutator = (bytes: Uint8Array, next: () => number) => Uint8Array;

const EDGE_LENGTHS = [0, 1, 2, 0xff, 0xfffe, 0xffff, 0x7fffffff, 0xfffffffe, 0xffffffff];

const MUTATORS: readonly (readonly [string, Mutator])[] = [
  ['flip bits', (bytes, next) => {
    const copy = bytes.slice();
    for (let count = 1 + (next() % 8); count > 0; count--) copy[next() % copy.length]! ^= 1 << (next() % 8);
    return copy;
  }],
  ['overwrite bytes', (bytes, next) => {
    const copy = bytes.slice();
    for (let count = 1 + (next() % 4); count > 0; count--) copy[next() % copy.length] = next() & 0xff;
    return copy;
  }],
  ['edge length', (bytes, next) => {
    // Somewhere in the header, where element lengths live.
    const copy = bytes.slice();
    const view = new DataView(copy.buffer);
    const offset = (next() % Math.max(1, Math.min(copy.length, 1200) - 4)) & ~1;
    const value = EDGE_LENGTHS[next() % EDGE_LENGTHS.length]!;
    if (next() % 2 === 0) view.setUint16(offset, value & 0xffff, next() % 4 !== 0);
    else view.setUint32(offset, value >>> 0, next() % 4 !== 0);
    return copy;
  }],
  ['truncate', (bytes, next) => bytes.slice(0, next() % bytes.length)],
  ['insert', (bytes, next) => {
    const at = next() % bytes.length;
    const inserted = Uint8Array.from({ length: 1 + (next() % 16) }, () => next() & 0xff);
    return Uint8Array.from([...bytes.subarray(0, at), ...inserted, ...bytes.subarray(at)]);
  }],
  ['delete', (bytes, next) => {
    const at = next() % bytes.length;
    return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1 + (next() % 32))]);
  }],
  ['duplicate', (bytes, next) => {
    const at = next() % bytes.length;
    const length = 1 + (next() % 64);
    return Uint8Array.from([...bytes.subarray(0, at + length), ...bytes.subarray(at)]);
  }],
];

function isKnownOutcome(result: HeaderResult): boolean {
  if (result.kind === 'other') return Object.keys(result).length === 1;
  if (result.kind === 'damaged') return (DICOM_PROBLEM_CODES as readonly string[]).includes(result.problem.code) && result.problem.message.length > 0;
  return result.kind === 'dicom' && typeof result.header.transferSyntaxUid === 'string';
}

const folder = fixtureFolder('fuzz');
const bases = new Map<string, Uint8Array>();
let dicomdir: Uint8Array;

beforeAll(() => {
  for (const syntax of SYNTAXES) bases.set(syntax, readBytes(writeInstance(join(folder.path, `${syntax}.dcm`), SPEC, syntax)));
  const cd = join(folder.path, 'cd');
  makeStudy(join(cd, 'DICOM'), { patientName: 'Fuzz^Disc', patientId: 'FUZZ-2', series: [{ count: 2 }, { count: 1 }], dicomFileNames: true });
  dicomdir = readBytes(makeDicomdir(cd));
});

afterAll(() => folder.remove());

describe('mutated files never make the readers throw or hang', () => {
  const total = SYNTAXES.length * INPUTS_PER_BASE;

  it(`header reader: ${total} mutated inputs (seed ${SEED.toString(16)})`, async () => {
    const next = xorshift32(SEED);
    const outcomes = new Map<string, number>();
    const failures: string[] = [];
    let slowest = 0;
    let input = 0;
    for (const [syntax, base] of bases) {
      for (let index = 0; index < INPUTS_PER_BASE; index++, input++) {
        const [name, mutate] = MUTATORS[next() % MUTATORS.length]!;
        const mutated = mutate(base, next);
        const options = next() % 2 === 0 ? { initialBytes: 256 } : {};
        const started = performance.now();
        try {
          const result = await readDicomHeader(bytesBlob(mutated), options);
          if (!isKnownOutcome(result)) failures.push(`input ${input} (${syntax}, ${name}): unexpected result ${JSON.stringify(result).slice(0, 200)}`);
          structuredClone(result);
          const key = result.kind === 'damaged' ? result.problem.code : result.kind;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        } catch (error) {
          failures.push(`input ${input} (${syntax}, ${name}): threw ${String(error)}`);
        }
        slowest = Math.max(slowest, performance.now() - started);
      }
    }
    console.log(`dicom fuzz: ${input} inputs, slowest ${slowest.toFixed(1)} ms, outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
    expect(failures).toEqual([]);
    expect(slowest).toBeLessThan(TIME_BOUND_MS);
    expect(input).toBe(total);
    // The mutations reach every kind of outcome, so the fuzzer is not testing one path only.
    for (const outcome of ['dicom', 'other', 'dicom.truncated', 'dicom.bad-length', 'dicom.malformed', 'dicom.bad-deflate']) {
      expect(outcomes.get(outcome) ?? 0, outcome).toBeGreaterThan(0);
    }
  });

  it(`DICOMDIR reader: ${INPUTS_PER_BASE} mutated DICOMDIRs (seed ${(SEED + 1).toString(16)})`, async () => {
    const next = xorshift32(SEED + 1);
    const outcomes = new Map<string, number>();
    const failures: string[] = [];
    let slowest = 0;
    for (let input = 0; input < INPUTS_PER_BASE; input++) {
      const [name, mutate] = MUTATORS[next() % MUTATORS.length]!;
      const started = performance.now();
      try {
        const result = await readDicomdir(bytesBlob(mutate(dicomdir, next)));
        structuredClone(result);
        const key = result.kind === 'damaged' ? result.problem.code : `${result.kind} (${result.contents.references.length} files)`;
        if (result.kind === 'damaged' && !(DICOM_PROBLEM_CODES as readonly string[]).includes(result.problem.code)) failures.push(`input ${input}: code ${result.problem.code}`);
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      } catch (error) {
        failures.push(`input ${input} (${name}): threw ${String(error)}`);
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    console.log(`dicomdir fuzz: ${INPUTS_PER_BASE} inputs, slowest ${slowest.toFixed(1)} ms, outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
    expect(failures).toEqual([]);
    expect(slowest).toBeLessThan(TIME_BOUND_MS);
    expect(outcomes.get('dicomdir (3 files)') ?? 0).toBeGreaterThan(0);
  });
});
