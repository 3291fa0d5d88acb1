/**
 * Table-driven test of PS3.15 Table E.1-1: an image written by DCMTK with every writable attribute
 * of the table (sequences carrying nested names, UIDs and a second-level sequence), de-identified
 * under the Basic Profile and each Option, read back by pydicom; each attribute must have been
 * treated as its row says. DCMTK must read every output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTION_TABLE,
  createDeidentificationContext,
  deidentify,
  type ActionTableRow,
  type DeidentificationOptions,
  type DeidentificationResult,
  type OptionColumn,
} from '../../src/dicom/deid/index.js';
import { resolveAction } from '../../src/dicom/deid/profile.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import {
  allRowsDump,
  dcmtkVerdict,
  readWithPydicom,
  writableRows,
  writeFixture,
  type PydicomDataSet,
  type PydicomElement,
  type PydicomFile,
} from '../helpers/dicom-deid-fixtures.js';
import { fixtureFolder, runPython } from '../helpers/dicom-tools.js';

type Simple = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U';

/**
 * Rows of PS3.15 2023b Table E.1-1 whose attribute is newer than pydicom 2.3.1's PS3.6 dictionary,
 * with the PS3.6 VR: the first four as DCMTK 3.6.7's dicom.dic has them, the last four (PS3.6
 * 2023) as a dictionary generated from PS3.6 has them.
 */
const NEWER_THAN_PYDICOM: Readonly<Record<string, string>> = {
  '00080017': 'UI', // Acquisition UID
  '00080019': 'UI', // Pyramid UID
  '00081088': 'LO', // Pyramid Description
  '00200027': 'LO', // Pyramid Label
  '003A0329': 'ST', // Waveform Filter Description
  '003A032B': 'ST', // Filter Lookup Table Description
  '30020121': 'LO', // Position Acquisition Template Name
  '30020123': 'LT', // Position Acquisition Template Description
};

/** Where Table E.1-1 names an attribute differently from PS3.6 (the table's name is kept in table.ts). */
const PS36_NAME_OF: Readonly<Record<string, string>> = {
  '0040A112': 'Time of Document Creation or Verbal Transaction (Trial)',
};

const CONFIGURATIONS: readonly { readonly label: string; readonly options: DeidentificationOptions }[] = [
  { label: 'Basic Profile', options: {} },
  { label: 'Retain UIDs', options: { retainUids: true } },
  { label: 'Retain Device Identity', options: { retainDeviceIdentity: true } },
  { label: 'Retain Institution Identity', options: { retainInstitutionIdentity: true } },
  { label: 'Retain Patient Characteristics', options: { retainPatientCharacteristics: true } },
  { label: 'Retain Longitudinal, Full Dates', options: { retainLongitudinalTemporalInformation: 'full-dates' } },
  { label: 'Retain Longitudinal, Modified Dates', options: { retainLongitudinalTemporalInformation: 'modified-dates' } },
  { label: 'Clean Descriptors', options: { cleanDescriptors: true } },
  {
    label: 'every option',
    options: {
      retainUids: true,
      retainDeviceIdentity: true,
      retainInstitutionIdentity: true,
      retainPatientCharacteristics: true,
      retainLongitudinalTemporalInformation: 'modified-dates',
      cleanDescriptors: true,
    },
  },
];

/** The columns an option set enables, restated here from PS3.15 E.3 rather than imported. */
function columnsOf(options: DeidentificationOptions): OptionColumn[] {
  const columns: OptionColumn[] = [];
  if (options.retainUids) columns.push('uids');
  if (options.retainDeviceIdentity) columns.push('device');
  if (options.retainInstitutionIdentity) columns.push('institution');
  if (options.retainPatientCharacteristics) columns.push('patientCharacteristics');
  if (options.retainLongitudinalTemporalInformation === 'full-dates') columns.push('fullDates');
  if (options.retainLongitudinalTemporalInformation === 'modified-dates') columns.push('modifiedDates');
  if (options.cleanDescriptors) columns.push('descriptors');
  return columns;
}

/**
 * What docs/deidentification.md promises for a row: retaining options win; in these classic image
 * IODs every attribute with a compound code is optional (Type 3) or, for Z/D, Type 2, so compound
 * codes take their first alternative (Table E.1-1a), except references (X/Z/U*), kept with new UIDs.
 */
function expectedAction(row: ActionTableRow, options: DeidentificationOptions): Simple {
  const entries = columnsOf(options)
    .map((column) => row.options[column])
    .filter((entry) => entry !== undefined);
  const chosen = entries.includes('K') ? 'K' : entries.includes('C') ? 'C' : (entries[0] ?? row.basic);
  const compound: Record<string, Simple> = { 'X/Z': 'X', 'Z/D': 'Z', 'X/D': 'X', 'X/Z/D': 'X', 'X/Z/U*': 'U' };
  return compound[chosen] ?? (chosen as Simple);
}

