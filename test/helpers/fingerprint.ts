import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * A file's fingerprint as docs/fingerprint.md defines it (SHA-256 over the SHA-256 of each 256 KiB
 * block, written `256k:` and hex; or with `block` 1 MiB, as fingerprints were made on 2026-11-21:
 * plain hex), computed with Node's own hashing: the tests' independent check of what the app shows.
 */
export class FingerprintHasher {
  constructor(private readonly blockSize: 262144 | 1048576 = 262144) {}
  private readonly list = createHash('sha256');
  private block: Hash | undefined;
  private filled = 0;

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(bytes.length - at, this.blockSize - this.filled);
      (this.block ??= createHash('sha256')).update(bytes.subarray(at, at + take));
      this.filled += take;
      at += take;
      if (this.filled === this.blockSize) this.endBlock();
    }
  }

  hex(): string {
    if (this.filled > 0) this.endBlock();
    return (this.blockSize === 262144 ? '256k:' : '') + this.list.digest('hex');
  }

  private endBlock(): void {
    this.list.update(this.block!.digest());
    this.block = undefined;
    this.filled = 0;
  }
}

export function fingerprintOf(bytes: Uint8Array, blockSize: 262144 | 1048576 = 262144): string {
  const hasher = new FingerprintHasher(blockSize);
  hasher.update(bytes);
  return hasher.hex();
}

export async function fingerprintOfFile(path: string): Promise<string> {
  const hasher = new FingerprintHasher();
  for await (const piece of createReadStream(path)) hasher.update(piece as Buffer);
  return hasher.hex();
}
