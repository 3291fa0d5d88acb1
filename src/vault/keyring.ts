/**
 * The keys of the person's storage locations (an S3 secret key, an Azure container SAS URL, a
 * signing service's token), kept on this device only sealed under a passphrase: what "Keep its
 * key: on this device, locked with my passphrase" saves. Pure: WebCrypto only, no DOM and no
 * IndexedDB (catalog.ts stores what sealKeyring returns), so it runs in Node tests as in the page.
 *
 *   key        = PBKDF2-HMAC-SHA-256(NFC(passphrase), salt, iterations) → 256 bits
 *                (RFC 8018 §5.2; 16 random bytes of salt, NIST SP 800-132 §5.1; 600,000 iterations
 *                at least, the OWASP Password Storage Cheat Sheet's figure for PBKDF2-HMAC-SHA256)
 *   ciphertext = AES-256-GCM(key, iv: 12 random bytes, additional data: KEYRING_LABEL and the KDF
 *                parameters, plaintext: JSON { version: 1, secrets } padded with spaces to a
 *                multiple of 256 bytes) (NIST SP 800-38D)
 *
 * The count and the salt are stored with the ciphertext, so a later version can raise the count
 * and still open what an earlier one sealed. The key is derived once per unlock and kept as a
 * non-extractable CryptoKey for re-sealing while the person edits their locations; the passphrase
 * itself is never kept. Each seal draws a fresh IV: random 96-bit IVs keep one key within GCM's
 * bound of 2^32 invocations (SP 800-38D §8.3) for any number of edits a person makes.
 *
 * WARNING: a passphrase is only as strong as the person makes it. 600,000 iterations slow each
 * guess to a fraction of a second on a laptop, not to nothing: whoever copies the disk can try a
 * list of likely passphrases offline, without any lock-out. That is why keeping keys is a choice
 * and the default keeps them for the session only.
 */
import { TesseraError } from '../core/errors.js';
import { defaultRandom } from '../core/random.js';
import type { RandomSource } from '../core/types.js';

/** PBKDF2 iterations of a new keyring, and the least a stored one may claim. */
export const KEYRING_ITERATIONS = 600_000;
/**
 * The most a stored keyring may claim: a count written by a later version stays well inside it,
 * while a damaged or altered one cannot make unlocking hang for minutes.
 */
export const MAX_KEYRING_ITERATIONS = 10_000_000;
/** Characters (Unicode code points, after NFC) a passphrase needs at least. */
export const MIN_PASSPHRASE_LENGTH = 8;

export const KEYRING_SALT_SIZE = 16;
export const KEYRING_IV_SIZE = 12;
const TAG_SIZE = 16;
/** The plaintext is padded to a multiple of this, so the ciphertext's length says little about how many keys it holds. */
const PADDING_BLOCK = 256;
/** Bounds what is parsed back: thousands of locations' keys, far below what a person sets up. */
const MAX_CIPHERTEXT_SIZE = 1024 * 1024;
const MAX_SECRET_LENGTH = 16_384;
const MAX_ID_LENGTH = 2048;

/** Bound into every seal as additional data, with the KDF parameters: the format's name and version. */
export const KEYRING_LABEL = 'tessera keyring v1';

/** How the key was derived from the passphrase. */
export interface KeyringKdf {
  readonly name: 'PBKDF2-SHA-256';
  readonly iterations: number;
  /** 16 bytes, base64. */
  readonly salt: string;
}

/** What is stored on the device: nothing in it is secret without the passphrase. */
export interface SealedKeyring {
  /** Shape of this value; a new version gets a new parser branch (and a new KEYRING_LABEL). */
  readonly version: 1;
  readonly kdf: KeyringKdf;
  /** 12 bytes, base64. */
  readonly iv: string;
  /** AES-256-GCM ciphertext ‖ 16-byte tag, base64. */
  readonly ciphertext: string;
}

/** Each location's secret, by location id (location-form.ts locationId). */
export type KeyringSecrets = Readonly<Record<string, string>>;

/** An unlocked keyring's key: derived once, never extractable, with the parameters that derived it. */
export interface KeyringKey {
  readonly cryptoKey: CryptoKey;
  readonly kdf: KeyringKdf;
}

export interface NewKeyringOptions {
  /** PBKDF2 iterations, KEYRING_ITERATIONS (the default) to MAX_KEYRING_ITERATIONS. */
  readonly iterations?: number;
  /** Fills the salt; default the platform CSPRNG. For known-answer tests only. */
  readonly random?: RandomSource;
}

