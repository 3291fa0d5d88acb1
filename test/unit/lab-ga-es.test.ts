/**
 * GA-ES (seed 001, src/lab/schemes/ga-es.ts): entropy segmentation tuned by a genetic algorithm,
 * regions filtered in four clouds. Round trips, the fitness by hand, the GA's progress, the clouds'
 * filtering against filtering the whole picture, and the weakness the Lab reports: each cloud reads
 * its region in the clear.
 */
import { describe, expect, it } from 'vitest';
import { npcr, pearson, psnr } from '../../src/lab/metrics.js';
import {
  GA_ES_DEFAULTS,
  blockEntropies,
  filterInClouds,
  gaEs,
  gaEsFitness,
  gaussianFilter,
  segmentByEntropy,
  type GaEsParams,
} from '../../src/lab/schemes/ga-es.js';
import type { LabImage } from '../../src/lab/types.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';

/**
 * A synthetic "scan", width×height: a black background, a body disc with a slow gradient and a
 * ripple, a bright round organ, and seeded noise inside the body — blocks of many different
 * entropies, as in a medical picture.
 */
function phantom(width: number, height: number, seed = 1): LabImage {
  const noise = new Uint8Array(width * height);
  deterministicRandom(seed)(noise);
  const pixels = new Uint8Array(width * height);
  const radius = Math.min(width, height) * 0.42;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = Math.hypot(x - width / 2, y - height / 2);
      if (r > radius) continue;
      let value = 60 + (90 * y) / height + 30 * Math.sin(x / 5);
      if (Math.hypot(x - width * 0.6, y - height * 0.4) < radius / 3) value = 200;
      // Noise only in the lower half, so entropy differs from block to block.
      if (y > height / 2) value += (noise[y * width + x]! % 41) - 20;
      pixels[y * width + x] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return { width, height, pixels };
}

/** A diagonal gradient: pixel (x, y) = (x + y)·255 / (width + height − 2). */
function gradient(width: number, height: number): LabImage {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = Math.round(((x + y) * 255) / (width + height - 2));
  return { width, height, pixels };
}

/** The pixels of `image` at the positions where `mask` is true. */
function pick(image: LabImage, mask: readonly boolean[]): number[] {
  return Array.from(image.pixels).filter((_, i) => mask[i]);
}

/** Smaller GA for the small pictures of the tests (the defaults are the paper-scale run). */
const SMALL: GaEsParams = { ...GA_ES_DEFAULTS, blockSize: 8 };

describe('GA-ES round trip (seed 001 section 4: the owner combines the regions)', () => {
  it.each([
    ['a 72×56 phantom (blocks cut at the edges)', phantom(72, 56)],
    ['a 64×64 gradient', gradient(64, 64)],
  ])('rebuilds %s exactly from the four regions', async (_name, image) => {
    const protection = await gaEs.protect(image, SMALL, deterministicRandom(3));
    expect(protection.holdings.map((h) => h.cloud)).toEqual([0, 1, 2, 3]);
    const back = await gaEs.recover(protection, [3, 2, 1, 0], SMALL);
    expect(back.width).toBe(image.width);
    expect(back.height).toBe(image.height);
    expect(back.pixels).toEqual(image.pixels);
    expect(gaEs.lossless).toBe(true);
  });

  it('needs every cloud that holds a region', async () => {
    const image = phantom(64, 64);
    const protection = await gaEs.protect(image, SMALL, deterministicRandom(3));
    const secret = protection.secret as { blockRegion: Uint8Array };
    const held = [...new Set(secret.blockRegion)];
    expect(held.length).toBeGreaterThan(1);
    const missing = held[0]!;
    const others = [0, 1, 2, 3].filter((c) => c !== missing);
    await expect(gaEs.recover(protection, others, SMALL)).rejects.toThrow(`cloud ${missing}`);
    expect(gaEs.clouds(SMALL)).toBe(4);
    expect(gaEs.threshold(SMALL)).toBe(4);
    expect(gaEs.keySpaceBits(SMALL)).toBeUndefined();
  });

  it('is deterministic given the random source', async () => {
    const image = phantom(64, 64);
    const a = await gaEs.protect(image, SMALL, deterministicRandom(9));
    const b = await gaEs.protect(image, SMALL, deterministicRandom(9));
    expect(a.ownerKeeps).toBe(b.ownerKeeps);
    expect(a.holdings.map((h) => h.bytes)).toEqual(b.holdings.map((h) => h.bytes));
  });
});

