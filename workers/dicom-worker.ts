/**
 * The DICOM worker: reads headers, DICOMDIRs and zip archives off the main thread, so that a drop
 * of thousands of files never freezes the page. Thin on purpose; the work is in src/dicom. The page
 * talks to it only through src/dicom/ingest/worker-pool.ts.
 *
 * Files go in as Blobs (structured clone passes a reference; the worker reads slices). Results come
 * back as plain objects: a file's problem is a `{ kind: 'damaged', problem }` value, never a thrown
 * error, so its code survives the boundary.
 */
import * as Comlink from 'comlink';
import { readDicomdir } from '../src/dicom/dicomdir.js';
import { readDicomHeaders } from '../src/dicom/header.js';
import { expandArchive } from '../src/dicom/ingest/archive.js';
import type { DicomBackend } from '../src/dicom/ingest/backend.js';

const api = {
  readDicomHeaders,
  readDicomdir,
  expandArchive,
} satisfies DicomBackend;

export type DicomWorkerApi = typeof api;

Comlink.expose(api);
