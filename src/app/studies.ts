/** How DICOM values read on screen, and what a folder record remembers about its studies. */
import type { PersonName } from '../dicom/header.js';
import type { StudyTree } from '../dicom/model.js';
import { transferSyntax } from '../dicom/pixels/syntaxes.js';
import type { StudyLabel } from '../jobs/index.js';

/** "FAMILY, Given Middle" from the alphabetic group; the ideographic one after it when present. */
export function formatPersonName(name: PersonName | undefined): string {
  if (!name) return '';
  const { family, given, middle, prefix, suffix } = name.alphabetic;
  const givenPart = [prefix, given, middle].filter(Boolean).join(' ');
  const alphabetic = [family, [givenPart, suffix].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const ideographic = name.ideographic ? [name.ideographic.family, name.ideographic.given].filter(Boolean).join(' ') : '';
  return [alphabetic, ideographic].filter(Boolean).join(' · ') || name.text;
}

const longDate = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });

/** DICOM DA (YYYYMMDD) as "2 Jan 2025"; anything else as written. */
export function formatDicomDate(value: string | undefined): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value ?? '');
  if (!match) return value ?? '';
  const [, year, month, day] = match;
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day));
  return Number.isNaN(time) ? value! : longDate.format(time);
}

const SEX: Readonly<Record<string, string>> = { M: 'male', F: 'female', O: 'other' };

export function formatSex(value: string | undefined): string {
  return value ? (SEX[value.toUpperCase()] ?? value) : '';
}

/** Transfer syntax UIDs as names ("JPEG 2000", "Explicit VR Little Endian"); an unknown one as its UID. */
export function formatTransferSyntaxes(uids: readonly string[]): string {
  return uids.map((uid) => transferSyntax(uid)?.name ?? uid).join(', ');
}

/** One label per study of the tree, for the catalog's list of records. */
export function studyLabels(tree: StudyTree): StudyLabel[] {
  return tree.patients.flatMap((patient) =>
    patient.studies.map((study) => ({
      patientName: formatPersonName(patient.patientName),
      studyDate: study.studyDate ?? '',
      description: study.studyDescription ?? '',
      modalities: [...study.modalities],
      instances: study.instanceCount,
    })),
  );
}
