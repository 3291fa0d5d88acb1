/**
 * Embedded demo buckets: storage locations inside this browser, on the Origin Private File System,
 * behind the same `Bucket` interface as real clouds. They let a first-time user (or a presenter with
 * no network) protect a file into five "clouds" and knock some of them out.
 *
 * Layout: `tessera-demo/<bucket id>/<encoded key>`, one flat folder per bucket. An object is written
 * under a temporary name (starting with ".", which no encoded key does) and renamed when its writer
 * is closed, so a half-written object never appears; aborting removes the temporary file.
 *
 * In a worker, objects are written and read through OPFS sync access handles; on the page, which has
 * none (it deletes, lists and heads objects), through writable streams and Blob slices.
 *
 * A presenter can make a demo bucket slow (`slow: true` in its descriptor: every call waits, bytes
 * move at a capped rate, demo-faults.ts) and damage one of its objects in place (`damage`).
 */
import { threadBufferPool } from '../core/buffer-pool.js';
import type { ByteSink, ByteSource } from '../core/io.js';
import { TesseraError, describeCause, type ErrorCode } from '../core/errors.js';
import {
  isNotFound,
  listFiles,
  openFileTarget,
  openSyncHandle,
  opfsDirectory,
  readFully,
  removeFile,
  removeFileWhenUnlocked,
  renameFile,
  type Durability,
  type WriteTarget,
} from './opfs.js';
import { damageRange, flipBytes, pause, slowDemoDelayMs } from './demo-faults.js';
import type { Bucket, BucketDescriptor, DemoBucketDescriptor } from './types.js';

const DEMO_ROOT = 'tessera-demo';

/** The five demo clouds a new user starts with. How they look lives in the UI (src/app/clouds.ts). */
export const DEMO_BUCKETS: readonly BucketDescriptor[] = [
  { kind: 'demo', id: 'demo-a', label: 'Demo cloud A', online: true },
  { kind: 'demo', id: 'demo-b', label: 'Demo cloud B', online: true },
  { kind: 'demo', id: 'demo-c', label: 'Demo cloud C', online: true },
  { kind: 'demo', id: 'demo-d', label: 'Demo cloud D', online: true },
  { kind: 'demo', id: 'demo-e', label: 'Demo cloud E', online: true },
];

const TEMPORARY_PREFIX = '.partial-';
/** Most file systems under OPFS stop at 255 bytes per name; leave room for the temporary prefix. */
const MAX_ENCODED_KEY_LENGTH = 240;
const SAFE_CHARACTER = /^[A-Za-z0-9_-]$/;
const UTF8 = new TextEncoder();

/**
 * Object key → file name: letters, digits, "_" and "-" stay; every other character becomes %XX per
 * UTF-8 byte (so "/" and "." never reach the file system, and "." / ".." cannot be produced).
 */
