/**
 * Which action a data element gets under the Basic Application Level Confidentiality Profile and
 * the chosen Options (PS3.15 E.1.1, E.2, E.3), from Table E.1-1 (`table.ts`).
 */
import { UNLISTED_SENSITIVE_TAGS } from './dictionary.js';
import { tagHex } from './dataset.js';
import { ACTION_TABLE, type ActionTableRow, type OptionColumn, type ProfileAction } from './table.js';

/**
 * The Options a user can choose (PS3.15 E.3). Not offered, so never claimed in the output:
 * Retain Safe Private (all private attributes are removed), Clean Pixel Data, Clean Recognizable
 * Visual Features, Clean Graphics and Clean Structured Content (nothing here edits pixels,
 * overlays or SR content trees).
 */
export interface DeidentificationOptions {
  /** Retain UIDs Option (E.3.2). */
  readonly retainUids?: boolean;
  /** Retain Device Identity Option (E.3.3). */
  readonly retainDeviceIdentity?: boolean;
  /** Retain Institution Identity Option (E.3.4). */
  readonly retainInstitutionIdentity?: boolean;
  /** Retain Patient Characteristics Option (E.3.5). */
  readonly retainPatientCharacteristics?: boolean;
  /** Retain Longitudinal Temporal Information Option (E.3.6), with Full Dates or with Modified Dates. */
  readonly retainLongitudinalTemporalInformation?: 'full-dates' | 'modified-dates';
  /** Clean Descriptors Option (E.3.11). */
  readonly cleanDescriptors?: boolean;
}

/** A resolved, simple action: compound codes are decided (see `resolveCompound`). */
export type ElementAction = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U';

const ROWS_BY_TAG = new Map<string, ActionTableRow>(ACTION_TABLE.filter((row) => /^[0-9A-F]{8}$/.test(row.tag)).map((row) => [row.tag, row]));
const CURVE_ROW = ACTION_TABLE.find((row) => row.tag === '50xxxxxx')!;
const OVERLAY_DATA_ROW = ACTION_TABLE.find((row) => row.tag === '60xx3000')!;
const OVERLAY_COMMENTS_ROW = ACTION_TABLE.find((row) => row.tag === '60xx4000')!;

const UNLISTED_VR = new Map<string, 'PN' | 'DA' | 'DT'>();
for (const vr of ['PN', 'DA', 'DT'] as const) for (const tag of UNLISTED_SENSITIVE_TAGS[vr]) UNLISTED_VR.set(tag, vr);

/** Repeating groups (PS3.5 7.6): 50xx curves and 60xx overlays are the even groups 0x5000–0x501E, 0x6000–0x601E. */
function inRepeatingGroup(group: number, base: number): boolean {
  return group >= base && group <= base + 0x1e && group % 2 === 0;
}

/** The row of Table E.1-1 for a tag, if any (exact rows first, then the families). */
function rowFor(tag: number): ActionTableRow | undefined {
  const exact = ROWS_BY_TAG.get(tagHex(tag));
  if (exact) return exact;
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (inRepeatingGroup(group, 0x5000)) return CURVE_ROW;
  if (inRepeatingGroup(group, 0x6000) && element === 0x3000) return OVERLAY_DATA_ROW;
  if (inRepeatingGroup(group, 0x6000) && element === 0x4000) return OVERLAY_COMMENTS_ROW;
  return undefined;
}

/** The dictionary VR Tessera knows for a tag: the table's, or that of an unlisted PN/DA/DT attribute. */
export function dictionaryVr(tag: number): string | undefined {
  const row = ROWS_BY_TAG.get(tagHex(tag));
  if (row) return row.vr;
  return UNLISTED_VR.get(tagHex(tag));
}

function enabledColumns(options: DeidentificationOptions): Set<OptionColumn> {
  const columns = new Set<OptionColumn>();
  if (options.retainUids) columns.add('uids');
  if (options.retainDeviceIdentity) columns.add('device');
  if (options.retainInstitutionIdentity) columns.add('institution');
  if (options.retainPatientCharacteristics) columns.add('patientCharacteristics');
  if (options.retainLongitudinalTemporalInformation === 'full-dates') columns.add('fullDates');
  if (options.retainLongitudinalTemporalInformation === 'modified-dates') columns.add('modifiedDates');
  if (options.cleanDescriptors) columns.add('descriptors');
  return columns;
}

/**
 * What kind of IOD an instance is, as far as compound codes care: the enhanced multi-frame IODs
 * (recognised by their Shared Functional Groups Sequence, 5200,9229) make some attributes Type 1
 * that the classic image IODs leave optional.
 */
export type IodFamily = 'classic' | 'enhanced';

