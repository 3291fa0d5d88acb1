/**
 * De-identification of one DICOM Part 10 file per PS3.15 Annex E: the Basic Application Level
 * Confidentiality Profile with the Options of `DeidentificationOptions`, applied to every data
 * element, inside sequences at any depth (PS3.15 E.1.1: "whether contained in the main dataset or
 * embedded in an Item of a Sequence of Items").
 */
import type { DeidentificationContext } from './context.js';
import { readPart10, tagHex, TRANSFER_SYNTAX, encodingOf, type DicomElement, type Encoding } from './dataset.js';
import { DeidentificationError } from './errors.js';
import { IDENTITY_PART_VERSION, type IdentityEntry, type IdentityPart } from './identity.js';
import { dictionaryVr, resolveAction, type DeidentificationOptions, type ElementAction, type IodFamily } from './profile.js';
import { ACTION_TABLE_EDITION } from './table.js';
import { cleanText, dummyValue, identifyingParts, shiftDate, shiftDateTime, shiftValues, valueText } from './values.js';
import { imageWarnings, warning, type DeidentificationWarning } from './warnings.js';
import { encodeDataSet, encodePart10 } from './write.js';

/** An attribute the de-identified copy no longer carries as it was; no value, safe to show. */
export interface RemovedAttribute {
  readonly path: string;
  readonly tag: string;
  readonly name: string;
  readonly action: ElementAction;
}

export interface DeidentificationResult {
  /** A valid Part 10 file. */
  readonly bytes: Uint8Array;
  readonly removed: readonly RemovedAttribute[];
  readonly warnings: readonly DeidentificationWarning[];
  /** What the copy does not carry, for the owner only (see identity.ts). */
  readonly identity: IdentityPart;
}

/** Tessera's Implementation Class UID (PS3.7 D.3.3.2), a UUID-derived UID (PS3.5 B.2). */
const IMPLEMENTATION_CLASS_UID = '2.25.167928709832685330730164783262796735648';
const IMPLEMENTATION_VERSION_NAME = 'TESSERA_0_1';

const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const FREE_TEXT_VRS = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);

const PATIENT_IDENTITY_REMOVED = 0x00120062;
const DEIDENTIFICATION_METHOD = 0x00120063;
const DEIDENTIFICATION_METHOD_CODE_SEQUENCE = 0x00120064;
const LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED = 0x00280303;
const WRITTEN_BY_TESSERA = new Set([PATIENT_IDENTITY_REMOVED, DEIDENTIFICATION_METHOD, DEIDENTIFICATION_METHOD_CODE_SEQUENCE, LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED]);

/** PS3.16 CID 7050 "De-identification Method" codes (checked against pydicom 2.3's copy of PS3.16). */
const METHOD_CODES = {
  basic: ['113100', 'Basic Application Confidentiality Profile'],
  cleanDescriptors: ['113105', 'Clean Descriptors Option'],
  fullDates: ['113106', 'Retain Longitudinal Temporal Information Full Dates Option'],
  modifiedDates: ['113107', 'Retain Longitudinal Temporal Information Modified Dates Option'],
  patientCharacteristics: ['113108', 'Retain Patient Characteristics Option'],
  device: ['113109', 'Retain Device Identity Option'],
  uids: ['113110', 'Retain UIDs Option'],
  institution: ['113112', 'Retain Institution Identity Option'],
} as const satisfies Record<string, readonly [string, string]>;

function methodCodes(options: DeidentificationOptions): (readonly [string, string])[] {
  const codes: (readonly [string, string])[] = [METHOD_CODES.basic];
  if (options.cleanDescriptors) codes.push(METHOD_CODES.cleanDescriptors);
  if (options.retainLongitudinalTemporalInformation === 'full-dates') codes.push(METHOD_CODES.fullDates);
  if (options.retainLongitudinalTemporalInformation === 'modified-dates') codes.push(METHOD_CODES.modifiedDates);
  if (options.retainPatientCharacteristics) codes.push(METHOD_CODES.patientCharacteristics);
  if (options.retainDeviceIdentity) codes.push(METHOD_CODES.device);
  if (options.retainUids) codes.push(METHOD_CODES.uids);
  if (options.retainInstitutionIdentity) codes.push(METHOD_CODES.institution);
  return codes;
}

