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
import { TesseraError } from '../core/errors.js';
import { parseSealedKeyring, type SealedKeyring } from './keyring.js';
import { isSealedRecord, openRecord, parseVaultHeader, sealRecord, type SealedRecord, type VaultHeader, type VaultKey } from './vault.js';

const DATABASE_NAME = 'tessera';
/** Bump with a new step in `upgrade` whenever a store or index changes. */
const DATABASE_VERSION = 2;
/** The vault's header (vault.ts): its salt and iteration count, and the passphrase check. */
const VAULT_KEY = 'vault';
const CLOUD_SWITCHES_KEY = 'demo-clouds';
const LOCATIONS_KEY = 'storage-locations';
/** The sealed keyring: a settings entry of its own, versioned by its own `version` field (keyring.ts). */
const KEYRING_KEY = 'storage-keyring';

interface CatalogSchema extends DBSchema {
  /** Version 2: sealed records (vault.ts), and records in the clear from version 1 until the vault seals them. */
  records: { key: string; value: SealedRecord | CatalogRecord };
  settings: { key: string; value: unknown };
}

/** The unlocked vault's key, while it is unlocked: every record is read and written through it. */
let vaultKey: VaultKey | undefined;

/** Unlocks (or locks, with undefined) the catalog for this page: records are sealed and opened with this key. */
export function setVaultKey(key: VaultKey | undefined): void {
  vaultKey = key;
}

function requireKey(): VaultKey {
  if (!vaultKey) throw new TesseraError('vault.locked', 'the vault is locked: unlock it with your passphrase first');
  return vaultKey;
}

let database: Promise<IDBPDatabase<CatalogSchema>> | undefined;

function open(): Promise<IDBPDatabase<CatalogSchema>> {
  database ??= openDB<CatalogSchema>(DATABASE_NAME, DATABASE_VERSION, {
    upgrade(db, oldVersion, _newVersion, transaction) {
      // One step per version, each from the version before it.
      if (oldVersion < 1) {
        // Version 1 indexed records by date; version 2 drops the index at once (below).
        const records = db.createObjectStore('records', { keyPath: 'id' }) as unknown as IDBObjectStore;
        records.createIndex('createdAt', 'createdAt');
        db.createObjectStore('settings');
      }
      if (oldVersion < 2) {
        // Sealed records have no readable date to index; they are sorted once opened. The records
        // themselves are sealed when the vault is next unlocked (listRecords), which needs the key.
        // (The typed schema no longer has the index, hence the plain object store.)
        (transaction.objectStore('records') as unknown as IDBObjectStore).deleteIndex('createdAt');
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

/**
 * Every well-formed record, oldest first; needs the vault unlocked (vault.locked otherwise).
 * Records that fail validation, or were sealed under another key, are skipped. A record still in
 * the clear (written by version 1, before the vault) is sealed now.
 */
export async function listRecords(): Promise<CatalogRecord[]> {
  const key = requireKey();
  const db = await open();
  const records: CatalogRecord[] = [];
  for (const value of await db.getAll('records')) {
    if (isSealedRecord(value)) {
      const record = await openRecord(key, value).catch(() => undefined);
      if (record) records.push(record);
      continue;
    }
    const record = parseCatalogRecord(value);
    if (!record) continue;
    await db.put('records', await sealRecord(key, record));
    records.push(record);
  }
  return records.sort((a, b) => a.createdAt - b.createdAt);
}

/** Saves a record sealed under the vault key; vault.locked when the vault is locked. */
export async function putRecord(record: CatalogRecord): Promise<void> {
  const sealed = await sealRecord(requireKey(), record);
  await (await open()).put('records', sealed);
}

/** The vault's header, if a vault was made on this device. */
export async function loadVaultHeader(): Promise<VaultHeader | undefined> {
  return parseVaultHeader(await (await open()).get('settings', VAULT_KEY));
}

export async function saveVaultHeader(header: VaultHeader): Promise<void> {
  const valid = parseVaultHeader(header);
  if (valid === undefined) throw new RangeError('vault header: not well-formed');
  await (await open()).put('settings', valid, VAULT_KEY);
}

/** Whether records from before the vault are stored in the clear (to seal once a vault exists). */
export async function hasRecordsInTheClear(): Promise<boolean> {
  return (await (await open()).getAll('records')).some((value) => !isSealedRecord(value));
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
