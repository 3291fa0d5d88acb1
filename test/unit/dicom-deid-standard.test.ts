/**
 * A sample of PS3.15 Table E.1-1 rows, copied by hand from the standard's own text, checked against
 * `ACTION_TABLE`, so that an edit of table.ts that breaks one of them fails here.
 *
 * Source of every row below: DICOM PS3.15 2023b, Annex E, Table E.1-1 "Application Level
 * Confidentiality Profile Attributes", DocBook source part15.xml (xml:id table_E.1-1), as mirrored in
 * github.com/jodogne/dicom-specification, file 2023b/part15.xml, commit
 * 58f3e44ea96c0a3b1bee6ba19004391cd880310e. Each row is the table's cells in the table's order:
 * Attribute Name, Tag, Basic Prof., then the ten option columns (an empty string is an empty cell).
 * The Retd. and In Std. Comp. IOD columns are left out: table.ts does not keep them.
 */
import { describe, expect, it } from 'vitest';
import { ACTION_TABLE, ACTION_TABLE_EDITION, type ActionTableRow } from '../../src/dicom/deid/index.js';
import { OPTION_COLUMNS } from '../../src/dicom/deid/table.js';

/** The option columns of Table E.1-1 in the standard's order (thead of table_E.1-1). */
const STANDARD_COLUMNS = [
  'Rtn. Safe Priv. Opt.',
  'Rtn. UIDs Opt.',
  'Rtn. Dev. Id. Opt.',
  'Rtn. Inst. Id. Opt.',
  'Rtn. Pat. Chars. Opt.',
  'Rtn. Long. Full Dates Opt.',
  'Rtn. Long. Modif. Dates Opt.',
  'Clean Desc. Opt.',
  'Clean Struct. Cont. Opt.',
  'Clean Graph. Opt.',
] as const;

type Cells = readonly [name: string, tag: string, basic: string, ...options: string[]];

const STANDARD_ROWS: readonly Cells[] = [
  //  Attribute Name, Tag, Basic, SafePriv, UIDs, Dev, Inst, PatChars, FullDates, ModifDates, Desc, StructCont, Graph
  ['Accession Number', '(0008,0050)', 'Z', '', '', '', '', '', '', '', '', '', ''],
  ['Acquisition Context Sequence', '(0040,0555)', 'X/Z', '', '', '', '', '', '', '', '', 'C', ''],
  ['Acquisition DateTime', '(0008,002A)', 'X/Z/D', '', '', '', '', '', 'K', 'C', '', '', ''],
  ['Acquisition UID', '(0008,0017)', 'U', '', 'K', '', '', '', '', '', '', '', ''],
  ['Affected SOP Instance UID', '(0000,1000)', 'X', '', 'K', '', '', '', '', '', '', '', ''],
  ['Allergies', '(0010,2110)', 'X', '', '', '', '', 'C', '', '', 'C', '', ''],
  ['Annotation Group UID', '(006A,0003)', 'D', '', 'K', '', '', '', '', '', '', '', ''],
  ['Beam Hold Transition DateTime', '(300C,0127)', 'D', '', '', 'K', '', '', 'K', 'C', '', '', ''],
  ['Calibration DateTime', '(0018,1203)', 'Z', '', '', 'K', '', '', 'K', 'C', '', '', ''],
  ['Clinical Trial Coordinating Center Name', '(0012,0060)', 'Z', '', '', '', 'K', '', '', '', '', '', ''],
  ['Clinical Trial Protocol Ethics Committee Name', '(0012,0081)', 'D', '', '', '', 'K', '', '', '', '', '', ''],
  ['Content Sequence', '(0040,A730)', 'D', '', '', '', '', '', '', '', '', 'C', ''],
  ['Curve Data', '(50xx,xxxx)', 'X', '', '', '', '', '', '', '', '', '', 'C'],
  ['Destination AE', '(2100,0140)', 'D', '', '', 'C', '', '', '', '', '', '', ''],
  ['Device UID', '(0018,1002)', 'U', '', 'K', 'K', '', '', '', '', '', '', ''],
  ['Digital Signature UID', '(0400,0100)', 'U', '', '', '', '', '', '', '', '', '', ''],
  ['Encapsulated Document', '(0042,0011)', 'D', '', '', '', '', '', '', '', '', '', ''],
  ['Ethnic Group', '(0010,2160)', 'X', '', '', '', '', 'K', '', '', '', '', ''],
  ['Icon Image Sequence', '(0088,0200)', 'X', '', '', '', '', '', '', '', '', '', ''],
  ['Institution Name', '(0008,0080)', 'X/Z/D', '', '', '', 'K', '', '', '', '', '', ''],
  ['Instance Creation Date', '(0008,0012)', 'X/D', '', '', '', '', '', 'K', 'C', '', '', ''],
  ['Interpretation Approval Date', '(4008,0112)', 'X', '', '', '', '', '', 'K', 'C', '', '', ''],
  ['Modifying Device ID', '(0020,3401)', 'X', '', '', 'K', '', '', '', '', '', '', ''],
  ['Network ID', '(0008,1000)', 'X', '', '', 'C', '', '', '', '', '', '', ''],
  ['Overlay Data', '(60xx,3000)', 'X', '', '', '', '', '', '', '', '', '', 'C'],
  ["Patient's Name", '(0010,0010)', 'Z', '', '', '', '', '', '', '', '', '', ''],
  ["Patient's Sex", '(0010,0040)', 'Z', '', '', '', '', 'K', '', '', '', '', ''],
  ['Patient Setup UID', '(300A,0650)', 'U', '', 'K', '', '', '', '', '', '', '', ''],
  ['Patient State', '(0038,0500)', 'X', '', '', '', '', 'C', '', '', 'C', '', ''],
  // The standard lists (0040,0241) twice, with C and with K under Retain Device Identity; table.ts keeps the first.
  ['Performed Station AE Title', '(0040,0241)', 'X', '', '', 'C', '', '', '', '', '', '', ''],
  ['Private Attributes', '(gggg,eeee)', 'X', 'C', '', '', '', '', '', '', '', '', ''],
  ['Referenced Image Sequence', '(0008,1140)', 'X/Z/U*', '', 'K', '', '', '', '', '', '', '', ''],
  ['Referenced Patient Sequence', '(0008,1120)', 'X', '', 'K', '', '', '', '', '', '', '', ''],
  ['Selector AS Value', '(0072,005F)', 'D', '', '', '', '', 'K', '', '', '', '', ''],
  ['Selector DT Value', '(0072,0063)', 'D', '', '', '', '', '', 'K', 'C', '', '', ''],
  ['Source of Previous Values', '(0400,0564)', 'Z', '', '', '', 'K', '', '', '', '', '', ''],
  ['Specimen Preparation Sequence', '(0040,0610)', 'Z', '', '', '', '', '', '', '', '', 'C', ''],
  ['Structure Set Time', '(3006,0009)', 'Z', '', '', '', '', '', 'K', 'C', '', '', ''],
  ['Station AE Title', '(0008,0055)', 'X', '', '', 'C', '', '', '', '', '', '', ''],
  ['Time of Document or Verbal Transaction (Trial)', '(0040,A112)', 'X', '', '', '', '', '', 'K', 'C', '', '', ''],
  ['Treatment Machine Name', '(300A,00B2)', 'X/Z', '', '', 'K', '', '', '', '', '', '', ''],
  ['Treatment Site', '(3010,0077)', 'X/D', '', '', '', '', '', '', '', 'C', '', ''],
  ['UID', '(0040,A124)', 'U', '', '', '', '', '', '', '', '', '', ''],
  ['Waveform Filter Description', '(003A,0329)', 'X', '', '', '', '', '', '', '', 'C', '', ''],
  ['X-Ray Source ID', '(0018,9367)', 'D', '', '', 'K', '', '', '', '', '', '', ''],
];

