/**
 * The person's real storage locations (S3-compatible buckets, Azure containers, buckets an
 * organisation signs for), how each one's key is kept, and the result of testing each one.
 *
 * WARNING: the descriptors hold keys, SAS URLs and access tokens. They are kept here, in the page's
 * memory: never logged; a job gets them in its message to the share worker. Each location's
 * settings without its secret (LocationSettings) are saved through the settings store. Its secret
 * is kept for this visit only, unless the person chose to keep it on this device: then it is also
 * saved sealed under their passphrase (vault/keyring.ts), never in the clear. After a reload the
 * locations come back needing their key, until the person unlocks the saved keys or gives the key
 * again. The passphrase is never kept: only the key derived from it, as a non-extractable
 * CryptoKey, while the keyring is unlocked.
 */
import { audit } from '../../vault/audit.js';
import type { LocationSettings, SavedLocations } from '../../vault/catalog-record.js';
import { newKeyringKey, openKeyring, openKeyringWithKey, sealKeyring, type KeyringKey, type KeyringSecrets, type SealedKeyring } from '../../vault/keyring.js';
import { describeError } from '../errors.js';
import { descriptorFromSettings, locationSecret, locationSettings, type KeepChoice, type KeepField, type LocationDescriptor } from '../location-form.js';
import { adviceFor, probeLocation, type ProbeAdvice, type ProbeOutcome } from '../location-probe.js';

/** Where the settings are kept across visits (vault/catalog.ts loadSavedLocations / saveSavedLocations). */
export interface LocationSettingsStore {
  load(): Promise<SavedLocations>;
  save(saved: SavedLocations): Promise<void>;
}

/** Where the sealed keyring is kept across visits (vault/catalog.ts loadSealedKeyring / saveSealedKeyring / deleteSealedKeyring). */
export interface SealedKeyringStore {
  load(): Promise<SealedKeyring | undefined>;
  save(sealed: SealedKeyring): Promise<void>;
  delete(): Promise<void>;
}

export type LocationTest =
  | { readonly state: 'running' }
  | { readonly state: 'works'; readonly roundTripMs: number }
  | { readonly state: 'failed'; readonly outcome: Extract<ProbeOutcome, { ok: false }>; readonly advice: ProbeAdvice };

/** The keys saved on this device: none, saved but not unlocked in this visit, being unlocked, or unlocked (the key in memory). */
export type KeyringState =
  | { readonly state: 'none' }
  | { readonly state: 'locked'; readonly sealed: SealedKeyring }
  | { readonly state: 'unlocking'; readonly sealed: SealedKeyring }
  | { readonly state: 'unlocked'; readonly key: KeyringKey };

/** Why a location was not saved: the message to show, and the passphrase field at fault when it is one. */
export interface SaveRefusal {
  readonly field?: KeepField;
  readonly message: string;
}

export type UnlockResult = { readonly ok: true; readonly restored: readonly string[] } | { readonly ok: false; readonly message: string };

export class StorageLocations {
  list = $state.raw<LocationDescriptor[]>([]);
  /** Locations saved in an earlier visit, not usable until the person gives their secret again or unlocks the saved keys. */
  needsKey = $state.raw<LocationSettings[]>([]);
  tests = $state.raw<Readonly<Record<string, LocationTest>>>({});
  keyring = $state.raw<KeyringState>({ state: 'none' });
  /** Ids of the usable locations whose key is kept on this device (only ever filled while the keyring is unlocked). */
  keptOnDevice = $state.raw<readonly string[]>([]);
  readonly #store: LocationSettingsStore | undefined;
  readonly #keyringStore: SealedKeyringStore | undefined;
  /** The unlocked vault's key (adoptVaultKey), which seals saved keys too. */
  #vaultKey: KeyringKey | undefined;
  /** Keyring writes, one after the other, so that the last one saved is the latest state. */
  #keyringWrites: Promise<void> = Promise.resolve();

  /** Without a keyring store, keys can only be kept for the visit. */
  constructor(store?: LocationSettingsStore, keyringStore?: SealedKeyringStore) {
    this.#store = store;
    this.#keyringStore = keyringStore;
  }

