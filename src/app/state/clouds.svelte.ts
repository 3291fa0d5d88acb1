import { DemoBucket } from '../../storage/demo-bucket.js';
import { DEMO_BUCKETS, type BucketDescriptor, type DemoBucketDescriptor } from '../../storage/index.js';
import {
  type CatalogRecord,
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
  /** Demo clouds a presenter made slow (storage/demo-faults.ts); none at first. */
  slow = $state<Record<string, boolean>>({});

  /** What the last presenter control did, in words ("Demo cloud C lost 3 shares."), or undefined. */
  demoNotice = $state<string | undefined>();

  /** The demo clouds, with their current on/off and slow state. */
  readonly demo: DemoBucketDescriptor[] = $derived(
    DEMO_BUCKETS.map((bucket) => ({ ...bucket, kind: 'demo' as const, online: this.online[bucket.id] === true, slow: this.slow[bucket.id] === true })),
  );

  /** Where "Reset the demo" finds the protected files and removes them (AppState connects it). */
  private demoRecords: DemoRecords | undefined;

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
      if (saved.slow?.[bucket.id] === true) this.slow[bucket.id] = true;
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
    await this.saveSwitches();
  }

  /** Makes a demo cloud slow, or fast again, for every job started from now on; remembered like its switch. */
  async setSlow(bucketId: string, slow: boolean): Promise<void> {
    if (!this.isDemo(bucketId)) return;
    this.slow[bucketId] = slow;
    this.demoNotice = undefined;
    await this.saveSwitches();
    // Said once remembered, so that the words also mean it holds after a reload.
    this.demoNotice = slow ? `${this.label(bucketId)} is slow now: every read and write waits.` : `${this.label(bucketId)} is at full speed again.`;
  }

  /** "Delete its shares": the demo cloud loses every object it holds, as a provider that lost data. */
  async loseDemoShares(bucketId: string): Promise<void> {
    await this.presenterAction('delete demo shares', async () => {
      const bucket = this.reachableDemoBucket(bucketId);
      const objects = await bucket.list();
      for (const { key } of objects) await bucket.delete(key);
      const label = this.label(bucketId);
      this.demoNotice = objects.length === 0 ? `${label} held no shares.` : `${label} lost ${sharesInWords(objects.length)}.`;
    });
  }

  /** "Corrupt a share": silent damage to one object of the demo cloud (the first by key), its name and size unchanged. */
  async damageDemoShare(bucketId: string): Promise<void> {
    await this.presenterAction('damage a demo share', async () => {
      const bucket = this.reachableDemoBucket(bucketId);
      const [first] = await bucket.list();
      const label = this.label(bucketId);
      if (first === undefined) {
        this.demoNotice = `${label} holds no share to damage.`;
        return;
      }
      await bucket.damage(first.key);
      this.demoNotice = `One share in ${label} was damaged.`;
    });
  }

  /** Lets "Reset the demo" list and remove protected files (the records live in Library, removal in Uploads). */
  connectDemoRecords(records: DemoRecords): void {
    this.demoRecords = records;
  }

  /** The protected files "Reset the demo" removes: those whose every share is in a demo cloud. */
  demoOnlyRecords(): CatalogRecord[] {
    return (this.demoRecords?.list() ?? []).filter((record) => record.shares.every((share) => this.isDemo(share.bucketId)));
  }

  /**
   * "Reset the demo": every demo cloud on and at full speed, then every protected file kept only in
   * the demo clouds removed, shares and all, through the usual removal (Uploads.remove). Files with
   * a share in a real location are left alone.
   */
  async resetDemo(): Promise<void> {
    await this.presenterAction('reset the demo', async () => {
      for (const bucket of DEMO_BUCKETS) {
        this.online[bucket.id] = true;
        this.slow[bucket.id] = false;
      }
      await this.saveSwitches();
      const records = this.demoOnlyRecords();
      for (const record of records) await this.demoRecords?.remove(record);
      const left = this.demoOnlyRecords().length;
      const removed = records.length - left;
      const files = `${removed} protected ${removed === 1 ? 'file was' : 'files were'} removed`;
      this.demoNotice = `The demo was reset: every demo cloud is on and at full speed, ${files}${left > 0 ? `; ${left} could not be removed` : ''}.`;
    });
  }

  private isDemo(bucketId: string): boolean {
    return DEMO_BUCKETS.some((bucket) => bucket.id === bucketId);
  }

  /**
   * The demo cloud as a presenter control reaches it: the control acts on the storage itself, so it
   * works on a cloud that is switched off or slow too.
   */
  private reachableDemoBucket(bucketId: string): DemoBucket {
    const descriptor = this.demo.find((bucket) => bucket.id === bucketId);
    if (!descriptor) throw new RangeError(`bucketId: expected a demo cloud, got "${bucketId.slice(0, 40)}"`);
    return new DemoBucket({ ...descriptor, online: true, slow: false });
  }

  private async presenterAction(what: string, run: () => Promise<void>): Promise<void> {
    this.demoNotice = undefined;
    try {
      await run();
    } catch (error) {
      const shown = describeError(error, what);
      if (shown) this.demoNotice = `${shown.title} ${shown.action}`;
    }
  }

  /** Remembers the demo switches, best effort: if IndexedDB refuses, they hold for this visit and the failure is logged. */
  private async saveSwitches(): Promise<void> {
    try {
      await saveCloudSwitches({ version: 1, online: $state.snapshot(this.online), slow: $state.snapshot(this.slow) });
    } catch (error) {
      describeError(error, 'save cloud switches');
    }
  }
}

/** How "Reset the demo" reaches the protected files (AppState wires Library and Uploads in). */
export interface DemoRecords {
  list(): readonly CatalogRecord[];
  /** Removes the record everywhere; on failure the record stays listed and says why (Uploads.remove). */
  remove(record: CatalogRecord): Promise<void>;
}

function sharesInWords(count: number): string {
  return count === 1 ? '1 share' : `${count} shares`;
}
