import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * A file's fingerprint as docs/fingerprint.md defines it (SHA-256 over the SHA-256 of each 1 MiB
 * block), computed with Node's own hashing: the tests' independent check of what the app shows.
 */
const BLOCK = 1024 * 1024;

export class FingerprintHasher {
  private readonly list = createHash('sha256');
  private block: Hash | undefined;
  private filled = 0;

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(bytes.length - at, BLOCK - this.filled);
      (this.block ??= createHash('sha256')).update(bytes.subarray(at, at + take));
      this.filled += take;
      at += take;
      if (this.filled === BLOCK) this.endBlock();
    }
  }

  hex(): string {
    if (this.filled > 0) this.endBlock();
    return this.list.digest('hex');
  }

  private endBlock(): void {
    this.list.update(this.block!.digest());
    this.block = undefined;
    this.filled = 0;
  }
}

export function fingerprintOf(bytes: Uint8Array): string {
  const hasher = new FingerprintHasher();
  hasher.update(bytes);
  return hasher.hex();
}

export async function fingerprintOfFile(path: string): Promise<string> {
  const hasher = new FingerprintHasher();
  for await (const piece of createReadStream(path)) hasher.update(piece as Buffer);
  return hasher.hex();
}
