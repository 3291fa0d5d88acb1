import { DEMO_BUCKETS, type BucketDescriptor } from '../../storage/index.js';
import { loadCloudSwitches, saveCloudSwitches } from '../../jobs/index.js';

/** The demo clouds and which of them are switched on; remembered across visits. */
export class CloudsState {
  online = $state<Record<string, boolean>>(Object.fromEntries(DEMO_BUCKETS.map((bucket) => [bucket.id, true])));

  /** Every demo cloud, with its current on/off state, as workers need it. */
  readonly all: BucketDescriptor[] = $derived(DEMO_BUCKETS.map((bucket) => ({ ...bucket, online: this.online[bucket.id] ?? true })));

  readonly onlineCount: number = $derived(this.all.filter((bucket) => bucket.online).length);

  async load(): Promise<void> {
    const saved = await loadCloudSwitches();
    for (const bucket of DEMO_BUCKETS) {
      const on = saved.online[bucket.id];
      if (on !== undefined) this.online[bucket.id] = on;
    }
  }

  isOnline(bucketId: string): boolean {
    return this.online[bucketId] ?? false;
  }

  label(bucketId: string): string {
    return DEMO_BUCKETS.find((bucket) => bucket.id === bucketId)?.label ?? bucketId;
  }

  async set(bucketId: string, on: boolean): Promise<void> {
    this.online[bucketId] = on;
    await saveCloudSwitches({ version: 1, online: $state.snapshot(this.online) });
  }
}
