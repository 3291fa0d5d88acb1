/**
 * The upload journal: one entry per unfinished multipart upload, kept in IndexedDB, so that an
 * upload survives the tab being closed (the failure most reported against @uppy/aws-s3, whose
 * multipart state lives only in memory). An entry is written when the upload is created and after
 * every part the store acknowledged, and removed when the upload is completed or aborted.
 *
 * What an entry may hold: the bucket id, the object key (a random id: `tessera/<record id>/<x>.tshare`),
 * the store's upload id, the part plan, the parts done with their ETags and sizes, and a fingerprint
 * of the source bytes. Nothing about a patient, no file name, no credential.
 *
 * Two kinds of entries (see docs/uploads.md, "What resuming means for random shares"):
 * - with a `source` (the bytes can be read again, e.g. a share staged in OPFS): resumable by
 *   `resumeUpload` (uploader.ts), which refuses a source whose size or fingerprint differs;
 * - without one (bytes streamed straight from the splitter, gone with the tab): never resumed, only
 *   aborted by `sweepUnresumable`, so that no half-written upload is left in the store.
 *
 * The store behind it is an interface so that the journal runs in Node tests (MemoryJournalStore)
 * as in the browser (openIndexedDbJournalStore).
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { ByteSource } from '../../core/io.js';
import { hex } from '../../core/bytes.js';
import type { PartRecord } from './transport.js';

export const JOURNAL_VERSION = 1;

export interface JournalSourceInfo {
  /** Identifies the bytes this upload was started from (sourceFingerprint, or the caller's own). */
  readonly fingerprint: string;
  /** Where the caller can find those bytes again (an OPFS file name of a staged share); opaque here. */
  readonly ref: string | null;
}

export interface UploadJournalEntry {
  readonly version: typeof JOURNAL_VERSION;
  readonly bucketId: string;
  readonly key: string;
  /** null while the create request is out: the store may or may not hold an upload for the key. */
  readonly uploadId: string | null;
  readonly contentType: string;
  readonly partSize: number;
  /** Size of the whole object; null for a streamed upload whose size was not known. */
  readonly totalSize: number | null;
  /** null: the bytes were streamed and cannot be read again — never resumed, only aborted. */
  readonly source: JournalSourceInfo | null;
  /** Parts the store acknowledged, by part number. */
  readonly parts: readonly PartRecord[];
  /** Date.now() when the upload started and when the entry last changed (to age out stale entries). */
  readonly startedAt: number;
  readonly updatedAt: number;
}

/** Raw persistence of entries by id; values are plain, structured-cloneable objects. */
export interface JournalStore {
  get(id: string): Promise<unknown>;
  put(id: string, value: unknown): Promise<void>;
  delete(id: string): Promise<void>;
  values(): Promise<unknown[]>;
}

/** In memory (structured clones, as IndexedDB would keep): for Node tests and for realms without IndexedDB. */
export class MemoryJournalStore implements JournalStore {
  private readonly entries = new Map<string, unknown>();

  get(id: string): Promise<unknown> {
    return Promise.resolve(this.entries.has(id) ? structuredClone(this.entries.get(id)) : undefined);
  }

  put(id: string, value: unknown): Promise<void> {
    this.entries.set(id, structuredClone(value));
    return Promise.resolve();
  }

  delete(id: string): Promise<void> {
    this.entries.delete(id);
    return Promise.resolve();
  }

  values(): Promise<unknown[]> {
    return Promise.resolve([...this.entries.values()].map((value) => structuredClone(value)));
  }
}

const DATABASE = 'tessera-transfer';
const UPLOADS = 'uploads';

/**
 * The journal's IndexedDB store (database `tessera-transfer`, object store `uploads`, out-of-line
 * keys). Database version 1; a later version migrates in `upgrade`, per version, and entries are
 * validated when read whatever their age.
 */
export async function openIndexedDbJournalStore(name = DATABASE): Promise<JournalStore & { close(): void }> {
  const db: IDBPDatabase = await openDB(name, 1, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) database.createObjectStore(UPLOADS);
    },
  });
  return {
    get: (id) => db.get(UPLOADS, id) as Promise<unknown>,
    put: async (id, value) => {
      await db.put(UPLOADS, value, id);
    },
    delete: (id) => db.delete(UPLOADS, id),
    values: () => db.getAll(UPLOADS) as Promise<unknown[]>,
    close: () => db.close(),
  };
}

export function journalId(bucketId: string, key: string): string {
  return JSON.stringify([bucketId, key]);
}

