/**
 * What a drop becomes: a flat list of files with their place in the user's folder structure, and
 * the problems found on the way (per entry, never fatal). Paths are relative and '/'-separated, so
 * that a protected study is rebuilt as the same folder.
 *
 * Pure: no DOM, used on the page and in the DICOM worker (archives are expanded there).
 */

export interface DropEntry {
  /** Relative, '/'-separated, as in the user's folders (an archive's content under the archive's path). */
  readonly path: string;
  readonly file: Blob;
  readonly size: number;
}

export const INGEST_PROBLEM_CODES = [
  'ingest.unsafe-path',
  'ingest.empty-folder',
  'ingest.archive-unreadable',
  'ingest.unreadable',
  'ingest.duplicate-path',
  'dicomdir.missing-file',
  'dicomdir.unreadable',
] as const;

export type IngestProblemCode = (typeof INGEST_PROBLEM_CODES)[number];

/**
 * A problem with one entry of a drop. `path` is shown to the user, on their own screen, next to the
 * message; it may name the patient, so it is never logged.
 */
export interface IngestProblem {
  readonly code: IngestProblemCode;
  readonly message: string;
  readonly path: string;
}

export const INGEST_PROBLEM_MESSAGES: Record<IngestProblemCode, string> = {
  'ingest.unsafe-path':
    'This archive entry has a name that would place it outside the folder it was unpacked into, so it was left out.',
  'ingest.empty-folder': 'This folder is empty: there is nothing in it to protect.',
  'ingest.archive-unreadable': 'This archive could not be opened. It is kept and protected as one file, exactly as it is.',
  'ingest.unreadable': 'This file could not be read. It may have been moved or deleted; it was left out.',
  'ingest.duplicate-path': 'Another file with the same name and folder was already added; this one was left out.',
  'dicomdir.missing-file': 'The disc index (DICOMDIR) lists this file, but it is not among the files given.',
  'dicomdir.unreadable': 'The disc index (DICOMDIR) could not be read; the files themselves are still read one by one.',
};

export function ingestProblem(code: IngestProblemCode, path: string): IngestProblem {
  return { code, message: INGEST_PROBLEM_MESSAGES[code], path };
}

export interface Collected {
  readonly entries: readonly DropEntry[];
  readonly problems: readonly IngestProblem[];
}

/**
 * A relative path from an archive or a browser, checked and normalised: '/'-separated, no empty or
 * `.` components. Undefined when it is not safe to use as a place inside the drop: absolute
 * (`/etc`), a drive (`C:`), a backslash (a Windows separator that some unzippers honour), a `..`
 * component, or a control character. Zip archives may carry any of these (the "zip slip" attack);
 * nothing here writes to disk, but a recovered study is written back as a folder, so every path
 * must stay inside it.
 */
export function safeRelativePath(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\')) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return undefined;
  const components = path.split('/').filter((component) => component !== '' && component !== '.');
  if (components.length === 0 || components.includes('..')) return undefined;
  return components.join('/');
}

/** Joins a folder path and a relative path (either may be empty). */
export function joinPath(folder: string, path: string): string {
  if (folder === '') return path;
  if (path === '') return folder;
  return `${folder}/${path}`;
}