describe('GA-ES fitness (seed 001 equations 7, 11, 12)', () => {
  it('matches a hand computation on a 2×2 picture, 1×1 blocks, 2 regions, T = (1, 3)', () => {
    // Original p = [2, 4, 6, 8]; region 0 = pixels 0, 1; region 1 = pixels 2, 3.
    // view0 = [2, 4, 0, 0], view1 = [0, 0, 6, 8].
    // p − 5 = [−3, −1, 1, 3], Σ(p − 5)² = 20.
    // view0 − 1.5 = [0.5, 2.5, −1.5, −1.5]: Σ = 0.25 + 6.25 + 2.25 + 2.25 = 11; cov sum = −1.5 − 2.5 − 1.5 − 4.5 = −10.
    //   Cor0 = −10 / √(20·11) = −10/√220.
    // view1 − 3.5 = [−3.5, −3.5, 2.5, 4.5]: Σ = 12.25 + 12.25 + 6.25 + 20.25 = 51; cov sum = 10.5 + 3.5 + 2.5 + 13.5 = 30.
    //   Cor1 = 30 / √(20·51) = 30/√1020 ≈ 0.9393 — the worse cloud.
    // NPCR: each view differs from p in 2 of 4 pixels: 50 % for both.
    // Equation 12: 2 blocks × 1 + 2 blocks × 3 = 8; largest possible 4 × 3 = 12.
    // fitness = (1 − 30/√1020 + 0.5 + 1 − 8/12) / 3.
    const image: LabImage = { width: 2, height: 2, pixels: Uint8Array.of(2, 4, 6, 8) };
    const params: GaEsParams = { ...GA_ES_DEFAULTS, regions: 2, blockSize: 1, blockTimes: [1, 3] };
    const result = gaEsFitness(image, Uint8Array.of(0, 0, 1, 1), params);
    expect(pearson(image.pixels, [2, 4, 0, 0])).toBeCloseTo(-10 / Math.sqrt(220), 12);
    expect(result.worstCorrelation).toBeCloseTo(30 / Math.sqrt(1020), 12);
    expect(result.worstNpcr).toBe(50);
    expect(result.totalTime).toBe(8);
    expect(result.normalisedTime).toBeCloseTo(8 / 12, 12);
    expect(result.fitness).toBeCloseTo((1 - 30 / Math.sqrt(1020) + 0.5 + 1 - 8 / 12) / 3, 12);
  });

  it('equation 12 is the same for every segmentation when the clouds are equally fast', () => {
    // Σ R_i·T = T·Σ R_i = T·(number of blocks): the time term cannot steer the GA (a paper flaw).
    const image = phantom(32, 32);
    const params: GaEsParams = { ...GA_ES_DEFAULTS, blockSize: 8 };
    const all = gaEsFitness(image, new Uint8Array(16), params);
    const spread = gaEsFitness(image, Uint8Array.from({ length: 16 }, (_, i) => i % 4), params);
    expect(all.totalTime).toBe(16);
    expect(spread.totalTime).toBe(16);
    expect(all.normalisedTime).toBe(1);
    // One cloud holding everything sees the whole picture: |Cor| = 1, NPCR = 0 for that cloud.
    expect(all.worstCorrelation).toBeCloseTo(1, 12);
    expect(all.worstNpcr).toBe(0);
    expect(spread.fitness).toBeGreaterThan(all.fitness);
  });

  it('takes each block entropy from equation 6', () => {
    // 2×2 blocks of a 4×2 picture: [0 0 / 0 0] → 0 bits; [1 2 / 3 4] → 4 equally likely values, 2 bits.
    const image: LabImage = { width: 4, height: 2, pixels: Uint8Array.of(0, 0, 1, 2, 0, 0, 3, 4) };
    expect(Array.from(blockEntropies(image, 2))).toEqual([0, 2]);
  });
});

