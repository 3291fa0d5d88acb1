/**
 * Node adapters for core's two data shapes, over `node:fs/promises` file handles. Both stream: a
 * source reads only the range asked for, a sink appends what it is given, so a file of any size
 * goes through in bounded memory.
 */
import { access, mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { TesseraError, type ByteSink, type ByteSource } from '../core/index.js';

/** A ByteSource that owns its file handle: close it when done. */
export interface FileByteSource extends ByteSource {
  readonly path: string;
  close(): Promise<void>;
}

/** Random-access reads from an open file of known size. */
function fileHandleSource(handle: FileHandle, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const wanted = Math.max(0, Math.min(length, size - offset));
      // A fresh plain Uint8Array (not a pooled Buffer): the caller may keep or transfer it.
      const bytes = new Uint8Array(wanted);
      let filled = 0;
      while (filled < wanted) {
        const { bytesRead } = await handle.read(bytes, filled, wanted - filled, offset + filled);
        // The file shrank under us: return what there is, which callers treat as truncation.
        if (bytesRead === 0) return bytes.subarray(0, filled);
        filled += bytesRead;
      }
      return bytes;
    },
  };
}

/**
 * Opens `path` for reading; its size is taken once, at opening. A file that cannot be opened fails
 * with the `unreadable` code given, naming the file and saying why.
 */
export async function openFileSource(path: string, unreadable: 'input.unreadable' | 'share.unreadable'): Promise<FileByteSource> {
  try {
    return await openRegularFile(path);
  } catch (error) {
    throw new TesseraError(unreadable, `Cannot open ${path}: ${describeFsError(error)}.`, {}, { cause: error });
  }
}

async function openRegularFile(path: string): Promise<FileByteSource> {
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      // open() succeeds on a folder or a pipe; reading one as a file of stat's size would not.
      const error: NodeJS.ErrnoException = new Error(`${path} is not a regular file`);
      error.code = stats.isDirectory() ? 'EISDIR' : 'EINVAL';
      throw error;
    }
    return { ...fileHandleSource(handle, stats.size), path, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Appends to a file it created itself (exclusively: it never truncates an existing file). `close`
 * flushes the data to the disk before closing, so that a rename after it publishes a complete
 * file; `abort` closes and deletes the file. Both may be called more than once.
 */
export class FileSink implements ByteSink {
  private state: 'open' | 'closed' | 'aborted' = 'open';

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates `path`; output.failed, naming the file and saying why, if it cannot (or it is already there). */
  static async create(path: string): Promise<FileSink> {
    try {
      return new FileSink(path, await open(path, 'wx', 0o600));
    } catch (error) {
      throw new TesseraError('output.failed', `Cannot create ${path}: ${describeFsError(error)}.`, {}, { cause: error });
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new Error(`FileSink: write after ${this.state}`);
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, null);
        done += bytesWritten;
      }
    } catch (error) {
      throw this.failed(error);
    }
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closed';
    try {
      await this.handle.datasync();
    } catch (error) {
      throw this.failed(error);
    } finally {
      await this.handle.close();
    }
  }

  /** Says which file could not be written and why (a full disk, above all), with core's code. */
  private failed(error: unknown): TesseraError {
    return new TesseraError('output.failed', `Cannot write ${this.path}: ${describeFsError(error)}.`, {}, { cause: error });
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    const wasOpen = this.state === 'open';
    this.state = 'aborted';
    if (wasOpen) await this.handle.close().catch(() => undefined);
    await unlink(this.path).catch((error: unknown) => {
      if (!isNodeError(error, 'ENOENT')) throw error;
    });
  }
}

/**
 * Creates the folder `path` and any missing parents; returns the first folder it had to create
 * (undefined if `path` was already there). output.failed, naming the folder and saying why, if it cannot.
 */
export async function createFolder(path: string): Promise<string | undefined> {
  try {
    return await mkdir(path, { recursive: true });
  } catch (error) {
    throw new TesseraError('output.failed', `Cannot create the folder ${path}: ${describeFsError(error)}.`, {}, { cause: error });
  }
}

export function isNodeError(error: unknown, code?: string): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error && (code === undefined || error.code === code);
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    if (isNodeError(error, 'ENOENT')) return false;
    throw error;
  }
}

/** "no such file (ENOENT)" rather than Node's "ENOENT: no such file or directory, open '…'". */
export function describeFsError(error: unknown): string {
  if (!isNodeError(error)) return error instanceof Error ? error.message : String(error);
  const known: Record<string, string> = {
    ENOENT: 'it does not exist',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a folder, not a file',
    EINVAL: 'it is not a regular file',
    ENOTDIR: 'a part of the path is not a folder',
    ENOSPC: 'the disk is full',
    EEXIST: 'it already exists',
    EROFS: 'the disk is read-only',
  };
  const code = error.code ?? 'unknown';
  return `${known[code] ?? error.message} (${code})`;
}
