/**
 * The person's real storage locations (S3-compatible buckets, Azure containers, buckets an
 * organisation signs for) and the result of testing each one. WARNING: the descriptors hold keys,
 * SAS URLs and access tokens. They are kept here, in the
 * page's memory, for the session only: never logged; a job gets them in its message to the share
 * worker, and closing the tab forgets them. Only each location's settings without its secret
 * (LocationSettings) are saved, through the store given: after a reload the locations come back
 * as needing their key.
 */
import type { LocationSettings, SavedLocations } from '../../vault/catalog-record.js';
import { describeError } from '../errors.js';
import { locationSettings, type LocationDescriptor } from '../location-form.js';
import { adviceFor, probeLocation, type ProbeAdvice, type ProbeOutcome } from '../location-probe.js';

/** Where the settings are kept across visits (vault/catalog.ts loadSavedLocations / saveSavedLocations). */
export interface LocationSettingsStore {
  load(): Promise<SavedLocations>;
  save(saved: SavedLocations): Promise<void>;
}

export type LocationTest =
  | { readonly state: 'running' }
  | { readonly state: 'works'; readonly roundTripMs: number }
  | { readonly state: 'failed'; readonly outcome: Extract<ProbeOutcome, { ok: false }>; readonly advice: ProbeAdvice };

export class StorageLocations {
  list = $state.raw<LocationDescriptor[]>([]);
  /** Locations saved in an earlier visit, not usable until the person gives their secret again. */
  needsKey = $state.raw<LocationSettings[]>([]);
  tests = $state.raw<Readonly<Record<string, LocationTest>>>({});
  readonly #store: LocationSettingsStore | undefined;

  constructor(store?: LocationSettingsStore) {
    this.#store = store;
  }

  /** What is saved: every location's settings without its secret, usable ones first, then those waiting for a key. */
  get saved(): SavedLocations {
    return { version: 1, locations: [...this.list.map(locationSettings), ...this.needsKey.filter((settings) => !this.get(settings.id))] };
  }

  /** Brings back the locations saved in an earlier visit, each needing its key. */
  async load(): Promise<void> {
    if (this.#store === undefined) return;
    try {
      this.restore(await this.#store.load());
    } catch (error) {
      describeError(error, 'load storage locations');
    }
  }

  restore(saved: SavedLocations): void {
    this.needsKey = saved.locations.filter((settings) => !this.get(settings.id));
  }

  get(id: string): LocationDescriptor | undefined {
    return this.list.find((location) => location.id === id);
  }

  /** Whether the Test button can probe this location (location-probe.ts knows S3 buckets and Azure containers). */
  testable(location: LocationDescriptor): location is Extract<LocationDescriptor, { kind: 's3' | 'azure' }> {
    return location.kind === 's3' || location.kind === 'azure';
  }

  /** Adds a location; returns why not when the same bucket or container is already there. */
  add(location: LocationDescriptor): string | undefined {
    if (this.get(location.id)) return `“${this.get(location.id)!.label}” is this same ${location.kind === 'azure' ? 'container' : 'bucket'} already.`;
    this.list = [...this.list, location];
    this.needsKey = this.needsKey.filter((settings) => settings.id !== location.id);
    this.#persist();
    return undefined;
  }

  /** Replaces the location `id` with its edited settings (which may name another bucket). */
  replace(id: string, location: LocationDescriptor): string | undefined {
    const other = location.id !== id ? this.get(location.id) : undefined;
    if (other) return `“${other.label}” is this same ${location.kind === 'azure' ? 'container' : 'bucket'} already.`;
    this.list = this.list.map((existing) => (existing.id === id ? location : existing));
    this.needsKey = this.needsKey.filter((settings) => settings.id !== location.id);
    this.forgetTest(id);
    this.#persist();
    return undefined;
  }

  remove(id: string): void {
    this.list = this.list.filter((location) => location.id !== id);
    this.needsKey = this.needsKey.filter((settings) => settings.id !== id);
    this.forgetTest(id);
    this.#persist();
  }

  setOnline(id: string, online: boolean): void {
    this.list = this.list.map((location) => (location.id === id ? { ...location, online } : location));
    this.#persist();
  }

  /** Best effort: if saving fails, the locations still hold for this visit and the failure is logged. */
  #persist(): void {
    this.#store?.save(this.saved).catch((error: unknown) => describeError(error, 'save storage locations'));
  }

  /** Runs the probe (probeLocation) and keeps its outcome; a second press while one runs does nothing. */
  async test(id: string, origin: string): Promise<void> {
    const location = this.get(id);
    if (!location || !this.testable(location) || this.tests[id]?.state === 'running') return;
    this.setTest(id, { state: 'running' });
    const outcome = await probeLocation(location);
    // Edited or removed meanwhile: this outcome is about settings that are gone.
    if (this.get(id) !== location) return;
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
