/**
 * The browser's ways of handing over files, each turned into DropEntry[] with the folder structure
 * the user sees:
 * - a drop (DataTransfer): `webkitGetAsEntry()` walks dropped folders (the File and Directory
 *   Entries API; in every current browser despite the prefix);
 * - `<input type="file" webkitdirectory>` or `multiple`: a FileList whose files carry
 *   `webkitRelativePath` ("folder/sub/file") when a folder was picked;
 * - `showDirectoryPicker()` (File System Access API, Chromium): a FileSystemDirectoryHandle.
 *
 * Page realm only (DOM types). Folders with nothing in them are reported, never silently skipped.
 */
import { ingestProblem, safeRelativePath, type Collected, type DropEntry, type IngestProblem } from './entries.js';

/** Files from an `<input type="file">` (with or without `webkitdirectory`), or any list of Files. */
export function collectFiles(files: FileList | Iterable<File>): Collected {
  const entries: DropEntry[] = [];
  const problems: IngestProblem[] = [];
  for (const file of Array.from(files as Iterable<File>)) {
    const written = file.webkitRelativePath || file.name;
    const path = safeRelativePath(written);
    if (path === undefined) problems.push(ingestProblem('ingest.unsafe-path', written));
    else entries.push({ path, file, size: file.size });
  }
  return { entries, problems };
}

/** How long the page's thread works on a list of files before letting the page respond again. */
const SLICE_MS = 8;

/** Lets the page handle input and paint before going on (a macrotask, not a microtask). */
const yieldToPage = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * collectFiles in slices of a few milliseconds. Reading a chosen file's size can cost Chromium a
 * synchronous look at the disk (half a millisecond each): 2,000 files in one go froze the page for
 * over a second.
 */
export async function collectFilesInSlices(files: FileList | Iterable<File>): Promise<Collected> {
  const list = Array.from(files as Iterable<File>);
  const entries: DropEntry[] = [];
  const problems: IngestProblem[] = [];
  let sliceStart = performance.now();
  for (const file of list) {
    const collected = collectFiles([file]);
    entries.push(...collected.entries);
    problems.push(...collected.problems);
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToPage();
      sliceStart = performance.now();
    }
  }
  return { entries, problems };
}

/**
 * A drop. The DataTransfer's items are only readable while the drop event is being handled, so
 * this must be called from the `drop` handler itself: everything it needs is taken synchronously,
 * before its first `await`. Falls back to `dataTransfer.files` where entries are not available.
 */
export async function collectDataTransfer(dataTransfer: DataTransfer): Promise<Collected> {
  const roots: FileSystemEntry[] = [];
  const items = dataTransfer.items ? Array.from(dataTransfer.items) : [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) roots.push(entry);
  }
  if (roots.length === 0) return collectFiles(Array.from(dataTransfer.files));

  const entries: DropEntry[] = [];
  const problems: IngestProblem[] = [];
  for (const root of roots) await walkEntry(root, entries, problems);
  return { entries, problems };
}

async function walkEntry(entry: FileSystemEntry, entries: DropEntry[], problems: IngestProblem[]): Promise<void> {
  // fullPath is "/folder/file" from the root of the drop.
  const written = entry.fullPath.replace(/^\/+/, '') || entry.name;
  const path = safeRelativePath(written);
  if (path === undefined) {
    problems.push(ingestProblem('ingest.unsafe-path', written));
    return;
  }
  if (isFileEntry(entry)) {
    try {
      const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
      entries.push({ path, file, size: file.size });
    } catch {
      problems.push(ingestProblem('ingest.unreadable', path));
    }
    return;
  }
  if (!isDirectoryEntry(entry)) return;
  let children: FileSystemEntry[];
  try {
    children = await readAllEntries(entry.createReader());
  } catch {
    problems.push(ingestProblem('ingest.unreadable', path));
    return;
  }
  if (children.length === 0) problems.push(ingestProblem('ingest.empty-folder', path));
  for (const child of children) await walkEntry(child, entries, problems);
}

/** readEntries returns a batch at a time (100 in Chromium) and an empty batch at the end. */
async function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function isFileEntry(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectoryEntry(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

/**
 * The async iteration of a directory handle (File System Access API). TypeScript's DOM library
 * declares it only with the DOM.AsyncIterable lib, which this project does not load.
 */
interface IterableDirectoryHandle {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<IterableDirectoryHandle | { readonly kind: 'file'; readonly name: string; getFile(): Promise<File> }>;
}

/** A folder picked with `showDirectoryPicker()`; paths start with the folder's own name, as with a drop. */
export async function collectDirectoryHandle(handle: FileSystemDirectoryHandle): Promise<Collected> {
  const entries: DropEntry[] = [];
  const problems: IngestProblem[] = [];
  await walkHandle(handle as unknown as IterableDirectoryHandle, handle.name, entries, problems);
  return { entries, problems };
}

async function walkHandle(directory: IterableDirectoryHandle, folder: string, entries: DropEntry[], problems: IngestProblem[]): Promise<void> {
  let empty = true;
  try {
    for await (const child of directory.values()) {
      empty = false;
      const written = `${folder}/${child.name}`;
      const path = safeRelativePath(written);
      if (path === undefined) {
        problems.push(ingestProblem('ingest.unsafe-path', written));
        continue;
      }
      if (child.kind === 'directory') {
        await walkHandle(child, path, entries, problems);
        continue;
      }
      try {
        const file = await child.getFile();
        entries.push({ path, file, size: file.size });
      } catch {
        problems.push(ingestProblem('ingest.unreadable', path));
      }
    }
  } catch {
    problems.push(ingestProblem('ingest.unreadable', folder));
    return;
  }
  if (empty) problems.push(ingestProblem('ingest.empty-folder', folder));
}