function checkOptions(options: DeidentificationOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`options must be an object, got ${options === null ? 'null' : typeof options}`);
  for (const key of ['retainUids', 'retainDeviceIdentity', 'retainInstitutionIdentity', 'retainPatientCharacteristics', 'cleanDescriptors'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new TypeError(`options.${key} must be a boolean, got ${typeof options[key]}`);
  }
  const longitudinal = options.retainLongitudinalTemporalInformation;
  if (longitudinal !== undefined && longitudinal !== 'full-dates' && longitudinal !== 'modified-dates') {
    throw new RangeError(`options.retainLongitudinalTemporalInformation must be 'full-dates' or 'modified-dates', got ${String(longitudinal)}`);
  }
}

function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function element(tag: number, vr: string, value: Uint8Array): DicomElement {
  return { tag, vr, value, items: undefined, encapsulated: undefined };
}

function sequence(tag: number, items: DicomElement[][]): DicomElement {
  return { tag, vr: 'SQ', value: undefined, items, encapsulated: undefined };
}

function textOf(elements: readonly DicomElement[], tag: number): string {
  const found = elements.find((candidate) => candidate.tag === tag);
  return found?.value ? valueText(found.value) : '';
}

function nameOf(tag: number, reason: string): string {
  return reason || tagHex(tag);
}

class Run {
  readonly removed: RemovedAttribute[] = [];
  readonly entries: IdentityEntry[] = [];
  readonly uidMap: Record<string, string> = {};
  readonly warnings = new Map<string, DeidentificationWarning>();
  identifying: string[] = [];
  usedClean = false;

  constructor(
    readonly options: DeidentificationOptions,
    readonly context: DeidentificationContext,
    readonly encoding: Encoding,
    readonly dateOffset: number | undefined,
    readonly iod: IodFamily,
  ) {}

  record(path: string, original: DicomElement, action: ElementAction, name: string): void {
    this.removed.push({ path, tag: tagHex(original.tag), name, action });
    this.entries.push({ path, action, original: base64(encodeDataSet([original], this.encoding)) });
  }

  /** First pass: every value that the profile removes or replaces, to look for in kept free text. */
  collectIdentifying(elements: readonly DicomElement[]): void {
    for (const candidate of elements) {
      const resolved = resolveAction(candidate.tag, candidate.vr, this.options, this.iod);
      if (candidate.items) {
        for (const item of candidate.items) this.collectIdentifying(item);
      } else if (candidate.value && resolved.action !== 'K' && resolved.action !== 'C' && TEXT_VRS.has(resolved.vr ?? '') && resolved.vr !== 'UI') {
        this.identifying.push(...identifyingParts(valueText(candidate.value), resolved.vr));
      }
    }
  }

  async replaceUids(value: Uint8Array): Promise<Uint8Array> {
    const originals = valueText(value).split('\\');
    const replaced: string[] = [];
    for (const original of originals) {
      const uid = original.replace(/[\0 ]+$/, '').trim();
      if (uid === '') {
        replaced.push('');
        continue;
      }
      const replacement = await this.context.replaceUid(uid);
      if (replacement !== uid) this.uidMap[uid] = replacement;
      replaced.push(replacement);
    }
    return latin1Bytes(replaced.join('\\'));
  }

  clean(vr: string | undefined, value: Uint8Array): Uint8Array | undefined {
    if (vr === 'DA' || vr === 'DT') {
      // Only the Modified Dates option gives dates the action C (PS3.15 E.3.6).
      if (this.dateOffset === undefined) return undefined;
      const offset = this.dateOffset;
      const shifted = shiftValues(valueText(value), (one) => (vr === 'DA' ? shiftDate(one, offset) : shiftDateTime(one, offset)));
      if (shifted === undefined) this.warnings.set('date-not-shifted', warning('date-not-shifted'));
      return shifted === undefined ? new Uint8Array(0) : latin1Bytes(shifted);
    }
    if (vr !== undefined && FREE_TEXT_VRS.has(vr)) {
      this.usedClean = true;
      return latin1Bytes(cleanText(valueText(value), this.identifying));
    }
    // TM, the UTC offset (SH is free text above, but its value is +hhmm and survives cleaning), and
    // anything else: a whole-day shift leaves times of day unchanged, so they are kept.
    return value;
  }

