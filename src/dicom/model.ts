/**
 * The study model: what a drop holds, the way a clinician reads it, Patient → Study → Series →
 * Instance (the DICOM information model, PS3.3 §A.1.2 and PS3.4 §C.6.1.1), plus the files that are
 * not DICOM ("other records": reports, photos) or could not be read. Built incrementally, one header
 * at a time in O(1), so that a drop of thousands of instances can be shown while it is read.
 *
 * Each level shows the attributes of the first instance that has them; instances that disagree
 * (a corrected description, say) are not reported here.
 *
 * Grouping keys: a patient is Patient ID with Patient's Name (two patients may share an ID across
 * issuers, and one name may have two IDs); a study is its Study Instance UID, a series its Series
 * Instance UID. Instances without those UIDs (raw data sets from old archives) are grouped under an
 * empty key, shown as "unknown".
 *
 * Pure: no DOM, importable from the page, a worker and Node.
 */
import { withoutUndefined, type DicomHeader, type DicomProblem, type HeaderResult, type PersonName } from './header.js';

/** A file of the drop: where it sits (relative, '/'-separated; may itself name the patient) and its bytes. */
export interface ModelFile {
  readonly path: string;
  readonly file: Blob;
  readonly size: number;
}

export interface InstanceRecord extends ModelFile {
  readonly header: DicomHeader;
}

export type OtherReason = 'not-dicom' | 'damaged' | 'dicomdir';

/** A file kept as it is, without a place in the tree: it is still protected byte for byte. */
export interface OtherRecord extends ModelFile {
  readonly reason: OtherReason;
  /** Why a `damaged` file could not be read. */
  readonly problem?: DicomProblem;
}

export interface SeriesNode {
  readonly seriesInstanceUid: string;
  readonly seriesNumber?: number;
  readonly modality?: string;
  readonly seriesDescription?: string;
  readonly bodyPartExamined?: string;
  /** Sorted by Instance Number, then path. */
  readonly instances: readonly InstanceRecord[];
  readonly instanceCount: number;
  readonly totalSize: number;
  readonly transferSyntaxUids: readonly string[];
  /** Some instance says Burned In Annotation YES: its pixels may show the patient's name. */
  readonly burnedInAnnotation: boolean;
}

export interface StudyNode {
  readonly studyInstanceUid: string;
  readonly studyDate?: string;
  readonly studyTime?: string;
  readonly studyDescription?: string;
  readonly studyId?: string;
  readonly accessionNumber?: string;
  readonly referringPhysicianName?: PersonName;
  readonly institutionName?: string;
  readonly modalities: readonly string[];
  /** Sorted by Series Number, then description. */
  readonly series: readonly SeriesNode[];
  readonly instanceCount: number;
  readonly totalSize: number;
}

export interface PatientNode {
  readonly key: string;
  readonly patientName?: PersonName;
  readonly patientId?: string;
  readonly patientBirthDate?: string;
  readonly patientSex?: string;
  /** Sorted by Study Date, then description. */
  readonly studies: readonly StudyNode[];
  readonly instanceCount: number;
  readonly totalSize: number;
}

export interface StudyTree {
  readonly patients: readonly PatientNode[];
  /** Sorted by path. */
  readonly others: readonly OtherRecord[];
  readonly instanceCount: number;
  readonly instanceSize: number;
  readonly otherCount: number;
  readonly otherSize: number;
}

/** The header attributes each level shows; each is taken from the first instance that has it. */
const PATIENT_ATTRIBUTES = ['patientName', 'patientId', 'patientBirthDate', 'patientSex'] as const;
const STUDY_ATTRIBUTES = ['studyDate', 'studyTime', 'studyDescription', 'studyId', 'accessionNumber', 'referringPhysicianName', 'institutionName'] as const;
const SERIES_ATTRIBUTES = ['seriesNumber', 'modality', 'seriesDescription', 'bodyPartExamined'] as const;

type Attributes = { -readonly [Key in keyof DicomHeader]?: DicomHeader[Key] };

/** Fills the attributes still missing at a level from one more instance's header. */
function fillFrom(attributes: Attributes, header: DicomHeader, keys: readonly (keyof DicomHeader)[]): void {
  for (const key of keys) {
    if (attributes[key] === undefined && header[key] !== undefined) (attributes as Record<string, unknown>)[key] = header[key];
  }
}

