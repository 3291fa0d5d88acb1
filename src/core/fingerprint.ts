import { getCryptoBackend } from './aead.js';
import { hex } from './bytes.js';
import type { ByteSource } from './io.js';

/**
 * A file's fingerprint: SHA-256 of the SHA-256 digests of its 256 KiB blocks, in order (a hash
 * list, as Dropbox's "content hash" is with 4 MiB blocks), written `256k:` and 64 hex digits. It
 * names the bytes of a file as surely as a plain SHA-256 does (two files with one fingerprint would
 * need a SHA-256 collision), and unlike a plain SHA-256 it is computed block by block in parallel,
 * by WebCrypto: the chunk workers that protect or rebuild a chunk digest its blocks where they hold
 * them. A plain SHA-256 of the whole file is one sequential stream, which WebCrypto cannot hash
 * piecewise; in WebAssembly it ran at 270 MB/s in Chromium, a third of WebCrypto's digest, and
 * capped every job at that rate however many cores the machine has (docs/benchmarks.md).
 *
 * Why 256 KiB: Chromium's WebCrypto copies its input into an allocation of its own, and one of more
 * than about 960 KiB is mapped fresh from the kernel every call; a 1 MiB digest ran at 800–900 MB/s
 * there, a 256 KiB one at 1,450–1,650 (docs/benchmarks.md). Fingerprints made with 1 MiB blocks
 * (builds of 2026-11-21, plain 64 hex digits) are still read and checked with 1 MiB blocks.
 *
 * With standard tools (docs/fingerprint.md):
 *
 *   split -b 262144 --filter='sha256sum | head -c 64 | xxd -r -p' FILE | sha256sum
 *
 * The empty file has no block: its fingerprint is the SHA-256 of nothing, 256k:e3b0c442…b855.
 *
 * Like the plain SHA-256 before it, a fingerprint identifies the plaintext, so it is kept where the
 * plaintext's owner keeps things (the sealed catalog, a recovery kit, a link's fragment) and never
 * in a share or a bucket.
 */

/** Bytes per fingerprint block. Chunks that are whole multiples of it are digested where they are. */
export const FINGERPRINT_BLOCK = 256 * 1024;
/** The blocks of fingerprints made before (plain hex, no `256k:`): 1 MiB. */
export const LEGACY_FINGERPRINT_BLOCK = 1024 * 1024;
/** Bytes of one block digest. */
export const BLOCK_DIGEST_SIZE = 32;
/** How a fingerprint says its blocks are 256 KiB. */
const CURRENT_TAG = '256k:';
/** A fingerprint as stored and shown: `256k:` and 64 lowercase hex digits, or (1 MiB blocks) the 64 digits alone. */
export const FINGERPRINT_PATTERN = /^(?:256k:)?[0-9a-f]{64}$/;

/** The block size `fingerprint` was made with; undefined when it is not a fingerprint. */
export function fingerprintBlockOf(fingerprint: string): number | undefined {
  if (!FINGERPRINT_PATTERN.test(fingerprint)) return undefined;
  return fingerprint.startsWith(CURRENT_TAG) ? FINGERPRINT_BLOCK : LEGACY_FINGERPRINT_BLOCK;
}

/** The fingerprint's 64 hex digits, without what says its block size. */
export function fingerprintDigits(fingerprint: string): string {
  return fingerprint.startsWith(CURRENT_TAG) ? fingerprint.slice(CURRENT_TAG.length) : fingerprint;
}

function assertBlock(block: number): void {
  if (block !== FINGERPRINT_BLOCK && block !== LEGACY_FINGERPRINT_BLOCK) throw new RangeError(`fingerprint blocks are ${FINGERPRINT_BLOCK} or ${LEGACY_FINGERPRINT_BLOCK} bytes, not ${block}`);
}

/** How many blocks a file of `size` bytes has. */
export function blockCount(size: number, block: number = FINGERPRINT_BLOCK): number {
  return Math.ceil(size / block);
}

function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return getCryptoBackend().sha256(bytes);
}

/**
 * The digests of the blocks of `bytes` (which start at a block boundary), one after another:
 * 32 bytes per block, the last block possibly short. WebCrypto copies the bytes when called, so the
 * caller may hand `bytes` on (transfer it, reuse it) as soon as this returns its promise.
 */
export function digestBlocks(bytes: Uint8Array, blockSize: number = FINGERPRINT_BLOCK): Promise<Uint8Array> {
  const blocks = blockCount(bytes.length, blockSize);
  const pending: Promise<Uint8Array>[] = [];
  for (let block = 0; block < blocks; block++) pending.push(sha256(bytes.subarray(block * blockSize, (block + 1) * blockSize)));
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

  constructor(
    readonly size: number,
    readonly block: number = FINGERPRINT_BLOCK,
  ) {
    assertBlock(block);
    const blocks = blockCount(size, block);
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

  /** The fingerprint (FINGERPRINT_PATTERN); throws while a block's digest is missing. */
  async value(): Promise<string> {
    if (this.missing > 0) throw new RangeError(`${this.missing} of the file's ${this.seen.length} blocks were not digested`);
    const digits = hex(await sha256(this.digests));
    return this.block === FINGERPRINT_BLOCK ? CURRENT_TAG + digits : digits;
  }
}

/**
 * A fingerprint fed front to back in pieces of any size (chunks that are not whole blocks): the
 * bytes are copied into a block buffer, each full block digested as it fills. `update` takes its
 * copy at once, so the caller may hand its array on right after.
 */
export class StreamFingerprint {
  private readonly builder: FingerprintBuilder;
  private readonly block: Uint8Array;
  private filled = 0;
  private next = 0;
  private readonly pending: Promise<void>[] = [];

  constructor(size: number, blockSize: number = FINGERPRINT_BLOCK) {
    this.builder = new FingerprintBuilder(size, blockSize);
    this.block = new Uint8Array(blockSize);
  }

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(bytes.length - at, this.block.length - this.filled);
      this.block.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.block.length) this.digestBlock();
    }
  }

  async value(): Promise<string> {
    if (this.filled > 0) this.digestBlock();
    await Promise.all(this.pending);
    return this.builder.value();
  }

  private digestBlock(): void {
    const index = this.next++;
    // WebCrypto copies the block as it is called: the buffer can be filled again at once.
    this.pending.push(sha256(this.block.subarray(0, this.filled)).then((digest) => this.builder.add(index, digest)));
    this.filled = 0;
  }
}

/** Bytes read at once by fingerprintSource: several blocks (of either size), digested together. */
const SOURCE_READ = 8 * LEGACY_FINGERPRINT_BLOCK;

/** The fingerprint of everything `source` holds, read front to back. */
export async function fingerprintSource(source: ByteSource, onBytes?: (count: number) => void, block: number = FINGERPRINT_BLOCK): Promise<string> {
  const builder = new FingerprintBuilder(source.size, block);
  for (let offset = 0; offset < source.size; offset += SOURCE_READ) {
    const bytes = await source.read(offset, Math.min(SOURCE_READ, source.size - offset));
    if (bytes.length === 0) throw new RangeError(`the source ended at byte ${offset} of ${source.size}`);
    builder.add(offset / block, await digestBlocks(bytes, block));
    onBytes?.(bytes.length);
  }
  return builder.value();
}

/** The fingerprint of `bytes`. */
export async function fingerprintBytes(bytes: Uint8Array, block: number = FINGERPRINT_BLOCK): Promise<string> {
  const builder = new FingerprintBuilder(bytes.length, block);
  builder.add(0, await digestBlocks(bytes, block));
  return builder.value();
}
