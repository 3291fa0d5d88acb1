/**
 * Fixtures for the de-identification tests, written by DCMTK's dump2dcm from text dumps (exact
 * control over every attribute, sequence and VR) and converted by dcmcrle; read back by pydicom and
 * checked by dcmdump / dcmftest. Nothing here uses Tessera's own DICOM code.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTION_TABLE, type ActionTableRow } from '../../src/dicom/deid/index.js';
import { runPython, runTool } from './dicom-tools.js';

export type FixtureSyntax = 'implicit' | 'explicit' | 'big' | 'deflated' | 'rle';

export const FIXTURE_SYNTAXES: readonly FixtureSyntax[] = ['implicit', 'explicit', 'big', 'deflated', 'rle'];

export const TRANSFER_SYNTAX_UID: Record<FixtureSyntax, string> = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  big: '1.2.840.10008.1.2.2',
  deflated: '1.2.840.10008.1.2.1.99',
  rle: '1.2.840.10008.1.2.5',
};

/** The fictitious patient of the study fixture: none of these may appear in a de-identified copy. */
export const PATIENT = {
  name: 'Smithson^Johnathan^Quentin',
  id: 'PID-55501',
  issuer: 'Springfield General',
  birthDate: '19610723',
  accession: 'ACC778899',
  institution: 'St Elsewhere Hospital',
  institutionAddress: '1 Hospital Road Northbridge',
  referringPhysician: 'Referring^Rita',
  performingPhysician: 'Performing^Paula',
  physicianOfRecord: 'Record^Rudolf',
  operator: 'Operator^Otto',
  otherId: 'OTHERID-4411',
  address: '12 Elm Street Lakeside',
} as const;

/** Strings to scan the output bytes for (names split into components as they might be printed). */
export const IDENTIFYING_STRINGS: readonly string[] = [
  'Smithson',
  'Johnathan',
  'Quentin',
  PATIENT.id,
  'Springfield',
  PATIENT.birthDate,
  PATIENT.accession,
  'Elsewhere',
  'Northbridge',
  'Rita',
  'Paula',
  'Rudolf',
  'Otto',
  PATIENT.otherId,
  'Lakeside',
  'ACME_PRIVATE',
  'PrivateSecret',
];

export const STUDY = {
  studyUid: '1.2.826.0.1.3680043.10.999.1',
  seriesUid: '1.2.826.0.1.3680043.10.999.1.2',
  frameOfReferenceUid: '1.2.826.0.1.3680043.10.999.1.3',
  instanceA: '1.2.826.0.1.3680043.10.999.1.2.1',
  instanceB: '1.2.826.0.1.3680043.10.999.1.2.2',
  referencedStudyComponent: '1.2.826.0.1.3680043.10.999.1.9',
} as const;

export interface StudyFixtureOptions {
  readonly sopInstanceUid: string;
  readonly referencedInstanceUid: string;
  readonly modality?: string;
  readonly sopClassUid?: string;
  /** Burned In Annotation (0028,0301); omitted when undefined. */
  readonly burnedIn?: 'YES' | 'NO';
  readonly instanceNumber?: number;
}

/** 4×4 16-bit pixels, distinct values so a byte-for-byte comparison means something. */
const PIXELS = Array.from({ length: 16 }, (_, i) => (i * 257 + 11).toString(16).padStart(4, '0')).join('\\');

