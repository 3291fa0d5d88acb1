import { DEMO_BUCKETS, type BucketDescriptor } from '../../storage/index.js';
import {
  deleteSealedKeyring,
  loadCloudSwitches,
  loadSavedLocations,
  loadSealedKeyring,
  saveCloudSwitches,
  saveSavedLocations,
  saveSealedKeyring,
} from '../../jobs/index.js';
import { audit } from '../../vault/audit.js';
import { describeError } from '../errors.js';
import { StorageLocations } from './locations.svelte.js';

/**
 * Every place a share can go: the person's real storage locations (first, in the order added) and
 * the demo clouds, and which of them are switched on. The demo switches are remembered across
 * visits; so are the real locations' settings, and their keys only when the person chose to keep
 * them on this device, sealed under a passphrase (locations.svelte.ts, vault/keyring.ts).
 */
export class CloudsState {
  readonly locations = new StorageLocations(
    { load: loadSavedLocations, save: saveSavedLocations },
    { load: loadSealedKeyring, save: saveSealedKeyring, delete: deleteSealedKeyring },
  );

  online = $state<Record<string, boolean>>(Object.fromEntries(DEMO_BUCKETS.map((bucket) => [bucket.id, true])));

  /** The demo clouds, with their current on/off state. */
  readonly demo: BucketDescriptor[] = $derived(DEMO_BUCKETS.map((bucket) => ({ ...bucket, online: this.online[bucket.id] === true })));

  readonly demoOnlineCount: number = $derived(this.demo.filter((bucket) => bucket.online).length);

  /** Every location, real ones first, with its on/off state, as workers need it. */
  readonly all: BucketDescriptor[] = $derived([...this.locations.list, ...this.demo]);

  /** The locations that are switched on, in the order of `all`. */
  readonly onlineBuckets: BucketDescriptor[] = $derived(this.all.filter((bucket) => bucket.online));

  readonly onlineCount: number = $derived(this.onlineBuckets.length);

  private readonly byId: Readonly<Record<string, BucketDescriptor>> = $derived(
    Object.fromEntries(this.all.map((bucket) => [bucket.id, bucket])),
  );

  async load(): Promise<void> {
    await this.locations.load();
    const saved = await loadCloudSwitches();
    for (const bucket of DEMO_BUCKETS) {
      const on = saved.online[bucket.id];
      if (on !== undefined) this.online[bucket.id] = on;
    }
  }

  isOnline(bucketId: string): boolean {
    return this.byId[bucketId]?.online ?? false;
  }

  /** Whether the location is set up in this session (a record may name one that was forgotten). */
  isKnown(bucketId: string): boolean {
    return this.byId[bucketId] !== undefined;
  }

  label(bucketId: string): string {
    return this.byId[bucketId]?.label ?? bucketId;
  }

  /**
   * Switches a location on or off at once. A demo cloud's switch is remembered, best effort: if
   * IndexedDB refuses, the switch still holds for this visit and the failure is logged (never an
   * unhandled rejection).
   */
  async set(bucketId: string, on: boolean): Promise<void> {
    if (this.locations.get(bucketId)) {
      this.locations.setOnline(bucketId, on);
      return;
    }
    this.online[bucketId] = on;
    audit.record({ action: on ? 'location-on' : 'location-off', outcome: 'ok', bucketIds: [bucketId] });
    try {
      await saveCloudSwitches({ version: 1, online: $state.snapshot(this.online) });
    } catch (error) {
      describeError(error, 'save cloud switches');
    }
  }
}
