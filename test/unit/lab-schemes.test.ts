/**
 * Every Lab scheme (src/lab/index.ts) round-trips a small synthetic picture and a frame-like
 * gradient, byte for byte where it claims to be lossless; and the runner measures them all.
 */
import { describe, expect, it } from 'vitest';
import { LAB_SCHEMES, runLab, type LabImage, type LabScheme } from '../../src/lab/index.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';

/**
 * 48×40: a dark field, a bright bar, a diagonal and a ramp along the top row. (Not smaller: seed
 * 003's LSB steganography needs one pixel per hidden bit of the patient data and key, ≈ 1,400.)
 */
function syntheticPicture(): LabImage {
  const width = 48;
  const height = 40;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = 20;
      if (y === 0) value = x * 5;
      if (x >= 4 && x < 8 && y >= 3) value = 240;
      if (x === y) value = 128;
      pixels[y * width + x] = value;
    }
  }
  return { width, height, pixels };
}

/** 64×64 like a CT frame: black outside a disc, a smooth gradient inside, a bright "bone" ring. */
function framePicture(): LabImage {
  const size = 64;
  const pixels = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - 31.5, y - 31.5);
      pixels[y * size + x] = r > 30 ? 0 : r > 27 ? 250 : 60 + Math.round((x + y) * 1.2);
    }
  }
  return { width: size, height: size, pixels };
}

const PICTURES = [
  ['a 48×40 synthetic picture', syntheticPicture],
  ['a 64×64 frame-like gradient', framePicture],
] as const;

describe.each(LAB_SCHEMES.map((scheme) => [scheme.id, scheme] as const))('%s', (_, scheme) => {
  it.each(PICTURES)('round-trips %s from all its clouds', async (_name, make) => {
    const image = make();
    const params = scheme.defaults;
    const protection = await scheme.protect(image, params, deterministicRandom(42));
    const clouds = scheme.clouds(params);
    expect(new Set(protection.holdings.map((holding) => holding.cloud)).size).toBeLessThanOrEqual(clouds);
    for (const holding of protection.holdings) expect(holding.cloud).toBeLessThan(clouds);
    const rebuilt = await scheme.recover(protection, Array.from({ length: clouds }, (_, i) => i), params);
    expect([rebuilt.width, rebuilt.height]).toEqual([image.width, image.height]);
    if (scheme.lossless) expect(Buffer.from(rebuilt.pixels).equals(Buffer.from(image.pixels))).toBe(true);
  });
});

describe('runLab', () => {
  it('measures every scheme on one picture, the same way', async () => {
    const image = framePicture();
    const rows = await runLab(image, LAB_SCHEMES, deterministicRandom(7));
    expect(rows.map((row) => row.id)).toEqual(LAB_SCHEMES.map((scheme) => scheme.id));
    for (const row of rows) {
      if (!row.result.ok) throw new Error(`${row.id}: ${row.result.error}`);
      const value = row.result.value;
      expect(value.protectMs).toBeGreaterThanOrEqual(0);
      expect(value.clouds).toHaveLength(row.cloudCount);
      if (row.claimsLossless) {
        expect(value.lossless, row.id).toBe(true);
        expect(value.psnr).toBe(Infinity);
        expect(value.mse).toBe(0);
        expect(value.ssim).toBeCloseTo(1, 12);
      }
      expect(value.storageOverhead).toBeGreaterThan(0);
    }
    const byId = new Map(rows.map((row) => [row.id, row.result.ok ? row.result.value : undefined]));
    // Tessera shamir 3-of-5: 5 shares of 4,096 bytes + 108-byte header + 16-byte tag share each.
    expect(byId.get('tessera-shamir')!.storageOverhead).toBeCloseTo((5 * (4096 + 108 + 16)) / 4096, 12);
    // Two clouds of the Tessera schemes cannot rebuild; neither can one cloud of GF(257) (2 shares of 4).
    expect(byId.get('tessera-shamir')!.colluding.outcome).toBe('cannot rebuild');
    expect(byId.get('tessera-ssms')!.colluding.outcome).toBe('cannot rebuild');
    expect(byId.get('shamir-gf257')!.colluding).toMatchObject({ clouds: [0], outcome: 'cannot rebuild' });
    // What cloud 0 sees: section VII's share 1 still looks like a picture, Algorithm 1's is noise.
    expect(byId.get('shamir-gf257')!.clouds[0]!.pieces[0]!.correlation.horizontal).toBeGreaterThan(0.3);
    expect(Math.abs(byId.get('shamir-gf257-random')!.clouds[0]!.pieces[0]!.correlation.horizontal!)).toBeLessThan(0.1);
    // AES schemes draw their ciphertext: NPCR near 99.6 %, UACI well above the image's own spread.
    for (const id of ['aes-sequence-split', 'chunked-aes-index']) {
      const cipher = byId.get(id)!.cipher!;
      expect(cipher.npcr).toBeGreaterThan(99);
      expect(Math.abs(cipher.correlation.horizontal!)).toBeLessThan(0.1);
    }
    // 8-piece and 2-cloud AES schemes need every cloud.
    expect(rows.find((row) => row.id === 'aes-sequence-split')!.threshold).toBe(8);
    expect(rows.find((row) => row.id === 'chunked-aes-index')!.threshold).toBe(2);
  });
});