  /** What is saved: every location's settings without its secret, usable ones first, then those waiting for a key. */
  get saved(): SavedLocations {
    return { version: 1, locations: [...this.list.map(locationSettings), ...this.needsKey.filter((settings) => !this.get(settings.id))] };
  }

  /** Brings back the locations saved in an earlier visit, each needing its key, and whether keys are saved to unlock. */
  async load(): Promise<void> {
    if (this.#store !== undefined) {
      try {
        this.restore(await this.#store.load());
      } catch (error) {
        describeError(error, 'load storage locations');
      }
    }
    if (this.#keyringStore !== undefined) {
      try {
        const sealed = await this.#keyringStore.load();
        if (sealed !== undefined && this.keyring.state === 'none') this.keyring = { state: 'locked', sealed };
      } catch (error) {
        describeError(error, 'load saved keys');
      }
    }
  }

  restore(saved: SavedLocations): void {
    this.needsKey = saved.locations.filter((settings) => !this.get(settings.id));
  }

  /** Whether the location's key is kept on this device. */
  keeps(id: string): boolean {
    return this.keptOnDevice.includes(id);
  }

  get(id: string): LocationDescriptor | undefined {
    return this.list.find((location) => location.id === id);
  }

  /** Whether the Test button can probe this location (location-probe.ts knows S3 buckets, Azure containers and buckets an organisation signs for). */
  testable(location: LocationDescriptor): location is Extract<LocationDescriptor, { kind: 's3' | 'azure' | 'presign-endpoint' }> {
    return location.kind === 's3' || location.kind === 'azure' || location.kind === 'presign-endpoint';
  }

  /**
   * Adds `location`, or puts it in the place of the location (usable or waiting for its key) with
   * the id `replacing`, and keeps its key as the person chose. Keeping it on this device first
   * derives a new key from a new passphrase, or unlocks the saved keys with the current one (which
   * also brings back every location they hold). Returns why not, changing nothing, when the same
   * bucket or container is already there or the passphrase does not open the saved keys.
   */
  async save(location: LocationDescriptor, choice: KeepChoice, replacing?: string): Promise<SaveRefusal | undefined> {
    const duplicate = this.#duplicate(location, replacing);
    if (duplicate !== undefined) return { message: duplicate };
    if (choice.keep === 'device') {
      const refused = await this.#readyToKeep(choice.passphrase);
      if (refused !== undefined) return refused;
    }
    // Unlocking may have brought back locations meanwhile: check again.
    const refused = this.#put(location, replacing);
    if (refused !== undefined) return { message: refused };
    audit.record({ action: replacing === undefined ? 'location-add' : 'location-change', outcome: 'ok', bucketIds: [location.id] });
    const wasKept = this.keeps(location.id) || (replacing !== undefined && this.keeps(replacing));
    const others = this.keptOnDevice.filter((id) => id !== location.id && id !== replacing);
    this.keptOnDevice = choice.keep === 'device' ? [...others, location.id] : others;
    if (choice.keep === 'device' || wasKept) await this.#seal();
    return undefined;
  }

  /** Removes the location; the promise settles once its key has left the saved keys (it never rejects). */
  remove(id: string): Promise<void> {
    audit.record({ action: 'location-remove', outcome: 'ok', bucketIds: [id] });
    this.list = this.list.filter((location) => location.id !== id);
    this.needsKey = this.needsKey.filter((settings) => settings.id !== id);
    this.forgetTest(id);
    this.#persist();
    // While the keys are locked, a removed location's key stays sealed until the next unlock drops it.
    if (!this.keeps(id)) return Promise.resolve();
    this.keptOnDevice = this.keptOnDevice.filter((kept) => kept !== id);
    return this.#seal();
  }

  setOnline(id: string, online: boolean): void {
    audit.record({ action: online ? 'location-on' : 'location-off', outcome: 'ok', bucketIds: [id] });
    this.list = this.list.map((location) => (location.id === id ? { ...location, online } : location));
    this.#persist();
  }

  /**
   * Opens the saved keys with the passphrase and makes every location they hold usable again.
   * A wrong passphrase changes nothing, and may be tried again any number of times.
   */
  async unlock(passphrase: string): Promise<UnlockResult> {
    const current = this.keyring;
    if (current.state === 'unlocked' || current.state === 'none') return { ok: true, restored: [] };
    if (current.state === 'unlocking') return { ok: false, message: 'Your saved keys are being unlocked: wait a moment.' };
    this.keyring = { state: 'unlocking', sealed: current.sealed };
    let opened: Awaited<ReturnType<typeof openKeyring>>;
    try {
      opened = await openKeyring(current.sealed, passphrase);
    } catch (error) {
      // Locked again, as it was, unless "Forget saved keys" was chosen meanwhile.
      if (this.keyring.state === 'unlocking') this.keyring = current;
      audit.failed('keys-unlock', error);
      const shown = describeError(error, 'unlock saved keys');
      return { ok: false, message: shown ? `${shown.title} ${shown.action}`.trim() : 'Unlocking was cancelled.' };
    }
    if (this.keyring.state !== 'unlocking') return { ok: false, message: 'The saved keys were forgotten meanwhile: give each location its key again.' };
    audit.record({ action: 'keys-unlock', outcome: 'ok' });
    return this.#restore(opened.key, opened.secrets);
  }

  /**
   * The vault was unlocked (src/vault/vault.ts): its key is the keyring's from now on, so one
   * passphrase does both. Saved keys sealed under it come back at once; keys saved before the vault
   * (under a passphrase of their own) still wait for "Unlock saved keys".
   */
  async adoptVaultKey(key: KeyringKey): Promise<void> {
    this.#vaultKey = key;
    const current = this.keyring;
    if (current.state === 'none') {
      this.keyring = { state: 'unlocked', key };
      return;
    }
    if (current.state !== 'locked') return;
    let secrets: KeyringSecrets;
    try {
      secrets = await openKeyringWithKey(current.sealed, key);
    } catch {
      return; // sealed under another passphrase: the person unlocks it as before
    }
    if (this.keyring === current) await this.#restore(key, secrets);
  }

  /** Makes every location whose key the opened keyring holds usable again. */
  async #restore(key: KeyringKey, secrets: KeyringSecrets): Promise<UnlockResult> {
    const opened = { key, secrets };
    this.keyring = { state: 'unlocked', key: opened.key };
    const restored: LocationDescriptor[] = [];
    for (const settings of this.needsKey) {
      const secret = opened.secrets[settings.id];
      const location = secret === undefined ? undefined : descriptorFromSettings(settings, secret);
      if (location !== undefined) restored.push(location);
    }
    this.list = [...this.list, ...restored];
    this.needsKey = this.needsKey.filter((settings) => !restored.some((location) => location.id === settings.id));
    this.keptOnDevice = [...this.keptOnDevice, ...restored.map((location) => location.id)];
    // A key sealed for a location removed since, or given again for this visit only while the keys
    // were locked: the person's latest choice holds, so it leaves the keyring now.
    if (Object.keys(opened.secrets).some((id) => !this.keeps(id))) await this.#seal();
    return { ok: true, restored: restored.map((location) => location.label) };
  }

