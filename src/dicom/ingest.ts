/**
 * Ingest: a drop (files, folders, a DICOMDIR, zip archives, anything mixed) becomes a flat list of
 * entries and a study model. Steps, in order:
 *
 * 1. collect: the browser's objects → entries with their relative paths (ingest/sources.ts);
 * 2. unpack: zip archives → their entries, in a worker (ingest/archive.ts);
 * 3. read headers: batches of files to the DICOM workers, which read only each file's header and
 *    send back small plain objects; the model grows batch by batch and progress is reported, so a
 *    drop of thousands of instances never freezes the page;
 * 4. check DICOMDIRs: the files a DICOMDIR lists must be in the drop; missing ones are reported.
 *
 * Problems are per entry and never stop the drop. Cancelling (the AbortSignal) stops the workers and
 * rejects with job.aborted, which `isAbort` recognises and the UI does not show as an error.
 */
import { TesseraError } from '../core/errors.js';
import { resolveDicomdirReferences } from './dicomdir.js';
import type { DicomProblem, HeaderResult } from './header.js';
import { StudyModel } from './model.js';
import { isZipPath } from './ingest/archive.js';
import type { DicomBackend } from './ingest/backend.js';
import { ingestProblem, joinPath, type Collected, type DropEntry, type IngestProblem } from './ingest/entries.js';
import { collectDataTransfer, collectDirectoryHandle, collectFiles } from './ingest/sources.js';
import { DicomWorkerPool } from './ingest/worker-pool.js';

export type { Collected, DropEntry, IngestProblem, IngestProblemCode } from './ingest/entries.js';
export { INGEST_PROBLEM_CODES, INGEST_PROBLEM_MESSAGES } from './ingest/entries.js';
export type { DicomBackend } from './ingest/backend.js';

export interface IngestProgress {
  readonly phase: 'unpacking' | 'reading';
  /** Archives unpacked, or files whose header has been read. */
  readonly done: number;
  readonly total: number;
}

export interface IngestOptions {
  /** Where the work runs; default: a pool of DICOM workers started for this ingest and ended after it. */
  readonly backend?: DicomBackend;
  /** Files per worker call (default 25): small enough for steady progress, large enough to be cheap. */
  readonly batchSize?: number;
  /** Batches in flight at once (default 8: two per worker of a four-worker pool). */
  readonly concurrency?: number;
  /** Called after each archive and each batch; `model` is the same object, grown so far. */
  readonly onProgress?: (progress: IngestProgress, model: StudyModel) => void;
  readonly signal?: AbortSignal;
}

export interface IngestResult {
  /** Every file to protect, archives replaced by their contents. */
  readonly entries: readonly DropEntry[];
  readonly model: StudyModel;
  readonly problems: readonly IngestProblem[];
}

export type DropSource = DataTransfer | FileList | readonly File[] | FileSystemDirectoryHandle;

/**
 * Ingests what the user handed over. For a drop, call it from the `drop` event handler itself:
 * the DataTransfer is read before the first `await`.
 */
export function ingestDrop(source: DropSource, options: IngestOptions = {}): Promise<IngestResult> {
  const collected = collect(source);
  return collected.then((value) => ingestEntries(value, options));
}

function collect(source: DropSource): Promise<Collected> {
  if (typeof DataTransfer !== 'undefined' && source instanceof DataTransfer) return collectDataTransfer(source);
  if (typeof FileSystemDirectoryHandle !== 'undefined' && source instanceof FileSystemDirectoryHandle) {
    return collectDirectoryHandle(source);
  }
  return Promise.resolve(collectFiles(source as FileList | readonly File[]));
}

const DEFAULT_BATCH_SIZE = 25;
const DEFAULT_CONCURRENCY = 8;