describe('GA-ES genetic algorithm (seed 001 Algorithm 1)', () => {
  it('improves the best fitness over the generations on a fixed seed, never losing it', () => {
    const image = phantom(96, 96);
    const result = segmentByEntropy(image, SMALL, deterministicRandom(5));
    const history = result.bestFitnessByGeneration;
    for (let g = 1; g < history.length; g++) expect(history[g]!).toBeGreaterThanOrEqual(history[g - 1]!);
    expect(history[history.length - 1]!).toBeGreaterThan(history[0]!);
    expect(result.fitness.fitness).toBe(history[history.length - 1]);
    // Algorithm 1 step 4: stops once the best has not improved for stallGenerations generations.
    expect(history.length).toBeLessThanOrEqual(SMALL.generations + 1);
    expect(result.thresholds).toHaveLength(3);
    expect([...result.thresholds]).toEqual([...result.thresholds].sort((a, b) => a - b));
    console.log(`GA-ES on a 96×96 phantom, seed 5: best fitness by generation ${history.map((f) => f.toFixed(4)).join(' → ')}, ${result.evaluations} evaluations`);
  });

  it('beats random segmentation on the same picture (each region gets a fair share)', () => {
    const image = phantom(96, 96);
    const tuned = segmentByEntropy(image, SMALL, deterministicRandom(5));
    // Generation 0 alone: the best of a random population.
    const random = segmentByEntropy(image, { ...SMALL, generations: 0 }, deterministicRandom(5));
    expect(random.bestFitnessByGeneration).toHaveLength(1);
    expect(tuned.fitness.worstCorrelation).toBeLessThanOrEqual(random.fitness.worstCorrelation);
    expect(tuned.fitness.fitness).toBeGreaterThan(random.fitness.fitness);
  });
});

describe('GA-ES in the clouds: Gaussian filtering by regions (seed 001 section 4)', () => {
  it('uses MATLAB R2014a fspecial("gaussian", 3, 0.5) weights with zero padding (hand-computed)', () => {
    // Kernel: exp(−(x² + y²)/(2·0.25)) = 1, e^−2, e^−4 at distance 0, 1, √2; sum 1 + 4e^−2 + 4e^−4.
    // Centre 1/sum ≈ 0.6193, edge e^−2/sum ≈ 0.0838, corner e^−4/sum ≈ 0.0113.
    const sum = 1 + 4 * Math.exp(-2) + 4 * Math.exp(-4);
    const image: LabImage = { width: 3, height: 3, pixels: Uint8Array.of(0, 0, 0, 0, 255, 0, 0, 0, 0) };
    const out = gaussianFilter(image, 0.5, 3);
    const corner = Math.round((255 * Math.exp(-4)) / sum);
    const edge = Math.round((255 * Math.exp(-2)) / sum);
    const centre = Math.round(255 / sum);
    expect([corner, edge, centre]).toEqual([3, 21, 158]);
    expect(Array.from(out.pixels)).toEqual([corner, edge, corner, edge, centre, edge, corner, edge, corner]);
  });

  it('matches filtering the whole picture except along region borders', async () => {
    const image = phantom(128, 128);
    const protection = await gaEs.protect(image, SMALL, deterministicRandom(3));
    const byRegions = filterInClouds(protection, SMALL);
    const whole = gaussianFilter(image, SMALL.gaussianSigma, SMALL.gaussianSize);
    // A pixel whose 3×3 neighbourhood lies in one region is filtered from the same data either way.
    const { blockRegion } = protection.secret as { blockRegion: Uint8Array };
    const across = Math.ceil(image.width / SMALL.blockSize);
    const regionAt = (x: number, y: number): number => blockRegion[Math.floor(y / SMALL.blockSize) * across + Math.floor(x / SMALL.blockSize)]!;
    let interior = 0;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        let same = true;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = x + dx;
            const ny = y + dy;
            if (nx >= 0 && ny >= 0 && nx < image.width && ny < image.height && regionAt(nx, ny) !== regionAt(x, y)) same = false;
          }
        }
        if (!same) continue;
        interior++;
        expect(byRegions.pixels[y * image.width + x]).toBe(whole.pixels[y * image.width + x]);
      }
    }
    expect(interior).toBeGreaterThan(image.pixels.length / 2);
    // Along the borders the clouds filter against zeros: the combined result is close, not equal.
    const quality = psnr(byRegions, whole);
    console.log(`GA-ES: filtered by regions vs whole picture, 128×128 phantom: PSNR ${quality.toFixed(2)} dB`);
    expect(Number.isFinite(quality)).toBe(true);
    expect(quality).toBeGreaterThan(20);
  });
});