export function encodeObjectKey(key: string): string {
  if (typeof key !== 'string') throw new TypeError(`object key: expected a string, got ${typeof key}`);
  if (key.length === 0) throw new RangeError('object key: expected a non-empty string, got ""');
  let out = '';
  for (const character of key) {
    if (SAFE_CHARACTER.test(character)) {
      out += character;
    } else {
      for (const byte of UTF8.encode(character)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  if (out.length > MAX_ENCODED_KEY_LENGTH) {
    throw new RangeError(`object key: expected at most ${MAX_ENCODED_KEY_LENGTH} characters once encoded, got ${out.length}`);
  }
  return out;
}

/** File name → object key, or undefined for a file that is not an object (a temporary file). */
export function decodeObjectKey(name: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/.test(name)) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

export class DemoBucket implements Bucket {
  readonly id: string;
  readonly label: string;
  private readonly online: boolean;
  private readonly slow: boolean;

  /**
   * `root`: the OPFS folder that holds the bucket's folder (staging.ts keeps shares waiting to
   * upload in another). `durability` (opfs.ts): a demo cloud's objects are `relaxed`, written out
   * by the operating system on its own like the browser's own storage, since a demo cloud stands
   * for a cloud and holds nothing the person would lose with it; staging asks for `strict`.
   */
  constructor(
    descriptor: DemoBucketDescriptor | BucketDescriptor,
    private readonly root: string = DEMO_ROOT,
    private readonly durability: Durability = 'relaxed',
  ) {
    this.id = descriptor.id;
    this.label = descriptor.label;
    this.online = descriptor.online;
    this.slow = descriptor.kind === 'demo' && descriptor.slow === true;
  }

  /** A slow bucket's wait before a call that moves `bytes` bytes; nothing for a bucket at full speed. */
  async slowDown(bytes: number): Promise<void> {
    if (this.slow) await pause(slowDemoDelayMs(bytes));
  }

  async openWriter(key: string, options: { readonly contentType?: string; readonly signal?: AbortSignal } = {}): Promise<ByteSink> {
    const name = encodeObjectKey(key);
    await this.slowDown(0);
    const directory = await this.directory(true);
    return this.attempt(`write ${key}`, async () => {
      const temporaryName = TEMPORARY_PREFIX + name;
      const target = await openFileTarget(await directory.getFileHandle(temporaryName, { create: true }), this.durability);
      return new DemoObjectWriter(this, directory, target, temporaryName, name, options.signal);
    });
  }

  async openReader(key: string, _options: { readonly signal?: AbortSignal } = {}): Promise<ByteSource> {
    const name = encodeObjectKey(key);
    await this.slowDown(0);
    const directory = await this.directory(false);
    const handle = await this.attempt(`read ${key}`, () => directory.getFileHandle(name), 'bucket.not-found');
    const sync = await this.attempt(`read ${key}`, () => openSyncHandle(handle, 'read-only'));
    if (sync) {
      let open = true;
      return {
        size: sync.getSize(),
        read: async (offset, length) => {
          // Into this thread's recycled buffers: a job's chunk workers hand each record's buffer back.
          const bytes = await this.attempt(`read ${key}`, () => Promise.resolve(readFully(sync, offset, length, (count) => threadBufferPool.take(count))));
          await this.slowDown(bytes.length);
          return bytes;
        },
        close: () => {
          if (open) sync.close();
          open = false;
          return Promise.resolve();
        },
      };
    }
    const file = await this.attempt(`read ${key}`, () => handle.getFile(), 'bucket.not-found');
    return {
      size: file.size,
      read: async (offset, length) => {
        const bytes = await this.attempt(`read ${key}`, async () => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()));
        await this.slowDown(bytes.length);
        return bytes;
      },
    };
  }

  async head(key: string): Promise<{ readonly size: number } | null> {
    const name = encodeObjectKey(key);
    await this.slowDown(0);
    const directory = await this.existingDirectory();
    if (!directory) return null;
    try {
      const file = await this.attempt(`head ${key}`, async () => (await directory.getFileHandle(name)).getFile(), 'bucket.not-found');
      return { size: file.size };
    } catch (error) {
      if (error instanceof TesseraError && error.code === 'bucket.not-found') return null;
      throw error;
    }
  }

  async list(prefix = ''): Promise<readonly { readonly key: string; readonly size: number }[]> {
    await this.slowDown(0);
    const directory = await this.existingDirectory();
    if (!directory) return [];
    return this.attempt('list', async () => {
      const objects: { key: string; size: number }[] = [];
      for (const { name, handle } of await listFiles(directory)) {
        const key = decodeObjectKey(name);
        if (key === undefined || !key.startsWith(prefix)) continue;
        objects.push({ key, size: (await handle.getFile()).size });
      }
      return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  async delete(key: string): Promise<void> {
    const name = encodeObjectKey(key);
    await this.slowDown(0);
    const directory = await this.existingDirectory();
    if (!directory) return;
    await this.attempt(`delete ${key}`, async () => {
      // A terminated worker's sync access handle (a cancelled upload reading a staged share, a
      // cancelled recovery) keeps the file locked for a moment after the worker is gone.
      await removeFileWhenUnlocked(directory, name);
      // And what an interrupted writer may have left behind: its temporary file, and Chromium's
      // swap file for the open writable ("<name>.crswap"), locked in the same way.
      await removeFileWhenUnlocked(directory, TEMPORARY_PREFIX + name);
      await removeFileWhenUnlocked(directory, `${TEMPORARY_PREFIX}${name}.crswap`);
    });
  }

  /**
   * Silent damage, for a presenter: inverts DAMAGE_LENGTH bytes in the middle of the object, in
   * place (its size and name stay). bucket.not-found if it is missing. On the page and in workers.
   */
  async damage(key: string): Promise<void> {
    const name = encodeObjectKey(key);
    const directory = await this.directory(false);
    await this.attempt(
      `damage ${key}`,
      async () => {
        const handle = await directory.getFileHandle(name);
        const file = await handle.getFile();
        const { offset, length } = damageRange(file.size);
        const bytes = flipBytes(new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()));
        const writable = await handle.createWritable({ keepExistingData: true });
        await writable.write({ type: 'write', position: offset, data: bytes });
        await writable.close();
      },
      'bucket.not-found',
    );
  }

  /** The bucket's folder; bucket.offline when switched off, bucket.not-found when never written to. */
  private async directory(create: boolean): Promise<FileSystemDirectoryHandle> {
    if (!this.online) throw new TesseraError('bucket.offline', `${this.label} is switched off`);
    return this.attempt('open', () => opfsDirectory([this.root, this.id], create), 'bucket.not-found');
  }

  /** The bucket's folder, or undefined when it was never written to (bucket.offline still throws). */
  private async existingDirectory(): Promise<FileSystemDirectoryHandle | undefined> {
    try {
      return await this.directory(false);
    } catch (error) {
      if (error instanceof TesseraError && error.code === 'bucket.not-found') return undefined;
      throw error;
    }
  }

  /** Runs an OPFS call and turns what it throws into a TesseraError with a code. */
  async attempt<T>(what: string, run: () => Promise<T>, notFound: ErrorCode = 'bucket.failed'): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TesseraError) throw error;
      if (isNotFound(error)) throw new TesseraError(notFound, `${this.label}: ${what}: not found`, {}, { cause: error });
      throw new TesseraError('bucket.failed', `${this.label}: ${what}: ${describeCause(error)}`, {}, { cause: error });
    }
  }
}

/** Streams one object into a temporary file; the object appears under its key on close. */
class DemoObjectWriter implements ByteSink {
  private state: 'open' | 'closed' | 'aborted' = 'open';

  constructor(
    private readonly bucket: DemoBucket,
    private readonly directory: FileSystemDirectoryHandle,
    private readonly target: WriteTarget,
    private readonly temporaryName: string,
    private readonly name: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    this.assertOpen('write');
    await this.bucket.slowDown(bytes.length);
    this.assertOpen('write');
    await this.bucket.attempt('write', () => this.target.write(bytes));
  }

  async close(): Promise<void> {
    this.assertOpen('close');
    this.state = 'closed';
    await this.bucket.attempt('write', async () => {
      await this.target.close();
      await renameFile(this.directory, this.temporaryName, this.name);
    });
  }

  async abort(_reason?: unknown): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    // Dropping a partial object is best effort: the stream may already be broken.
    await this.target.abort().catch(() => undefined);
    await removeFile(this.directory, this.temporaryName).catch(() => undefined);
  }

  private assertOpen(what: string): void {
    if (this.signal?.aborted) throw new TesseraError('job.aborted', `${what}: cancelled`);
    if (this.state !== 'open') throw new Error(`DemoBucket writer: ${what} after ${this.state}`);
  }
}