interface MutableSeries {
  readonly attributes: Attributes;
  readonly instances: InstanceRecord[];
  totalSize: number;
  readonly transferSyntaxUids: Set<string>;
  burnedInAnnotation: boolean;
}

interface MutableStudy {
  readonly attributes: Attributes;
  readonly series: Map<string, MutableSeries>;
  readonly modalities: Set<string>;
  instanceCount: number;
  totalSize: number;
}

interface MutablePatient {
  readonly attributes: Attributes;
  readonly studies: Map<string, MutableStudy>;
  instanceCount: number;
  totalSize: number;
}

export class StudyModel {
  private readonly patients = new Map<string, MutablePatient>();
  private readonly others: OtherRecord[] = [];
  private instances = 0;
  private instanceBytes = 0;
  private otherBytes = 0;

  /** Adds one file's header result: an instance, or an other record (not DICOM, damaged, DICOMDIR). */
  add(file: ModelFile, result: HeaderResult): void {
    const { path, size } = file;
    if (result.kind === 'other') this.addOther({ path, file: file.file, size, reason: 'not-dicom' });
    else if (result.kind === 'damaged') this.addOther({ path, file: file.file, size, reason: 'damaged', problem: result.problem });
    else if (result.header.isDicomdir) this.addOther({ path, file: file.file, size, reason: 'dicomdir' });
    else this.addInstance({ path, file: file.file, size, header: result.header });
  }

  addInstance(record: InstanceRecord): void {
    const { header, size } = record;
    const patientKey = patientKeyOf(header);
    let patient = this.patients.get(patientKey);
    if (!patient) {
      patient = { attributes: {}, studies: new Map(), instanceCount: 0, totalSize: 0 };
      this.patients.set(patientKey, patient);
    }
    const studyKey = header.studyInstanceUid ?? '';
    let study = patient.studies.get(studyKey);
    if (!study) {
      study = { attributes: {}, series: new Map(), modalities: new Set(), instanceCount: 0, totalSize: 0 };
      patient.studies.set(studyKey, study);
    }
    const seriesKey = header.seriesInstanceUid ?? '';
    let series = study.series.get(seriesKey);
    if (!series) {
      series = { attributes: {}, instances: [], totalSize: 0, transferSyntaxUids: new Set(), burnedInAnnotation: false };
      study.series.set(seriesKey, series);
    }
    fillFrom(patient.attributes, header, PATIENT_ATTRIBUTES);
    fillFrom(study.attributes, header, STUDY_ATTRIBUTES);
    fillFrom(series.attributes, header, SERIES_ATTRIBUTES);
    series.instances.push(record);
    series.totalSize += size;
    series.transferSyntaxUids.add(header.transferSyntaxUid);
    series.burnedInAnnotation ||= header.burnedInAnnotation;
    if (header.modality !== undefined) study.modalities.add(header.modality);
    study.instanceCount += 1;
    study.totalSize += size;
    patient.instanceCount += 1;
    patient.totalSize += size;
    this.instances += 1;
    this.instanceBytes += size;
  }

  addOther(record: OtherRecord): void {
    this.others.push(record);
    this.otherBytes += record.size;
  }

  get instanceCount(): number {
    return this.instances;
  }

  get fileCount(): number {
    return this.instances + this.others.length;
  }

  /** An immutable, sorted, structured-clone friendly view of everything added so far. */
  snapshot(): StudyTree {
    const patients = [...this.patients.entries()].map(([key, patient]) => patientNode(key, patient));
    patients.sort((a, b) => compareText(a.patientName?.text, b.patientName?.text) || compareText(a.patientId, b.patientId));
    return {
      patients,
      others: [...this.others].sort((a, b) => compareText(a.path, b.path)),
      instanceCount: this.instances,
      instanceSize: this.instanceBytes,
      otherCount: this.others.length,
      otherSize: this.otherBytes,
    };
  }
}

function patientKeyOf(header: DicomHeader): string {
  return `${header.patientId ?? ''}\u0000${header.patientName?.text ?? ''}`;
}