describe('runLab on schemes made for the test', () => {
  /** Every cloud keeps a copy with one pixel darkened: "threshold 2", yet one cloud has the picture. */
  const copies: LabScheme = {
    id: 'copies',
    title: 'a copy per cloud',
    defaults: {},
    clouds: () => 3,
    threshold: () => 2,
    keySpaceBits: () => undefined,
    lossless: false,
    async protect(image) {
      const pixels = image.pixels.slice();
      pixels[0] = pixels[0]! - 16;
      return { holdings: [0, 1, 2].map((cloud) => ({ cloud, name: `copy ${cloud}`, bytes: pixels })) };
    },
    async recover(protection, clouds) {
      const holding = protection.holdings.find((h) => clouds.includes(h.cloud));
      if (holding === undefined) throw new Error('no cloud given');
      return { width: 4, height: 4, pixels: holding.bytes };
    },
  };
  const failing: LabScheme = { ...copies, id: 'failing', protect: () => Promise.reject(new Error('the scheme broke')) };

  it('measures what threshold − 1 clouds rebuild, lossy rebuilds, and pieces without pictures', async () => {
    // 4×4 of value 100 with pixel 0 at 84: MSE = 16² / 16 = 16, PSNR = 10·log10(65025 / 16) ≈ 36.09 dB.
    const image = { width: 4, height: 4, pixels: new Uint8Array(16).fill(100) };
    const [row, broken] = await runLab(image, [copies, failing], deterministicRandom(1));
    if (!row!.result.ok) throw new Error(row!.result.error);
    const value = row!.result.value;
    expect(value.lossless).toBe(false);
    expect(value.mse).toBe(16);
    expect(value.psnr).toBeCloseTo(10 * Math.log10(65025 / 16), 12);
    expect(value.storageOverhead).toBe(3);
    expect(value.colluding).toMatchObject({ clouds: [0], outcome: 'picture' });
    expect(value.colluding.outcome === 'picture' && value.colluding.psnr).toBeCloseTo(10 * Math.log10(65025 / 16), 12);
    // No picture: the 16 bytes are drawn 4 wide (4 rows); 15 of them equal, so entropy is
    // −(15/16·log2(15/16) + 1/16·log2(1/16)) ≈ 0.3373.
    const piece = value.clouds[1]!.pieces[0]!;
    expect(piece.measuredOn).toBe('bytes');
    expect(piece.entropy).toBeCloseTo(-((15 / 16) * Math.log2(15 / 16) + (1 / 16) * Math.log2(1 / 16)), 12);
    expect(piece.correlation.horizontal).toBeDefined();
    expect(value.cipher).toBeUndefined();
    expect(broken!.result).toEqual({ ok: false, error: 'the scheme broke' });
  });
});
