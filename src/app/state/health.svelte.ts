import { checkShares, deleteShareObject, recordSafety, saveCheck, refreshRecord, rehearseRecord, removeRecord, repairRecord, type CatalogRecord, type JobHandle, type Rehearsal, type ShareCheck } from '../../jobs/index.js';
import { audit } from '../../vault/audit.js';
import { describeError, type ShownError } from '../errors.js';
import type { CloudsState } from './clouds.svelte.js';
import type { Library } from './library.svelte.js';
import type { Uploads } from './uploads.svelte.js';

export type HealthCheck =
  | { readonly state: 'checking' }
  | { readonly state: 'checked'; readonly at: number; readonly shares: readonly ShareCheck[] }
  | { readonly state: 'repairing'; readonly done: number; readonly total: number }
  | { readonly state: 'rehearsing'; readonly done: number; readonly total: number }
  /** k shares picked at random were fetched and rebuilt the file (or not), nothing saved. */
  | { readonly state: 'rehearsed'; readonly at: number; readonly identical: boolean; readonly usedShares: readonly number[] }
  /** A share was moved to another cloud (rebuilt there from k others, then removed from the old one). */
  | { readonly state: 'moved'; readonly x: number; readonly from: string; readonly to: string; readonly leftBehind: boolean }
  /** A new split being made (refreshRecord), then uploaded; the old shares are removed after. */
  | { readonly state: 'refreshing'; readonly done: number; readonly total: number }
  | { readonly state: 'failed'; readonly error: ShownError };

/**
 * Whether each record's shares are still where the catalog says ("Check"), and rebuilding the
 * lost ones from k of the others ("Rebuild"): a rebuilt share waits on this device and is
 * uploaded to its cloud like any other (Uploads).
 */
export class Health {
  byRecord = $state.raw<Readonly<Record<string, HealthCheck>>>({});
  private readonly handles: Record<string, JobHandle<CatalogRecord>> = {};
  private readonly rehearsals: Record<string, JobHandle<Rehearsal>> = {};

  constructor(
    private readonly clouds: CloudsState,
    private readonly library: Library,
    private readonly uploads: Uploads,
  ) {}

  /** Shares the last check found gone or damaged (to rebuild): this visit's, or the one kept in the record. */
  lost(record: CatalogRecord): number[] {
    const check = this.byRecord[record.id];
    if (check?.state === 'checked') {
      return check.shares.filter((share) => share.state === 'missing' || share.state === 'wrong-size').map((share) => share.x);
    }
    return [...(record.lastCheck?.lost ?? [])];
  }

  async check(record: CatalogRecord): Promise<void> {
    if (this.isBusy(record.id)) return;
    this.set(record.id, { state: 'checking' });
    try {
      const shares = await checkShares(record, this.clouds.all);
      const at = Date.now();
      this.set(record.id, { state: 'checked', at, shares });
      // Kept in the record, so that its status (and the list's filter) survives a reload.
      this.library.add(await saveCheck(this.library.records.find((candidate) => candidate.id === record.id) ?? record, shares, at));
      audit.recordCheck(record.id, this.byRecord[record.id]);
    } catch (error) {
      audit.failed('health-check', error, { recordId: record.id });
      const shown = describeError(error, 'check');
      if (shown) this.set(record.id, { state: 'failed', error: shown });
    }
  }