/**
 * PS3.3 Types of the attributes with compound codes that are required (Type 1, 1C, 2 or 2C) in the
 * IODs Tessera meets most (CT, MR, US, CR/DX, SC, PET, and their enhanced multi-frame forms); every
 * other attribute with a compound code is Type 3 there, or in modules those IODs do not have.
 * - Content Date / Time: General Image module 2C; Enhanced CT / MR / US Image modules 1.
 * - Acquisition DateTime: Enhanced CT / MR Image modules 1C (original images).
 * - Device Serial Number: Enhanced General Equipment module 1.
 * - Contrast/Bolus Agent: Contrast/Bolus and Enhanced Contrast/Bolus modules 2.
 * - Content Creator's Name: Presentation State Identification module 2.
 */
const REQUIRED_TYPE: Readonly<Record<string, Partial<Record<IodFamily, 1 | 2>>>> = {
  '00080023': { classic: 2, enhanced: 1 },
  '00080033': { classic: 2, enhanced: 1 },
  '0008002A': { enhanced: 1 },
  '00181000': { enhanced: 1 },
  '00180010': { classic: 2, enhanced: 2 },
  '00700084': { classic: 2, enhanced: 2 },
};

/**
 * Compound codes ("X unless Z is required to maintain IOD conformance", Table E.1-1a) by the
 * attribute's Type: removed when optional (X), emptied when Type 2 (Z), a dummy value when Type 1
 * (D). Z/D is Z unless Type 1. X/Z/U* (references to other instances: Referenced Image, Source
 * Image…) always keeps the sequence with every UID in it replaced through the UID rows, the
 * alternative the standard allows: the copy's images still point at each other, and replaced UIDs
 * tell nothing.
 */
function resolveCompound(action: ProfileAction, tag: string, iod: IodFamily): ElementAction {
  const type = REQUIRED_TYPE[tag]?.[iod];
  switch (action) {
    case 'X/Z':
      return type === undefined ? 'X' : 'Z';
    case 'X/D':
      return type === undefined ? 'X' : 'D';
    case 'X/Z/D':
      return type === undefined ? 'X' : type === 2 ? 'Z' : 'D';
    case 'Z/D':
      return type === 1 ? 'D' : 'Z';
    case 'X/Z/U*':
      return 'U';
    default:
      return action;
  }
}

/**
 * The action of one row under the options: an enabled option column with K wins (the options
 * retain), then one with C, then any other entry in an enabled column, else the Basic Profile.
 */
function actionOfRow(row: ActionTableRow, options: DeidentificationOptions, iod: IodFamily): ElementAction {
  const columns = enabledColumns(options);
  const entries = [...columns].map((column) => row.options[column]).filter((entry): entry is ProfileAction => entry !== undefined);
  const chosen = entries.find((entry) => entry === 'K') ?? entries.find((entry) => entry === 'C') ?? entries[0] ?? row.basic;
  return resolveCompound(chosen, row.tag, iod);
}

export interface ResolvedAction {
  readonly action: ElementAction;
  /** Why: the row's attribute name, or a short reason for attributes outside the table. */
  readonly reason: string;
  /** The VR used to build replacement values. */
  readonly vr: string | undefined;
}

/**
 * The action for one data element. Beyond Table E.1-1 (each documented in docs/deidentification.md):
 * - every private attribute goes, creators included (E.3.10 "Retain Safe Private" is not offered);
 * - the whole Overlay Plane module goes with its Overlay Data, and the group length and command
 *   group elements (group 0000) are dropped;
 * - a person's name (PN) or a date (DA, DT) that the table does not list is treated like the
 *   table's own names and dates: removed, or kept / shifted under the longitudinal option.
 */
export function resolveAction(tag: number, vr: string | undefined, options: DeidentificationOptions, iod: IodFamily = 'classic'): ResolvedAction {
  const group = tag >>> 16;
  if (group % 2 === 1) return { action: 'X', reason: 'Private attribute', vr };
  if (group === 0x0000 || group === 0x0002) return { action: 'X', reason: 'Command or file meta element inside the data set', vr };
  if ((tag & 0xffff) === 0x0000) return { action: 'X', reason: 'Group Length', vr };
  if (inRepeatingGroup(group, 0x6000) && (tag & 0xffff) !== 0x3000 && (tag & 0xffff) !== 0x4000) {
    return { action: 'X', reason: 'Overlay Plane module (its Overlay Data is removed)', vr };
  }
  const row = rowFor(tag);
  if (row) return { action: actionOfRow(row, options, iod), reason: row.name, vr: vr === undefined || vr === 'UN' ? row.vr : vr };
  const knownVr = vr === undefined || vr === 'UN' ? UNLISTED_VR.get(tagHex(tag)) : vr;
  if (knownVr === 'PN') return { action: 'X', reason: 'Person name not listed in Table E.1-1', vr: knownVr };
  if (knownVr === 'DA' || knownVr === 'DT') {
    const longitudinal = options.retainLongitudinalTemporalInformation;
    const action: ElementAction = longitudinal === 'full-dates' ? 'K' : longitudinal === 'modified-dates' ? 'C' : 'X';
    return { action, reason: 'Date not listed in Table E.1-1', vr: knownVr };
  }
  return { action: 'K', reason: 'Not listed in Table E.1-1', vr };
}
