import { checkShares, repairRecord, type CatalogRecord, type JobHandle, type ShareCheck } from '../../jobs/index.js';
import { describeError, type ShownError } from '../errors.js';
import type { CloudsState } from './clouds.svelte.js';
import type { Library } from './library.svelte.js';
import type { Uploads } from './uploads.svelte.js';

export type HealthCheck =
  | { readonly state: 'checking' }
  | { readonly state: 'checked'; readonly at: number; readonly shares: readonly ShareCheck[] }
  | { readonly state: 'repairing'; readonly done: number; readonly total: number }
  | { readonly state: 'failed'; readonly error: ShownError };

/**
 * Whether each record's shares are still where the catalog says ("Check"), and rebuilding the
 * lost ones from k of the others ("Rebuild"): a rebuilt share waits on this device and is
 * uploaded to its cloud like any other (Uploads).
 */
export class Health {
  byRecord = $state.raw<Readonly<Record<string, HealthCheck>>>({});
  private readonly handles: Record<string, JobHandle<CatalogRecord>> = {};

  constructor(
    private readonly clouds: CloudsState,
    private readonly library: Library,
    private readonly uploads: Uploads,
  ) {}

  /** Shares the last check found gone or damaged (to rebuild). */
  lost(recordId: string): number[] {
    const check = this.byRecord[recordId];
    if (check?.state !== 'checked') return [];
    return check.shares.filter((share) => share.state === 'missing' || share.state === 'wrong-size').map((share) => share.x);
  }

  async check(record: CatalogRecord): Promise<void> {
    const current = this.byRecord[record.id]?.state;
    if (current === 'checking' || current === 'repairing') return;
    this.set(record.id, { state: 'checking' });
    try {
      this.set(record.id, { state: 'checked', at: Date.now(), shares: await checkShares(record, this.clouds.all) });
    } catch (error) {
      const shown = describeError(error, 'check');
      if (shown) this.set(record.id, { state: 'failed', error: shown });
    }
  }

  /** Rebuilds the shares the last check found lost, then uploads them to their clouds. */
  repair(record: CatalogRecord): void {
    const xs = this.lost(record.id);
    if (xs.length === 0 || this.byRecord[record.id]?.state === 'repairing') return;
    this.set(record.id, { state: 'repairing', done: 0, total: record.size });
    const handle = repairRecord(record, this.clouds.all, xs, {
      onStart: () => undefined,
      onProgress: ({ done, total }) => {
        if (this.byRecord[record.id]?.state === 'repairing') this.set(record.id, { state: 'repairing', done, total });
      },
    });
    this.handles[record.id] = handle;
    handle.done.then(
      (updated) => {
        delete this.handles[record.id];
        this.library.add(updated);
        this.clear(record.id);
        this.uploads.start(updated);
      },
      (error: unknown) => {
        delete this.handles[record.id];
        const shown = describeError(error, 'repair');
        if (shown) this.set(record.id, { state: 'failed', error: shown });
        else this.clear(record.id);
      },
    );
  }

  cancel(recordId: string): void {
    this.handles[recordId]?.cancel();
  }

  forget(recordId: string): void {
    this.clear(recordId);
  }

  private set(recordId: string, check: HealthCheck): void {
    this.byRecord = { ...this.byRecord, [recordId]: check };
  }

  private clear(recordId: string): void {
    const { [recordId]: _removed, ...rest } = this.byRecord;
    this.byRecord = rest;
  }
}
