import { hex, toArrayBufferView } from './bytes.js';
import type { ByteSource } from './io.js';

/**
 * A file's fingerprint: SHA-256 of the SHA-256 digests of its 1 MiB blocks, in order (a hash list,
 * as Dropbox's "content hash" is with 4 MiB blocks). It names the bytes of a file as surely as a
 * plain SHA-256 does (two files with one fingerprint would need a SHA-256 collision), and unlike a
 * plain SHA-256 it is computed block by block in parallel, by WebCrypto: the chunk workers that
 * protect or rebuild a chunk digest its blocks where they hold them. A plain SHA-256 of the whole
 * file is one sequential stream, which WebCrypto cannot hash piecewise; in WebAssembly it ran at
 * 270 MB/s in Chromium, a third of WebCrypto's digest, and capped every job at that rate however
 * many cores the machine has (docs/benchmarks.md).
 *
 * With standard tools (docs/fingerprint.md):
 *
 *   split -b 1048576 --filter='sha256sum | head -c 64 | xxd -r -p' FILE | sha256sum
 *
 * The empty file has no block: its fingerprint is the SHA-256 of nothing, e3b0c442…b855.
 *
 * Like the plain SHA-256 before it, a fingerprint identifies the plaintext, so it is kept where the
 * plaintext's owner keeps things (the sealed catalog, a recovery kit, a link's fragment) and never
 * in a share or a bucket.
 */

/** Bytes per fingerprint block. Chunks that are whole multiples of it are digested where they are. */
export const FINGERPRINT_BLOCK = 1 << 20;
/** Bytes of one block digest. */
export const BLOCK_DIGEST_SIZE = 32;

/** How many blocks a file of `size` bytes has. */
export function blockCount(size: number): number {
  return Math.ceil(size / FINGERPRINT_BLOCK);
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBufferView(bytes)));
}

/**
 * The digests of the blocks of `bytes` (which start at a block boundary), one after another:
 * 32 bytes per block, the last block possibly short. WebCrypto copies the bytes when called, so the
 * caller may hand `bytes` on (transfer it, reuse it) as soon as this returns its promise.
 */
export function digestBlocks(bytes: Uint8Array): Promise<Uint8Array> {
  const blocks = blockCount(bytes.length);
  const pending: Promise<Uint8Array>[] = [];
  for (let block = 0; block < blocks; block++) pending.push(sha256(bytes.subarray(block * FINGERPRINT_BLOCK, (block + 1) * FINGERPRINT_BLOCK)));
  return Promise.all(pending).then((digests) => {
    const out = new Uint8Array(blocks * BLOCK_DIGEST_SIZE);
    digests.forEach((digest, block) => out.set(digest, block * BLOCK_DIGEST_SIZE));
    return out;
  });
}

/** Collects block digests as they come, in any order; the fingerprint once every block is in. */
export class FingerprintBuilder {
  private readonly digests: Uint8Array;
  private readonly seen: Uint8Array;
  private missing: number;

  constructor(readonly size: number) {
    const blocks = blockCount(size);
    this.digests = new Uint8Array(blocks * BLOCK_DIGEST_SIZE);
    this.seen = new Uint8Array(blocks);
    this.missing = blocks;
  }

  /** Digests of consecutive blocks from `firstBlock` on (as digestBlocks returns them). */
  add(firstBlock: number, digests: Uint8Array): void {
    if (digests.length % BLOCK_DIGEST_SIZE !== 0) throw new RangeError(`block digests come in ${BLOCK_DIGEST_SIZE} bytes, got ${digests.length}`);
    const count = digests.length / BLOCK_DIGEST_SIZE;
    if (firstBlock < 0 || firstBlock + count > this.seen.length) throw new RangeError(`blocks ${firstBlock}..${firstBlock + count - 1} are outside the file's ${this.seen.length}`);
    this.digests.set(digests, firstBlock * BLOCK_DIGEST_SIZE);
    for (let block = firstBlock; block < firstBlock + count; block++) {
      if (!this.seen[block]) this.missing--;
      this.seen[block] = 1;
    }
  }

  /** The fingerprint, lowercase hex; throws while a block's digest is missing. */
  async hex(): Promise<string> {
    if (this.missing > 0) throw new RangeError(`${this.missing} of the file's ${this.seen.length} blocks were not digested`);
    return hex(await sha256(this.digests));
  }
}

/**
 * A fingerprint fed front to back in pieces of any size (chunks that are not whole blocks): the
 * bytes are copied into a block buffer, each full block digested as it fills. `update` takes its
 * copy at once, so the caller may hand its array on right after.
 */
export class StreamFingerprint {
  private readonly builder: FingerprintBuilder;
  private readonly block = new Uint8Array(FINGERPRINT_BLOCK);
  private filled = 0;
  private next = 0;
  private readonly pending: Promise<void>[] = [];

  constructor(size: number) {
    this.builder = new FingerprintBuilder(size);
  }

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(bytes.length - at, FINGERPRINT_BLOCK - this.filled);
      this.block.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === FINGERPRINT_BLOCK) this.digestBlock();
    }
  }

  async hex(): Promise<string> {
    if (this.filled > 0) this.digestBlock();
    await Promise.all(this.pending);
    return this.builder.hex();
  }

  private digestBlock(): void {
    const index = this.next++;
    // WebCrypto copies the block as it is called: the buffer can be filled again at once.
    this.pending.push(sha256(this.block.subarray(0, this.filled)).then((digest) => this.builder.add(index, digest)));
    this.filled = 0;
  }
}

/** Bytes read at once by fingerprintSource: several blocks, digested together. */
const SOURCE_READ = 8 * FINGERPRINT_BLOCK;

/** The fingerprint of everything `source` holds, read front to back. */
export async function fingerprintSource(source: ByteSource, onBytes?: (count: number) => void): Promise<string> {
  const builder = new FingerprintBuilder(source.size);
  for (let offset = 0; offset < source.size; offset += SOURCE_READ) {
    const bytes = await source.read(offset, Math.min(SOURCE_READ, source.size - offset));
    if (bytes.length === 0) throw new RangeError(`the source ended at byte ${offset} of ${source.size}`);
    builder.add(offset / FINGERPRINT_BLOCK, await digestBlocks(bytes));
    onBytes?.(bytes.length);
  }
  return builder.hex();
}

/** The fingerprint of `bytes`. */
export async function fingerprintBytes(bytes: Uint8Array): Promise<string> {
  const builder = new FingerprintBuilder(bytes.length);
  builder.add(0, await digestBlocks(bytes));
  return builder.hex();
}
