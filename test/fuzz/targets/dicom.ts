/**
 * The DICOM header path: readDicomHeader (dicom-parser behind Tessera's own checks) and
 * readDicomdir, on mutated real files: instances of the demo CD (public/samples/demo-cd) and, where
 * DCMTK is installed, the same instance written by DCMTK in other transfer syntaxes (implicit VR,
 * big endian, deflated, RLE, a bare data set). Mutations mostly hit the first few KiB, where the
 * header is; some cut or extend the whole file.
 *
 * Oracle (header.ts: "never throws for a file's content"): every result is `dicom` with a transfer
 * syntax, `other`, or `damaged` with a known code; it crosses a worker boundary (structuredClone).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDicomdir } from '../../../src/dicom/dicomdir.js';
import { DICOM_PROBLEM_CODES, readDicomHeader, type HeaderResult } from '../../../src/dicom/header.js';
import { writeInstance, type FixtureSyntax } from '../../helpers/dicom-fixtures.js';
import { fixtureFolder } from '../../helpers/dicom-tools.js';
import { BYTE_MUTATORS, mutateBytes } from '../mutators.js';
import { Finding, hexPreview, type FuzzTarget } from '../runner.js';

const DEMO_CD = resolve(import.meta.dirname, '../../../public/samples/demo-cd');
const DEMO_FILES = ['DICOM/ST000001/SE000001/IM000001', 'DICOM/ST000002/SE000001/IM000001', 'DICOM/ST000002/SE000002/IM000003'];
const DCMTK_SYNTAXES: readonly FixtureSyntax[] = ['implicit', 'big-endian', 'deflated', 'rle', 'raw-implicit'];
const KNOWN = new Set<string>(DICOM_PROBLEM_CODES);
const EDGE_LENGTHS = [0, 1, 2, 0xff, 0xfffe, 0xffff, 0x7fffffff, 0xfffffffe, 0xffffffff];

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function check(result: HeaderResult | Awaited<ReturnType<typeof readDicomdir>>): string {
  structuredClone(result);
  if (result.kind === 'damaged') {
    if (!KNOWN.has(result.problem.code) || result.problem.message.length === 0) throw new Finding(`unknown problem ${JSON.stringify(result.problem).slice(0, 200)}`);
    return result.problem.code;
  }
  if (result.kind === 'other') return 'accepted: not DICOM';
  if (result.kind === 'dicom') {
    if (typeof result.header.transferSyntaxUid !== 'string') throw new Finding('a header without a transfer syntax');
    return 'accepted: header';
  }
  if (result.kind === 'dicomdir') {
    for (const reference of result.contents.references) {
      if (reference.path.split('/').some((part) => part === '' || part === '.' || part === '..')) throw new Finding(`a DICOMDIR reference outside the file-set: ${reference.path.slice(0, 80)}`);
    }
    return 'accepted: DICOMDIR';
  }
  throw new Finding(`unexpected result ${JSON.stringify(result).slice(0, 200)}`);
}

export const dicomTarget: FuzzTarget = {
  name: 'DICOM header',
  description: 'readDicomHeader and readDicomdir on mutated demo-CD and DCMTK-written files',
  async setup() {
    const instances = DEMO_FILES.map((path) => new Uint8Array(readFileSync(join(DEMO_CD, path))));
    const folder = fixtureFolder('fuzz-harness');
    try {
      const spec = { studyInstanceUid: '2.25.9.1', seriesInstanceUid: '2.25.9.1.1', sopInstanceUid: '2.25.9.1.1.1', patientName: 'Fuzz^Harness', patientId: 'FUZZ-9', modality: 'MR', instanceNumber: 1 };
      for (const syntax of DCMTK_SYNTAXES) instances.push(new Uint8Array(readFileSync(writeInstance(join(folder.path, `${syntax}.dcm`), spec, syntax))));
    } catch {
      // DCMTK missing: the demo CD's instances are seeds enough.
    } finally {
      folder.remove();
    }
    const dicomdir = new Uint8Array(readFileSync(join(DEMO_CD, 'DICOMDIR')));
    const seeds = [...instances, dicomdir];

    return (random) => {
      const isDicomdir = random.chance(0.2);
      const seed = isDicomdir ? dicomdir : random.pick(instances);
      const names: string[] = [];
      let bytes: Uint8Array;
      if (random.chance(0.25)) {
        // A length field somewhere in the header set to an edge value (the existing dicom-fuzz test's best mutator).
        bytes = seed.slice();
        const view = new DataView(bytes.buffer);
        for (let count = random.between(1, 3); count > 0; count--) {
          const at = random.below(Math.min(bytes.length, 2048) - 4) & ~1;
          const value = random.pick(EDGE_LENGTHS);
          if (random.chance(0.5)) view.setUint16(at, value & 0xffff, random.chance(0.75));
          else view.setUint32(at, value >>> 0, random.chance(0.75));
        }
        names.push('edge length');
      } else if (random.chance(0.8)) {
        // The header is in the first few KiB: mutate there, keep the rest.
        const head = Math.min(seed.length, random.pick([512, 1024, 2048, 4096]));
        const mutated = mutateBytes(seed.subarray(0, head), random, seeds.map((s) => s.subarray(0, head)));
        bytes = concat(mutated.bytes, seed.subarray(head));
        names.push(...mutated.names);
      } else {
        const [name, mutate] = random.pick(BYTE_MUTATORS);
        bytes = mutate(seed, random, seeds);
        names.push(name);
      }
      const initialBytes = random.chance(0.4) ? { initialBytes: random.pick([256, 512, 1024, 4096]) } : {};
      return {
        mutations: `${isDicomdir ? 'readDicomdir' : 'readDicomHeader'}${initialBytes.initialBytes ? ` (initialBytes ${initialBytes.initialBytes})` : ''}: ${names.join(', ')}`,
        preview: () => hexPreview(bytes, 200),
        async run() {
          const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
          return check(isDicomdir ? await readDicomdir(blob, initialBytes) : await readDicomHeader(blob, initialBytes));
        },
      };
    };
  },
};
