/**
 * Core's crypto backend on Node's own crypto (OpenSSL), for the command line. Node's WebCrypto
 * runs every call through a promise on its thread pool and copies its input and output; on this
 * pipeline's 768 KiB chunks that costs more than the cipher itself (docs/benchmarks.md, the Node
 * part: AES-256-GCM through both). The bytes are the same: AES-256-GCM with a 12-byte nonce and a
 * 16-byte tag appended, SHA-256; a share made by either backend is read by the other (tested in
 * test/unit/node-crypto.test.ts). Each call does all its work before it returns, so callers may
 * reuse their arrays at once, as the backend contract (src/core/aead.ts) asks.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { TAG_SIZE } from '../core/format.js';
import type { CryptoBackend, RecordKey } from '../core/index.js';

const KEYS = new WeakMap<RecordKey, Buffer>();

function rawKey(key: RecordKey): Buffer {
  const raw = KEYS.get(key);
  if (!raw) throw new TypeError('node crypto backend: not a key this backend imported');
  return raw;
}

export const nodeCryptoBackend: CryptoBackend = {
  name: 'node:crypto',
  importKey(key) {
    const handle: RecordKey = Object.freeze({});
    KEYS.set(handle, Buffer.from(key));
    return Promise.resolve(handle);
  },
  seal(key, nonce, additionalData, plaintext) {
    try {
      const cipher = createCipheriv('aes-256-gcm', rawKey(key), nonce, { authTagLength: TAG_SIZE });
      cipher.setAAD(additionalData);
      const out = new Uint8Array(plaintext.length + TAG_SIZE);
      const body = cipher.update(plaintext);
      out.set(body, 0);
      const rest = cipher.final();
      out.set(rest, body.length);
      out.set(cipher.getAuthTag(), body.length + rest.length);
      return Promise.resolve(out);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
  open(key, nonce, additionalData, sealed) {
    if (sealed.length < TAG_SIZE) return Promise.resolve(null);
    try {
      const decipher = createDecipheriv('aes-256-gcm', rawKey(key), nonce, { authTagLength: TAG_SIZE });
      decipher.setAAD(additionalData);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
      const out = new Uint8Array(sealed.length - TAG_SIZE);
      const body = decipher.update(sealed.subarray(0, sealed.length - TAG_SIZE));
      out.set(body, 0);
      try {
        out.set(decipher.final(), body.length);
      } catch {
        // The tag does not verify: nothing of the decrypted bytes may be used.
        out.fill(0);
        return Promise.resolve(null);
      }
      return Promise.resolve(out);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
  sha256: (bytes) => Promise.resolve(new Uint8Array(createHash('sha256').update(bytes).digest())),
};
