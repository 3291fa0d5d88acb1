/**
 * Ingest of a drop: DICOMDIRs written by dcmmkdir, zip archives written by Python's zipfile (nested
 * folders, a zip in a zip, a path traversal, a corrupt one), folders from the browser's three APIs
 * (faked here with the same shapes), and the whole flow with batching, progress, cancelling and a
 * worker that dies. Whatever goes wrong, each file is accounted for: read, kept as another record,
 * or named in a problem.
 */
import { join } from 'node:path';
import * as Comlink from 'comlink';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toArrayBufferView } from '../../src/core/bytes.js';
import { isAbort } from '../../src/core/errors.js';
import { readDicomdir, resolveDicomdirReferences, type DicomdirReference } from '../../src/dicom/dicomdir.js';
import { readDicomHeaders } from '../../src/dicom/header.js';
import { ingestEntries, type DropEntry, type IngestProgress } from '../../src/dicom/ingest.js';
import { expandArchive } from '../../src/dicom/ingest/archive.js';
import { localBackend, type DicomBackend } from '../../src/dicom/ingest/backend.js';
import { safeRelativePath, type Collected } from '../../src/dicom/ingest/entries.js';
import { collectDataTransfer, collectDirectoryHandle, collectFiles } from '../../src/dicom/ingest/sources.js';
import { DicomWorkerPool } from '../../src/dicom/ingest/worker-pool.js';
import { patternBytes } from '../helpers/deterministic-random.js';
import { bytesBlob, dcmdump, fixtureUid, jpegLikeBytes, makeDicomdir, makeStudy, makeZip, pdfLikeBytes, readBytes, type MadeStudy } from '../helpers/dicom-fixtures.js';
import { fixtureFolder } from '../helpers/dicom-tools.js';

const folder = fixtureFolder('ingest');
let disc: { root: string; study: MadeStudy; dicomdir: Uint8Array };
let study: { root: string; made: MadeStudy };

function entry(path: string, bytes: Uint8Array): DropEntry {
  return { path, file: bytesBlob(bytes), size: bytes.length };
}

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

beforeAll(() => {
  const root = join(folder.path, 'disc');
  const made = makeStudy(join(root, 'DICOM'), {
    patientName: 'Disc^Patient',
    patientId: 'DISC-1',
    studyDate: '20220202',
    series: [{ count: 2, modality: 'CT' }, { count: 1, modality: 'CT' }],
    dicomFileNames: true,
  });
  disc = { root, study: made, dicomdir: readBytes(makeDicomdir(root)) };
  const studyRoot = join(folder.path, 'study');
  study = {
    root: studyRoot,
    made: makeStudy(studyRoot, { studyNumber: 2, patientName: 'Doe^Jane', patientId: 'TESSERA-0042', series: [{ count: 3, modality: 'MR' }, { count: 2, modality: 'MR' }] }),
  };
});

afterAll(() => folder.remove());

