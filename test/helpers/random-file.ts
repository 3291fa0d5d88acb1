import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { FingerprintHasher } from './fingerprint.js';

const WRITE_BYTES = 8 * 1024 * 1024;

/** What a test knows of a file it wrote, computed here, independently of the app. */
export interface WrittenFile {
  /** SHA-256 of the whole file, hex: to compare a saved file with. */
  readonly sha256: string;
  /** Its fingerprint (test/helpers/fingerprint.ts), hex: what the app shows for it. */
  readonly fingerprint: string;
}

/** Writes `size` CSPRNG bytes to `path`, 8 MiB at a time (never the whole file in memory). */
export async function writeRandomFile(path: string, size: number): Promise<WrittenFile> {
  const hash = createHash('sha256');
  const fingerprint = new FingerprintHasher();
  const file = await open(path, 'w');
  try {
    for (let at = 0; at < size; at += WRITE_BYTES) {
      const bytes = randomBytes(Math.min(WRITE_BYTES, size - at));
      hash.update(bytes);
      fingerprint.update(bytes);
      await file.write(bytes);
    }
  } finally {
    await file.close();
  }
  return { sha256: hash.digest('hex'), fingerprint: fingerprint.hex() };
}
