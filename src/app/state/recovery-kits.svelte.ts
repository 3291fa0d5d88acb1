/**
 * Recovery kits on the page: making the kit of a record from what this device knows of its
 * storage locations, and reading a kit back (its JSON file, a photo of the printed sheet, or the
 * camera) to rebuild the record through the app's usual recovery (Library.recover) with a catalog
 * record made from the kit. A kit holds no key: the locations it names must be set up here, with
 * their keys, before the shares can be read; the import says which.
 */
import { DEMO_BUCKETS } from '../../storage/index.js';
import type { CatalogRecord } from '../../vault/catalog-record.js';
import {
  makeRecoveryKit,
  parseRecoveryKit,
  placeBucketId,
  placeFromSettings,
  recordFromKit,
  RecoveryKitError,
  type KitChoices,
  type KitPlace,
  type MadeKit,
  type RecoveryKit,
  type RecoveryKitErrorCode,
} from '../../vault/recovery-kit.js';
import { locationSettings } from '../location-form.js';
import { readQrCodeInImage } from '../qr-reader.js';
import type { CloudsState } from './clouds.svelte.js';
import type { Library } from './library.svelte.js';

/** Why a kit could not be read: the kit format's own codes, and those of reading an image or the camera. */
type KitProblemCode = RecoveryKitErrorCode | 'kit.no-qr-code' | 'kit.unreadable' | 'kit.camera';

interface KitProblem {
  readonly code: KitProblemCode;
  readonly title: string;
  readonly action: string;
  readonly detail: string;
}

const PROBLEM_WORDS: Readonly<Record<KitProblemCode, { readonly title: string; readonly action: string }>> = {
  'kit.not-a-kit': {
    title: 'This is not a Tessera recovery kit.',
    action: 'Choose the kit’s .json file, or a photo of the printed sheet with its QR code.',
  },
  'kit.version': {
    title: 'This recovery kit was made by a newer version of Tessera.',
    action: 'Open it with an up-to-date Tessera.',
  },
  'kit.secret': {
    title: 'This kit holds something that looks like a password or a storage key, so it was not used.',
    action: 'A kit made by Tessera never holds one: it was changed by someone. Use an unchanged copy, and change the keys of the storage it names.',
  },
  'kit.malformed': {
    title: 'This recovery kit is damaged.',
    action: 'Use another copy: the .json file, or a clear photo of the printed sheet.',
  },
  'kit.no-qr-code': {
    title: 'No QR code could be read in this picture.',
    action: 'Take the photo again, closer, straight on and sharp, with the whole QR code in it.',
  },
  'kit.unreadable': {
    title: 'This file could not be opened.',
    action: 'Choose the kit’s .json file, or a photo (PNG or JPEG) of the printed sheet.',
  },
  'kit.camera': {
    title: 'The camera could not be used.',
    action: 'Allow the camera for this page, or take a photo of the sheet and open it instead.',
  },
};

export function kitProblem(code: KitProblemCode, detail: string): KitProblem {
  return { code, ...PROBLEM_WORDS[code], detail };
}

