/**
 * What the user has dropped or chosen, before protecting it. A single file that is not DICOM stays a
 * plain file; anything else (folders, a CD, zips, DICOM files) is read as a drop: its files with
 * their folder paths, and for DICOM the Patient → Study → Series tree, built in DICOM workers (only
 * headers are read) while the list shows progress.
 */
import { isAbort } from '../../core/errors.js';
import { ingestEntries, type DropEntry, type IngestProblem, type IngestProgress } from '../../dicom/ingest.js';
import { collectDataTransfer, collectDirectoryHandle, collectFilesInSlices } from '../../dicom/ingest/sources.js';
import type { Collected } from '../../dicom/ingest/entries.js';
import type { StudyTree } from '../../dicom/model.js';
import { folderName } from '../../records/folder.js';

interface ItemBase {
  readonly id: number;
  /** What the list calls it: the file's or the folder's name. */
  readonly name: string;
  /** The files as the user gave them (archives not unpacked): what is protected, byte for byte. */
  readonly originals: readonly DropEntry[];
}

export type DropItem =
  | (ItemBase & { readonly state: 'reading'; readonly progress: IngestProgress | undefined })
  | (ItemBase & {
      readonly state: 'ready';
      /** Every file found, archives unpacked: what is shown. */
      readonly tree: StudyTree;
      readonly problems: readonly IngestProblem[];
    });

export class Drops {
  items = $state.raw<DropItem[]>([]);
  private nextId = 1;
  // Bookkeeping the page never shows, so a plain (not reactive) object keyed by item id.
  private readonly aborts: Record<number, AbortController> = {};

  /** From the drop event handler itself: the DataTransfer is read before anything is awaited. */
  addDataTransfer(dataTransfer: DataTransfer): void {
    this.add(collectDataTransfer(dataTransfer));
  }

  /** Files from `<input type="file" multiple>` or `<input webkitdirectory>`. */
  addFiles(files: FileList | readonly File[]): void {
    if (files.length === 0) return;
    this.add(collectFilesInSlices(Array.from(files)));
  }

  addDirectory(handle: FileSystemDirectoryHandle): void {
    this.add(collectDirectoryHandle(handle));
  }

  /** Files collected elsewhere (the demo sample, fetched from the app's own origin); returns the item's id. */
  addCollected(collected: Collected): number {
    return this.add(Promise.resolve(collected));
  }

  remove(id: number): void {
    this.aborts[id]?.abort();
    delete this.aborts[id];
    this.items = this.items.filter((item) => item.id !== id);
  }

  clear(): void {
    for (const item of this.items) this.remove(item.id);
  }

  get ready(): readonly Extract<DropItem, { state: 'ready' }>[] {
    return this.items.filter((item): item is Extract<DropItem, { state: 'ready' }> => item.state === 'ready');
  }

  get reading(): boolean {
    return this.items.some((item) => item.state === 'reading');
  }

  private add(collecting: Promise<Collected>): number {
    const id = this.nextId++;
    const abort = new AbortController();
    this.aborts[id] = abort;
    void collecting
      .then(async (collected) => {
        if (abort.signal.aborted) return;
        const originals = collected.entries;
        const name = folderName(originals.map((entry) => entry.path));
        this.items = [...this.items, { id, name, originals, state: 'reading', progress: undefined }];
        const result = await ingestEntries(collected, {
          signal: abort.signal,
          onProgress: (progress) => this.replace(id, (item) => (item.state === 'reading' ? { ...item, progress } : item)),
        });
        this.replace(id, (item) => ({ id, name: item.name, originals, state: 'ready', tree: result.model.snapshot(), problems: result.problems }));
      })
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        // Collecting or reading failed as a whole (not per file): keep the files, shown as not read.
        console.error('Reading the dropped files failed');
        this.replace(id, (item) => ({
          id,
          name: item.name,
          originals: item.originals,
          state: 'ready',
          tree: { patients: [], others: [], instanceCount: 0, instanceSize: 0, otherCount: item.originals.length, otherSize: 0 },
          problems: [],
        }));
      })
      .finally(() => delete this.aborts[id]);
    return id;
  }

  private replace(id: number, update: (item: DropItem) => DropItem): void {
    this.items = this.items.map((item) => (item.id === id ? update(item) : item));
  }
}
