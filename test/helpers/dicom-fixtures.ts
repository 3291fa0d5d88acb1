/**
 * DICOM fixtures made by third-party writers: a DCMTK dump (dump2dcm) for each instance, then DCMTK
 * (dcmconv, dcmcrle, dcmcjpeg, dcmmkdir) and GDCM (gdcmconv) for other transfer syntaxes and
 * DICOMDIRs, and Python's zipfile for archives. Tessera's own code never writes a fixture, so the
 * tests compare Tessera's reading with somebody else's writing.
 *
 * Text values are written as given: a string is written as Latin-1 bytes, a Uint8Array as is (for
 * escape sequences and multi-byte encodings copied from the standard's examples). Pixel values are
 * patternBytes, so an instance's pixels are reproducible. Shared by every DICOM test suite.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toArrayBufferView } from '../../src/core/bytes.js';
import { patternBytes } from './deterministic-random.js';
import { runPython, runTool } from './dicom-tools.js';

/** How an instance is encoded; the UID each one ends up with is in FIXTURE_TRANSFER_SYNTAX_UIDS. */
export type FixtureSyntax =
  | 'implicit'
  | 'explicit'
  | 'big-endian'
  | 'deflated'
  | 'rle'
  | 'jpeg-lossless'
  | 'jpeg-baseline'
  | 'jpeg-ls'
  | 'jpeg-2000'
  /** A bare data set, no preamble and no meta header (`dcmconv -F`), implicit VR. */
  | 'raw-implicit'
  /** A bare data set, explicit VR. */
  | 'raw-explicit';

export const FIXTURE_TRANSFER_SYNTAX_UIDS: Record<FixtureSyntax, string> = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  'big-endian': '1.2.840.10008.1.2.2',
  deflated: '1.2.840.10008.1.2.1.99',
  rle: '1.2.840.10008.1.2.5',
  'jpeg-lossless': '1.2.840.10008.1.2.4.70',
  'jpeg-baseline': '1.2.840.10008.1.2.4.50',
  'jpeg-ls': '1.2.840.10008.1.2.4.80',
  'jpeg-2000': '1.2.840.10008.1.2.4.90',
  'raw-implicit': '1.2.840.10008.1.2',
  'raw-explicit': '1.2.840.10008.1.2.1',
};

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

export interface InstanceSpec {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly sopClassUid?: string;
  /** Raw value of (0008,0005), backslashes included, e.g. `\\ISO 2022 IR 87`. */
  readonly specificCharacterSet?: string;
  readonly patientName?: string | Uint8Array;
  readonly patientId?: string;
  readonly patientBirthDate?: string;
  readonly patientSex?: string;
  readonly studyDate?: string;
  readonly studyTime?: string;
  readonly studyDescription?: string | Uint8Array;
  readonly studyId?: string;
  readonly accessionNumber?: string;
  readonly referringPhysicianName?: string | Uint8Array;
  readonly institutionName?: string | Uint8Array;
  readonly modality?: string;
  readonly seriesDescription?: string | Uint8Array;
  readonly seriesNumber?: number;
  readonly bodyPartExamined?: string;
  readonly instanceNumber?: number;
  readonly rows?: number;
  readonly columns?: number;
  readonly bitsAllocated?: 8 | 16;
  readonly frames?: number;
  readonly burnedInAnnotation?: 'YES' | 'NO';
  /** More dump lines, e.g. `(0008,0070) LO [ACME]`. */
  readonly extraLines?: readonly (string | Uint8Array)[];
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => {
    const code = character.charCodeAt(0);
    if (code > 0xff) throw new RangeError(`fixture text must be Latin-1 (pass bytes instead): ${JSON.stringify(text)}`);
    return code;
  });
}

function line(tag: string, vr: string, value: string | Uint8Array): Uint8Array {
  const bytes = typeof value === 'string' ? latin1(value) : value;
  return Buffer.concat([latin1(`${tag} ${vr} [`), bytes, latin1(']\n')]);
}

