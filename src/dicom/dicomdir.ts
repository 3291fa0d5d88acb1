/**
 * DICOMDIR: the directory of a DICOM file-set (a CD, DVD or USB stick from a hospital), PS3.10 §8
 * and the Basic Directory IOD, PS3.3 Annex F. Each record of the Directory Record Sequence
 * (0004,1220) that stands for a file names it in Referenced File ID (0004,1500): the path from the
 * file-set's root (the DICOMDIR's folder) as up to eight components, one CS value each, separated
 * by backslashes (PS3.10 §8.2, §8.5).
 *
 * Reading the DICOMDIR tells which files the set should hold; `resolveDicomdirReferences` matches
 * them against the files actually dropped, ignoring case and the ISO 9660 decorations (`;1`,
 * trailing `.`) that CD drives add, and lists the missing ones.
 *
 * Pure: no DOM, importable from the page, a worker and Node.
 */
import type { DataSet } from 'dicom-parser';
import { decodeText, splitValues } from './charset.js';
import { DICOM_PROBLEM_MESSAGES, openDataSet, valueBytes, withoutUndefined, type DicomProblem, type ReadOptions } from './header.js';
import { TAGS } from './tags.js';

export interface DicomdirReference {
  /** Directory Record Type (0004,1430): IMAGE, SR DOCUMENT, ENCAP DOC, PRIVATE … */
  readonly recordType: string;
  /** Referenced File ID as a '/'-separated path relative to the DICOMDIR's folder. */
  readonly path: string;
  readonly sopInstanceUid?: string;
  readonly sopClassUid?: string;
  readonly transferSyntaxUid?: string;
}

export interface DicomdirContents {
  readonly fileSetId?: string;
  readonly references: readonly DicomdirReference[];
  /**
   * Records whose Referenced File ID is not a path inside the file-set (empty, `.` or `..`
   * components, more than eight components): they are not followed.
   */
  readonly invalidReferences: number;
}

export type DicomdirResult =
  | { readonly kind: 'dicomdir'; readonly contents: DicomdirContents }
  | { readonly kind: 'damaged'; readonly problem: DicomProblem };

/** Most components in a Referenced File ID (PS3.10 §8.5). */
const MAX_COMPONENTS = 8;

/** Reads a DICOMDIR's records. Never throws for the file's content. */
export async function readDicomdir(file: Blob, options: ReadOptions = {}): Promise<DicomdirResult> {
  const opened = await openDataSet(file, { ...options, purpose: 'whole' });
  if (opened.kind === 'damaged') return opened;
  if (opened.kind === 'other') {
    return { kind: 'damaged', problem: { code: 'dicom.not-dicom', message: DICOM_PROBLEM_MESSAGES['dicom.not-dicom'] } };
  }
  const sequence = opened.dataSet.elements[TAGS.DirectoryRecordSequence.tag];
  const references: DicomdirReference[] = [];
  let invalidReferences = 0;
  for (const item of sequence?.items ?? []) {
    const record = item.dataSet;
    if (!record) continue;
    const fileId = valueBytes(record, TAGS.ReferencedFileID.tag);
    if (fileId === undefined) continue;
    const components = splitValues(decodeText(fileId, [], 'CS'), 'CS');
    if (!components.every(isSafeComponent) || components.length > MAX_COMPONENTS) {
      invalidReferences += 1;
      continue;
    }
    references.push(
      withoutUndefined({
        recordType: text(record, TAGS.DirectoryRecordType.tag) ?? '',
        path: components.join('/'),
        sopInstanceUid: text(record, TAGS.ReferencedSOPInstanceUIDInFile.tag),
        sopClassUid: text(record, TAGS.ReferencedSOPClassUIDInFile.tag),
        transferSyntaxUid: text(record, TAGS.ReferencedTransferSyntaxUIDInFile.tag),
      }),
    );
  }
  return {
    kind: 'dicomdir',
    contents: withoutUndefined({ fileSetId: text(opened.dataSet, TAGS.FileSetID.tag), references, invalidReferences }),
  };
}

function isSafeComponent(component: string): boolean {
  return component !== '' && component !== '.' && component !== '..' && !/[/\0]/.test(component);
}

function text(dataSet: DataSet, tag: string): string | undefined {
  const bytes = valueBytes(dataSet, tag);
  if (bytes === undefined) return undefined;
  const value = splitValues(decodeText(bytes, [], 'CS'), 'CS')[0];
  return value === undefined || value === '' ? undefined : value.replace(/\0+$/, '');
}


export interface DicomdirResolution {
  /** Each reference with the path of the dropped file it names. */
  readonly found: readonly { readonly reference: DicomdirReference; readonly path: string }[];
  /** References to files the drop does not hold. */
  readonly missing: readonly DicomdirReference[];
}

/**
 * Matches a DICOMDIR's references against the dropped files. `dicomdirPath` is the DICOMDIR's own
 * path in the drop; references are relative to its folder. File systems of CDs are matched
 * loosely: case is ignored (ISO 9660 names are upper case, but drives and copies often lower them),
 * and a version suffix `;1` or a trailing `.` on a name is ignored. An exact match wins over a
 * loose one.
 */
export function resolveDicomdirReferences(
  dicomdirPath: string,
  references: readonly DicomdirReference[],
  availablePaths: Iterable<string>,
): DicomdirResolution {
  const slash = dicomdirPath.lastIndexOf('/');
  const folder = slash >= 0 ? dicomdirPath.slice(0, slash + 1) : '';
  const exact = new Set<string>();
  const loose = new Map<string, string>();
  for (const path of availablePaths) {
    exact.add(path);
    const key = looseKey(path);
    if (!loose.has(key)) loose.set(key, path);
  }
  const found: { reference: DicomdirReference; path: string }[] = [];
  const missing: DicomdirReference[] = [];
  for (const reference of references) {
    const wanted = folder + reference.path;
    const path = exact.has(wanted) ? wanted : loose.get(looseKey(wanted));
    if (path === undefined) missing.push(reference);
    else found.push({ reference, path });
  }
  return { found, missing };
}

function looseKey(path: string): string {
  return path
    .split('/')
    .map((component) => component.replace(/;\d+$/, '').replace(/\.$/, '').toLowerCase())
    .join('/');
}