export class UploadJournal {
  /** Writes to one entry go out in order; each carries the whole entry, so none is lost. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    readonly store: JournalStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Valid entries; an entry that fails validation (damaged, or from a newer version) is skipped. */
  async entries(): Promise<UploadJournalEntry[]> {
    const values = await this.store.values();
    return values.flatMap((value) => {
      const entry = parseJournalEntry(value);
      return entry ? [entry] : [];
    });
  }

  async get(bucketId: string, key: string): Promise<UploadJournalEntry | undefined> {
    return parseJournalEntry(await this.store.get(journalId(bucketId, key)));
  }

  /** Writes `entry` (stamped with the time), after any earlier write to the same entry. */
  save(entry: Omit<UploadJournalEntry, 'version' | 'updatedAt'>): Promise<void> {
    const full: UploadJournalEntry = {
      ...entry,
      version: JOURNAL_VERSION,
      parts: [...entry.parts].sort((a, b) => a.partNumber - b.partNumber).map((part) => ({ ...part })),
      updatedAt: this.now(),
    };
    return this.enqueue(journalId(entry.bucketId, entry.key), () => this.store.put(journalId(entry.bucketId, entry.key), full));
  }

  remove(bucketId: string, key: string): Promise<void> {
    const id = journalId(bucketId, key);
    return this.enqueue(id, () => this.store.delete(id));
  }

  timestamp(): number {
    return this.now();
  }

  private enqueue(id: string, write: () => Promise<void>): Promise<void> {
    const next = (this.writes.get(id) ?? Promise.resolve()).then(write);
    const settled = next.catch(() => undefined);
    this.writes.set(id, settled);
    void settled.then(() => {
      if (this.writes.get(id) === settled) this.writes.delete(id);
    });
    return next;
  }
}

/** Validates a value read back from the store; undefined if it is not a version-1 entry. */
export function parseJournalEntry(value: unknown): UploadJournalEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (v.version !== JOURNAL_VERSION) return undefined;
  if (typeof v.bucketId !== 'string' || typeof v.key !== 'string' || v.key === '') return undefined;
  if (v.uploadId !== null && typeof v.uploadId !== 'string') return undefined;
  if (typeof v.contentType !== 'string' || !isCount(v.partSize) || v.partSize < 1) return undefined;
  if (v.totalSize !== null && !isCount(v.totalSize)) return undefined;
  if (!isCount(v.startedAt) || !isCount(v.updatedAt)) return undefined;
  let source: JournalSourceInfo | null = null;
  if (v.source !== null) {
    const s = v.source as Record<string, unknown> | undefined;
    if (typeof s !== 'object' || s === null || typeof s.fingerprint !== 'string') return undefined;
    if (s.ref !== null && typeof s.ref !== 'string') return undefined;
    if (v.totalSize === null) return undefined;
    source = { fingerprint: s.fingerprint, ref: s.ref };
  }
  if (!Array.isArray(v.parts)) return undefined;
  const parts: PartRecord[] = [];
  for (const part of v.parts as unknown[]) {
    const p = part as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || !isCount(p.partNumber) || p.partNumber < 1) return undefined;
    if (typeof p.etag !== 'string' || !isCount(p.size)) return undefined;
    parts.push({ partNumber: p.partNumber, etag: p.etag, size: p.size });
  }
  return {
    version: JOURNAL_VERSION,
    bucketId: v.bucketId,
    key: v.key,
    uploadId: v.uploadId,
    contentType: v.contentType,
    partSize: v.partSize,
    totalSize: v.totalSize,
    source,
    parts,
    startedAt: v.startedAt,
    updatedAt: v.updatedAt,
  };
}

const SAMPLE = 64 * 1024;
const FINGERPRINT_LABEL = new TextEncoder().encode('tessera upload source v1');

/**
 * SHA-256 (hex) of the source's size, its first 64 KiB and its last 64 KiB. For a share this is
 * decisive: its first bytes are the header with the split's random 128-bit id and the share's x,
 * so a share of another split, or another share of the same split, never matches; the size and the
 * tail catch a staged file that was cut short or extended. It does not prove the middle unchanged
 * — a caller with a stronger identity (a SHA-256 of the whole share, taken while staging) passes
 * that instead.
 */
export async function sourceFingerprint(source: ByteSource): Promise<string> {
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(source.size));
  const head = await source.read(0, Math.min(SAMPLE, source.size));
  const tailOffset = Math.max(0, source.size - SAMPLE);
  const tail = await source.read(tailOffset, source.size - tailOffset);
  const message = new Uint8Array(FINGERPRINT_LABEL.length + 8 + head.length + tail.length);
  message.set(FINGERPRINT_LABEL, 0);
  message.set(size, FINGERPRINT_LABEL.length);
  message.set(head, FINGERPRINT_LABEL.length + 8);
  message.set(tail, FINGERPRINT_LABEL.length + 8 + head.length);
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', message)));
}
