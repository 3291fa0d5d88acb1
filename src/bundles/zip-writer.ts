/**
 * Writes a zip archive front to back into a ByteSink (an OPFS file in the share worker), never
 * holding an entry in memory: every entry is stored (not compressed: shares are random bytes), with
 * its CRC-32 and size in the local header, so every unzip tool and every streaming reader opens it.
 * The CRC of a streamed entry must therefore be known before it is written: the caller reads the
 * source once to compute it (and the share's SHA-256), and the copy checks it again on the way.
 * Zip64 fields (APPNOTE.TXT §4.5.3, §4.3.14) are written where a size or offset needs them.
 *
 * jszip was the other way: it holds every entry's bytes in memory while it writes, and a share may
 * be as large as the original file.
 */
import { assertInteger } from '../core/assert.js';
import type { ByteSink, ByteSource } from '../core/io.js';
import { Crc32 } from './crc32.js';

/** What a streamed entry carries: its bytes, and their CRC-32 computed beforehand. */
export interface StreamedEntry {
  readonly source: ByteSource;
  readonly crc32: number;
}

export interface ZipWriterOptions {
  /** The entries' modification time (default: now). */
  readonly modified?: Date;
  /**
   * Writes Zip64 fields for every entry and the Zip64 end records, even when nothing needs them.
   * Bundles never ask for it; the tests do, to check the Zip64 path without 4 GiB of data.
   */
  readonly forceZip64?: boolean;
}

interface Written {
  readonly name: Uint8Array;
  readonly crc32: number;
  readonly size: number;
  readonly offset: number;
}

