import {
  discardRecoveredFile,
  getRecoveredFile,
  listRecords,
  recoverFile,
  type CatalogRecord,
  type JobHandle,
  type Recovery,
} from '../../jobs/index.js';
import { sameFile } from '../../records/identity.js';
import { startDownload } from '../download.js';
import { saveToFolder, zipOf } from '../save-folder.js';
import { audit } from '../../vault/audit.js';
import { describeError, type ShownError } from '../errors.js';
import type { CloudsState } from './clouds.svelte.js';

export type RecoveryJob =
  | { readonly state: 'queued' }
  | { readonly state: 'running'; readonly done: number; readonly total: number }
  | {
      readonly state: 'done';
      readonly recovery: Recovery;
      readonly identical: boolean;
      /** Set when handing the rebuilt file over as a download failed. */
      readonly saveError?: ShownError;
    }
  | { readonly state: 'failed'; readonly error: ShownError };

/** The protected files in the catalog, and the recovery of each one (at most one at a time). */
export class Library {
  records = $state.raw<CatalogRecord[]>([]);
  recoveries = $state.raw<Readonly<Record<string, RecoveryJob>>>({});
  // Bookkeeping the page never shows, so plain (not reactive) objects keyed by record id.
  private readonly handles: Record<string, JobHandle<Recovery>> = {};
  private readonly revokers: Record<string, () => void> = {};

  constructor(private readonly clouds: CloudsState) {}

  async load(): Promise<void> {
    this.records = await listRecords();
  }

  /** Adds a new record at the end, or puts an updated one where it was. */
  add(record: CatalogRecord): void {
    this.records = this.records.some((existing) => existing.id === record.id)
      ? this.records.map((existing) => (existing.id === record.id ? record : existing))
      : [...this.records, record];
  }

  /** Forgets a record that was removed everywhere (Uploads.remove). */
  forget(recordId: string): void {
    this.records = this.records.filter((record) => record.id !== recordId);
  }

  /** How many of the record's shares can be read: in clouds that are switched on, or still waiting on this device. */
  reachableShares(record: CatalogRecord): number {
    return record.shares.filter((share) => share.state === 'pending' || this.clouds.isOnline(share.bucketId)).length;
  }

  canRecover(record: CatalogRecord): boolean {
    return this.reachableShares(record) >= record.k;
  }

  /** Whether the browser can write a rebuilt file straight into a file the user picks. */
  get canRecoverToFile(): boolean {
    return typeof window !== 'undefined' && 'showSaveFilePicker' in window;
  }

  /**
   * Asks where to save, then rebuilds the file straight into it (no copy in browser storage, nothing
   * in memory). The picker must open from the click itself, so it comes first.
   */
  async recoverToFile(record: CatalogRecord): Promise<void> {
    if (!this.canRecover(record)) return;
    type SavePicker = (options: { suggestedName: string; id?: string }) => Promise<FileSystemFileHandle>;
    let target: FileSystemFileHandle;
    try {
      target = await (window as unknown as { showSaveFilePicker: SavePicker }).showSaveFilePicker({ suggestedName: record.fileName, id: 'tessera-save' });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      throw error;
    }
    this.recover(record, target);
  }

  recover(record: CatalogRecord, target?: FileSystemFileHandle): void {
    const current = this.recoveries[record.id];
    if (current?.state === 'queued' || current?.state === 'running' || !this.canRecover(record)) return;
    void this.discard(record.id, current);
    this.set(record.id, { state: 'queued' });
    const handle = recoverFile(
      record,
      this.clouds.all,
      {
        onStart: () => this.progress(record.id, 0, record.size),
        onProgress: ({ done, total }) => this.progress(record.id, done, total),
      },
      target,
    );
    this.handles[record.id] = handle;
    handle.done.then(
      (recovery) => {
        delete this.handles[record.id];
        const identical = sameFile(record, recovery);
        this.set(record.id, { state: 'done', recovery, identical });
        audit.record({ action: 'recover', recordId: record.id, ...(identical ? { outcome: 'ok' } : { outcome: 'failed', code: 'recover.different' }), bucketIds: record.shares.map((share) => share.bucketId), counts: { used: recovery.result.usedShares.length, unreachable: recovery.unavailable.length, rejected: recovery.rejected.length } });
      },
      (error: unknown) => {
        delete this.handles[record.id];
        audit.failed('recover', error, { recordId: record.id, bucketIds: record.shares.map((share) => share.bucketId) });
        const shown = describeError(error, 'recover');
        if (shown) this.set(record.id, { state: 'failed', error: shown });
        else this.clear(record.id);
      },
    );
  }

  cancel(recordId: string): void {
    this.handles[recordId]?.cancel();
  }

  /**
   * Hands the rebuilt file over: as a download under the original's name (`file`); for a folder
   * record also written into a folder the user picks (`folder`), or as a zip or its .tar (`zip`,
   * `tar`).
   */
  async save(record: CatalogRecord, as: 'file' | 'folder' | 'zip' | 'tar' = 'file'): Promise<void> {
    const job = this.recoveries[record.id];
    if (job?.state !== 'done') return;
    try {
      const blob = await getRecoveredFile(job.recovery.outputName);
      // Closed (or recovered again) while the file was being fetched: nothing left to save.
      if (!this.shows(record.id, job.recovery)) return;
      const folder = record.contents?.name ?? record.fileName.replace(/\.tar$/, '');
      if (as === 'folder') {
        await saveToFolder(blob, folder);
      } else {
        const [download, name] = as === 'zip' ? [await zipOf(blob), `${folder}.zip`] : [blob, as === 'tar' ? `${folder}.tar` : record.fileName];
        if (!this.shows(record.id, job.recovery)) return;
        this.revokers[record.id]?.();
        this.revokers[record.id] = startDownload(download, name);
      }
      const { saveError: _cleared, ...saved } = job;
      this.set(record.id, saved);
    } catch (error) {
      const shown = describeError(error, 'save');
      if (shown && this.shows(record.id, job.recovery)) this.set(record.id, { ...job, saveError: shown });
    }
  }

  /** Forgets the recovery result and deletes the rebuilt file from local storage. */
  async close(recordId: string): Promise<void> {
    // Taken before clear(): discard needs the job to know which rebuilt file to delete.
    const job = this.recoveries[recordId];
    this.clear(recordId);
    await this.discard(recordId, job);
  }

  /** Whether the record's card still shows this finished recovery. */
  private shows(recordId: string, recovery: Recovery): boolean {
    const current = this.recoveries[recordId];
    return current?.state === 'done' && current.recovery === recovery;
  }

  /** Revokes the record's download link and deletes the rebuilt file of `job`, if it has one. */
  private async discard(recordId: string, job: RecoveryJob | undefined): Promise<void> {
    this.revokers[recordId]?.();
    delete this.revokers[recordId];
    if (job?.state === 'done') await discardRecoveredFile(job.recovery.outputName).catch(() => undefined);
  }

  private progress(recordId: string, done: number, total: number): void {
    const current = this.recoveries[recordId];
    if (current?.state === 'queued' || current?.state === 'running') this.set(recordId, { state: 'running', done, total });
  }

  private set(recordId: string, job: RecoveryJob): void {
    this.recoveries = { ...this.recoveries, [recordId]: job };
  }

  private clear(recordId: string): void {
    const { [recordId]: _removed, ...rest } = this.recoveries;
    this.recoveries = rest;
  }
}