/** The passphrase's length as the person counts characters: code points of its NFC form. */
export function passphraseLength(passphrase: string): number {
  return [...passphrase.normalize('NFC')].length;
}

function assertPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string') throw new TypeError(`passphrase must be a string, got ${passphrase === null ? 'null' : typeof passphrase}`);
  const length = passphraseLength(passphrase);
  if (length < MIN_PASSPHRASE_LENGTH) throw new RangeError(`passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters, got ${length}`);
}

function assertIterations(iterations: unknown): asserts iterations is number {
  if (typeof iterations !== 'number' || !Number.isSafeInteger(iterations)) throw new TypeError(`iterations must be an integer, got ${String(iterations)}`);
  if (iterations < KEYRING_ITERATIONS || iterations > MAX_KEYRING_ITERATIONS) {
    throw new RangeError(`iterations must be between ${KEYRING_ITERATIONS} and ${MAX_KEYRING_ITERATIONS}, got ${iterations}`);
  }
}

/** Derives a fresh keyring key from a new passphrase, under a fresh random salt. */
export async function newKeyringKey(passphrase: string, options: NewKeyringOptions = {}): Promise<KeyringKey> {
  assertPassphrase(passphrase);
  const iterations = options.iterations ?? KEYRING_ITERATIONS;
  assertIterations(iterations);
  const salt = new Uint8Array(KEYRING_SALT_SIZE);
  (options.random ?? defaultRandom)(salt);
  const kdf: KeyringKdf = { name: 'PBKDF2-SHA-256', iterations, salt: toBase64(salt) };
  return { cryptoKey: await deriveKey(passphrase, kdf), kdf };
}

/**
 * Seals `secrets` under an unlocked key, with a fresh IV: what saveSealedKeyring stores.
 * `random` fills the IV (default the platform CSPRNG; for known-answer tests only).
 */
export async function sealKeyring(key: KeyringKey, secrets: KeyringSecrets, random: RandomSource = defaultRandom): Promise<SealedKeyring> {
  if (!(key?.cryptoKey instanceof CryptoKey)) throw new TypeError('key must be a KeyringKey (from newKeyringKey or openKeyring)');
  assertSecrets(secrets);
  const iv = new Uint8Array(KEYRING_IV_SIZE);
  random(iv);
  const text = new TextEncoder().encode(JSON.stringify({ version: 1, secrets }));
  const padded = new Uint8Array(Math.ceil(text.length / PADDING_BLOCK) * PADDING_BLOCK).fill(0x20);
  padded.set(text);
  if (padded.length + TAG_SIZE > MAX_CIPHERTEXT_SIZE) throw new RangeError(`secrets: more than ${MAX_CIPHERTEXT_SIZE} bytes to seal, got ${padded.length}`);
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(key.kdf), tagLength: TAG_SIZE * 8 }, key.cryptoKey, padded),
  );
  return { version: 1, kdf: key.kdf, iv: toBase64(iv), ciphertext: toBase64(ciphertext) };
}

/**
 * Opens a sealed keyring with the passphrase: its secrets, and the key to re-seal them with while
 * the person edits their locations. Any number of attempts may be made; none changes anything.
 * Throws TesseraError `vault.wrong-passphrase` when the tag does not verify: the passphrase is not
 * the one it was sealed with, or the stored value was altered (GCM cannot tell the two apart, and
 * either way nothing is returned). A value that is not a keyring at all is a RangeError.
 */
export async function openKeyring(sealed: SealedKeyring, passphrase: string): Promise<{ readonly key: KeyringKey; readonly secrets: KeyringSecrets }> {
  const valid = parseSealedKeyring(sealed);
  if (valid === undefined) throw new RangeError('sealed keyring is not well-formed');
  assertPassphrase(passphrase);
  const key: KeyringKey = { cryptoKey: await deriveKey(passphrase, valid.kdf), kdf: valid.kdf };
  return { key, secrets: await openKeyringWithKey(valid, key) };
}

/**
 * Opens a sealed keyring with a key already derived (the vault's, src/vault/vault.ts): the same
 * check as openKeyring, without deriving again. A key derived under another salt or count cannot
 * open it: `vault.wrong-passphrase`.
 */