/** Steps 2–4 for entries already collected (by ingest/sources.ts, or by a test). */
export async function ingestEntries(collected: Collected, options: IngestOptions = {}): Promise<IngestResult> {
  const batchSize = positiveInteger('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE);
  const concurrency = positiveInteger('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY);
  const { signal, onProgress } = options;
  throwIfAborted(signal);

  const ownPool = options.backend === undefined ? new DicomWorkerPool() : undefined;
  const backend = options.backend ?? ownPool!;
  const stop = (): void => ownPool?.dispose();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const model = new StudyModel();
    const problems: IngestProblem[] = [...collected.problems];
    const entries = await unpack(withoutDuplicates(collected.entries, problems), backend, problems, model, options);
    const unique = withoutDuplicates(entries, problems);
    const results = await readHeaders(unique, backend, { batchSize, concurrency, signal, onProgress, model });
    await checkDicomdirs(unique, results, backend, problems, signal);
    return { entries: unique, model, problems };
  } catch (error) {
    if (signal?.aborted) throw new TesseraError('job.aborted', 'cancelled', {}, { cause: error });
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
    ownPool?.dispose();
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name}: expected an integer ≥ 1, got ${value}`);
  return value;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TesseraError('job.aborted', 'cancelled');
}

/** Keeps the first entry of each path; later ones are reported, since a folder holds one file per name. */
function withoutDuplicates(entries: readonly DropEntry[], problems: IngestProblem[]): DropEntry[] {
  const seen = new Set<string>();
  const unique: DropEntry[] = [];
  for (const entry of entries) {
    if (seen.has(entry.path)) problems.push(ingestProblem('ingest.duplicate-path', entry.path));
    else {
      seen.add(entry.path);
      unique.push(entry);
    }
  }
  return unique;
}

async function unpack(
  entries: readonly DropEntry[],
  backend: DicomBackend,
  problems: IngestProblem[],
  model: StudyModel,
  options: IngestOptions,
): Promise<DropEntry[]> {
  const archives = entries.filter((entry) => isZipPath(entry.path));
  if (archives.length === 0) return [...entries];
  const expanded = new Map<DropEntry, readonly DropEntry[]>();
  for (const [index, archive] of archives.entries()) {
    throwIfAborted(options.signal);
    const contents = await backend.expandArchive(archive.file, archive.path);
    expanded.set(archive, contents.entries);
    problems.push(...contents.problems);
    options.onProgress?.({ phase: 'unpacking', done: index + 1, total: archives.length }, model);
  }
  return entries.flatMap((entry) => expanded.get(entry) ?? [entry]);
}

interface ReadOptions {
  readonly batchSize: number;
  readonly concurrency: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: IngestOptions['onProgress'];
  readonly model: StudyModel;
}

/** The problem given to each file of a batch whose worker stopped before answering. */
const WORKER_STOPPED: DicomProblem = {
  code: 'dicom.unreadable',
  message: 'This file could not be read. It may have been moved, deleted or be open in another program.',
  detail: 'the reading worker stopped',
};

async function readHeaders(entries: readonly DropEntry[], backend: DicomBackend, options: ReadOptions): Promise<HeaderResult[]> {
  const { batchSize, concurrency, signal, onProgress, model } = options;
  const results: HeaderResult[] = new Array<HeaderResult>(entries.length);
  let next = 0;
  let done = 0;
  const runBatches = async (): Promise<void> => {
    while (next < entries.length) {
      throwIfAborted(signal);
      const start = next;
      next = Math.min(entries.length, next + batchSize);
      const batch = entries.slice(start, next);
      // Each batch is sent from a task of its own: handing a chosen file to a worker costs Chromium
      // a synchronous look at the disk, and eight batches sent at once blocked the page.
      await new Promise((resolve) => setTimeout(resolve, 0));
      let batchResults: readonly HeaderResult[];
      try {
        batchResults = await backend.readDicomHeaders(batch.map((entry) => entry.file));
      } catch (error) {
        if (signal?.aborted) throw error;
        batchResults = batch.map(() => ({ kind: 'damaged', problem: WORKER_STOPPED }));
      }
      batch.forEach((entry, offset) => {
        const result = batchResults[offset] ?? { kind: 'damaged', problem: WORKER_STOPPED };
        results[start + offset] = result;
        model.add(entry, result);
      });
      done += batch.length;
      onProgress?.({ phase: 'reading', done, total: entries.length }, model);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.ceil(entries.length / batchSize)) }, runBatches));
  return results;
}

async function checkDicomdirs(
  entries: readonly DropEntry[],
  results: readonly HeaderResult[],
  backend: DicomBackend,
  problems: IngestProblem[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const paths = entries.map((entry) => entry.path);
  for (const [index, entry] of entries.entries()) {
    const result = results[index];
    if (result?.kind !== 'dicom' || !result.header.isDicomdir) continue;
    throwIfAborted(signal);
    const read = await backend.readDicomdir(entry.file);
    if (read.kind === 'damaged') {
      problems.push(ingestProblem('dicomdir.unreadable', entry.path));
      continue;
    }
    const folder = entry.path.includes('/') ? entry.path.slice(0, entry.path.lastIndexOf('/')) : '';
    const { missing } = resolveDicomdirReferences(entry.path, read.contents.references, paths);
    for (const reference of missing) problems.push(ingestProblem('dicomdir.missing-file', joinPath(folder, reference.path)));
  }
}