/** The DCMTK dump of an instance, as bytes (dump2dcm reads values byte for byte). */
function instanceDump(spec: InstanceSpec, pixelFile: string): Uint8Array {
  const rows = spec.rows ?? 8;
  const columns = spec.columns ?? 8;
  const bits = spec.bitsAllocated ?? 16;
  const lines: Uint8Array[] = [
    latin1(`(0002,0002) UI [${spec.sopClassUid ?? SECONDARY_CAPTURE}]\n`),
    latin1(`(0002,0003) UI [${spec.sopInstanceUid}]\n`),
    latin1('(0002,0010) UI =LittleEndianExplicit\n'),
  ];
  const optional = (tag: string, vr: string, value: string | Uint8Array | number | undefined): void => {
    if (value !== undefined) lines.push(line(tag, vr, typeof value === 'number' ? String(value) : value));
  };
  optional('(0008,0005)', 'CS', spec.specificCharacterSet);
  lines.push(line('(0008,0016)', 'UI', spec.sopClassUid ?? SECONDARY_CAPTURE));
  lines.push(line('(0008,0018)', 'UI', spec.sopInstanceUid));
  optional('(0008,0020)', 'DA', spec.studyDate);
  optional('(0008,0030)', 'TM', spec.studyTime);
  optional('(0008,0050)', 'SH', spec.accessionNumber);
  optional('(0008,0060)', 'CS', spec.modality ?? 'OT');
  optional('(0008,0064)', 'CS', 'WSD');
  optional('(0008,0080)', 'LO', spec.institutionName);
  optional('(0008,0090)', 'PN', spec.referringPhysicianName);
  optional('(0008,1030)', 'LO', spec.studyDescription);
  optional('(0008,103e)', 'LO', spec.seriesDescription);
  optional('(0010,0010)', 'PN', spec.patientName);
  optional('(0010,0020)', 'LO', spec.patientId);
  optional('(0010,0030)', 'DA', spec.patientBirthDate);
  optional('(0010,0040)', 'CS', spec.patientSex);
  optional('(0018,0015)', 'CS', spec.bodyPartExamined);
  lines.push(line('(0020,000d)', 'UI', spec.studyInstanceUid));
  lines.push(line('(0020,000e)', 'UI', spec.seriesInstanceUid));
  optional('(0020,0010)', 'SH', spec.studyId);
  optional('(0020,0011)', 'IS', spec.seriesNumber);
  optional('(0020,0013)', 'IS', spec.instanceNumber);
  lines.push(latin1('(0028,0002) US 1\n'));
  lines.push(latin1('(0028,0004) CS [MONOCHROME2]\n'));
  if (spec.frames !== undefined) lines.push(latin1(`(0028,0008) IS [${spec.frames}]\n`));
  lines.push(latin1(`(0028,0010) US ${rows}\n(0028,0011) US ${columns}\n`));
  lines.push(latin1(`(0028,0100) US ${bits}\n(0028,0101) US ${bits}\n(0028,0102) US ${bits - 1}\n(0028,0103) US 0\n`));
  optional('(0028,0301)', 'CS', spec.burnedInAnnotation);
  for (const extra of spec.extraLines ?? []) lines.push(typeof extra === 'string' ? latin1(`${extra}\n`) : extra);
  lines.push(latin1(`(7fe0,0010) ${bits === 8 ? 'OB' : 'OW'} =${pixelFile}\n`));
  return Buffer.concat(lines);
}

