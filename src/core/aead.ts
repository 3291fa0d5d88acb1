import { toArrayBufferView } from './bytes.js';
import { KEY_SIZE, TAG_SIZE } from './format.js';

/**
 * AES-256-GCM (NIST SP 800-38D), through WebCrypto unless another backend is set (below), with
 * STREAM nonces (Hoang, Reyhanitabar, Rogaway, Vizár, "Online authenticated-encryption and its
 * nonce-reuse misuse-resistance", 2015):
 *
 *   nonce = prefix (7 bytes) ‖ chunk counter (4 bytes, big-endian) ‖ last-chunk flag (1 byte: 0 or 1)
 *
 * so chunks cannot be reordered, dropped, duplicated or the stream truncated unnoticed. The key is
 * fresh and random for every split, so (key, nonce) never repeats; the 32-bit counter caps a split
 * at 2^32 chunks, far below GCM's 2^32-invocation bound per key with random nonces.
 */

const NONCE_PREFIX_SIZE = 7;

export function streamNonce(prefix: Uint8Array, counter: number, last: boolean): Uint8Array<ArrayBuffer> {
  const nonce = new Uint8Array(12);
  nonce.set(prefix.subarray(0, NONCE_PREFIX_SIZE), 0);
  new DataView(nonce.buffer).setUint32(NONCE_PREFIX_SIZE, counter);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/**
 * A record key once imported: whatever the crypto backend made of the 32 bytes (a WebCrypto
 * CryptoKey by default). Opaque to everything else.
 */
export type RecordKey = object & { readonly __recordKey?: never };

/**
 * Where AES-256-GCM and SHA-256 come from. WebCrypto by default, everywhere; the command line sets
 * Node's own implementation (src/cli/node-crypto.ts), which gives the same bytes without the cost
 * WebCrypto's promises and copies add in Node. Every backend must give exactly WebCrypto's results:
 * ciphertext ‖ 16-byte tag for `seal`, null from `open` for any tag that does not verify, and may
 * read its input only while it is being called (callers reuse or transfer their arrays as soon as
 * the promise is returned).
 */
export interface CryptoBackend {
  readonly name: string;
  importKey(key: Uint8Array): Promise<RecordKey>;
  seal(key: RecordKey, nonce: Uint8Array<ArrayBuffer>, additionalData: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  open(key: RecordKey, nonce: Uint8Array<ArrayBuffer>, additionalData: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | null>;
  sha256(bytes: Uint8Array): Promise<Uint8Array>;
}

export const webCryptoBackend: CryptoBackend = {
  name: 'WebCrypto',
  importKey: (key) => crypto.subtle.importKey('raw', toArrayBufferView(key), 'AES-GCM', false, ['encrypt', 'decrypt']),
  async seal(key, nonce, additionalData, plaintext) {
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: toArrayBufferView(additionalData), tagLength: TAG_SIZE * 8 },
      key as CryptoKey,
      toArrayBufferView(plaintext),
    );
    return new Uint8Array(sealed);
  },
  async open(key, nonce, additionalData, sealed) {
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: nonce, additionalData: toArrayBufferView(additionalData), tagLength: TAG_SIZE * 8 },
        key as CryptoKey,
        toArrayBufferView(sealed),
      );
      return new Uint8Array(plain);
    } catch (error) {
      if (error instanceof Error && error.name === 'OperationError') return null;
      throw error;
    }
  },
  sha256: async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBufferView(bytes))),
};

let backend: CryptoBackend = webCryptoBackend;

/** The backend core uses now. */
export function getCryptoBackend(): CryptoBackend {
  return backend;
}

/** Swaps the crypto backend (for Node's own, or back to WebCrypto in tests). */
export function setCryptoBackend(next: CryptoBackend): void {
  backend = next;
}

export function importRecordKey(key: Uint8Array): Promise<RecordKey> {
  if (key.length !== KEY_SIZE) throw new RangeError(`record key must be ${KEY_SIZE} bytes, got ${key.length}`);
  return backend.importKey(key);
}

/** ciphertext ‖ tag of `plaintext` under `binding` as additional data. */
export function sealChunk(key: RecordKey, nonce: Uint8Array<ArrayBuffer>, binding: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  return backend.seal(key, nonce, binding, plaintext);
}

/** The plaintext, or null when the tag does not verify (wrong key, altered data, wrong position). */
export function openChunk(key: RecordKey, nonce: Uint8Array<ArrayBuffer>, binding: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | null> {
  return backend.open(key, nonce, binding, sealed);
}

/**
 * The `shamir` scheme's chunk authenticator: the 16-byte AES-GCM tag of the chunk, its ciphertext
 * thrown away. The tag is Shamir-shared together with the chunk, so every share stays
 * information-theoretically independent of the data, and a rebuild is checked by computing the tag
 * again. Forging it means predicting GHASH under an unknown key, as for any GCM tag (SP 800-38D
 * App. C). (A GMAC over the chunk as additional data would be the textbook choice, but WebCrypto
 * implementations run that path several times slower than plain encryption.)
 */
export async function chunkTag(key: RecordKey, nonce: Uint8Array<ArrayBuffer>, binding: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const sealed = await sealChunk(key, nonce, binding, plaintext);
  return sealed.subarray(sealed.length - TAG_SIZE);
}
