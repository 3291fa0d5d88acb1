/**
 * Small helpers over the Origin Private File System, shared by the demo buckets and the local
 * output files of a recovery. They run on the page and in dedicated workers alike: in a worker,
 * files are read and written through sync access handles (several times faster); on the page,
 * which has none, through writable streams and Blob slices.
 */
import { toArrayBufferView } from '../core/bytes.js';

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

/** Files (not folders) directly inside `directory`, with their handles. */
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

/** Removes a file, retrying for up to about 5 s while another (dying) context still holds it open. */
export async function removeFileWhenUnlocked(directory: FileSystemDirectoryHandle, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await removeFile(directory, name);
      return;
    } catch (error) {
      const locked = error instanceof DOMException && (error.name === 'NoModificationAllowedError' || error.name === 'InvalidStateError');
      if (!locked || attempt >= 25) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
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

/**
 * OPFS sync access handles: in a dedicated worker, reads and writes straight to the file, several
 * times faster than writable streams and Blob slices (see docs/benchmarks.md, browser ceilings).
 * Not exposed on the page, and not in the DOM typings, hence the narrow interface here.
 */
export interface SyncFileHandle {
  read(buffer: Uint8Array<ArrayBuffer>, options: { at: number }): number;
  write(buffer: Uint8Array<ArrayBuffer>, options: { at: number }): number;
  getSize(): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

type SyncCapableHandle = FileSystemFileHandle & {
  createSyncAccessHandle?: (options?: { mode?: 'readwrite' | 'read-only' }) => Promise<SyncFileHandle>;
};

/**
 * A sync access handle on `handle`, or undefined where there is none to be had: on the page, or
 * when another context holds the file open. `read-only` handles can be held by several readers.
 */
export async function openSyncHandle(handle: FileSystemFileHandle, mode: 'readwrite' | 'read-only'): Promise<SyncFileHandle | undefined> {
  const create = (handle as SyncCapableHandle).createSyncAccessHandle;
  if (typeof create !== 'function') return undefined;
  try {
    return await create.call(handle, { mode });
  } catch (error) {
    if (error instanceof DOMException && (error.name === 'NoModificationAllowedError' || error.name === 'InvalidStateError')) return undefined;
    throw error;
  }
}

/** Writes all of `bytes` at `at`; returns the position after them. */
export function writeFully(handle: SyncFileHandle, bytes: Uint8Array, at: number): number {
  const own = toArrayBufferView(bytes);
  let done = 0;
  while (done < own.length) {
    const written = handle.write(own.subarray(done), { at: at + done });
    if (written <= 0) throw new DOMException(`wrote ${written} bytes`, 'InvalidStateError');
    done += written;
  }
  return at + done;
}

/**
 * Reads up to `length` bytes at `at` (fewer at the end of the file), into a buffer from `allocate`
 * (by default a new one), which it fills from its start.
 */
export function readFully(handle: SyncFileHandle, at: number, length: number, allocate: (length: number) => Uint8Array<ArrayBuffer> = (count) => new Uint8Array(count)): Uint8Array {
  const out = allocate(Math.max(0, Math.min(length, handle.getSize() - at)));
  let done = 0;
  while (done < out.length) {
    const read = handle.read(out.subarray(done), { at: at + done });
    if (read <= 0) break;
    done += read;
  }
  return done === out.length ? out : out.subarray(0, done);
}

/** Where a writer's bytes go, front to back: a sync access handle in a worker, a writable stream elsewhere. */
export interface WriteTarget {
  write(bytes: Uint8Array): Promise<void>;
  /** Closes: the bytes are in the file (and on the disk, for a `strict` target). */
  close(): Promise<void>;
  /** Closes without flushing; the caller removes the file. */
  abort(): Promise<void>;
}

/**
 * When a closed file's bytes are safe from a power cut, in IndexedDB's words:
 * - `strict`: on the disk before close resolves (a sync handle is flushed: the kernel writes the
 *   file out while the caller waits, about 1.1 s for a protect's 1.67 GiB of shares on the
 *   benchmark machine);
 * - `relaxed`: in the operating system's page cache, which writes them out on its own within about
 *   30 s, as the browser's own storage does by default (IndexedDB's default durability).
 * A writable stream (on the page) leaves it to the browser either way.
 */
export type Durability = 'strict' | 'relaxed';

/**
 * Opens `handle` for writing from its start, replacing what it held: through a sync access handle
 * where there is one (in a worker), through a writable stream otherwise (on the page).
 */
export async function openFileTarget(handle: FileSystemFileHandle, durability: Durability): Promise<WriteTarget> {
  const sync = await openSyncHandle(handle, 'readwrite');
  if (!sync) return new StreamTarget(await handle.createWritable({ keepExistingData: false }));
  try {
    // A sync handle keeps what the file held; a writable stream with keepExistingData: false does
    // not. Only a file that holds something is cut: on ext4 a truncate to 0, even of an empty file,
    // makes closing the file write all of it out to the disk (auto_da_alloc), about 1 s for a
    // protect's shares on the benchmark machine, with the person waiting.
    if (sync.getSize() > 0) sync.truncate(0);
  } catch (error) {
    sync.close();
    throw error;
  }
  return new SyncTarget(sync, durability);
}

class SyncTarget implements WriteTarget {
  private position = 0;
  constructor(
    private readonly handle: SyncFileHandle,
    private readonly durability: Durability,
  ) {}
  async write(bytes: Uint8Array): Promise<void> {
    this.position = writeFully(this.handle, bytes, this.position);
  }
  async close(): Promise<void> {
    if (this.durability === 'strict') this.handle.flush();
    this.handle.close();
  }
  async abort(): Promise<void> {
    this.handle.close();
  }
}

class StreamTarget implements WriteTarget {
  constructor(private readonly writable: FileSystemWritableFileStream) {}
  write(bytes: Uint8Array): Promise<void> {
    return this.writable.write(toArrayBufferView(bytes));
  }
  close(): Promise<void> {
    return this.writable.close();
  }
  abort(): Promise<void> {
    return this.writable.abort();
  }
}