  async transform(elements: readonly DicomElement[], prefix: string, topLevel: boolean): Promise<DicomElement[]> {
    const out: DicomElement[] = [];
    for (const original of elements) {
      if (topLevel && WRITTEN_BY_TESSERA.has(original.tag)) continue;
      const path = `${prefix}${tagHex(original.tag)}`;
      const { action, reason, vr } = resolveAction(original.tag, original.vr, this.options, this.iod);
      const name = nameOf(original.tag, reason);
      if (action === 'X') {
        this.record(path, original, action, name);
        continue;
      }
      if (original.items) {
        if (action === 'Z') {
          if (original.items.length > 0) this.record(path, original, action, name);
          out.push({ ...original, items: [] });
        } else {
          // D, K, C and U on a sequence keep it, and every item is de-identified in turn
          // (Table E.1-1a: K is "cleaned for Sequences").
          const items: DicomElement[][] = [];
          for (let index = 0; index < original.items.length; index++) {
            items.push(await this.transform(original.items[index]!, `${path}[${index}]/`, false));
          }
          out.push({ ...original, items });
        }
        continue;
      }
      if (original.encapsulated || action === 'K') {
        out.push(original);
        continue;
      }
      const value = original.value ?? new Uint8Array(0);
      let replacement: Uint8Array | undefined;
      switch (action) {
        case 'Z':
          replacement = new Uint8Array(0);
          break;
        case 'D':
          replacement = vr === 'UI' ? await this.replaceUids(value) : dummyValue(vr ?? 'UN');
          break;
        case 'U':
          replacement = value.length === 0 ? value : await this.replaceUids(value);
          break;
        case 'C':
          replacement = this.clean(vr, value);
          if (replacement === undefined) {
            this.record(path, original, 'X', name);
            continue;
          }
          break;
      }
      if (replacement === undefined) throw new Error(`unhandled action ${action}`);
      const changed = replacement.length !== value.length || replacement.some((byte, i) => byte !== value[i]);
      if (changed || action !== 'C') {
        if (value.length > 0 || replacement.length > 0) this.record(path, original, action, name);
      }
      out.push({ ...original, vr: original.vr ?? vr, value: replacement });
    }
    return out;
  }
}

function methodAttributes(options: DeidentificationOptions, dateOffset: number | undefined): DicomElement[] {
  const codes = methodCodes(options);
  const encoder = new TextEncoder();
  const text = (value: string) => encoder.encode(value);
  const items = codes.map(([value, meaning]) => [
    element(0x00080100, 'SH', text(value)),
    element(0x00080102, 'SH', text('DCM')),
    element(0x00080104, 'LO', text(meaning)),
  ]);
  const longitudinal = options.retainLongitudinalTemporalInformation;
  const modified = longitudinal === 'modified-dates' && dateOffset !== undefined ? 'MODIFIED' : longitudinal === 'full-dates' ? 'UNMODIFIED' : 'REMOVED';
  return [
    element(PATIENT_IDENTITY_REMOVED, 'CS', text('YES')),
    // LO values are at most 64 characters (PS3.5 6.2): the code meanings fit, one per value.
    element(DEIDENTIFICATION_METHOD, 'LO', text([`Tessera, ${ACTION_TABLE_EDITION}`, ...codes.map(([, meaning]) => meaning)].join('\\'))),
    sequence(DEIDENTIFICATION_METHOD_CODE_SEQUENCE, items),
    element(LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, 'CS', text(modified)),
  ];
}

/**
 * De-identifies one Part 10 file. `context` is shared by all the files of a drop (UIDs and date
 * offsets stay consistent across them). Throws `DeidentificationError` for input that is not a
 * readable DICOM file, TypeError / RangeError for wrong arguments; nothing else.
 */