function patientNode(key: string, patient: MutablePatient): PatientNode {
  const header = patient.attributes;
  const studies = [...patient.studies.entries()].map(([uid, study]) => studyNode(uid, study));
  studies.sort((a, b) => compareText(a.studyDate, b.studyDate) || compareText(a.studyDescription, b.studyDescription));
  return withoutUndefined({
    key,
    patientName: header.patientName,
    patientId: header.patientId,
    patientBirthDate: header.patientBirthDate,
    patientSex: header.patientSex,
    studies,
    instanceCount: patient.instanceCount,
    totalSize: patient.totalSize,
  });
}

function studyNode(uid: string, study: MutableStudy): StudyNode {
  const header = study.attributes;
  const series = [...study.series.entries()].map(([seriesUid, entry]) => seriesNode(seriesUid, entry));
  series.sort((a, b) => compareNumber(a.seriesNumber, b.seriesNumber) || compareText(a.seriesDescription, b.seriesDescription));
  return withoutUndefined({
    studyInstanceUid: uid,
    studyDate: header.studyDate,
    studyTime: header.studyTime,
    studyDescription: header.studyDescription,
    studyId: header.studyId,
    accessionNumber: header.accessionNumber,
    referringPhysicianName: header.referringPhysicianName,
    institutionName: header.institutionName,
    modalities: [...study.modalities].sort(),
    series,
    instanceCount: study.instanceCount,
    totalSize: study.totalSize,
  });
}

function seriesNode(uid: string, series: MutableSeries): SeriesNode {
  const header = series.attributes;
  const instances = [...series.instances].sort(
    (a, b) => compareNumber(a.header.instanceNumber, b.header.instanceNumber) || compareText(a.path, b.path),
  );
  return withoutUndefined({
    seriesInstanceUid: uid,
    seriesNumber: header.seriesNumber,
    modality: header.modality,
    seriesDescription: header.seriesDescription,
    bodyPartExamined: header.bodyPartExamined,
    instances,
    instanceCount: instances.length,
    totalSize: series.totalSize,
    transferSyntaxUids: [...series.transferSyntaxUids].sort(),
    burnedInAnnotation: series.burnedInAnnotation,
  });
}

/** Absent values sort last; text compares by code point, so the order is the same everywhere. */
function compareText(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

function compareNumber(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a - b;
}


/**
 * The header attributes that identify a patient: those the Basic Application Level Confidentiality
 * Profile removes or replaces (PS3.15 Annex E, Table E.1-1; action in brackets), so that the page
 * can mark them. Z: replace with an empty value, X: remove, U: replace with a new UID, X/Z/D:
 * remove or replace depending on the IOD.
 *
 * Not on the list and kept by the profile: modality, body part, instance and series numbers,
 * image geometry, SOP Class UID, transfer syntax. File and folder names are outside DICOM but may
 * carry a name just the same; treat `path` as identifying too.
 */
export const IDENTIFYING_ATTRIBUTES = {
  patientName: 'Z', // Patient's Name (0010,0010)
  patientId: 'Z', // Patient ID (0010,0020)
  patientBirthDate: 'Z', // Patient's Birth Date (0010,0030)
  patientSex: 'Z', // Patient's Sex (0010,0040); kept by the Retain Patient Characteristics Option
  studyDate: 'Z', // Study Date (0008,0020)
  studyTime: 'Z', // Study Time (0008,0030)
  accessionNumber: 'Z', // Accession Number (0008,0050)
  studyId: 'Z', // Study ID (0020,0010)
  referringPhysicianName: 'Z', // Referring Physician's Name (0008,0090)
  institutionName: 'X/Z/D', // Institution Name (0008,0080)
  studyDescription: 'X', // Study Description (0008,1030); cleaned by the Clean Descriptors Option
  seriesDescription: 'X', // Series Description (0008,103E); cleaned by the Clean Descriptors Option
  studyInstanceUid: 'U', // Study Instance UID (0020,000D)
  seriesInstanceUid: 'U', // Series Instance UID (0020,000E)
  sopInstanceUid: 'U', // SOP Instance UID (0008,0018)
} as const satisfies Partial<Record<keyof DicomHeader, string>>;

export type IdentifyingAttribute = keyof typeof IDENTIFYING_ATTRIBUTES;

export function isIdentifying(attribute: string): attribute is IdentifyingAttribute {
  return Object.hasOwn(IDENTIFYING_ATTRIBUTES, attribute);
}