describe('DICOMDIR (written by dcmmkdir)', () => {
  it('lists the files DCMTK lists, as paths relative to its folder', async () => {
    const result = await readDicomdir(bytesBlob(disc.dicomdir));
    if (result.kind !== 'dicomdir') throw new Error(`expected a DICOMDIR, got ${JSON.stringify(result)}`);
    const dcmtk = [...dcmdump(join(disc.root, 'DICOMDIR')).matchAll(/\(0004,1500\) CS \[([^\]]+)\]/g)].map((match) => match[1]!.replaceAll('\\', '/'));
    expect(result.contents.references.map((reference) => reference.path)).toEqual(dcmtk);
    expect(result.contents.references).toEqual([
      { recordType: 'IMAGE', path: 'DICOM/SE000001/IM000001', sopInstanceUid: fixtureUid(4242, 1, 1, 1), sopClassUid: '1.2.840.10008.5.1.4.1.1.7', transferSyntaxUid: '1.2.840.10008.1.2.1' },
      { recordType: 'IMAGE', path: 'DICOM/SE000001/IM000002', sopInstanceUid: fixtureUid(4242, 1, 1, 2), sopClassUid: '1.2.840.10008.5.1.4.1.1.7', transferSyntaxUid: '1.2.840.10008.1.2.1' },
      { recordType: 'IMAGE', path: 'DICOM/SE000002/IM000001', sopInstanceUid: fixtureUid(4242, 1, 2, 1), sopClassUid: '1.2.840.10008.5.1.4.1.1.7', transferSyntaxUid: '1.2.840.10008.1.2.1' },
    ]);
    expect(result.contents.invalidReferences).toBe(0);
  });

  it('finds files whatever their case, with ISO 9660 ";1" and trailing dots, and names the missing ones', () => {
    const references: DicomdirReference[] = disc.study.paths.map((path) => ({ recordType: 'IMAGE', path: `DICOM/${path}` }));
    const copied = ['CD/dicom/se000001/im000001;1', 'CD/Dicom/SE000001/IM000002.', 'CD/DICOMDIR'];
    const { found, missing } = resolveDicomdirReferences('CD/DICOMDIR', references, copied);
    expect(found.map((match) => match.path)).toEqual(['CD/dicom/se000001/im000001;1', 'CD/Dicom/SE000001/IM000002.']);
    expect(missing.map((reference) => reference.path)).toEqual(['DICOM/SE000002/IM000001']);
  });

  it('a file that is not DICOM is dicom.not-dicom', async () => {
    expect(await readDicomdir(bytesBlob(pdfLikeBytes()))).toMatchObject({ kind: 'damaged', problem: { code: 'dicom.not-dicom' } });
  });

  it('in a drop: the DICOMDIR is another record, its files are instances, a missing one is reported', async () => {
    const entries = [entry('CD/DICOMDIR', disc.dicomdir)];
    // Copied from a CD by an operating system that lowered the names; one file was lost on the way.
    for (const path of disc.study.paths.slice(0, 2)) entries.push(entry(`CD/dicom/${path.toLowerCase()}`, readBytes(join(disc.root, 'DICOM', path))));
    const result = await ingestEntries({ entries, problems: [] }, { backend: localBackend });
    const tree = result.model.snapshot();
    expect(tree.instanceCount).toBe(2);
    expect(tree.others.map((other) => [other.path, other.reason])).toEqual([['CD/DICOMDIR', 'dicomdir']]);
    expect(result.problems.map((problem) => [problem.code, problem.path])).toEqual([['dicomdir.missing-file', 'CD/DICOM/SE000002/IM000001']]);
  });
});