function shiftDa(value: string, days: number): string {
  const date = new Date(Date.UTC(Number(value.slice(0, 4)), Number(value.slice(4, 6)) - 1, Number(value.slice(6, 8))));
  date.setUTCDate(date.getUTCDate() + days);
  return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}`;
}

function checkNested(input: PydicomElement, output: PydicomElement, options: DeidentificationOptions, where: string): void {
  expect(output.items?.length, `${where}: items kept`).toBe(input.items?.length);
  const inItem = input.items![0]!;
  const outItem = output.items![0]!;
  const inUid = inItem['00081155']!.value!;
  const outUid = outItem['00081155']?.value;
  if (options.retainUids) expect(outUid, `${where}: nested UID kept`).toBe(inUid);
  else expect(outUid, `${where}: nested UID replaced`).toMatch(/^2\.25\.\d+$/);
  expect(outItem['00100010']?.value, `${where}: nested Patient's Name emptied`).toBe('');
  const level2 = outItem['0040A170']?.items?.[0];
  expect(level2?.['00080100']?.value, `${where}: second-level code kept`).toBe('121311');
  expect(level2?.['00100020']?.value, `${where}: second-level Patient ID emptied`).toBe('');
}

function checkRow(row: ActionTableRow, input: PydicomDataSet, output: PydicomDataSet, options: DeidentificationOptions, dateOffset: number | null): void {
  const action = expectedAction(row, options);
  const where = `(${row.tag.slice(0, 4)},${row.tag.slice(4)}) ${row.name}: ${action}`;
  const before = input[row.tag];
  const after = output[row.tag];
  expect(before, `${where}: fixture has it`).toBeDefined();
  if (action === 'X') {
    expect(after, where).toBeUndefined();
    return;
  }
  expect(after, where).toBeDefined();
  if (row.vr === 'SQ') {
    if (action === 'Z') expect(after!.items, where).toEqual([]);
    else checkNested(before!, after!, options, where);
    return;
  }
  const original = before!.value!;
  const value = after!.value!;
  switch (action) {
    case 'Z':
      expect(value, where).toBe('');
      break;
    case 'K':
      expect(value, where).toBe(original);
      break;
    case 'U':
      expect(value, where).toMatch(/^2\.25\.\d+$/);
      break;
    case 'D':
      expect(value, where).not.toBe('');
      expect(value, where).not.toBe(original);
      if (row.vr === 'UI') expect(value, where).toMatch(/^2\.25\.\d+$/);
      break;
    case 'C':
      if (row.vr === 'DA') expect(value, where).toBe(shiftDa(original, dateOffset!));
      else if (row.vr === 'DT') expect(value, where).toBe(shiftDa(original.slice(0, 8), dateOffset!) + original.slice(8));
      else if (row.vr === 'TM') expect(value, where).toBe(original);
      else expect(value, where).not.toBe('');
      break;
  }
}

function everyTag(dataSet: PydicomDataSet, out: string[] = []): string[] {
  for (const [tag, element] of Object.entries(dataSet)) {
    out.push(tag);
    for (const item of element.items ?? []) everyTag(item, out);
  }
  return out;
}