/** Writes one instance to `path` in the given transfer syntax; returns `path`. */
export function writeInstance(path: string, spec: InstanceSpec, syntax: FixtureSyntax = 'explicit'): string {
  mkdirSync(dirname(path), { recursive: true });
  const bits = spec.bitsAllocated ?? 16;
  const length = (spec.rows ?? 8) * (spec.columns ?? 8) * (bits / 8) * (spec.frames ?? 1);
  const scratch = `${path}.scratch`;
  const pixelFile = `${scratch}.raw`;
  const dumpFile = `${scratch}.dump`;
  const explicitFile = `${scratch}.dcm`;
  writeFileSync(pixelFile, patternBytes(length + (length % 2), spec.instanceNumber ?? 0));
  writeFileSync(dumpFile, instanceDump(spec, pixelFile));
  try {
    switch (syntax) {
      case 'explicit':
        runTool('dump2dcm', ['-q', dumpFile, path]);
        break;
      case 'implicit':
        runTool('dump2dcm', ['-q', '+ti', dumpFile, path]);
        break;
      default:
        runTool('dump2dcm', ['-q', dumpFile, explicitFile]);
        transcode(explicitFile, path, syntax);
    }
  } finally {
    for (const file of [pixelFile, dumpFile, explicitFile]) rmSync(file, { force: true });
  }
  return path;
}

function transcode(input: string, output: string, syntax: FixtureSyntax): void {
  switch (syntax) {
    case 'big-endian':
      runTool('dcmconv', ['-q', '+tb', input, output]);
      return;
    case 'deflated':
      runTool('dcmconv', ['-q', '+td', input, output]);
      return;
    case 'rle':
      runTool('dcmcrle', ['-q', input, output]);
      return;
    case 'jpeg-lossless':
      runTool('dcmcjpeg', ['-q', '+e1', input, output]);
      return;
    case 'jpeg-baseline':
      // +un keeps the SOP Instance UID, so the fixture keeps the identity the test gave it.
      runTool('dcmcjpeg', ['-q', '+eb', '+un', input, output]);
      return;
    case 'jpeg-ls':
      runTool('gdcmconv', ['--jpegls', input, output]);
      return;
    case 'jpeg-2000':
      runTool('gdcmconv', ['--j2k', input, output]);
      return;
    case 'raw-implicit':
      runTool('dcmconv', ['-q', '-F', '+ti', input, output]);
      return;
    case 'raw-explicit':
      runTool('dcmconv', ['-q', '-F', '+te', input, output]);
      return;
    case 'explicit':
    case 'implicit':
      throw new Error(`transcode: ${syntax} is written by dump2dcm directly`);
  }
}

export interface SeriesSpec {
  readonly description?: string;
  readonly modality?: string;
  readonly bodyPartExamined?: string;
  readonly count: number;
}

export interface StudySpec {
  readonly patientName?: string | Uint8Array;
  readonly patientId?: string;
  readonly patientBirthDate?: string;
  readonly patientSex?: string;
  readonly studyDate?: string;
  readonly studyDescription?: string;
  readonly accessionNumber?: string;
  readonly specificCharacterSet?: string;
  /** Makes the study's UIDs (distinct per study in one test); default 1. */
  readonly studyNumber?: number;
  readonly series: readonly SeriesSpec[];
  readonly transferSyntax?: FixtureSyntax;
  /** File names in DICOM's 8-character upper-case form (for dcmmkdir), e.g. `SE000001/IM000003`. */
  readonly dicomFileNames?: boolean;
}

export interface MadeStudy {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUids: readonly string[];
  /** Paths relative to the study folder, '/'-separated. */
  readonly paths: readonly string[];
}

/** A UID under the 2.25 root (PS3.5 §B.2) built from small numbers, stable across runs. */
export function fixtureUid(...parts: readonly number[]): string {
  return `2.25.${parts.map((part) => String(part)).join('.')}`;
}

