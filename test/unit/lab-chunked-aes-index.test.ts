/**
 * Seed 002's cloud PACS (src/lab/schemes/chunked-aes-index.ts): AES chunks on two clouds, the master
 * index with the owner. Round trip, placement, and the weaknesses the Lab reports — every cloud and
 * the index are needed, and AES-CBC does not give the integrity the survey credits it with.
 */
import { describe, expect, it } from 'vitest';
import { entropy } from '../../src/lab/metrics.js';
import { chunkedAesIndex } from '../../src/lab/schemes/chunked-aes-index.js';
import type { LabImage } from '../../src/lab/types.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';

function gradient(width = 64, height = 64): LabImage {
  return { width, height, pixels: Uint8Array.from({ length: width * height }, (_, i) => ((i % width) * 2 + Math.floor(i / width)) & 0xff) };
}

const params = chunkedAesIndex.defaults;

describe('chunked AES with a master index', () => {
  it('uses two clouds, 1 KiB chunks alternating between them, under random object names', async () => {
    expect(params).toEqual({ clouds: 2, chunkSize: 1024 });
    expect([chunkedAesIndex.clouds(params), chunkedAesIndex.threshold(params), chunkedAesIndex.keySpaceBits(params)]).toEqual([2, 2, 256]);
    const image = gradient();
    const protection = await chunkedAesIndex.protect(image, params, deterministicRandom(1));
    // 4,096 bytes = 4 chunks of 1,024; each object is IV (16) + 1,024 + a whole padding block (16).
    expect(protection.holdings.map((holding) => holding.cloud)).toEqual([0, 1, 0, 1]);
    for (const holding of protection.holdings) {
      expect(holding.bytes.length).toBe(16 + 1024 + 16);
      expect(holding.name).toMatch(/^object [0-9a-f]{16}$/);
    }
    expect(new Set(protection.holdings.map((holding) => holding.name)).size).toBe(4);
    expect(protection.ownerKeeps).toMatch(/^master index: AES-256 session key [0-9a-f]{64} and the names of 4 chunks in order$/);
  });

  it('round-trips a picture whose size is not a multiple of the chunk size', async () => {
    const image = gradient(50, 41);
    const protection = await chunkedAesIndex.protect(image, params, deterministicRandom(2));
    expect(protection.holdings).toHaveLength(Math.ceil(2050 / 1024));
    const rebuilt = await chunkedAesIndex.recover(protection, [0, 1], params);
    expect(Buffer.from(rebuilt.pixels).equals(Buffer.from(image.pixels))).toBe(true);
  });

  it('keeps ciphertext on each cloud: flat bytes', async () => {
    // A horizontal ramp 0 … 127 on 128 rows: 128 values, 128 times each, exactly 7 bits per byte.
    const image = { width: 128, height: 128, pixels: Uint8Array.from({ length: 128 * 128 }, (_, i) => i % 128) };
    const protection = await chunkedAesIndex.protect(image, params, deterministicRandom(3));
    expect(entropy(image.pixels)).toBe(7);
    for (const cloud of [0, 1]) {
      const bytes = Buffer.concat(protection.holdings.filter((holding) => holding.cloud === cloud).map((holding) => holding.bytes));
      // 8 objects of 1,056 bytes: ≈ 8,448 uniform bytes, entropy ≈ 8 − 0.02 (Miller–Madow bias).
      expect(entropy(bytes)).toBeGreaterThan(7.95);
    }
  });

  it('needs every cloud and the master index', async () => {
    const protection = await chunkedAesIndex.protect(gradient(), params, deterministicRandom(4));
    await expect(chunkedAesIndex.recover(protection, [0], params)).rejects.toThrow('cannot rebuild: chunk 2 of 4 is on cloud 1, which is not among the clouds given (0)');
    await expect(chunkedAesIndex.recover(protection, [1], params)).rejects.toThrow('cannot rebuild: chunk 1 of 4 is on cloud 0');
    const { secret: _, ...withoutIndex } = protection;
    await expect(chunkedAesIndex.recover(withoutIndex, [0, 1], params)).rejects.toThrow('cannot rebuild: the master index');
  });

  it('WARNING: does not notice an altered chunk (no integrity from AES-CBC)', async () => {
    const image = gradient();
    const protection = await chunkedAesIndex.protect(image, params, deterministicRandom(5));
    const holdings = protection.holdings.map((holding, i) => {
      if (i !== 1) return holding;
      const bytes = holding.bytes.slice();
      bytes[16 + 100] = bytes[16 + 100]! ^ 0x80;
      return { ...holding, bytes };
    });
    const rebuilt = await chunkedAesIndex.recover({ ...protection, holdings }, [0, 1], params);
    const changed = rebuilt.pixels.reduce((count, v, i) => count + (v === image.pixels[i] ? 0 : 1), 0);
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(17);
  });
});
