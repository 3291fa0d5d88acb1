import { discardLeftovers, discardStrayStaging, type CatalogRecord } from '../../jobs/index.js';
import type { BucketDescriptor } from '../../storage/index.js';
import { describeError, type ShownError } from '../errors.js';
import { CloudsState } from './clouds.svelte.js';
import { Library } from './library.svelte.js';
import { ProtectQueue } from './protect-queue.svelte.js';
import { Health } from './health.svelte.js';
import { Uploads } from './uploads.svelte.js';
import { VaultState } from './vault.svelte.js';

/** Everything the page shows, in one place; components get it as a prop. */
export class AppState {
  readonly clouds = new CloudsState();
  readonly library = new Library(this.clouds);
  readonly uploads = new Uploads(this.clouds, this.library);
  readonly health = new Health(this.clouds, this.library, this.uploads);
  readonly protectQueue = new ProtectQueue(
    (n) => this.placement(n),
    (record: CatalogRecord) => {
      this.library.add(record);
      // Shares for real clouds were staged on this device: send them now.
      void this.uploads.start(record);
    },
  );
  /** The list of protected files is sealed under the vault's passphrase; unlocking it lists them and brings back saved keys. */
  readonly vault = new VaultState(async (key) => {
    await this.clouds.locations.adoptVaultKey(key);
    await this.library.load();
    // A tab closed between staging a protect's shares and recording it leaves shares no record names.
    await discardStrayStaging(this.library.records).catch(() => undefined);
  });
  ready = $state(false);

  constructor() {
    // "Reset the demo" (CloudPanel) removes protected files through the usual removal; like every
    // presenter control, it writes nothing to the audit trail.
    this.clouds.connectDemoRecords({ list: () => this.library.records, remove: (record) => this.uploads.remove(record, { audited: false }) });
  }

  loadError = $state<ShownError | undefined>();

  async load(): Promise<void> {
    try {
      await Promise.all([this.clouds.load(), this.vault.load(), discardLeftovers().catch(() => undefined)]);
    } catch (error) {
      this.loadError = describeError(error, 'load');
    } finally {
      this.ready = true;
    }
  }

  /** The first n clouds that are switched on, one share each; undefined if fewer are on. */
  placement(n: number): BucketDescriptor[] | undefined {
    const online = this.clouds.onlineBuckets;
    return online.length >= n ? online.slice(0, n) : undefined;
  }
}
