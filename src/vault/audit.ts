/**
 * The audit trail: every protect, upload, recovery, link, health check, repair, removal, change of
 * a storage location and failed attempt, with its time and outcome, kept in an IndexedDB database
 * of its own (`tessera-audit`) on this device only. Nothing sends it anywhere; the person exports it
 * (JSON, CSV) from the Activity panel. What an entry may hold is audit-entry.ts's to check: no
 * file name, no patient data, no URL query, key or signature.
 *
 * Recording never gets in the way of the work it records: `record` returns at once, and an entry
 * that cannot be written (a malformed one, IndexedDB refusing) is dropped with a warning that says
 * only why.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { isAbort, toTesseraError } from '../core/errors.js';
import { transferCodeOf } from '../storage/remote-bucket.js';
import { auditEntry, parseAuditEntry, type AuditAction, type AuditEntry, type AuditEvent } from './audit-entry.js';

const DATABASE_NAME = 'tessera-audit';
/** Bump with a new step in `upgrade` whenever a store or index changes. */
const DATABASE_VERSION = 1;
/** The oldest entries go beyond this many: a trail of years of use stays a few MB. */
export const MAX_AUDIT_ENTRIES = 20_000;

/** An entry as read back, with its place in the trail (ascending, never reused). */
export interface StoredAuditEntry extends AuditEntry {
  readonly seq: number;
}

interface AuditSchema extends DBSchema {
  entries: { key: number; value: AuditEntry & { seq?: number }; indexes: { time: number } };
}

type Fields = Omit<AuditEvent, 'action' | 'outcome' | 'code'>;

class AuditTrail {
  #database: Promise<IDBPDatabase<AuditSchema>> | undefined;
  readonly #listeners = new Set<(entry: StoredAuditEntry) => void>();
  /** Writes, one after the other, so that entries are numbered in the order they were recorded. */
  #writes: Promise<void> = Promise.resolve();

  /** Records an event now. Returns at once; `settled` resolves once it is written (or dropped). */
  record(event: AuditEvent, now: number = Date.now()): void {
    let entry: AuditEntry;
    try {
      entry = auditEntry(event, now);
    } catch (error) {
      console.warn(`tessera: an activity entry was not recorded (${error instanceof Error ? error.message : 'malformed'})`);
      return;
    }
    // Outside a browser (the unit tests of the state classes run in Node) there is nowhere to keep it.
    if (typeof indexedDB === 'undefined') return;
    this.#writes = this.#writes.then(() => this.#write(entry)).catch((error: unknown) => {
      console.warn(`tessera: an activity entry was not recorded (${error instanceof Error ? error.name : 'storage refused'})`);
    });
  }

  /**
   * Records a failed attempt, with the most specific code the error has (a transfer code such as
   * bucket.cors, else its TesseraError code, else `unexpected`). A cancellation is not a failure
   * and is not recorded.
   */
  failed(action: AuditAction, error: unknown, fields: Fields = {}): void {
    if (isAbort(error)) return;
    this.record({ action, outcome: 'failed', code: transferCodeOf(error) ?? toTesseraError(error)?.code ?? 'unexpected', ...fields });
  }

  /**
   * An upload's outcome: ok when every share went to its cloud, failed with the first refusal's
   * code otherwise; how many were stored and how many failed.
   */
  recordUpload(recordId: string, outcomes: readonly ({ readonly stored: true } | { readonly stored: false; readonly failure: string })[], bucketIds: readonly string[]): void {
    const refused = outcomes.flatMap((outcome) => (outcome.stored ? [] : [outcome.failure]));
    const counts = { stored: outcomes.length - refused.length, failed: refused.length };
    this.record(refused.length === 0 ? { action: 'upload', outcome: 'ok', recordId, bucketIds, counts } : { action: 'upload', outcome: 'failed', code: refused[0]!, recordId, bucketIds, counts });
  }

  /** A finished health check's findings: how many shares were present, missing (or damaged) and could not be asked. */
  recordCheck(recordId: string, check: { readonly state: string; readonly shares?: readonly { readonly state: string }[] } | undefined): void {
    if (check?.state !== 'checked' || check.shares === undefined) return;
    const shares = check.shares;
    const count = (...states: string[]): number => shares.filter((share) => states.includes(share.state)).length;
    this.record({ action: 'health-check', outcome: 'ok', recordId, counts: { present: count('present'), missing: count('missing', 'wrong-size'), unreachable: count('unreachable') } });
  }

  /** Every entry kept, newest first; malformed ones are skipped. */
  async list(): Promise<StoredAuditEntry[]> {
    const values = await (await this.#open()).getAll('entries');
    const entries: StoredAuditEntry[] = [];
    for (const value of values) {
      const entry = parseAuditEntry(value);
      if (entry !== undefined && typeof value.seq === 'number') entries.push({ ...entry, seq: value.seq });
    }
    return entries.sort((a, b) => b.seq - a.seq);
  }

  /** Resolves once every entry recorded so far is written (or dropped). */
  settled(): Promise<void> {
    return this.#writes;
  }

  /** Calls `listener` with each entry once it is written; returns the unsubscribe function. */
  subscribe(listener: (entry: StoredAuditEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #write(entry: AuditEntry): Promise<void> {
    const db = await this.#open();
    const transaction = db.transaction('entries', 'readwrite');
    const seq = await transaction.store.add(entry as AuditEntry & { seq?: number });
    // Past the limit, the oldest entries go (keys ascend with the order of recording).
    const excess = (await transaction.store.count()) - MAX_AUDIT_ENTRIES;
    if (excess > 0) {
      let cursor = await transaction.store.openCursor();
      for (let removed = 0; cursor && removed < excess; removed++) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
    }
    await transaction.done;
    for (const listener of this.#listeners) listener({ ...entry, seq });
  }

  #open(): Promise<IDBPDatabase<AuditSchema>> {
    this.#database ??= openDB<AuditSchema>(DATABASE_NAME, DATABASE_VERSION, {
      upgrade(db, oldVersion) {
        // One step per version, each from the version before it.
        if (oldVersion < 1) {
          const entries = db.createObjectStore('entries', { keyPath: 'seq', autoIncrement: true });
          entries.createIndex('time', 'time');
        }
      },
      blocking: () => {
        // Another tab wants a newer version: let it have the database.
        void this.#database?.then((db) => db.close());
        this.#database = undefined;
      },
    });
    return this.#database;
  }
}

/** This page's audit trail. */
export const audit = new AuditTrail();