/** A CT-like instance with the identifying attributes a PACS export carries, sequences, privates and an overlay. */
export function studyDump(options: StudyFixtureOptions): string {
  const lines = [
    '(0008,0005) CS [ISO_IR 100]',
    '(0008,0008) CS [ORIGINAL\\PRIMARY\\AXIAL]',
    '(0008,0012) DA [20240110]',
    '(0008,0013) TM [101010]',
    `(0008,0016) UI [${options.sopClassUid ?? '1.2.840.10008.5.1.4.1.1.2'}]`,
    `(0008,0018) UI [${options.sopInstanceUid}]`,
    '(0008,0020) DA [20240115]',
    '(0008,0021) DA [20240115]',
    '(0008,0022) DA [20240115]',
    '(0008,0023) DA [20240116]',
    '(0008,002a) DT [20240115093000.000000+0100]',
    '(0008,0030) TM [093000]',
    '(0008,0031) TM [093100]',
    `(0008,0050) SH [${PATIENT.accession}]`,
    `(0008,0060) CS [${options.modality ?? 'CT'}]`,
    '(0008,0070) LO [ACME Medical]',
    `(0008,0080) LO [${PATIENT.institution}]`,
    `(0008,0081) ST [${PATIENT.institutionAddress}]`,
    `(0008,0090) PN [${PATIENT.referringPhysician}]`,
    '(0008,1010) SH [CTSTATION7]',
    '(0008,1030) LO [CT chest for Smithson 2024-01-15]',
    '(0008,103e) LO [Chest 1mm]',
    `(0008,1048) PN [${PATIENT.physicianOfRecord}]`,
    `(0008,1050) PN [${PATIENT.performingPhysician}]`,
    `(0008,1070) PN [${PATIENT.operator}]`,
    '(0008,1090) LO [Scanner 9000]',
    '(0008,1110) SQ (Sequence with undefined length)',
    '  (fffe,e000) na (Item with undefined length)',
    '    (0008,1150) UI [1.2.840.10008.3.1.2.3.1]',
    `    (0008,1155) UI [${STUDY.referencedStudyComponent}]`,
    '  (fffe,e00d) na (ItemDelimitationItem)',
    '(fffe,e0dd) na (SequenceDelimitationItem)',
    '(0008,1140) SQ (Sequence with undefined length)',
    '  (fffe,e000) na (Item with undefined length)',
    '    (0008,1150) UI [1.2.840.10008.5.1.4.1.1.2]',
    `    (0008,1155) UI [${options.referencedInstanceUid}]`,
    '    (0040,a170) SQ (Sequence with undefined length)',
    '      (fffe,e000) na (Item with undefined length)',
    '        (0008,0100) SH [121311]',
    '        (0008,0102) SH [DCM]',
    '        (0008,0104) LO [Localizer]',
    `        (0010,0010) PN [${PATIENT.name}]`,
    `        (0040,a123) PN [${PATIENT.operator}]`,
    '      (fffe,e00d) na (ItemDelimitationItem)',
    '    (fffe,e0dd) na (SequenceDelimitationItem)',
    '  (fffe,e00d) na (ItemDelimitationItem)',
    '(fffe,e0dd) na (SequenceDelimitationItem)',
    '(0009,0010) LO [ACME_PRIVATE]',
    `(0009,1001) LO [PrivateSecret ${PATIENT.id}]`,
    `(0010,0010) PN [${PATIENT.name}]`,
    `(0010,0020) LO [${PATIENT.id}]`,
    `(0010,0021) LO [${PATIENT.issuer}]`,
    `(0010,0030) DA [${PATIENT.birthDate}]`,
    '(0010,0040) CS [M]',
    `(0010,1000) LO [${PATIENT.otherId}]`,
    '(0010,1010) AS [062Y]',
    '(0010,1020) DS [1.78]',
    '(0010,1030) DS [81.5]',
    `(0010,1040) LO [${PATIENT.address}]`,
    '(0010,21b0) LT [Smoker. Seen by Rudolf on 01/12/2023]',
    '(0010,4000) LT [Prefers mornings]',
    '(0018,0015) CS [CHEST]',
    '(0018,0050) DS [1.0]',
    '(0018,1000) LO [SN-998877]',
    '(0018,1030) LO [Chest routine]',
    `(0020,000d) UI [${STUDY.studyUid}]`,
    `(0020,000e) UI [${STUDY.seriesUid}]`,
    '(0020,0010) SH [STUDY42]',
    '(0020,0011) IS [3]',
    `(0020,0013) IS [${options.instanceNumber ?? 1}]`,
    `(0020,0052) UI [${STUDY.frameOfReferenceUid}]`,
    '(0020,4000) LT [Image comment]',
    '(0028,0002) US 1',
    '(0028,0004) CS [MONOCHROME2]',
    '(0028,0010) US 4',
    '(0028,0011) US 4',
    '(0028,0100) US 16',
    '(0028,0101) US 16',
    '(0028,0102) US 15',
    '(0028,0103) US 0',
    ...(options.burnedIn ? [`(0028,0301) CS [${options.burnedIn}]`] : []),
    '(0032,1060) LO [CT chest without contrast]',
    '(0040,0244) DA [20240115]',
    '(0040,0245) TM [093000]',
    '(0040,0253) SH [PPS77]',
    '(0040,0275) SQ (Sequence with undefined length)',
    '  (fffe,e000) na (Item with undefined length)',
    '    (0040,0009) SH [SPS1]',
    '    (0040,1001) SH [REQ5]',
    '  (fffe,e00d) na (ItemDelimitationItem)',
    '(fffe,e0dd) na (SequenceDelimitationItem)',
    '(6000,0010) US 4',
    '(6000,0011) US 4',
    '(6000,0040) CS [G]',
    '(6000,0050) SS 1\\1',
    '(6000,0100) US 1',
    '(6000,0102) US 0',
    '(6000,3000) OW 00ff',
    `(6000,4000) LT [Overlay by ${PATIENT.operator}]`,
    `(7fe0,0010) OW ${PIXELS}`,
  ];
  return `${lines.join('\n')}\n`;
}