/** What `error` (thrown while reading a kit) means for the person. */
function problemOf(error: unknown, fallback: KitProblemCode): KitProblem {
  if (error instanceof RecoveryKitError) return kitProblem(error.code, error.message.replace(/^\[[a-z.-]+\] /, ''));
  console.warn(`tessera: reading a recovery kit failed [${fallback}]`);
  return kitProblem(fallback, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

/**
 * Where the bucket with this id is, from what this device knows: the demo clouds, the storage
 * locations in use, and those saved from an earlier visit that wait for their key.
 */
function placeOf(clouds: CloudsState, bucketId: string): KitPlace | undefined {
  if (DEMO_BUCKETS.some((bucket) => bucket.id === bucketId)) return { kind: 'demo', id: bucketId };
  const location = clouds.locations.get(bucketId);
  if (location) return placeFromSettings(locationSettings(location));
  const saved = clouds.locations.needsKey.find((settings) => settings.id === bucketId);
  return saved ? placeFromSettings(saved) : undefined;
}

/** The kit of `record`; else the ids of the locations this device no longer knows, or why the kit's own checks refused it. */
export function kitOfRecord(clouds: CloudsState, record: CatalogRecord, choices: KitChoices): MadeKit | { readonly ok: false; readonly refused: string } {
  try {
    return makeRecoveryKit(record, (bucketId) => placeOf(clouds, bucketId), choices);
  } catch (error) {
    // A file name the format does not take (longer than 255 characters, say), or a location whose
    // saved address the format refuses: say so rather than make a kit.
    if (error instanceof RecoveryKitError) return { ok: false, refused: error.message.replace(/^\[[a-z.-]+\] /, '') };
    throw error;
  }
}

/** What a kit's place is to this device now. */
export type PlaceStatus =
  /** Set up and switched on: its shares can be read. */
  | 'ready'
  /** Set up, switched off. */
  | 'off'
  /** Saved in an earlier visit: it waits for its key. */
  | 'needs-key'
  /** Not set up here: add it, with its key. */
  | 'not-set-up';

interface KitPlaceView {
  readonly place: KitPlace;
  readonly bucketId: string;
  /** The shares (x) the kit says are there. */
  readonly xs: readonly number[];
  readonly status: PlaceStatus;
  /** What the app calls it here, or a description from the kit. */
  readonly label: string;
}

/** Words for a place, from the kit alone (for a location this device does not have). */
export function describePlace(place: KitPlace): string {
  switch (place.kind) {
    case 'demo':
      return `Demo cloud ${place.id.replace(/^demo-/, '').toUpperCase()} (inside the browser that protected the file)`;
    case 's3':
      return `S3-compatible bucket “${place.bucket}” at ${place.endpoint} (region ${place.region}, ${place.provider})`;
    case 'azure':
      return `Azure Blob container ${place.containerUrl}`;
    case 'presign-endpoint':
      return `Bucket “${place.bucket}” signed for by ${place.endpoint}`;
  }
}

type KitReading =
  | { readonly state: 'idle' }
  | { readonly state: 'reading' }
  | { readonly state: 'read'; readonly kit: RecoveryKit; readonly record: CatalogRecord }
  | { readonly state: 'failed'; readonly problem: KitProblem };

/** Reading one recovery kit at a time, and recovering the record it describes. */
export class RecoveryKitImport {
  reading = $state.raw<KitReading>({ state: 'idle' });
  /** Counts readings, so that a slow one finishing after a newer one is dropped. */
  #attempt = 0;

  readonly #app: () => { readonly clouds: CloudsState; readonly library: Library };

  /** `app` gives the page's locations and library (a getter, so that a component passes its prop). */
  constructor(app: () => { readonly clouds: CloudsState; readonly library: Library }) {
    this.#app = app;
  }

  private get clouds(): CloudsState {
    return this.#app().clouds;
  }

  private get library(): Library {
    return this.#app().library;
  }

  /** The kit's places (each once), with what this device has of them. */
  get places(): KitPlaceView[] {
    if (this.reading.state !== 'read') return [];
    const views: KitPlaceView[] = [];
    for (const share of this.reading.kit.shares) {
      const bucketId = placeBucketId(share.place);
      const known = views.findIndex((view) => view.bucketId === bucketId);
      if (known >= 0) {
        views[known] = { ...views[known]!, xs: [...views[known]!.xs, share.x] };
        continue;
      }
      const status: PlaceStatus = this.clouds.isKnown(bucketId)
        ? this.clouds.isOnline(bucketId)
          ? 'ready'
          : 'off'
        : this.clouds.locations.needsKey.some((settings) => settings.id === bucketId)
          ? 'needs-key'
          : 'not-set-up';
      views.push({ place: share.place, bucketId, xs: [share.x], status, label: this.clouds.isKnown(bucketId) ? this.clouds.label(bucketId) : describePlace(share.place) });
    }
    return views;
  }

  /**
   * Takes a kit's text (the JSON file, or a QR code's), and starts the recovery at once when k of
   * its places are ready here; otherwise the person sets them up and presses Recover.
   */
  accept(text: string): boolean {
    this.#attempt++;
    let reading: Extract<KitReading, { state: 'read' }>;
    try {
      const kit = parseRecoveryKit(text);
      reading = { state: 'read', kit, record: recordFromKit(kit, Date.now()) };
    } catch (error) {
      this.reading = { state: 'failed', problem: problemOf(error, 'kit.malformed') };
      return false;
    }
    this.reading = reading;
    if (this.library.canRecover(reading.record)) this.library.recover(reading.record);
    return true;
  }

  /** Reads a file the person chose: the kit's JSON, or an image with the sheet's QR code. */
  async open(file: File): Promise<void> {
    const attempt = ++this.#attempt;
    this.reading = { state: 'reading' };
    const isImage = file.type.startsWith('image/') || /\.(png|jpe?g|webp|gif|bmp)$/i.test(file.name);
    let text: string | undefined;
    try {
      text = isImage ? await readQrCodeInImage(file) : await file.text();
    } catch (error) {
      if (attempt === this.#attempt) this.reading = { state: 'failed', problem: problemOf(error, 'kit.unreadable') };
      return;
    }
    if (attempt !== this.#attempt) return;
    if (text === undefined) this.reading = { state: 'failed', problem: kitProblem('kit.no-qr-code', `nothing found in ${file.type || 'the image'}`) };
    else this.accept(text);
  }

  fail(problem: KitProblem): void {
    this.#attempt++;
    this.reading = { state: 'failed', problem };
  }

  /** Starts rebuilding the record the kit describes, through the app's recovery. */
  recover(): void {
    if (this.reading.state === 'read') this.library.recover(this.reading.record);
  }

  /** Forgets the kit, and the recovery's rebuilt file with it. */
  async clear(): Promise<void> {
    this.#attempt++;
    const reading = this.reading;
    this.reading = { state: 'idle' };
    if (reading.state === 'read') {
      this.library.cancel(reading.record.id);
      await this.library.close(reading.record.id);
    }
  }
}
