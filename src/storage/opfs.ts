/**
 * Small helpers over the Origin Private File System, shared by the demo buckets and the local
 * output files of a recovery. Work in the main thread and in dedicated workers alike (both realms
 * have navigator.storage.getDirectory and FileSystemFileHandle.createWritable in Chromium).
 */

/** Part of the OPFS API that TypeScript's DOM/WebWorker libs leave out or put behind another lib. */
interface MovableFileHandle {
  move?(newName: string): Promise<void>;
}
interface IterableDirectoryHandle {
  entries(): AsyncIterable<[string, FileSystemHandle]>;
}

export async function opfsDirectory(path: readonly string[], create: boolean): Promise<FileSystemDirectoryHandle> {
  let directory = await navigator.storage.getDirectory();
  for (const name of path) directory = await directory.getDirectoryHandle(name, { create });
  return directory;
}

/** Files (not folders) directly inside `directory`, with their sizes. */
export async function listFiles(directory: FileSystemDirectoryHandle): Promise<{ name: string; handle: FileSystemFileHandle }[]> {
  const files: { name: string; handle: FileSystemFileHandle }[] = [];
  // The async iterator lives in the DOM.AsyncIterable lib, which the realm tsconfigs do not load.
  for await (const [name, handle] of (directory as unknown as IterableDirectoryHandle).entries()) {
    if (handle.kind === 'file') files.push({ name, handle: handle as FileSystemFileHandle });
  }
  return files;
}

export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && (error.name === 'NotFoundError' || error.name === 'TypeMismatchError');
}

/** Removes a file; a file that is already gone is not an error. */
export async function removeFile(directory: FileSystemDirectoryHandle, name: string): Promise<void> {
  try {
    await directory.removeEntry(name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/**
 * Renames `from` to `to` inside one directory, replacing `to`. Uses FileSystemHandle.move where the
 * browser has it (Chromium ≥ 110 for OPFS), and copies otherwise.
 */
export async function renameFile(directory: FileSystemDirectoryHandle, from: string, to: string): Promise<void> {
  const source = await directory.getFileHandle(from);
  await removeFile(directory, to);
  const movable = source as unknown as MovableFileHandle;
  if (typeof movable.move === 'function') {
    await movable.move(to);
    return;
  }
  const target = await directory.getFileHandle(to, { create: true });
  const writable = await target.createWritable({ keepExistingData: false });
  await (await source.getFile()).stream().pipeTo(writable);
  await directory.removeEntry(from);
}

/** FileSystemWritableFileStream wants bytes backed by an ArrayBuffer (not a SharedArrayBuffer). */
export function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
