/**
 * CRC-32 as zip uses it (ISO 3309 / ITU-T V.42: reflected polynomial 0xEDB88320, initial and final
 * value 0xFFFFFFFF; APPNOTE.TXT §4.4.7). Only a transfer checksum: what a bundle holds is
 * authenticated by the SHA-256 in its manifest and by the shares' own AES-GCM tags.
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Incremental CRC-32: `update` with each piece in order, then `value`. */
export class Crc32 {
  private crc = 0xffffffff;

  update(bytes: Uint8Array): this {
    let crc = this.crc;
    for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
    this.crc = crc;
    return this;
  }

  /** The checksum of everything given so far, as an unsigned 32-bit integer. */
  value(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}

export function crc32(bytes: Uint8Array): number {
  return new Crc32().update(bytes).value();
}