const COPY_SIZE = 4 * 1024 * 1024;
const LIMIT32 = 0xffffffff;
/** Bit 11: the name is UTF-8 (§4.4.4). */
const UTF8_FLAG = 0x0800;
/** Made by Unix (3) with version 4.5, so that unzip restores ordinary file permissions. */
const MADE_BY = (3 << 8) | 45;
const FILE_MODE = (0o100644 << 16) >>> 0;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class ZipWriter {
  private readonly entries: Written[] = [];
  private offset = 0;
  private readonly time: number;
  private readonly date: number;
  private readonly forceZip64: boolean;
  private finished = false;

  constructor(
    private readonly sink: ByteSink,
    options: ZipWriterOptions = {},
  ) {
    const modified = options.modified ?? new Date();
    // MS-DOS date and time (§4.4.6), local time, 2-second resolution, from 1980.
    const year = Math.max(1980, Math.min(2107, modified.getFullYear()));
    this.date = ((year - 1980) << 9) | ((modified.getMonth() + 1) << 5) | modified.getDate();
    this.time = (modified.getHours() << 11) | (modified.getMinutes() << 5) | (modified.getSeconds() >> 1);
    this.forceZip64 = options.forceZip64 ?? false;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.offset;
  }

  /**
   * Adds an entry named `name` (a plain file name: letters, digits, `.`, `_`, `-`; never a path).
   * A streamed entry is copied from its source; if its bytes do not match the CRC-32 given, or its
   * source ends early, this throws and the archive must be abandoned.
   */
  async add(name: string, content: Uint8Array | StreamedEntry): Promise<void> {
    if (this.finished) throw new Error('ZipWriter: add after finish');
    if (!SAFE_NAME.test(name)) throw new RangeError(`zip entry name: expected a plain file name, got "${name.slice(0, 40)}"`);
    const streamed = !(content instanceof Uint8Array);
    const size = streamed ? content.source.size : content.length;
    assertInteger(size, 'entry size', 0, Number.MAX_SAFE_INTEGER);
    const crc = streamed ? content.crc32 : new Crc32().update(content).value();
    const nameBytes = new TextEncoder().encode(name);
    const offset = this.offset;
    const zip64 = this.forceZip64 || size >= LIMIT32;

    const header = new DataView(new ArrayBuffer(30 + nameBytes.length + (zip64 ? 20 : 0)));
    header.setUint32(0, 0x04034b50, true);
    header.setUint16(4, zip64 ? 45 : 20, true);
    header.setUint16(6, UTF8_FLAG, true);
    header.setUint16(8, 0, true); // stored
    header.setUint16(10, this.time, true);
    header.setUint16(12, this.date, true);
    header.setUint32(14, crc, true);
    header.setUint32(18, zip64 ? LIMIT32 : size, true);
    header.setUint32(22, zip64 ? LIMIT32 : size, true);
    header.setUint16(26, nameBytes.length, true);
    header.setUint16(28, zip64 ? 20 : 0, true);
    new Uint8Array(header.buffer).set(nameBytes, 30);
    if (zip64) {
      const at = 30 + nameBytes.length;
      header.setUint16(at, 0x0001, true);
      header.setUint16(at + 2, 16, true);
      header.setBigUint64(at + 4, BigInt(size), true);
      header.setBigUint64(at + 12, BigInt(size), true);
    }
    await this.write(new Uint8Array(header.buffer));

    if (streamed) {
      const check = new Crc32();
      for (let at = 0; at < size; at += COPY_SIZE) {
        const bytes = await content.source.read(at, Math.min(COPY_SIZE, size - at));
        if (bytes.length !== Math.min(COPY_SIZE, size - at)) throw new Error(`zip entry "${name}": its source ended at byte ${at + bytes.length} of ${size}`);
        check.update(bytes);
        await this.write(bytes);
      }
      if (check.value() !== crc) throw new Error(`zip entry "${name}": its bytes changed while the archive was written`);
    } else {
      await this.write(content);
    }
    this.entries.push({ name: nameBytes, crc32: crc, size, offset });
  }

  /** Writes the central directory and the end records, and closes the sink. */
  async finish(): Promise<void> {
    if (this.finished) throw new Error('ZipWriter: finish twice');
    this.finished = true;
    const directoryOffset = this.offset;
    for (const entry of this.entries) {
      const sizes64 = this.forceZip64 || entry.size >= LIMIT32;
      const offset64 = this.forceZip64 || entry.offset >= LIMIT32;
      const extraLength = sizes64 || offset64 ? 4 + (sizes64 ? 16 : 0) + (offset64 ? 8 : 0) : 0;
      const record = new DataView(new ArrayBuffer(46 + entry.name.length + extraLength));
      record.setUint32(0, 0x02014b50, true);
      record.setUint16(4, MADE_BY, true);
      record.setUint16(6, extraLength > 0 ? 45 : 20, true);
      record.setUint16(8, UTF8_FLAG, true);
      record.setUint16(10, 0, true);
      record.setUint16(12, this.time, true);
      record.setUint16(14, this.date, true);
      record.setUint32(16, entry.crc32, true);
      record.setUint32(20, sizes64 ? LIMIT32 : entry.size, true);
      record.setUint32(24, sizes64 ? LIMIT32 : entry.size, true);
      record.setUint16(28, entry.name.length, true);
      record.setUint16(30, extraLength, true);
      record.setUint32(38, FILE_MODE, true);
      record.setUint32(42, offset64 ? LIMIT32 : entry.offset, true);
      new Uint8Array(record.buffer).set(entry.name, 46);
      if (extraLength > 0) {
        let at = 46 + entry.name.length;
        record.setUint16(at, 0x0001, true);
        record.setUint16(at + 2, extraLength - 4, true);
        at += 4;
        if (sizes64) {
          record.setBigUint64(at, BigInt(entry.size), true);
          record.setBigUint64(at + 8, BigInt(entry.size), true);
          at += 16;
        }
        if (offset64) record.setBigUint64(at, BigInt(entry.offset), true);
      }
      await this.write(new Uint8Array(record.buffer));
    }
    const directorySize = this.offset - directoryOffset;
    const zip64 = this.forceZip64 || directoryOffset >= LIMIT32 || this.entries.some((entry) => entry.size >= LIMIT32 || entry.offset >= LIMIT32);
    if (zip64) {
      const recordOffset = this.offset;
      const end64 = new DataView(new ArrayBuffer(56 + 20));
      end64.setUint32(0, 0x06064b50, true);
      end64.setBigUint64(4, 44n, true); // size of the rest of this record
      end64.setUint16(12, MADE_BY, true);
      end64.setUint16(14, 45, true);
      end64.setBigUint64(24, BigInt(this.entries.length), true);
      end64.setBigUint64(32, BigInt(this.entries.length), true);
      end64.setBigUint64(40, BigInt(directorySize), true);
      end64.setBigUint64(48, BigInt(directoryOffset), true);
      // The Zip64 end of central directory locator (§4.3.15).
      end64.setUint32(56, 0x07064b50, true);
      end64.setBigUint64(64, BigInt(recordOffset), true);
      end64.setUint32(72, 1, true);
      await this.write(new Uint8Array(end64.buffer));
    }
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true);
    end.setUint16(8, zip64 ? 0xffff : this.entries.length, true);
    end.setUint16(10, zip64 ? 0xffff : this.entries.length, true);
    end.setUint32(12, zip64 ? LIMIT32 : directorySize, true);
    end.setUint32(16, zip64 ? LIMIT32 : directoryOffset, true);
    await this.write(new Uint8Array(end.buffer));
    await this.sink.close();
  }

  private async write(bytes: Uint8Array): Promise<void> {
    await this.sink.write(bytes);
    this.offset += bytes.length;
  }
}