/** Writes a study of several series under `folder`; returns its UIDs and relative paths. */
export function makeStudy(folder: string, spec: StudySpec): MadeStudy {
  const study = spec.studyNumber ?? 1;
  const studyInstanceUid = fixtureUid(4242, study);
  const paths: string[] = [];
  const seriesInstanceUids: string[] = [];
  spec.series.forEach((series, seriesIndex) => {
    const seriesInstanceUid = fixtureUid(4242, study, seriesIndex + 1);
    seriesInstanceUids.push(seriesInstanceUid);
    for (let instance = 1; instance <= series.count; instance++) {
      const relative = spec.dicomFileNames
        ? `SE${String(seriesIndex + 1).padStart(6, '0')}/IM${String(instance).padStart(6, '0')}`
        : `series-${seriesIndex + 1}/image-${String(instance).padStart(4, '0')}.dcm`;
      writeInstance(
        join(folder, relative),
        {
          studyInstanceUid,
          seriesInstanceUid,
          sopInstanceUid: fixtureUid(4242, study, seriesIndex + 1, instance),
          specificCharacterSet: spec.specificCharacterSet,
          patientName: spec.patientName,
          patientId: spec.patientId,
          patientBirthDate: spec.patientBirthDate,
          patientSex: spec.patientSex,
          studyDate: spec.studyDate,
          studyTime: '101500',
          studyDescription: spec.studyDescription,
          accessionNumber: spec.accessionNumber,
          studyId: String(study),
          modality: series.modality,
          seriesDescription: series.description,
          seriesNumber: seriesIndex + 1,
          bodyPartExamined: series.bodyPartExamined,
          instanceNumber: instance,
        },
        spec.transferSyntax ?? 'explicit',
      );
      paths.push(relative);
    }
  });
  return { studyInstanceUid, seriesInstanceUids, paths };
}

/**
 * A DICOMDIR for the DICOM files under `folder` (recursively), written by DCMTK's dcmmkdir to
 * `folder/DICOMDIR`. File names must be in DICOM form (makeStudy's `dicomFileNames`).
 */
export function makeDicomdir(folder: string): string {
  const output = join(folder, 'DICOMDIR');
  runTool('dcmmkdir', ['-q', '+r', '+I', '-Nxc', '+id', folder, '+D', output], { cwd: folder });
  return output;
}

/**
 * A zip made by Python's zipfile: `entries` maps each archive name (written exactly as given,
 * `../` and all) to a file on disk or to bytes.
 */
export function makeZip(path: string, entries: Readonly<Record<string, string | Uint8Array>>): string {
  mkdirSync(dirname(path), { recursive: true });
  const listing = Object.entries(entries).map(([name, source]) =>
    typeof source === 'string' ? { name, file: source } : { name, hex: Buffer.from(source).toString('hex') },
  );
  runPython(
    [
      'import json, sys, zipfile',
      'entries = json.loads(sys.argv[2])',
      "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as archive:",
      '    for entry in entries:',
      "        data = open(entry['file'], 'rb').read() if 'file' in entry else bytes.fromhex(entry['hex'])",
      "        archive.writestr(zipfile.ZipInfo(entry['name']), data, zipfile.ZIP_DEFLATED)",
    ].join('\n'),
    [path, JSON.stringify(listing)],
  );
  return path;
}

/** A file that starts like a PDF report (not DICOM). */
export function pdfLikeBytes(): Uint8Array {
  return Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'), patternBytes(300)]);
}

/** A file that starts like a JPEG photo (SOI, APP0 "JFIF"; not DICOM). */
export function jpegLikeBytes(): Uint8Array {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0', 'latin1'), patternBytes(400, 3)]);
}

/** The bytes of a file, as a Uint8Array. */
export function readBytes(path: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(path));
}

/** Bytes as a Blob, the way a browser hands a file over. */
export function bytesBlob(bytes: Uint8Array): Blob {
  return new Blob([toArrayBufferView(bytes)]);
}

/** Runs DCMTK's dcmdump on a file and returns its text (to compare what DCMTK reads with ours). */
export function dcmdump(path: string, ...extra: readonly string[]): string {
  return runTool('dcmdump', ['-q', ...extra, path]);
}
