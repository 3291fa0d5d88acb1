/**
 * The local catalog in IndexedDB: what was protected, where each share went, which demo clouds
 * are switched on, the real storage locations' settings, and their keys only when the person chose
 * to keep them, sealed under a passphrase (keyring.ts): never a key in the clear. It lives only in
 * this browser; recovery from share files alone does not need it.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  parseCatalogRecord,
  parseCloudSwitches,
  parseSavedLocations,
  type CatalogRecord,
  type CloudSwitches,
  type SavedLocations,
} from './catalog-record.js';
import { parseSealedKeyring, type SealedKeyring } from './keyring.js';

const DATABASE_NAME = 'tessera';
/** Bump with a new step in `upgrade` whenever a store or index changes. */
const DATABASE_VERSION = 1;
const CLOUD_SWITCHES_KEY = 'demo-clouds';
const LOCATIONS_KEY = 'storage-locations';
/** The sealed keyring: a settings entry of its own, versioned by its own `version` field (keyring.ts). */
const KEYRING_KEY = 'storage-keyring';

interface CatalogSchema extends DBSchema {
  records: { key: string; value: CatalogRecord; indexes: { createdAt: number } };
  settings: { key: string; value: unknown };
}

let database: Promise<IDBPDatabase<CatalogSchema>> | undefined;

function open(): Promise<IDBPDatabase<CatalogSchema>> {
  database ??= openDB<CatalogSchema>(DATABASE_NAME, DATABASE_VERSION, {
    upgrade(db, oldVersion) {
      // One step per version, each from the version before it.
      if (oldVersion < 1) {
        const records = db.createObjectStore('records', { keyPath: 'id' });
        records.createIndex('createdAt', 'createdAt');
        db.createObjectStore('settings');
      }
    },
    blocking() {
      // Another tab wants a newer version: let it have the database.
      void database?.then((db) => db.close());
      database = undefined;
    },
  });
  return database;
}

/** Every well-formed record, oldest first. Records that fail validation are skipped. */
export async function listRecords(): Promise<CatalogRecord[]> {
  const values = await (await open()).getAllFromIndex('records', 'createdAt');
  return values.map((value) => parseCatalogRecord(value)).filter((record) => record !== undefined);
}

export async function putRecord(record: CatalogRecord): Promise<void> {
  if (parseCatalogRecord(record) === undefined) throw new RangeError('catalog record: not well-formed');
  await (await open()).put('records', record);
}

/** Forgets a record (its shares are the caller's to remove first). Forgetting a missing one succeeds. */
export async function deleteRecord(id: string): Promise<void> {
  await (await open()).delete('records', id);
}

export async function loadCloudSwitches(): Promise<CloudSwitches> {
  return parseCloudSwitches(await (await open()).get('settings', CLOUD_SWITCHES_KEY)) ?? { version: 1, online: {} };
}

export async function saveCloudSwitches(switches: CloudSwitches): Promise<void> {
  await (await open()).put('settings', switches, CLOUD_SWITCHES_KEY);
}

/** The real storage locations' settings, as saved (without any credential); none when nothing valid was saved. */
export async function loadSavedLocations(): Promise<SavedLocations> {
  return parseSavedLocations(await (await open()).get('settings', LOCATIONS_KEY)) ?? { version: 1, locations: [] };
}

/** Saves what parseSavedLocations keeps, and only that: a field that is not a setting (a secret) is never written. */
export async function saveSavedLocations(saved: SavedLocations): Promise<void> {
  const valid = parseSavedLocations(saved);
  if (valid === undefined || valid.locations.length !== saved.locations.length) throw new RangeError('saved locations: not well-formed');
  await (await open()).put('settings', valid, LOCATIONS_KEY);
}

/**
 * The storage locations' keys as sealed under the person's passphrase, or undefined when none are
 * saved (or what is saved is not a well-formed keyring, which is then as good as none).
 */
export async function loadSealedKeyring(): Promise<SealedKeyring | undefined> {
  return parseSealedKeyring(await (await open()).get('settings', KEYRING_KEY));
}

/** Saves a keyring sealed by keyring.ts sealKeyring, only its known fields; anything else is refused. */
export async function saveSealedKeyring(sealed: SealedKeyring): Promise<void> {
  const valid = parseSealedKeyring(sealed);
  if (valid === undefined) throw new RangeError('sealed keyring: not well-formed');
  await (await open()).put('settings', valid, KEYRING_KEY);
}

/** Forgets the saved keys ("Forget saved keys"); forgetting when none are saved succeeds. */
export async function deleteSealedKeyring(): Promise<void> {
  await (await open()).delete('settings', KEYRING_KEY);
}