export async function openKeyringWithKey(sealed: SealedKeyring, key: KeyringKey): Promise<KeyringSecrets> {
  const valid = parseSealedKeyring(sealed);
  if (valid === undefined) throw new RangeError('sealed keyring is not well-formed');
  if (valid.kdf.salt !== key.kdf.salt || valid.kdf.iterations !== key.kdf.iterations) {
    throw new TesseraError('vault.wrong-passphrase', 'these keys were saved under another passphrase');
  }
  const cryptoKey = key.cryptoKey;
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64(valid.iv)!, additionalData: additionalData(valid.kdf), tagLength: TAG_SIZE * 8 },
        cryptoKey,
        fromBase64(valid.ciphertext)!,
      ),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'OperationError') {
      throw new TesseraError('vault.wrong-passphrase', 'the passphrase does not open the saved keys (or what is saved was altered)');
    }
    throw error;
  }
  const secrets = parsePlaintext(plaintext);
  // Only a bug in sealKeyring could authenticate a plaintext that is not one: say so, never guess.
  if (secrets === undefined) throw new RangeError('sealed keyring opened, but what it holds is not well-formed');
  return secrets;
}

/** The keyring, if `value` is a well-formed version-1 sealed keyring (only its known fields); undefined otherwise. */
export function parseSealedKeyring(value: unknown): SealedKeyring | undefined {
  if (!isRecordObject(value) || value['version'] !== 1) return undefined;
  const { kdf, iv, ciphertext } = value;
  if (!isRecordObject(kdf) || kdf['name'] !== 'PBKDF2-SHA-256') return undefined;
  const { iterations, salt } = kdf;
  if (typeof iterations !== 'number' || !Number.isSafeInteger(iterations) || iterations < KEYRING_ITERATIONS || iterations > MAX_KEYRING_ITERATIONS) return undefined;
  if (typeof salt !== 'string' || fromBase64(salt)?.length !== KEYRING_SALT_SIZE) return undefined;
  if (typeof iv !== 'string' || fromBase64(iv)?.length !== KEYRING_IV_SIZE) return undefined;
  if (typeof ciphertext !== 'string' || ciphertext.length > Math.ceil(MAX_CIPHERTEXT_SIZE / 3) * 4) return undefined;
  const sealedBytes = fromBase64(ciphertext);
  if (sealedBytes === undefined || sealedBytes.length < TAG_SIZE + PADDING_BLOCK || (sealedBytes.length - TAG_SIZE) % PADDING_BLOCK !== 0) return undefined;
  return { version: 1, kdf: { name: 'PBKDF2-SHA-256', iterations, salt }, iv, ciphertext };
}

async function deriveKey(passphrase: string, kdf: KeyringKdf): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64(kdf.salt)!, iterations: kdf.iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/**
 * The format's label and the KDF parameters. The salt and count already shape the key, so a change
 * to either fails the tag anyway; binding them says so outright, as the share header is bound into
 * every chunk's tag.
 */
function additionalData(kdf: KeyringKdf): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${KEYRING_LABEL}|${kdf.name}|${kdf.iterations}|${kdf.salt}`);
}

function assertSecrets(secrets: unknown): asserts secrets is KeyringSecrets {
  if (!isRecordObject(secrets)) throw new TypeError('secrets must be an object of location id → secret');
  for (const [id, secret] of Object.entries(secrets)) {
    if (!isId(id)) throw new RangeError(`secrets: a location id must be 1 to ${MAX_ID_LENGTH} characters, got ${id.length}`);
    // The message names the location, never the secret.
    if (!isSecret(secret)) throw new RangeError(`secrets: the secret of "${id}" must be a string of 1 to ${MAX_SECRET_LENGTH} characters`);
  }
}

function parsePlaintext(bytes: Uint8Array): KeyringSecrets | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (!isRecordObject(value) || value['version'] !== 1 || !isRecordObject(value['secrets'])) return undefined;
  const secrets: Record<string, string> = {};
  for (const [id, secret] of Object.entries(value['secrets'])) {
    if (!isId(id) || !isSecret(secret)) return undefined;
    secrets[id] = secret;
  }
  return secrets;
}

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isId = (id: string): boolean => id !== '' && id.length <= MAX_ID_LENGTH;
const isSecret = (secret: unknown): secret is string => typeof secret === 'string' && secret !== '' && secret.length <= MAX_SECRET_LENGTH;

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of canonical base64 (RFC 4648 §4, padded), or undefined for anything else. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Non-zero bits in the last character's unused part decode the same: refuse all but one spelling.
  return toBase64(bytes) === text ? bytes : undefined;
}