describe('PS3.15 Table E.1-1, row by row', () => {
  const folder = fixtureFolder('deid-table');
  let inputPath = '';
  let input: PydicomFile;
  const results = new Map<string, { result: DeidentificationResult; path: string }>();
  let outputs: Record<string, PydicomFile> = {};

  beforeAll(async () => {
    inputPath = writeFixture(folder.path, 'all-rows', allRowsDump(), 'explicit');
    const bytes = new Uint8Array(readFileSync(inputPath));
    for (const [index, { label, options }] of CONFIGURATIONS.entries()) {
      const context = createDeidentificationContext({ random: deterministicRandom(index + 1) });
      const result = await deidentify(bytes, options, context);
      const path = join(folder.path, `out-${index}.dcm`);
      writeFileSync(path, result.bytes);
      results.set(label, { result, path });
    }
    const all = readWithPydicom([inputPath, ...[...results.values()].map(({ path }) => path)]);
    input = all[inputPath]!;
    outputs = Object.fromEntries([...results.entries()].map(([label, { path }]) => [label, all[path]!]));
  });

  afterAll(() => folder.remove());

  it('has every row of the table once, with tags and names that PS3.6 (pydicom\'s dictionary) agrees with', () => {
    // PS3.15 2023b Table E.1-1 lists 611 rows; three tags appear twice (see table.ts), so 608.
    expect(ACTION_TABLE.length).toBe(608);
    expect(new Set(ACTION_TABLE.map((row) => row.tag)).size).toBe(ACTION_TABLE.length);
    const concrete = ACTION_TABLE.filter((row) => /^[0-9A-F]{8}$/.test(row.tag));
    const script = `
import sys, json, re
from pydicom.datadict import dictionary_VR, dictionary_description
rows = json.loads(sys.argv[1])
aliases = json.loads(sys.argv[2])
bad, unknown = [], []
for tag, name, vr in rows:
    t = int(tag, 16)
    norm = lambda s: re.sub('[^a-z0-9]', '', s.lower())
    try:
        if norm(dictionary_description(t)) != norm(aliases.get(tag, name)) or dictionary_VR(t) != vr: bad.append(tag)
    except KeyError:
        unknown.append(tag)
print(json.dumps({'bad': bad, 'unknown': unknown}))
`;
    const checked = JSON.parse(
      runPython(script, [JSON.stringify(concrete.map((row) => [row.tag, row.name, row.vr])), JSON.stringify(PS36_NAME_OF)]),
    ) as { bad: string[]; unknown: string[] };
    expect(checked.bad).toEqual([]);
    // Attributes PS3.6 added after pydicom 2.3.1's dictionary: their VR is the one stated below.
    expect(checked.unknown.sort()).toEqual(Object.keys(NEWER_THAN_PYDICOM).sort());
    for (const [tag, vr] of Object.entries(NEWER_THAN_PYDICOM)) expect(concrete.find((row) => row.tag === tag)?.vr, tag).toBe(vr);
  });

  it('wrote the fixture with every writable row', () => {
    for (const row of writableRows()) expect(input.data[row.tag], row.name).toBeDefined();
  });

  for (const { label, options } of CONFIGURATIONS) {
    describe(label, () => {
      it('treats every attribute as its row says, nested sequences included', () => {
        const output = outputs[label]!;
        const { result } = results.get(label)!;
        for (const row of writableRows()) checkRow(row, input.data, output.data, options, result.identity.dateOffsetDays);
      });

      it('removes private attributes, curves and the overlay, at every depth', () => {
        const tags = everyTag(outputs[label]!.data);
        expect(tags.filter((tag) => Number.parseInt(tag.slice(0, 4), 16) % 2 === 1)).toEqual([]);
        expect(tags.filter((tag) => tag.startsWith('50') || tag.startsWith('60'))).toEqual([]);
      });

      it('matches Media Storage SOP Instance UID to SOP Instance UID and records the method', () => {
        const output = outputs[label]!;
        expect(output.meta['00020003']!.value).toBe(output.data['00080018']!.value);
        expect(output.data['00120062']!.value).toBe('YES');
        const codes = output.data['00120064']!.items!.map((item) => item['00080100']!.value);
        expect(codes[0]).toBe('113100');
        const expected: Record<string, string> = {
          retainUids: '113110',
          retainDeviceIdentity: '113109',
          retainInstitutionIdentity: '113112',
          retainPatientCharacteristics: '113108',
          cleanDescriptors: '113105',
        };
        for (const [option, code] of Object.entries(expected)) {
          expect(codes.includes(code), `${option} → ${code}`).toBe(Boolean(options[option as keyof DeidentificationOptions]));
        }
        const longitudinal = options.retainLongitudinalTemporalInformation;
        expect(codes.includes('113106')).toBe(longitudinal === 'full-dates');
        expect(codes.includes('113107')).toBe(longitudinal === 'modified-dates');
        expect(output.data['00280303']!.value).toBe(longitudinal === 'modified-dates' ? 'MODIFIED' : longitudinal === 'full-dates' ? 'UNMODIFIED' : 'REMOVED');
        for (const item of output.data['00120064']!.items!) expect(item['00080102']!.value).toBe('DCM');
      });

      it('is read by DCMTK without a warning', () => {
        const verdict = dcmtkVerdict(results.get(label)!.path);
        expect(verdict).toEqual({ exitCode: 0, stderr: '', part10: true });
      });
    });
  }
});

describe('compound codes follow the attribute\'s Type in the IOD (Table E.1-1a)', () => {
  it.each<[string, number, string, Simple, Simple]>([
    ['Content Date, Z/D: Type 2C in General Image, Type 1 in enhanced images', 0x00080023, 'DA', 'Z', 'D'],
    ['Acquisition DateTime, X/Z/D: Type 3, Type 1C in enhanced images', 0x0008002a, 'DT', 'X', 'D'],
    ['Device Serial Number, X/Z/D: Type 3, Type 1 in Enhanced General Equipment', 0x00181000, 'LO', 'X', 'D'],
    ['Contrast/Bolus Agent, Z/D: Type 2 in both', 0x00180010, 'LO', 'Z', 'Z'],
    ['Instance Creation Date, X/D: Type 3 in SOP Common', 0x00080012, 'DA', 'X', 'X'],
    ['Institution Name, X/Z/D: Type 3 in General Equipment', 0x00080080, 'LO', 'X', 'X'],
    ['Referenced Image Sequence, X/Z/U*: kept, its UIDs replaced', 0x00081140, 'SQ', 'U', 'U'],
  ])('%s', (_what, tag, vr, classic, enhanced) => {
    expect(resolveAction(tag, vr, {}, 'classic').action).toBe(classic);
    expect(resolveAction(tag, vr, {}, 'enhanced').action).toBe(enhanced);
  });
});
