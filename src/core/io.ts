/**
 * The two shapes data flows through. Both are tiny on purpose: a File/Blob, a Node file handle, an
 * OPFS file, an HTTP Range reader or a bucket object each adapt to them in a few lines, and core
 * never learns which one it is talking to.
 */
import type { BufferPool } from './buffer-pool.js';

/** Random-access, read-only bytes of known size. */
export interface ByteSource {
  readonly size: number;
  /**
   * Returns exactly `length` bytes starting at `offset` (fewer only if the source ended early, which
   * callers treat as truncation). The returned array may be a view; callers do not keep it.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Lets go of what the source holds open (a file handle). Optional; whoever opened it closes it. */
  close?(): Promise<void>;
}

/**
 * Append-only destination. The bytes passed to `write` are only valid until its promise settles:
 * callers reuse their buffers for the next chunk, so a sink that keeps data must copy it.
 */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Drops whatever was written (a partial object, a temp file). Optional: in-memory sinks need none. */
  abort?(reason?: unknown): Promise<void>;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length))),
  };
}

/** Blob/File source (browser and Node ≥ 20): reads slices, never the whole thing. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/**
 * A Blob read front to back through its stream, straight into buffers from `pool`: the stream is
 * read with a BYOB ("bring your own buffer") reader, so the browser copies the file's bytes into
 * the recycled buffer itself. The other ways of reading a File hand over fresh memory, a page fault
 * per 4 KiB (2.5 to 5 µs each on the benchmark machine): `slice().arrayBuffer()` for all of it, a
 * plain stream reader for a quarter to a third of it (docs/benchmarks.md, "reading the chosen file").
 * Where the stream has no BYOB reader, its pieces are copied into the pooled buffers instead.
 * Reads must come in order to use it (protect's do, even with several in flight: they are served
 * one after another); any other read goes to `elsewhere`, as every read does once `close` has
 * cancelled the stream.
 */
export function streamedBlobSource(blob: Blob, pool: BufferPool, elsewhere: ByteSource): ByteSource {
  // One of the two, once the first read opens the stream.
  let byob: ReadableStreamBYOBReader | undefined;
  let pieces: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let position = 0;
  let piece: Uint8Array = new Uint8Array(0);
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const open = (): void => {
    const stream = blob.stream();
    try {
      byob = stream.getReader({ mode: 'byob' });
    } catch {
      pieces = stream.getReader();
    }
  };
  /** Fills `out` from a BYOB reader; returns the view it ends in (the buffer moves with each read) and how much it holds. */
  const fillInPlace = async (reader: ReadableStreamBYOBReader, out: Uint8Array<ArrayBuffer>): Promise<{ buffer: ArrayBuffer; filled: number }> => {
    const wanted = out.length;
    let buffer = out.buffer;
    let filled = 0;
    while (filled < wanted) {
      const { value, done } = await reader.read(new Uint8Array(buffer, filled, wanted - filled));
      // The view passed in is transferred: its bytes (and the ones read) now live in value's buffer.
      if (value) buffer = value.buffer as ArrayBuffer;
      if (done) break;
      filled += value!.length;
    }
    return { buffer, filled };
  };
  const fillCopied = async (reader: ReadableStreamDefaultReader<Uint8Array>, out: Uint8Array): Promise<number> => {
    let filled = 0;
    while (filled < out.length) {
      if (piece.length === 0) {
        const { value, done } = await reader.read();
        if (done) break;
        piece = value;
      }
      const take = Math.min(piece.length, out.length - filled);
      out.set(piece.subarray(0, take), filled);
      piece = piece.subarray(take);
      filled += take;
    }
    return filled;
  };
  const next = async (offset: number, length: number): Promise<Uint8Array> => {
    if (offset !== position || closed) return elsewhere.read(offset, length);
    if (!byob && !pieces) open();
    const wanted = Math.max(0, Math.min(length, blob.size - offset));
    let out = pool.take(wanted);
    let filled: number;
    if (byob) {
      // `out` is detached once read into (its length reads 0): the bytes are in the buffer returned.
      const result = await fillInPlace(byob, out);
      // Cancelled by close() while reading: the buffer went with the read, and nothing came back.
      if (result.buffer.byteLength < wanted) return new Uint8Array(0);
      out = new Uint8Array(result.buffer, 0, wanted);
      filled = result.filled;
    } else {
      filled = await fillCopied(pieces!, out);
    }
    position += filled;
    return filled === wanted ? out : out.subarray(0, filled);
  };
  return {
    size: blob.size,
    read(offset, length) {
      const read = queue.then(() => next(offset, length));
      queue = read.catch(() => undefined);
      return read;
    },
    async close() {
      closed = true;
      await (byob ?? pieces)?.cancel().catch(() => undefined);
      byob = pieces = undefined;
      await elsewhere.close?.();
    },
  };
}

/** Collects (copies of) everything written; for small data and tests. */
export class MemorySink implements ByteSink {
  private readonly parts: Uint8Array[] = [];
  private length = 0;
  closed = false;

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('MemorySink: write after close'));
    this.parts.push(bytes.slice());
    this.length += bytes.length;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/**
 * Reads `inner` in large blocks and serves smaller reads from them, for sources where each read
 * has a high fixed cost (a File's slice().arrayBuffer() goes through the browser's blob machinery).
 * Reads may be asked for several at once (protect keeps a few chunks in flight): a block is
 * remembered as soon as its read starts, so reads that fall in it wait for that one read instead of
 * each reading the block again. When a read starts a block, the block after it is read too (read
 * ahead), so a reader going front to back rarely waits: the browser reads the next block while
 * this one is used. The last three blocks are kept. Reads at least a block long read through.
 * Every returned array is the caller's own, spanning a buffer of its own: taken from `pool` when
 * one is given (the caller hands it back there once done with it), else new.
 */
export function blockSource(inner: ByteSource, blockSize: number, pool?: BufferPool): ByteSource {
  type Block = { readonly offset: number; readonly end: number; readonly bytes: Promise<Uint8Array> };
  let blocks: Block[] = [];
  const start = (offset: number): Block => {
    const block: Block = { offset, end: Math.min(inner.size, offset + blockSize), bytes: inner.read(offset, Math.min(inner.size, offset + blockSize) - offset) };
    // A failed read is not kept: the next read of these bytes tries again.
    block.bytes.catch(() => (blocks = blocks.filter((candidate) => candidate !== block)));
    blocks = [...blocks.slice(-2), block];
    return block;
  };
  const find = (offset: number, end: number): Block | undefined => blocks.find((candidate) => offset >= candidate.offset && end <= candidate.end);
  return {
    size: inner.size,
    async read(offset, length) {
      if (length >= blockSize) return inner.read(offset, length);
      const end = Math.min(inner.size, offset + length);
      let block = find(offset, end);
      if (!block) {
        block = start(offset);
        if (block.end < inner.size && !find(block.end, Math.min(inner.size, block.end + 1))) start(block.end);
      } else if (block.end < inner.size && offset - block.offset >= blockSize / 2 && !find(block.end, Math.min(inner.size, block.end + 1))) {
        // Half way through a block and nothing read after it yet: read ahead now.
        start(block.end);
      }
      const bytes = await block.bytes;
      if (!pool) return bytes.slice(offset - block.offset, end - block.offset);
      const own = pool.take(end - offset);
      own.set(bytes.subarray(offset - block.offset, end - block.offset));
      return own;
    },
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
}