/** "(0008,0050)" → "00080050"; the families keep table.ts's spelling ("50xxxxxx", "60xx3000", "ggggeeee"). */
function tableTag(tag: string): string {
  const hex = tag.slice(1, -1).replace(',', '');
  return /^[0-9A-F]{8}$/i.test(hex) ? hex.toUpperCase() : hex.toLowerCase();
}

function rowFor(tag: string): ActionTableRow | undefined {
  return ACTION_TABLE.find((row) => row.tag === tableTag(tag));
}

describe('PS3.15 2023b Table E.1-1, a sample copied from the standard\'s text', () => {
  it('names the edition the rows come from', () => {
    expect(ACTION_TABLE_EDITION).toBe('PS3.15 2023b, Table E.1-1');
  });

  it('keeps the option columns in the standard\'s order', () => {
    expect(OPTION_COLUMNS.length).toBe(STANDARD_COLUMNS.length);
    expect([...OPTION_COLUMNS]).toEqual([
      'safePrivate',
      'uids',
      'device',
      'institution',
      'patientCharacteristics',
      'fullDates',
      'modifiedDates',
      'descriptors',
      'structuredContent',
      'graphics',
    ]);
  });

  it('samples at least 30 rows spread through the table', () => {
    expect(STANDARD_ROWS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(STANDARD_ROWS.map(([, tag]) => tag)).size).toBe(STANDARD_ROWS.length);
    for (const cells of STANDARD_ROWS) expect(cells.length, cells[0]).toBe(3 + STANDARD_COLUMNS.length);
  });

  for (const [name, tag, basic, ...options] of STANDARD_ROWS) {
    it(`${tag} ${name}`, () => {
      const row = rowFor(tag);
      expect(row, `${tag} is in ACTION_TABLE`).toBeDefined();
      expect(row!.name).toBe(name);
      expect(row!.basic).toBe(basic);
      const expected: Record<string, string> = {};
      options.forEach((cell, index) => {
        if (cell !== '') expected[OPTION_COLUMNS[index]!] = cell;
      });
      expect({ ...row!.options }).toEqual(expected);
    });
  }
});