export async function deidentify(bytes: Uint8Array, options: DeidentificationOptions, context: DeidentificationContext): Promise<DeidentificationResult> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  checkOptions(options);
  if (typeof context !== 'object' || context === null || typeof context.replaceUid !== 'function') {
    throw new TypeError('context must come from createDeidentificationContext()');
  }
  const parsed = await readPart10(bytes, dictionaryVr);
  const outputSyntax = parsed.transferSyntaxUid === TRANSFER_SYNTAX.deflatedExplicitLittle ? TRANSFER_SYNTAX.explicitLittle : parsed.transferSyntaxUid;
  const encoding = encodingOf(outputSyntax);
  const data = parsed.dataSet;

  const facts = {
    sopClassUid: textOf(data, 0x00080016) || textOf(parsed.meta, 0x00020002),
    modality: textOf(data, 0x00080060),
    conversionType: textOf(data, 0x00080064),
    burnedInAnnotation: textOf(data, 0x00280301),
    recognizableVisualFeatures: textOf(data, 0x00280302),
  };
  // One offset per patient: keyed by the original Patient ID and its issuer, or the name when
  // there is no ID, so every file of one patient in the drop moves by the same number of days.
  const patientKey = [textOf(data, 0x00100020), textOf(data, 0x00100021), textOf(data, 0x00100020) ? '' : textOf(data, 0x00100010)].join('\0');
  const dateOffset = options.retainLongitudinalTemporalInformation === 'modified-dates' ? await context.dateOffsetDays(patientKey) : undefined;

  // Enhanced multi-frame IODs carry a Shared Functional Groups Sequence (PS3.3 C.7.6.16).
  const iod: IodFamily = data.some((candidate) => candidate.tag === 0x52009229) ? 'enhanced' : 'classic';
  const run = new Run(options, context, encoding, dateOffset, iod);
  run.collectIdentifying(data);
  const transformed = await run.transform(data, '', true);
  transformed.push(...methodAttributes(options, dateOffset));

  const sopInstance = transformed.find((candidate) => candidate.tag === 0x00080018);
  const sopInstanceUid = sopInstance?.value ? valueText(sopInstance.value) : await run.replaceUids(parsed.meta.find((m) => m.tag === 0x00020003)?.value ?? new Uint8Array(0)).then(valueText);
  if (sopInstanceUid === '') throw new DeidentificationError('dicom.malformed', 'The file has no SOP Instance UID (0008,0018) nor Media Storage SOP Instance UID (0002,0003).');
  const encoder = new TextEncoder();
  // PS3.15 E.1.1: the File Meta Information is replaced with a description of the de-identifying
  // application; nothing of the original's (source AE titles, private meta elements) is carried over.
  const meta = [
    element(0x00020001, 'OB', new Uint8Array([0x00, 0x01])),
    element(0x00020002, 'UI', encoder.encode(facts.sopClassUid)),
    element(0x00020003, 'UI', encoder.encode(sopInstanceUid)),
    element(0x00020010, 'UI', encoder.encode(outputSyntax)),
    element(0x00020012, 'UI', encoder.encode(IMPLEMENTATION_CLASS_UID)),
    element(0x00020013, 'SH', encoder.encode(IMPLEMENTATION_VERSION_NAME)),
  ];
  for (const original of parsed.meta) {
    if (original.tag === 0x00020003 && original.value && valueText(original.value) !== sopInstanceUid && !options.retainUids) {
      run.uidMap[valueText(original.value)] = sopInstanceUid;
    }
  }

  const warnings = imageWarnings(facts);
  if (run.usedClean && options.cleanDescriptors) warnings.push(warning('descriptors-kept'));
  warnings.push(...run.warnings.values());
  const method = [`Tessera, ${ACTION_TABLE_EDITION}`, ...methodCodes(options).map(([, meaning]) => meaning)];
  return {
    bytes: encodePart10(meta, transformed, encoding),
    removed: run.removed,
    warnings,
    identity: {
      version: IDENTITY_PART_VERSION,
      method,
      elementTransferSyntaxUid: outputSyntax,
      entries: run.entries,
      uidMap: run.uidMap,
      dateOffsetDays: dateOffset ?? null,
    },
  };
}
