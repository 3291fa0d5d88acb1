/**
 * The person's real storage locations (S3-compatible buckets, Azure containers) and the result of
 * testing each one. WARNING: the descriptors hold keys and SAS URLs. They are kept here, in the
 * page's memory, for the session only: never persisted, never logged; a job gets them in its
 * message to the share worker, and closing the tab forgets them.
 */
import type { RemoteDescriptor } from '../location-form.js';
import { adviceFor, probeLocation, type ProbeAdvice, type ProbeOutcome } from '../location-probe.js';

export type LocationTest =
  | { readonly state: 'running' }
  | { readonly state: 'works'; readonly roundTripMs: number }
  | { readonly state: 'failed'; readonly outcome: Extract<ProbeOutcome, { ok: false }>; readonly advice: ProbeAdvice };

export class StorageLocations {
  list = $state.raw<RemoteDescriptor[]>([]);
  tests = $state.raw<Readonly<Record<string, LocationTest>>>({});

  get(id: string): RemoteDescriptor | undefined {
    return this.list.find((location) => location.id === id);
  }

  /** Adds a location; returns why not when the same bucket or container is already there. */
  add(location: RemoteDescriptor): string | undefined {
    if (this.get(location.id)) return `“${this.get(location.id)!.label}” is this same ${location.kind === 'azure' ? 'container' : 'bucket'} already.`;
    this.list = [...this.list, location];
    return undefined;
  }

  /** Replaces the location `id` with its edited settings (which may name another bucket). */
  replace(id: string, location: RemoteDescriptor): string | undefined {
    const other = location.id !== id ? this.get(location.id) : undefined;
    if (other) return `“${other.label}” is this same ${location.kind === 'azure' ? 'container' : 'bucket'} already.`;
    this.list = this.list.map((existing) => (existing.id === id ? location : existing));
    this.forgetTest(id);
    return undefined;
  }

  remove(id: string): void {
    this.list = this.list.filter((location) => location.id !== id);
    this.forgetTest(id);
  }

  setOnline(id: string, online: boolean): void {
    this.list = this.list.map((location) => (location.id === id ? { ...location, online } : location));
  }

  /** Runs the probe (probeLocation) and keeps its outcome; a second press while one runs does nothing. */
  async test(id: string, origin: string): Promise<void> {
    const location = this.get(id);
    if (!location || this.tests[id]?.state === 'running') return;
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