  /**
   * Deletes the saved keys from this device. The locations in use stay usable until the tab
   * closes; after that each needs its key again.
   */
  async forgetSavedKeys(): Promise<void> {
    audit.record({ action: 'keys-forget', outcome: 'ok' });
    // With a vault, keys kept from now on are sealed under its key again, without a new passphrase.
    this.keyring = this.#vaultKey ? { state: 'unlocked', key: this.#vaultKey } : { state: 'none' };
    this.keptOnDevice = [];
    await this.#write(async (store) => store.delete());
  }

  /** Best effort: if saving fails, the locations still hold for this visit and the failure is logged. */
  #persist(): void {
    this.#store?.save(this.saved).catch((error: unknown) => describeError(error, 'save storage locations'));
  }

  /** Why `location` cannot take the place of `replacing` (or be added): another one is the same bucket or container. */
  #duplicate(location: LocationDescriptor, replacing: string | undefined): string | undefined {
    const other = this.get(location.id);
    if (other === undefined || other.id === replacing) return undefined;
    return `“${other.label}” is this same ${location.kind === 'azure' ? 'container' : 'bucket'} already.`;
  }

  #put(location: LocationDescriptor, replacing: string | undefined): string | undefined {
    const duplicate = this.#duplicate(location, replacing);
    if (duplicate !== undefined) return duplicate;
    const index = replacing === undefined ? -1 : this.list.findIndex((existing) => existing.id === replacing);
    const rest = this.list.filter((existing) => existing.id !== replacing);
    this.list = index < 0 ? [...rest, location] : [...rest.slice(0, index), location, ...rest.slice(index)];
    this.needsKey = this.needsKey.filter((settings) => settings.id !== location.id && settings.id !== replacing);
    if (replacing !== undefined) this.forgetTest(replacing);
    this.#persist();
    return undefined;
  }

  /** Makes sure a key to seal with is in memory: derived from a new passphrase, or the saved keys unlocked. */
  async #readyToKeep(passphrase: string | undefined): Promise<SaveRefusal | undefined> {
    const current = this.keyring;
    if (current.state === 'unlocked') return undefined;
    if (current.state === 'unlocking') return { message: 'Your saved keys are being unlocked: wait a moment, then try again.' };
    if (passphrase === undefined) return { field: 'passphrase', message: 'Passphrase: type it to keep this key on this device.' };
    if (current.state === 'locked') {
      const unlocked = await this.unlock(passphrase);
      return unlocked.ok ? undefined : { field: 'passphrase', message: unlocked.message };
    }
    let key: KeyringKey;
    try {
      key = await newKeyringKey(passphrase);
    } catch (error) {
      // The form checks the passphrase first; this is only a last guard.
      return { field: 'passphrase', message: describeError(error, 'lock the key')?.detail ?? 'The key could not be locked.' };
    }
    // Another save may have made one meanwhile: keep that one, so every key is under one passphrase.
    if (this.keyring.state === 'none') this.keyring = { state: 'unlocked', key };
    return this.keyring.state === 'unlocked' ? undefined : { message: 'Your saved keys changed meanwhile: try again.' };
  }

  /**
   * Seals the keys of the locations kept on this device and saves them; with none left, deletes the
   * saved keys (the next key kept asks for a new passphrase, unless the vault's key seals it).
   * Nothing happens while locked.
   */
  #seal(): Promise<void> {
    return this.#write(async (store) => {
      const keyring = this.keyring;
      if (keyring.state !== 'unlocked') return;
      const kept = this.list.filter((location) => this.keeps(location.id));
      if (kept.length === 0) {
        if (!this.#vaultKey) this.keyring = { state: 'none' };
        await store.delete();
        return;
      }
      await store.save(await sealKeyring(keyring.key, Object.fromEntries(kept.map((location) => [location.id, locationSecret(location)]))));
    });
  }

  /** Runs a keyring write after the ones before it; a failure is logged, and the keys still hold for this visit. */
  #write(work: (store: SealedKeyringStore) => Promise<void>): Promise<void> {
    const store = this.#keyringStore;
    if (store === undefined) return Promise.resolve();
    this.#keyringWrites = this.#keyringWrites.then(() => work(store)).catch((error: unknown) => void describeError(error, 'save the saved keys'));
    return this.#keyringWrites;
  }

  /** Runs the probe (probeLocation) and keeps its outcome; a second press while one runs does nothing. */
  async test(id: string, origin: string): Promise<void> {
    const location = this.get(id);
    if (!location || !this.testable(location) || this.tests[id]?.state === 'running') return;
    this.setTest(id, { state: 'running' });
    const outcome = await probeLocation(location);
    // Edited or removed meanwhile: this outcome is about settings that are gone.
    if (this.get(id) !== location) return;
    audit.record(outcome.ok ? { action: 'location-test', outcome: 'ok', bucketIds: [id] } : { action: 'location-test', outcome: 'failed', code: outcome.code, bucketIds: [id] });
    if (outcome.ok) this.setTest(id, { state: 'works', roundTripMs: outcome.roundTripMs });
    else {
      console.warn(`tessera: testing a storage location failed [${outcome.code}]`);
      this.setTest(id, { state: 'failed', outcome, advice: adviceFor(location, outcome, origin) });
    }
  }

  private setTest(id: string, test: LocationTest): void {
    this.tests = { ...this.tests, [id]: test };
  }

  private forgetTest(id: string): void {
    const { [id]: _forgotten, ...rest } = this.tests;
    this.tests = rest;
  }
}