const DUMP2DCM_SYNTAX: Record<Exclude<FixtureSyntax, 'rle'>, string> = {
  implicit: '+ti',
  explicit: '+te',
  big: '+tb',
  deflated: '+td',
};

/** Writes a dump and converts it with dump2dcm (and dcmcrle for RLE); returns the file's path. */
export function writeFixture(folder: string, name: string, dump: string, syntax: FixtureSyntax): string {
  const dumpPath = join(folder, `${name}.dump`);
  writeFileSync(dumpPath, dump);
  const path = join(folder, `${name}-${syntax}.dcm`);
  if (syntax === 'rle') {
    const explicitPath = join(folder, `${name}-rle-source.dcm`);
    runTool('dump2dcm', ['+te', dumpPath, explicitPath]);
    runTool('dcmcrle', [explicitPath, path]);
  } else {
    runTool('dump2dcm', [DUMP2DCM_SYNTAX[syntax], dumpPath, path]);
  }
  return path;
}

/** Rows of Table E.1-1 that can be written as a plain top-level attribute of an image. */
export function writableRows(): ActionTableRow[] {
  return ACTION_TABLE.filter((row) => {
    if (!/^[0-9A-F]{8}$/.test(row.tag)) return false;
    const group = row.tag.slice(0, 4);
    // Command group, file meta, DICOMDIR records, digital signatures and trailing padding are not
    // attributes of a stored image data set (PS3.5 7.1, PS3.10 7.1); tested elsewhere where relevant.
    return !['0000', '0002', '0004', 'FFFA', 'FFFC'].includes(group);
  });
}

function dumpTag(tag: string): string {
  return `(${tag.slice(0, 4).toLowerCase()},${tag.slice(4).toLowerCase()})`;
}

/** The value written for row `index` of VR `vr` (every one distinct, so a leak would be traceable). */
export function rowValue(vr: string, index: number): string {
  switch (vr) {
    case 'PN':
      return `Rowperson${index}^Given`;
    case 'LO':
    case 'SH':
    case 'CS':
      return `R${index}VALUE`;
    case 'AE':
      return `R${index}AE`;
    case 'LT':
    case 'ST':
    case 'UT':
    case 'UC':
      return `Row ${index} text`;
    case 'DA':
      return '20200102';
    case 'DT':
      return '20200102030405.000000';
    case 'TM':
      return '030405';
    case 'UI':
      return `1.2.826.0.1.3680043.10.999.7.${index}`;
    case 'DS':
      return '1.5';
    case 'IS':
      return '7';
    case 'AS':
      return '030Y';
    case 'US':
      return '1';
    case 'UR':
      return `http://example.org/r${index}`;
    case 'OB':
    case 'UN':
      return '01\\02';
    case 'OW':
      return '0102';
    default:
      throw new Error(`no fixture value for VR ${vr}`);
  }
}

/** Nested content of every sequence row: a name, a UID and a second-level sequence with an ID. */
export function nestedItemLines(index: number, indent: string): string[] {
  return [
    `${indent}(fffe,e000) na (Item with undefined length)`,
    `${indent}  (0008,1155) UI [1.2.826.0.1.3680043.10.999.8.${index}]`,
    `${indent}  (0010,0010) PN [Nestedperson${index}^Given]`,
    `${indent}  (0040,a170) SQ (Sequence with undefined length)`,
    `${indent}    (fffe,e000) na (Item with undefined length)`,
    `${indent}      (0008,0100) SH [121311]`,
    `${indent}      (0010,0020) LO [NESTEDID${index}]`,
    `${indent}    (fffe,e00d) na (ItemDelimitationItem)`,
    `${indent}  (fffe,e0dd) na (SequenceDelimitationItem)`,
    `${indent}(fffe,e00d) na (ItemDelimitationItem)`,
  ];
}

