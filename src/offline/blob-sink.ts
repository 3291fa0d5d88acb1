import type { ByteSink } from '../core/io.js';

/** Bytes gathered before they become one Blob part: fewer, larger parts for the browser to keep. */
const PART_SIZE = 16 * 1024 * 1024;

/**
 * Collects a rebuilt file as a Blob, for the offline tool, which has no OPFS to stream into when
 * opened from disk (file://). The bytes are handed to the browser's Blob storage in 16 MiB parts
 * as they come, so the page itself holds at most one part; Chromium moves large Blobs to disk,
 * other browsers may keep them in memory, hence the tool's stated limit.
 */
export class BlobSink implements ByteSink {
  private parts: Blob[] = [];
  private pending: Uint8Array<ArrayBuffer>[] = [];
  private pendingBytes = 0;
  private finished = false;

  write(bytes: Uint8Array): Promise<void> {
    if (this.finished) return Promise.reject(new Error('BlobSink: write after close'));
    // The caller reuses its buffer once the write settles: keep a copy.
    this.pending.push(bytes.slice());
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= PART_SIZE) this.flush();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.flush();
    this.finished = true;
    return Promise.resolve();
  }

  abort(): Promise<void> {
    this.finished = true;
    this.parts = [];
    this.pending = [];
    this.pendingBytes = 0;
    return Promise.resolve();
  }

  /** Everything written, once closed. */
  blob(): Blob {
    if (!this.finished) throw new Error('BlobSink: read before close');
    return new Blob(this.parts);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.parts.push(new Blob(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
}
