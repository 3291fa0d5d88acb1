import { DEMO_BUCKETS, type BucketDescriptor } from '../../storage/index.js';
import { loadCloudSwitches, saveCloudSwitches } from '../../jobs/index.js';
import { describeError } from '../errors.js';

/** The demo clouds and which of them are switched on; remembered across visits. */
export class CloudsState {
  online = $state<Record<string, boolean>>(Object.fromEntries(DEMO_BUCKETS.map((bucket) => [bucket.id, true])));

  /** Every demo cloud, with its current on/off state, as workers need it. */
  readonly all: BucketDescriptor[] = $derived(DEMO_BUCKETS.map((bucket) => ({ ...bucket, online: this.online[bucket.id] === true })));

  /** The clouds that are switched on, in the order of `all`. */
  readonly onlineBuckets: BucketDescriptor[] = $derived(this.all.filter((bucket) => bucket.online));

  readonly onlineCount: number = $derived(this.onlineBuckets.length);

  private readonly byId: Readonly<Record<string, BucketDescriptor>> = $derived(
    Object.fromEntries(this.all.map((bucket) => [bucket.id, bucket])),
  );

  async load(): Promise<void> {
    const saved = await loadCloudSwitches();
    for (const bucket of DEMO_BUCKETS) {
      const on = saved.online[bucket.id];
      if (on !== undefined) this.online[bucket.id] = on;
    }
  }

  isOnline(bucketId: string): boolean {
    return this.byId[bucketId]?.online ?? false;
  }

  label(bucketId: string): string {
    return this.byId[bucketId]?.label ?? bucketId;
  }

  /**
   * Switches a cloud on or off at once. Remembering it is best effort: if IndexedDB refuses, the
   * switch still holds for this visit and the failure is logged (never an unhandled rejection).
   */
  async set(bucketId: string, on: boolean): Promise<void> {
    this.online[bucketId] = on;
    try {
      await saveCloudSwitches({ version: 1, online: $state.snapshot(this.online) });
    } catch (error) {
      describeError(error, 'save cloud switches');
    }
  }
}