describe('GA-ES weakness: a cloud reads its region in the clear', () => {
  it('each cloud holds the original pixels of its blocks, exactly', async () => {
    const image = phantom(128, 128);
    const protection = await gaEs.protect(image, SMALL, deterministicRandom(3));
    const { blockRegion } = protection.secret as { blockRegion: Uint8Array };
    const across = Math.ceil(image.width / SMALL.blockSize);
    let covered = 0;
    for (const holding of protection.holdings) {
      const mask = Array.from(image.pixels, (_, i) => {
        const x = i % image.width;
        const y = Math.floor(i / image.width);
        return blockRegion[Math.floor(y / SMALL.blockSize) * across + Math.floor(x / SMALL.blockSize)] === holding.cloud;
      });
      const count = mask.filter(Boolean).length;
      covered += count;
      if (count === 0) continue;
      const original = pick(image, mask);
      const seen = pick(holding.picture!, mask);
      // What the cloud sees of its region IS the original there: PSNR ∞, correlation 1.
      expect(seen).toEqual(original);
      const region = { width: count, height: 1, pixels: Uint8Array.from(original) };
      expect(psnr(region, { width: count, height: 1, pixels: Uint8Array.from(seen) })).toBe(Infinity);
      if (new Set(original).size > 1) expect(pearson(original, seen)).toBeCloseTo(1, 12);
      // And over the whole picture, the cloud's view still correlates with the original.
      console.log(
        `GA-ES cloud ${holding.cloud}: ${((count / image.pixels.length) * 100).toFixed(1)} % of the pixels in the clear; ` +
          `r(original, view) = ${pearson(image.pixels, holding.bytes).toFixed(3)}, NPCR = ${npcr(image, holding.picture!).toFixed(2)} %`,
      );
    }
    expect(covered).toBe(image.pixels.length);
  });
});

describe('GA-ES input checks', () => {
  const image = phantom(32, 32);
  it.each([
    ['one region', { ...SMALL, regions: 1, blockTimes: [1] }, 'params.regions'],
    ['block size 0', { ...SMALL, blockSize: 0 }, 'params.blockSize'],
    ['fractional population', { ...SMALL, population: 2.5 }, 'params.population'],
    ['crossover rate above 1', { ...SMALL, crossoverRate: 1.5 }, 'params.crossoverRate'],
    ['times not one per region', { ...SMALL, blockTimes: [1, 1] }, 'params.blockTimes'],
    ['an even kernel', { ...SMALL, gaussianSize: 4 }, 'params.gaussianSize'],
  ])('rejects %s with a RangeError naming it', async (_name, params, name) => {
    await expect(gaEs.protect(image, params, deterministicRandom(1))).rejects.toThrow(RangeError);
    await expect(gaEs.protect(image, params, deterministicRandom(1))).rejects.toThrow(name);
  });

  it('rejects pixels that are not bytes, and a secret from another scheme', async () => {
    const bad = { width: 2, height: 2, pixels: [1, 2, 3, 4] } as unknown as LabImage;
    await expect(gaEs.protect(bad, SMALL, deterministicRandom(1))).rejects.toThrow(TypeError);
    await expect(gaEs.recover({ holdings: [], secret: { kind: 'other' } }, [0, 1, 2, 3], SMALL)).rejects.toThrow(TypeError);
  });
});
