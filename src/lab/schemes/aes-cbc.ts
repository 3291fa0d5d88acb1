/**
 * AES-CBC through WebCrypto, for the seed schemes that say "AES" without a mode (seeds 002 and 004).
 * WebCrypto offers CBC, CTR and GCM but not ECB; CBC with PKCS#7 padding and a random IV is what
 * those papers' contemporaries used (seed 002 names it for the same group's proxy, its [10]).
 * WARNING: CBC does not authenticate: an altered ciphertext decrypts to altered data without any
 * error, unless it happens to break the padding of the last block.
 */

/** Encrypts `data` under a raw 16- or 32-byte key with the 16-byte `iv`; the result is padded (PKCS#7). */
export async function encryptCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await importCbcKey(key, 'encrypt');
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: copy(iv) }, cryptoKey, copy(data)));
}

/** Decrypts; rejects (an OperationError) when the key is wrong or the padding is broken. */
export async function decryptCbc(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await importCbcKey(key, 'decrypt');
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: copy(iv) }, cryptoKey, copy(ciphertext)));
}

async function importCbcKey(key: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  if (key.length !== 16 && key.length !== 32) throw new RangeError(`an AES key must be 16 or 32 bytes, got ${key.length}`);
  return crypto.subtle.importKey('raw', copy(key), { name: 'AES-CBC' }, false, [usage]);
}

/** WebCrypto wants bytes on a plain ArrayBuffer. */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** Lower-case hex, for the owner's part as text. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
