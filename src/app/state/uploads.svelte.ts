import {
  removeRecord,
  uploadPendingShares,
  type CatalogRecord,
  type ShareUploadOutcome,
  type ShareUploadProgress,
  type UploadHandle,
} from '../../jobs/index.js';
import { audit } from '../../vault/audit.js';
import { describeError, type ShownError } from '../errors.js';
import type { CloudsState } from './clouds.svelte.js';
import type { Library } from './library.svelte.js';

/** Bytes sent of how many, the rate over the last seconds and the time left, for one share or all of them. */
export interface UploadMeter {
  readonly done: number;
  readonly total: number;
  readonly bytesPerSecond: number;
  /** null while the rate is unknown. */
  readonly etaMs: number | null;
}

export type RecordUpload =
  | { readonly state: 'queued'; readonly paused: boolean }
  | { readonly state: 'running'; readonly paused: boolean; readonly shares: Readonly<Record<number, UploadMeter>> }
  /** The last run's outcomes; the catalog record says which shares are stored. */
  | { readonly state: 'finished'; readonly outcomes: readonly ShareUploadOutcome[] }
  | { readonly state: 'removing' }
  /** The upload job itself failed (a crashed worker), or removing left shares behind. */
  | { readonly state: 'failed'; readonly error: ShownError };

/**
 * Uploads of records' pending shares (staged on this device) to their clouds: started after
 * protect, resumed after a reload, retried for a cloud that refused. One upload per record at a
 * time; pause and resume reach the worker at once; "remove" aborts what is in flight and deletes
 * the record everywhere.
 */
export class Uploads {
  byRecord = $state.raw<Readonly<Record<string, RecordUpload>>>({});
  private readonly handles: Record<string, UploadHandle> = {};
  /** Records resumeInterrupted started in this visit (bookkeeping, not shown). */
  private readonly resumed: Record<string, true> = {};

  constructor(
    private readonly clouds: CloudsState,
    private readonly library: Library,
  ) {}

  /** Whether the record has shares waiting on this device. */
  hasPending(record: CatalogRecord): boolean {
    return record.shares.some((share) => share.state === 'pending');
  }

  /** Whether the clouds of all pending shares are set up and switched on, so an upload can start. */
  canUpload(record: CatalogRecord): boolean {
    return record.shares.every((share) => share.state !== 'pending' || this.clouds.isOnline(share.bucketId));
  }

  /**
   * Starts, once per visit, the upload of each record whose pending shares were interrupted (the tab
   * was closed mid-way: no share has a failure) as soon as all their clouds can be reached, e.g.
   * when the person gives the keys again after a reload. Shares a cloud refused wait for the
   * person's "Upload" instead: sending them again unchanged would only fail again.
   */
  resumeInterrupted(records: readonly CatalogRecord[]): void {
    for (const record of records) {
      const interrupted = this.hasPending(record) && record.shares.every((share) => share.state !== 'pending' || share.failure === undefined);
      if (!interrupted || this.resumed[record.id] || this.isBusy(record.id) || !this.canUpload(record)) continue;
      this.resumed[record.id] = true;
      void this.start(record);
    }
  }

  isBusy(recordId: string): boolean {
    const state = this.byRecord[recordId]?.state;
    return state === 'queued' || state === 'running' || state === 'removing';
  }

  /** Starts (or resumes, after a reload, or retries) the upload of the record's pending shares. */
  start(record: CatalogRecord): Promise<CatalogRecord | undefined> {
    if (!this.hasPending(record) || this.isBusy(record.id)) return Promise.resolve(undefined);
    this.resumed[record.id] = true;
    this.set(record.id, { state: 'queued', paused: false });
    const handle = uploadPendingShares(record, this.clouds.all, {
      onStart: () => this.update(record.id, (current) => ({ state: 'running', paused: current.paused, shares: {} })),
      onProgress: (progress) => this.progress(record.id, progress),
    });
    this.handles[record.id] = handle;
    return handle.done.then(
      ({ record: updated, outcomes }) => {
        delete this.handles[record.id];
        this.library.add(updated);
        this.set(record.id, { state: 'finished', outcomes });
        audit.recordUpload(record.id, outcomes, record.shares.filter((share) => share.state === 'pending').map((share) => share.bucketId));
        return updated;
      },
      (error: unknown) => {
        delete this.handles[record.id];
        audit.failed('upload', error, { recordId: record.id });
        const shown = describeError(error, 'upload');
        if (shown) this.set(record.id, { state: 'failed', error: shown });
        else this.clear(record.id);
        return undefined;
      },
    );
  }