/**
 * One image carrying every writable attribute of Table E.1-1 at the top level, a curve, an overlay
 * and a private block, plus the minimum of an image (SOP Common, Image Pixel).
 */
export function allRowsDump(): string {
  const lines: string[] = [];
  const rows = writableRows();
  const present = new Set(rows.map((row) => row.tag));
  rows.forEach((row, index) => {
    if (row.vr === 'SQ') {
      lines.push(`${dumpTag(row.tag)} SQ (Sequence with undefined length)`, ...nestedItemLines(index, '  '), '(fffe,e0dd) na (SequenceDelimitationItem)');
    } else {
      const value = rowValue(row.vr, index);
      const bracketed = ['OB', 'OW', 'UN', 'US'].includes(row.vr) ? value : `[${value}]`;
      lines.push(`${dumpTag(row.tag)} ${row.vr} ${bracketed}`);
    }
  });
  const required: [string, string][] = [
    ['00080016', 'UI [1.2.840.10008.5.1.4.1.1.7]'],
    ['00080060', 'CS [OT]'],
    ['00280002', 'US 1'],
    ['00280004', 'CS [MONOCHROME2]'],
    ['00280010', 'US 2'],
    ['00280011', 'US 2'],
    ['00280100', 'US 8'],
    ['00280101', 'US 8'],
    ['00280102', 'US 7'],
    ['00280103', 'US 0'],
    ['50003000', 'OW 0001'],
    ['60000010', 'US 2'],
    ['60000011', 'US 2'],
    ['60003000', 'OW 00ff'],
    ['60004000', 'LT [Overlay comment]'],
    ['00190010', 'LO [ACME_PRIVATE]'],
    ['00191001', 'LO [PrivateSecret]'],
    ['7FE00010', 'OB 01\\02\\03\\04'],
  ];
  for (const [tag, rest] of required) if (!present.has(tag)) lines.push(`${dumpTag(tag)} ${rest}`);
  return `${lines.join('\n')}\n`;
}

export interface PydicomElement {
  readonly vr: string;
  readonly value?: string;
  readonly items?: PydicomDataSet[];
}
export type PydicomDataSet = Record<string, PydicomElement>;
export interface PydicomFile {
  readonly meta: PydicomDataSet;
  readonly data: PydicomDataSet;
  /** Pixel Data (7FE0,0010) as pydicom reads it (raw, encapsulated or not), hex. */
  readonly pixel: string | null;
}

const PYDICOM_DUMP = `
import sys, json, pydicom
from pydicom.multival import MultiValue
def conv(ds):
    out = {}
    for el in ds:
        tag = '%08X' % el.tag
        if el.VR == 'SQ':
            out[tag] = {'vr': 'SQ', 'items': [conv(item) for item in el.value]}
            continue
        v = el.value
        if isinstance(v, bytes): text = v.hex()
        elif v is None: text = ''
        elif isinstance(v, MultiValue): text = '\\\\'.join(str(x) for x in v)
        else: text = str(v)
        out[tag] = {'vr': el.VR, 'value': text}
    return out
result = {}
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path)
    result[path] = {'meta': conv(ds.file_meta), 'data': conv(ds), 'pixel': ds.PixelData.hex() if 'PixelData' in ds else None}
print(json.dumps(result))
`;

/** Reads files with pydicom (an independent reader): meta, data set (recursively) and raw pixel data. */
export function readWithPydicom(paths: readonly string[]): Record<string, PydicomFile> {
  return JSON.parse(runPython(PYDICOM_DUMP, paths)) as Record<string, PydicomFile>;
}

/**
 * DCMTK's verdict on a file: dcmdump must parse it whole (by default it stops on damage and exits
 * non-zero) and print nothing on stderr (no warning, no error); dcmftest must recognise a Part 10 file.
 */
export function dcmtkVerdict(path: string): { readonly exitCode: number; readonly stderr: string; readonly part10: boolean } {
  // stderr goes to the pipe, stdout is dropped; the exit code is printed last.
  const output = runTool('sh', ['-c', 'dcmdump "$1" 2>&1 >/dev/null; echo "exit=$?"', 'sh', path]);
  const match = /exit=(\d+)\s*$/.exec(output);
  const exitCode = match ? Number(match[1]) : -1;
  const stderr = output.replace(/exit=\d+\s*$/, '').trim();
  const part10 = runTool('sh', ['-c', 'dcmftest "$1"; true', 'sh', path]).startsWith('yes');
  return { exitCode, stderr, part10 };
}
