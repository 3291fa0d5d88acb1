/**
 * A rebuilt folder record (a tar archive in local storage, src/records/tar.ts) handed back to the
 * user as they gave it: written into a folder they choose (File System Access API, where the browser
 * has it: each file streamed from the archive, nothing held in memory), or as a zip download.
 */
import JSZip from 'jszip';
import { TesseraError } from '../core/errors.js';
import { readTarIndex, safeRelativePath } from '../records/tar.js';

/** Zips are built in memory by jszip: above this, the folder or the .tar is offered instead. */
export const ZIP_LIMIT = 1024 * 1024 * 1024;

export function canSaveToFolder(): boolean {
  return typeof window !== 'undefined' && 'showDirectoryPicker' in window;
}

type DirectoryPicker = (options: { mode: 'readwrite'; id?: string }) => Promise<FileSystemDirectoryHandle>;

/**
 * Asks where to put the folder, then writes every file of the archive under `<chosen>/<name>/…`
 * (a new folder: `name (2)` and so on if one exists). Resolves to the folder's name, or undefined
 * if the user closed the picker.
 */
export async function saveToFolder(archive: Blob, name: string): Promise<string | undefined> {
  let parent: FileSystemDirectoryHandle;
  try {
    parent = await (window as unknown as { showDirectoryPicker: DirectoryPicker }).showDirectoryPicker({ mode: 'readwrite', id: 'tessera-save' });
  } catch (error) {
    if ((error as Error).name === 'AbortError') return undefined;
    throw error;
  }
  const entries = await readTarIndex(archive);
  const folderName = await freeName(parent, name);
  const root = await parent.getDirectoryHandle(folderName, { create: true });
  // A dropped folder's files are archived under its name: that folder is the one just made.
  const inside = `${name}/`;
  const strip = entries.every((entry) => entry.path.startsWith(inside)) ? inside.length : 0;
  for (const entry of entries) {
    const parts = safeRelativePath(entry.path.slice(strip)).split('/');
    let directory = root;
    for (const part of parts.slice(0, -1)) directory = await directory.getDirectoryHandle(part, { create: true });
    const handle = await directory.getFileHandle(parts.at(-1)!, { create: true });
    const writable = await handle.createWritable();
    try {
      await writable.write(archive.slice(entry.offset, entry.offset + entry.size));
      await writable.close();
    } catch (error) {
      await writable.abort().catch(() => undefined);
      throw error;
    }
  }
  return folderName;
}

async function freeName(parent: FileSystemDirectoryHandle, name: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const candidate = attempt === 1 ? name : `${name} (${attempt})`;
    try {
      await parent.getDirectoryHandle(candidate);
    } catch (error) {
      if ((error as Error).name === 'NotFoundError' || (error as Error).name === 'TypeMismatchError') return candidate;
      throw error;
    }
  }
}

/** The archive's files as a zip (stored, not compressed: DICOM pixels hardly compress, and it is faster). */
export async function zipOf(archive: Blob): Promise<Blob> {
  if (archive.size > ZIP_LIMIT) {
    throw new TesseraError('output.failed', 'This folder is too large to make a zip of in the browser; save it as a folder or download the .tar file.');
  }
  const zip = new JSZip();
  for (const entry of await readTarIndex(archive)) {
    zip.file(safeRelativePath(entry.path), archive.slice(entry.offset, entry.offset + entry.size), { binary: true, date: new Date(entry.lastModified || Date.now()) });
  }
  return zip.generateAsync({ type: 'blob', compression: 'STORE', mimeType: 'application/zip' });
}
