/**
 * The vault: what this device keeps about protected records (the catalog: file names, study
 * labels, where each share went, the originals' SHA-256) sealed under the person's passphrase.
 *
 *   vault key = PBKDF2-HMAC-SHA-256(passphrase, salt, 600,000 iterations)   (keyring.ts, the same derivation)
 *   header    = an empty keyring sealed under the vault key: it stores the salt and count, and
 *               opening it checks the passphrase (a wrong one fails its GCM tag)
 *   record    = AES-256-GCM(vault key, random 12-byte IV, additional data "tessera catalog record
 *               v1|<record id>", JSON of the CatalogRecord)
 *
 * The record id is bound into each record's tag, so a sealed record cannot be moved under another
 * id. The saved storage keys (keyring.ts) are sealed under the same key once the vault exists, so
 * one passphrase unlocks both. Pure: WebCrypto only, no IndexedDB (catalog.ts stores what this
 * returns), so it runs in Node tests as in the page.
 */
import { TesseraError } from '../core/errors.js';
import { defaultRandom } from '../core/random.js';
import type { RandomSource } from '../core/types.js';
import { parseCatalogRecord, type CatalogRecord } from './catalog-record.js';
import {
  KEYRING_IV_SIZE,
  fromBase64,
  newKeyringKey,
  openKeyring,
  parseSealedKeyring,
  sealKeyring,
  toBase64,
  type KeyringKey,
  type SealedKeyring,
} from './keyring.js';

/** What is stored to recognise the vault's passphrase: an empty keyring sealed under the vault key. */
export type VaultHeader = SealedKeyring;

/** The key of an unlocked vault (non-extractable), with the parameters that derived it. */
export type VaultKey = KeyringKey;

/** A catalog record as stored once the vault exists. */
export interface SealedRecord {
  readonly id: string;
  readonly sealed: { readonly version: 1; readonly iv: string; readonly ciphertext: string };
}

const RECORD_LABEL = 'tessera catalog record v1';
const ID = /^[0-9a-f]{32}$/;
const MAX_SEALED_RECORD = 4 * 1024 * 1024;

/** Makes a new vault from a new passphrase (at least 8 characters): its key and the header to store. */
export async function createVault(passphrase: string): Promise<{ readonly key: VaultKey; readonly header: VaultHeader }> {
  const key = await newKeyringKey(passphrase);
  return { key, header: await sealKeyring(key, {}) };
}

/** The vault key, if `passphrase` opens the header; `vault.wrong-passphrase` otherwise (any number of tries). */
export async function unlockVault(header: VaultHeader, passphrase: string): Promise<VaultKey> {
  return (await openKeyring(header, passphrase)).key;
}

export function parseVaultHeader(value: unknown): VaultHeader | undefined {
  return parseSealedKeyring(value);
}

function additionalData(id: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${RECORD_LABEL}|${id}`);
}

export async function sealRecord(key: VaultKey, record: CatalogRecord, random: RandomSource = defaultRandom): Promise<SealedRecord> {
  if (parseCatalogRecord(record) === undefined) throw new RangeError('catalog record: not well-formed');
  const iv = new Uint8Array(KEYRING_IV_SIZE);
  random(iv);
  const plaintext = new TextEncoder().encode(JSON.stringify(record));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(record.id) }, key.cryptoKey, plaintext));
  return { id: record.id, sealed: { version: 1, iv: toBase64(iv), ciphertext: toBase64(ciphertext) } };
}

/** Whether a stored value is a sealed record (as opposed to a record stored in the clear by an earlier version). */
export function isSealedRecord(value: unknown): value is SealedRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { id, sealed } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !ID.test(id) || typeof sealed !== 'object' || sealed === null) return false;
  const { version, iv, ciphertext } = sealed as Record<string, unknown>;
  return version === 1 && typeof iv === 'string' && typeof ciphertext === 'string' && ciphertext.length <= MAX_SEALED_RECORD;
}

/**
 * The record inside a sealed one; `vault.wrong-passphrase` when the key does not open it (another
 * vault's key, or altered data); undefined when it opens to something that is not a well-formed
 * record (skipped, never trusted).
 */
export async function openRecord(key: VaultKey, stored: SealedRecord): Promise<CatalogRecord | undefined> {
  const iv = fromBase64(stored.sealed.iv);
  const ciphertext = fromBase64(stored.sealed.ciphertext);
  if (iv?.length !== KEYRING_IV_SIZE || ciphertext === undefined) return undefined;
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: additionalData(stored.id) }, key.cryptoKey, ciphertext);
  } catch (error) {
    if (error instanceof Error && error.name === 'OperationError') {
      throw new TesseraError('vault.wrong-passphrase', 'a catalog record does not open with this vault key (another vault, or altered)');
    }
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    return undefined;
  }
  const record = parseCatalogRecord(value);
  return record?.id === stored.id ? record : undefined;
}