describe('zip archives (written by Python zipfile)', () => {
  it('keeps nested folders under the archive’s path, bytes unchanged, and reports an empty folder', async () => {
    const files: Record<string, string | Uint8Array> = { 'export/report.pdf': pdfLikeBytes(), 'export/empty/': new Uint8Array(0) };
    for (const path of study.made.paths) files[`export/DICOM/${path}`] = join(study.root, path);
    const zip = readBytes(makeZip(join(folder.path, 'study.zip'), files));
    const expanded = await expandArchive(bytesBlob(zip), 'drop/study.zip');
    expect(expanded.entries.map((item) => item.path).sort()).toEqual(
      [...study.made.paths.map((path) => `drop/study.zip/export/DICOM/${path}`), 'drop/study.zip/export/report.pdf'].sort(),
    );
    for (const item of expanded.entries.filter((candidate) => candidate.path.endsWith('.dcm'))) {
      const original = readBytes(join(study.root, item.path.replace('drop/study.zip/export/DICOM/', '')));
      expect(await bytesOf(item.file)).toEqual(original);
      expect(item.size).toBe(original.length);
    }
    expect(expanded.problems).toEqual([{ code: 'ingest.empty-folder', message: expect.any(String), path: 'drop/study.zip/export/empty' }]);
  });

  it('opens a zip inside a zip; a third level stays a file', async () => {
    const deepest = makeZip(join(folder.path, 'level3.zip'), { 'c.txt': new TextEncoder().encode('three') });
    const inner = makeZip(join(folder.path, 'inner.zip'), { 'a.dcm': join(study.root, study.made.paths[0]!), 'level3.zip': deepest });
    const outer = makeZip(join(folder.path, 'outer.zip'), { 'nested/inner.zip': inner, 'b.dcm': join(study.root, study.made.paths[1]!) });
    const expanded = await expandArchive(bytesBlob(readBytes(outer)), 'outer.zip');
    expect(expanded.entries.map((item) => item.path).sort()).toEqual(['outer.zip/b.dcm', 'outer.zip/nested/inner.zip/a.dcm', 'outer.zip/nested/inner.zip/level3.zip']);
    expect(expanded.problems).toEqual([]);
  });

  it('leaves out entries that would escape the folder (../, absolute, drive, backslash), each with a problem', async () => {
    const good = readBytes(join(study.root, study.made.paths[0]!));
    const zip = makeZip(join(folder.path, 'traversal.zip'), {
      '../evil-1.dcm': good,
      '/etc/cron.d/evil-2': good,
      'C:/Windows/evil-3.dcm': good,
      'folder\\..\\..\\evil-4.dcm': good,
      'ok/../../evil-5.dcm': good,
      'ok/good.dcm': good,
    });
    const expanded = await expandArchive(bytesBlob(readBytes(zip)), 'traversal.zip');
    expect(expanded.entries.map((item) => item.path)).toEqual(['traversal.zip/ok/good.dcm']);
    expect(await bytesOf(expanded.entries[0]!.file)).toEqual(good);
    expect(expanded.problems.map((problem) => [problem.code, problem.path]).sort()).toEqual([
      ['ingest.unsafe-path', 'traversal.zip/../evil-1.dcm'],
      ['ingest.unsafe-path', 'traversal.zip//etc/cron.d/evil-2'],
      ['ingest.unsafe-path', 'traversal.zip/C:/Windows/evil-3.dcm'],
      ['ingest.unsafe-path', 'traversal.zip/folder\\..\\..\\evil-4.dcm'],
      ['ingest.unsafe-path', 'traversal.zip/ok/../../evil-5.dcm'],
    ]);
  });

  it('an entry whose unsafe name would hide a safe one: the archive is kept whole, nothing is lost', async () => {
    const good = readBytes(join(study.root, study.made.paths[0]!));
    const bytes = readBytes(makeZip(join(folder.path, 'shadow.zip'), { 'ok/good.dcm': good, '../ok/good.dcm': pdfLikeBytes() }));
    const archive = bytesBlob(bytes);
    const expanded = await expandArchive(archive, 'shadow.zip');
    expect(expanded.entries).toEqual([{ path: 'shadow.zip', file: archive, size: bytes.length }]);
    expect(expanded.problems.map((problem) => [problem.code, problem.path])).toEqual([
      ['ingest.unsafe-path', 'shadow.zip/../ok/good.dcm'],
      ['ingest.archive-unreadable', 'shadow.zip'],
    ]);
  });

  it('keeps an archive that cannot be opened as one file, exactly as it is', async () => {
    const zip = readBytes(makeZip(join(folder.path, 'cut.zip'), { 'a.dcm': join(study.root, study.made.paths[0]!) }));
    for (const bytes of [zip.subarray(0, zip.length - 30), patternBytes(500)]) {
      const archive = bytesBlob(bytes);
      const expanded = await expandArchive(archive, 'cut.zip');
      expect(expanded.entries).toEqual([{ path: 'cut.zip', file: archive, size: bytes.length }]);
      expect(expanded.problems.map((problem) => problem.code)).toEqual(['ingest.archive-unreadable']);
    }
  });

  it('checks paths the way a recovered folder needs them', () => {
    expect(safeRelativePath('a//b/./c.dcm')).toBe('a/b/c.dcm');
    for (const path of ['', '/', '..', 'a/..', '/abs', 'C:x', 'a\\b', 'a/\u0000b']) expect(safeRelativePath(path), JSON.stringify(path)).toBeUndefined();
  });
});

