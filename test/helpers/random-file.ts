import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

const WRITE_BYTES = 8 * 1024 * 1024;

/**
 * Writes `size` CSPRNG bytes to `path`, 8 MiB at a time (never the whole file in memory), and
 * returns their SHA-256 in hex, computed here, independently of the app.
 */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let at = 0; at < size; at += WRITE_BYTES) {
      const bytes = randomBytes(Math.min(WRITE_BYTES, size - at));
      hash.update(bytes);
      await file.write(bytes);
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}