  /** Rebuilds the shares the last check found lost, then uploads them to their clouds. */
  repair(record: CatalogRecord): void {
    const xs = this.lost(record);
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
        audit.record({ action: 'repair', outcome: 'ok', recordId: record.id, counts: { repaired: xs.length } });
        this.library.add(updated);
        this.clear(record.id);
        void this.uploads.start(updated);
      },
      (error: unknown) => {
        delete this.handles[record.id];
        audit.failed('repair', error, { recordId: record.id });
        const shown = describeError(error, 'repair');
        if (shown) this.set(record.id, { state: 'failed', error: shown });
        else this.clear(record.id);
      },
    );
  }

  /** Fetches k shares picked at random and rebuilds the file without saving it: can it be recovered today? */
  rehearse(record: CatalogRecord): void {
    if (this.isBusy(record.id)) return;
    this.set(record.id, { state: 'rehearsing', done: 0, total: record.size });
    const handle = rehearseRecord(record, this.clouds.all, {
      onStart: () => undefined,
      onProgress: ({ done, total }) => {
        if (this.byRecord[record.id]?.state === 'rehearsing') this.set(record.id, { state: 'rehearsing', done, total });
      },
    });
    this.rehearsals[record.id] = handle;
    handle.done.then(
      ({ identical, usedShares }) => {
        delete this.rehearsals[record.id];
        audit.record({ action: 'rehearse', recordId: record.id, ...(identical ? { outcome: 'ok' } : { outcome: 'failed', code: 'recover.different' }), counts: { used: usedShares.length } });
        this.set(record.id, { state: 'rehearsed', at: Date.now(), identical, usedShares });
      },
      (error: unknown) => {
        delete this.rehearsals[record.id];
        audit.failed('rehearse', error, { recordId: record.id });
        const shown = describeError(error, 'rehearse');
        if (shown) this.set(record.id, { state: 'failed', error: shown });
        else this.clear(record.id);
      },
    );
  }

  /** Whether a check, rehearsal, repair or refresh of the record is under way. */
  isBusy(recordId: string): boolean {
    const state = this.byRecord[recordId]?.state;
    return state === 'checking' || state === 'repairing' || state === 'refreshing' || state === 'rehearsing';
  }

  /**
   * Refreshes the record: a new split of the file into the same clouds (new key, new random
   * coefficients), uploaded; once every new share is stored, the old record and all its shares are
   * removed, so shares that leaked earlier can never be combined with the current ones. If the new
   * shares cannot all be stored, both stay and the old record says why.
   */
  refresh(record: CatalogRecord): void {
    const current = this.byRecord[record.id]?.state;
    if (current === 'repairing' || current === 'refreshing' || current === 'checking') return;
    this.set(record.id, { state: 'refreshing', done: 0, total: 2 * record.size });
    const handle = refreshRecord(record, this.clouds.all, {
      onStart: () => undefined,
      onProgress: ({ done, total }) => {
        if (this.byRecord[record.id]?.state === 'refreshing') this.set(record.id, { state: 'refreshing', done, total });
      },
    });
    this.handles[record.id] = handle;
    const fail = (error: unknown): void => {
      delete this.handles[record.id];
      audit.failed('refresh', error, { recordId: record.id });
      const shown = describeError(error, 'refresh');
      if (shown) this.set(record.id, { state: 'failed', error: shown });
      else this.clear(record.id);
    };
    handle.done.then(async (fresh) => {
      delete this.handles[record.id];
      this.library.add(fresh);
      const uploaded = this.uploads.hasPending(fresh) ? await this.uploads.start(fresh) : fresh;
      if (!uploaded || recordSafety(uploaded).pending > 0) {
        this.set(record.id, {
          state: 'failed',
          error: {
            code: 'bucket.failed',
            title: 'The new shares are not all stored yet.',
            action: 'The old shares are kept until they are: upload the waiting shares of the new copy, then refresh again or remove this one.',
            detail: `New record ${fresh.id}`,
          },
        });
        return;
      }
      const left = await removeRecord(record, this.clouds.all);
      if (left.length === 0) {
        audit.record({ action: 'refresh', outcome: 'ok', recordId: fresh.id, bucketIds: fresh.shares.map((share) => share.bucketId) });
        this.library.forget(record.id);
        this.clear(record.id);
      } else {
        fail(new Error(`old shares left: ${left.map((share) => `share ${share.x} (${share.reason})`).join('; ')}`));
      }
    }, fail);
  }

  /**
   * Moves share x to another cloud: rebuilds it there from k of the others (so it works whether or
   * not the old cloud still has it), uploads it, and only then deletes it from the old cloud.
   */
  move(record: CatalogRecord, x: number, destinationId: string): void {
    const share = record.shares.find((candidate) => candidate.x === x);
    if (!share || share.state === 'pending' || this.isBusy(record.id) || share.bucketId === destinationId) return;
    const from = share.bucketId;
    this.set(record.id, { state: 'repairing', done: 0, total: record.size });
    const handle = repairRecord(
      record,
      this.clouds.all,
      [x],
      {
        onStart: () => undefined,
        onProgress: ({ done, total }) => {
          if (this.byRecord[record.id]?.state === 'repairing') this.set(record.id, { state: 'repairing', done, total });
        },
      },
      { [x]: destinationId },
    );
    this.handles[record.id] = handle;
    handle.done.then(
      async (moved) => {
        delete this.handles[record.id];
        this.library.add(moved);
        const uploaded = this.uploads.hasPending(moved) ? await this.uploads.start(moved) : moved;
        const stored = uploaded?.shares.find((candidate) => candidate.x === x)?.state !== 'pending';
        if (!stored) {
          this.clear(record.id);
          return; // the card says why the share is waiting; the old copy stays until it is stored
        }
        const old = this.clouds.all.find((bucket) => bucket.id === from);
        let leftBehind = true;
        if (old?.online) leftBehind = !(await deleteShareObject(old, share.key).then(() => true, () => false));
        audit.record({ action: 'move', outcome: 'ok', recordId: record.id, bucketIds: [from, destinationId] });
        this.set(record.id, { state: 'moved', x, from: this.clouds.label(from), to: this.clouds.label(destinationId), leftBehind });
      },
      (error: unknown) => {
        delete this.handles[record.id];
        audit.failed('move', error, { recordId: record.id });
        const shown = describeError(error, 'move');
        if (shown) this.set(record.id, { state: 'failed', error: shown });
        else this.clear(record.id);
      },
    );
  }

  /** Checks every record, one after the other. */
  async checkAll(records: readonly CatalogRecord[]): Promise<void> {
    for (const record of records) await this.check(record);
  }

  cancel(recordId: string): void {
    this.handles[recordId]?.cancel();
    this.rehearsals[recordId]?.cancel();
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
