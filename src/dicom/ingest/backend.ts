/**
 * What ingest needs done off the page: the DICOM worker's API (workers/dicom-worker.ts implements
 * it with `satisfies`), also met in-process by `localBackend` for Node tests and the CLI.
 */
import { readDicomdir, type DicomdirResult } from '../dicomdir.js';
import { readDicomHeaders, type HeaderResult } from '../header.js';
import { expandArchive } from './archive.js';
import type { Collected } from './entries.js';

export interface DicomBackend {
  readDicomHeaders(files: readonly Blob[]): Promise<HeaderResult[]>;
  readDicomdir(file: Blob): Promise<DicomdirResult>;
  expandArchive(archive: Blob, archivePath: string, depth?: number): Promise<Collected>;
}

/** The same functions, run in the calling thread. */
export const localBackend: DicomBackend = { readDicomHeaders, readDicomdir, expandArchive };