  pause(recordId: string): void {
    this.handles[recordId]?.pause();
    this.update(recordId, (current) => ({ ...current, paused: true }));
  }

  resume(recordId: string): void {
    this.handles[recordId]?.resume();
    this.update(recordId, (current) => ({ ...current, paused: false }));
  }

  /**
   * Removes the record everywhere: stops its upload, aborts unfinished uploads, deletes its shares
   * from every cloud and from this device, and forgets it. If a cloud cannot be reached, the record
   * stays and says which shares are left. `audited: false` is for "Reset the demo", a presenter's
   * control, which leaves the audit trail alone.
   */
  async remove(record: CatalogRecord, { audited = true }: { readonly audited?: boolean } = {}): Promise<void> {
    if (this.byRecord[record.id]?.state === 'removing') return;
    const handle = this.handles[record.id];
    delete this.handles[record.id];
    this.set(record.id, { state: 'removing' });
    if (handle) {
      handle.cancel();
      await handle.done.catch(() => undefined);
    }
    try {
      const left = await removeRecord(record, this.clouds.all);
      if (left.length === 0) {
        if (audited) audit.record({ action: 'remove', outcome: 'ok', recordId: record.id, bucketIds: record.shares.map((share) => share.bucketId) });
        this.library.forget(record.id);
        this.clear(record.id);
        return;
      }
      if (audited) audit.record({ action: 'remove', outcome: 'failed', code: 'bucket.offline', recordId: record.id, bucketIds: left.map((share) => share.bucketId), counts: { left: left.length } });
      const where = left.map((share) => `share ${share.x} in ${this.clouds.label(share.bucketId)} (${share.reason})`).join('; ');
      this.set(record.id, {
        state: 'failed',
        error: {
          code: 'bucket.offline',
          title: 'Not everything could be removed.',
          action: 'Switch those clouds on, or give their keys, and remove again.',
          detail: `Still stored: ${where}.`,
        },
      });
    } catch (error) {
      if (audited) audit.failed('remove', error, { recordId: record.id });
      const shown = describeError(error, 'remove');
      this.set(record.id, shown ? { state: 'failed', error: shown } : { state: 'finished', outcomes: [] });
    }
  }

  /** The upload's overall meter: all shares being sent, summed. */
  overall(recordId: string): UploadMeter | undefined {
    const job = this.byRecord[recordId];
    if (job?.state !== 'running') return undefined;
    const meters = Object.values(job.shares);
    if (meters.length === 0) return undefined;
    const done = meters.reduce((sum, meter) => sum + meter.done, 0);
    const total = meters.reduce((sum, meter) => sum + meter.total, 0);
    const bytesPerSecond = meters.reduce((sum, meter) => sum + meter.bytesPerSecond, 0);
    return { done, total, bytesPerSecond, etaMs: bytesPerSecond > 0 ? ((total - done) / bytesPerSecond) * 1000 : null };
  }

  private progress(recordId: string, progress: ShareUploadProgress): void {
    this.update(recordId, (current) => ({
      state: 'running',
      paused: current.paused,
      shares: {
        ...(current.state === 'running' ? current.shares : {}),
        [progress.x]: { done: progress.done, total: progress.total ?? progress.done, bytesPerSecond: progress.bytesPerSecond, etaMs: progress.etaMs },
      },
    }));
  }

  /** Changes a queued or running upload only (a late message must not revive a finished one). */
  private update(recordId: string, next: (current: Extract<RecordUpload, { state: 'queued' | 'running' }>) => RecordUpload): void {
    const current = this.byRecord[recordId];
    if (current?.state === 'queued' || current?.state === 'running') this.set(recordId, next(current));
  }

  private set(recordId: string, upload: RecordUpload): void {
    this.byRecord = { ...this.byRecord, [recordId]: upload };
  }

  private clear(recordId: string): void {
    const { [recordId]: _removed, ...rest } = this.byRecord;
    this.byRecord = rest;
  }
}