describe('a whole drop', () => {
  function mixedDrop(): Collected {
    const entries: DropEntry[] = study.made.paths.map((path) => entry(`study/${path}`, readBytes(join(study.root, path))));
    const first = readBytes(join(study.root, study.made.paths[0]!));
    entries.push(entry('reports/letter.pdf', pdfLikeBytes()));
    entries.push(entry('photos/skin.jpg', jpegLikeBytes()));
    entries.push(entry('broken/cut.dcm', first.subarray(0, first.length - 64)));
    entries.push(entry('report.docx', readBytes(makeZip(join(folder.path, 'report.docx'), { 'word/document.xml': new TextEncoder().encode('<w/>') }))));
    entries.push(entry('disc.zip', readBytes(makeZip(join(folder.path, 'disc.zip'), { 'DICOMDIR': disc.dicomdir, ...Object.fromEntries(disc.study.paths.map((path) => [`DICOM/${path}`, join(disc.root, 'DICOM', path)])) }))));
    entries.push(entry('study/series-1/image-0001.dcm', first));
    return { entries, problems: [{ code: 'ingest.empty-folder', message: 'empty', path: 'study/empty' }] };
  }

  it('reads every file once, in batches, with progress, and keeps the rest as other records', async () => {
    const progress: IngestProgress[] = [];
    const result = await ingestEntries(mixedDrop(), { backend: localBackend, batchSize: 3, concurrency: 2, onProgress: (step) => progress.push(step) });
    const tree = result.model.snapshot();
    expect(tree.patients.map((patient) => [patient.patientName?.text, patient.instanceCount])).toEqual([
      ['Disc^Patient', 3],
      ['Doe^Jane', 5],
    ]);
    expect(tree.others.map((other) => [other.path, other.reason, other.problem?.code])).toEqual([
      ['broken/cut.dcm', 'damaged', 'dicom.truncated'],
      ['disc.zip/DICOMDIR', 'dicomdir', undefined],
      ['photos/skin.jpg', 'not-dicom', undefined],
      ['report.docx', 'not-dicom', undefined],
      ['reports/letter.pdf', 'not-dicom', undefined],
    ]);
    expect(result.problems.map((problem) => [problem.code, problem.path])).toEqual([
      ['ingest.empty-folder', 'study/empty'],
      ['ingest.duplicate-path', 'study/series-1/image-0001.dcm'],
    ]);
    expect(result.entries).toHaveLength(5 + 4 + 4);
    expect(tree.instanceCount + tree.otherCount).toBe(result.entries.length);
    const reading = progress.filter((step) => step.phase === 'reading');
    expect(reading.map((step) => step.done)).toEqual([3, 6, 9, 12, 13]);
    expect(reading.every((step) => step.total === 13)).toBe(true);
    expect(progress.filter((step) => step.phase === 'unpacking')).toEqual([{ phase: 'unpacking', done: 1, total: 1 }]);
  });

  it('a series of 2,000 instances: read in 80 batches of 25, progress after each, the page holding only headers', async () => {
    const bytes = readBytes(join(study.root, study.made.paths[0]!));
    const entries = Array.from({ length: 2000 }, (_, index) => entry(`big/IM${String(index).padStart(5, '0')}`, bytes));
    const progress: number[] = [];
    const started = performance.now();
    const result = await ingestEntries({ entries, problems: [] }, { backend: localBackend, onProgress: (step) => progress.push(step.done) });
    const elapsed = performance.now() - started;
    expect(progress).toHaveLength(80);
    expect(progress.at(-1)).toBe(2000);
    const series = result.model.snapshot().patients[0]!.studies[0]!.series[0]!;
    expect(series.instanceCount).toBe(2000);
    expect(series.totalSize).toBe(2000 * bytes.length);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('cancelling rejects with job.aborted, which the page does not show as an error', async () => {
    const controller = new AbortController();
    const ingest = ingestEntries(mixedDrop(), { backend: localBackend, batchSize: 2, concurrency: 1, signal: controller.signal, onProgress: () => controller.abort() });
    const error = await ingest.then(() => undefined, (caught: unknown) => caught);
    expect(isAbort(error)).toBe(true);
  });

  it('a worker that dies fails only its own batch: those files are dicom.unreadable, the others are read', async () => {
    let calls = 0;
    const flaky: DicomBackend = {
      ...localBackend,
      readDicomHeaders: (files) => (++calls === 2 ? Promise.reject(new Error('the DICOM worker stopped')) : localBackend.readDicomHeaders(files)),
    };
    const entries = study.made.paths.map((path) => entry(path, readBytes(join(study.root, path))));
    const result = await ingestEntries({ entries, problems: [] }, { backend: flaky, batchSize: 2, concurrency: 1 });
    const tree = result.model.snapshot();
    expect(tree.instanceCount).toBe(3);
    expect(tree.others.map((other) => [other.path, other.problem?.code])).toEqual([
      [study.made.paths[2], 'dicom.unreadable'],
      [study.made.paths[3], 'dicom.unreadable'],
    ]);
  });
});

describe('the browser’s ways of handing over files (same shapes, faked)', () => {
  function file(name: string, relativePath = ''): File {
    const made = new File([toArrayBufferView(patternBytes(10))], name);
    Object.defineProperty(made, 'webkitRelativePath', { value: relativePath });
    return made;
  }

  it('a FileList from <input webkitdirectory> keeps the folder structure', () => {
    const collected = collectFiles([file('a.dcm', 'Study/S1/a.dcm'), file('b.pdf'), file('x', '../x')]);
    expect(collected.entries.map((item) => item.path)).toEqual(['Study/S1/a.dcm', 'b.pdf']);
    expect(collected.problems.map((problem) => [problem.code, problem.path])).toEqual([['ingest.unsafe-path', '../x']]);
  });

  /** A FileSystemEntry tree whose readers hand out at most 100 entries per call, as Chromium's do. */
  function fileEntry(fullPath: string): FileSystemFileEntry {
    const name = fullPath.slice(fullPath.lastIndexOf('/') + 1);
    return { isFile: true, isDirectory: false, name, fullPath, file: (resolve: (value: File) => void) => resolve(file(name)) } as unknown as FileSystemFileEntry;
  }
  function directoryEntry(fullPath: string, children: FileSystemEntry[]): FileSystemDirectoryEntry {
    return {
      isFile: false,
      isDirectory: true,
      name: fullPath.slice(fullPath.lastIndexOf('/') + 1),
      fullPath,
      createReader: () => {
        let offset = 0;
        return {
          readEntries: (resolve: (batch: FileSystemEntry[]) => void) => {
            const batch = children.slice(offset, offset + 100);
            offset += batch.length;
            queueMicrotask(() => resolve(batch));
          },
        };
      },
    } as unknown as FileSystemDirectoryEntry;
  }

  it('a dropped folder of 250 files is read to the end (readEntries until it returns nothing)', async () => {
    const images = Array.from({ length: 250 }, (_, index) => fileEntry(`/Study/IM${String(index).padStart(4, '0')}`));
    const root = directoryEntry('/Study', [...images, directoryEntry('/Study/Empty', [])]);
    const items = [root, fileEntry('/notes.pdf')].map((root) => ({ kind: 'file', webkitGetAsEntry: () => root }));
    const collected = await collectDataTransfer({ items, files: [] } as unknown as DataTransfer);
    expect(collected.entries).toHaveLength(251);
    expect(collected.entries[0]!.path).toBe('Study/IM0000');
    expect(collected.entries.at(-1)!.path).toBe('notes.pdf');
    expect(collected.problems.map((problem) => [problem.code, problem.path])).toEqual([['ingest.empty-folder', 'Study/Empty']]);
  });

  it('a folder picked with showDirectoryPicker()', async () => {
    const handle = (name: string, children: unknown[]): unknown => ({
      kind: 'directory',
      name,
      async *values() {
        yield* children;
      },
    });
    const picked = handle('Export', [{ kind: 'file', name: 'a.dcm', getFile: async () => file('a.dcm') }, handle('Nothing', [])]);
    const collected = await collectDirectoryHandle(picked as FileSystemDirectoryHandle);
    expect(collected.entries.map((item) => item.path)).toEqual(['Export/a.dcm']);
    expect(collected.problems.map((problem) => [problem.code, problem.path])).toEqual([['ingest.empty-folder', 'Export/Nothing']]);
  });
});

describe('the DICOM worker pool (Comlink over MessageChannels, as with real workers)', () => {
  /** Stands in for a Worker: a MessageChannel whose far end exposes the worker's API. */
  class ChannelWorker extends EventTarget {
    private readonly channel = new MessageChannel();
    terminated = false;
    constructor(api: DicomBackend) {
      super();
      Comlink.expose(api, this.channel.port2 as unknown as Comlink.Endpoint);
      this.channel.port1.addEventListener('message', (event) => this.dispatchEvent(new MessageEvent('message', { data: (event as MessageEvent).data })));
      this.channel.port1.start();
    }
    postMessage(message: unknown, transfer: Transferable[] = []): void {
      if (!this.terminated) this.channel.port1.postMessage(message, transfer as never);
    }
    terminate(): void {
      this.terminated = true;
      this.channel.port1.close();
      this.channel.port2.close();
    }
    crash(): void {
      this.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message: 'out of memory' }));
    }
  }

  const workers: ChannelWorker[] = [];
  afterEach(() => {
    for (const worker of workers.splice(0)) worker.terminate();
  });

  function pool(api: DicomBackend, size = 2): DicomWorkerPool {
    return new DicomWorkerPool(size, () => {
      const worker = new ChannelWorker(api);
      workers.push(worker);
      return worker as unknown as Worker;
    });
  }

  it('gives the same results as reading in the page, spread over the workers', async () => {
    const files = study.made.paths.map((path) => bytesBlob(readBytes(join(study.root, path))));
    const workersPool = pool(localBackend);
    const [first, second] = await Promise.all([workersPool.readDicomHeaders(files.slice(0, 2)), workersPool.readDicomHeaders(files.slice(2))]);
    expect([...first, ...second]).toEqual(await readDicomHeaders(files));
    expect(workers).toHaveLength(2);
    workersPool.dispose();
  });

  it('dispose() stops the workers and a call in flight rejects with job.aborted', async () => {
    const never: DicomBackend = { ...localBackend, readDicomHeaders: () => new Promise(() => undefined) };
    const workersPool = pool(never, 1);
    const pending = workersPool.readDicomHeaders([new Blob(['x'])]).then(() => undefined, (caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 0));
    workersPool.dispose();
    expect(isAbort(await pending)).toBe(true);
    expect(workers[0]!.terminated).toBe(true);
  });

  it('a crashed worker fails its calls, and the next call gets a fresh worker', async () => {
    const never: DicomBackend = { ...localBackend, readDicomHeaders: () => new Promise(() => undefined) };
    const workersPool = pool(never, 1);
    const pending = workersPool.readDicomHeaders([new Blob(['x'])]).then(() => undefined, (caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 0));
    workers[0]!.crash();
    expect(String(await pending)).toContain('the DICOM worker stopped: out of memory');
    expect(await workersPool.readDicomdir(bytesBlob(disc.dicomdir))).toMatchObject({ kind: 'dicomdir' });
    expect(workers).toHaveLength(2);
    workersPool.dispose();
  });
});
