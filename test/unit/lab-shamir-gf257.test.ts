/**
 * Seed 000's Shamir over GF(257) (src/lab/schemes/shamir-gf257.ts): both of the paper's
 * constructions round-trip, the DepSky placement makes any two of four clouds enough, the value 256
 * costs what the format says, and the weaknesses the Lab reports hold — section VII's shares leak
 * the picture, section VI's Algorithm 1 leaks almost nothing.
 */
import { describe, expect, it } from 'vitest';
import { adjacentCorrelation, storageOverhead } from '../../src/lab/metrics.js';
import { shamirGf257, shamirGf257Algorithm1, type ShamirGf257Params } from '../../src/lab/schemes/shamir-gf257.js';
import type { Holding, LabImage, Protection } from '../../src/lab/types.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { subsetsOf } from '../helpers/subsets.js';

const P = 257;

/** 64×64 like a CT frame: black outside a disc, a smooth gradient inside, a bright ring. */
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

/** 16×16 holding every byte value once, shuffled by a fixed stride (5 is odd, so it permutes). */
function allValues(): LabImage {
  return { width: 16, height: 16, pixels: Uint8Array.from({ length: 256 }, (_, i) => (i * 5 + 3) & 0xff) };
}

/** A share's values 0 … 256 from its stored bytes: byte plane, uint32 LE count, uint32 LE indices of 256s. */
function shareValues(holding: Holding, m: number): Uint16Array {
  const values = Uint16Array.from(holding.bytes.subarray(0, m));
  const view = new DataView(holding.bytes.buffer, holding.bytes.byteOffset);
  const count = view.getUint32(m, true);
  for (let k = 0; k < count; k++) values[view.getUint32(m + 4 + 4 * k, true)] = 256;
  return values;
}

function xOf(holding: Holding): number {
  return Number(holding.name.replace('share ', ''));
}

/** Only the given shares (x values), as if the other clouds' objects were gone. */
function keepShares(protection: Protection, xs: readonly number[]): Protection {
  return { ...protection, holdings: protection.holdings.filter((holding) => xs.includes(xOf(holding))) };
}

function inverse(a: number): number {
  let result = 1;
  for (let i = 0; i < P - 2; i++) result = (result * a) % P;
  return result;
}

/** Solves A·z = b mod 257 (A square and invertible) by Gauss–Jordan elimination. */
function solveMod(a: number[][], b: number[]): number[] {
  const rows = a.map((row, i) => [...row, b[i]!]);
  const t = rows.length;
  for (let col = 0; col < t; col++) {
    const pivot = rows.findIndex((row, r) => r >= col && row[col] !== 0);
    [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    const scale = inverse(rows[col]![col]!);
    rows[col] = rows[col]!.map((v) => (v * scale) % P);
    for (let r = 0; r < t; r++) {
      if (r === col) continue;
      const factor = rows[r]![col]!;
      rows[r] = rows[r]!.map((v, j) => (((v - factor * rows[col]![j]!) % P) + P) % P);
    }
  }
  return rows.map((row) => row[t]!);
}

const ALL_CLOUDS = [0, 1, 2, 3];

describe.each([
  ['section VII (pixels as coefficients)', shamirGf257],
  ['section VI Algorithm 1 (random coefficients)', shamirGf257Algorithm1],
])('%s', (_, scheme) => {
  const params = scheme.defaults;

  it('uses the paper’s parameters: (4, 8), two shares per cloud on four clouds', () => {
    expect(params).toMatchObject({ threshold: 4, shares: 8, sharesPerCloud: 2 });
    expect(scheme.clouds(params)).toBe(4);
    // The DepSky placement halves the threshold in clouds: 4 shares = 2 clouds.
    expect(scheme.threshold(params)).toBe(2);
    expect(scheme.keySpaceBits(params)).toBeUndefined();
  });

  it('keeps shares 1–2 on cloud 0, 3–4 on cloud 1, 5–6 on cloud 2, 7–8 on cloud 3', async () => {
    const protection = await scheme.protect(framePicture(), params, deterministicRandom(1));
    expect(protection.holdings.map((holding) => [holding.cloud, holding.name])).toEqual([
      [0, 'share 1'],
      [0, 'share 2'],
      [1, 'share 3'],
      [1, 'share 4'],
      [2, 'share 5'],
      [2, 'share 6'],
      [3, 'share 7'],
      [3, 'share 8'],
    ]);
  });

  it('rebuilds from every pair of clouds, and from no single cloud', async () => {
    const image = framePicture();
    const protection = await scheme.protect(image, params, deterministicRandom(2));
    for (const pair of subsetsOf(4, 2)) {
      const rebuilt = await scheme.recover(protection, pair, params);
      expect(Buffer.from(rebuilt.pixels).equals(Buffer.from(image.pixels)), `clouds ${pair.join(', ')}`).toBe(true);
    }
    for (const cloud of ALL_CLOUDS) {
      await expect(scheme.recover(protection, [cloud], params)).rejects.toThrow(/cannot rebuild: clouds \d hold 2 shares, 4 are needed/);
    }
  });

  it('rebuilds from every 4 of the 8 shares (70 subsets), not from any 3', async () => {
    const image = allValues();
    const protection = await scheme.protect(image, params, deterministicRandom(3));
    for (const subset of subsetsOf(8, 4)) {
      const xs = subset.map((i) => i + 1);
      const rebuilt = await scheme.recover(keepShares(protection, xs), ALL_CLOUDS, params);
      expect(Buffer.from(rebuilt.pixels).equals(Buffer.from(image.pixels)), `shares ${xs.join(', ')}`).toBe(true);
    }
    for (const subset of subsetsOf(8, 3)) {
      await expect(scheme.recover(keepShares(protection, subset.map((i) => i + 1)), ALL_CLOUDS, params)).rejects.toThrow(/cannot rebuild/);
    }
  });

  it('does not detect an altered share: the rebuild is silently wrong', async () => {
    const image = framePicture();
    const protection = await scheme.protect(image, params, deterministicRandom(4));
    const altered = protection.holdings.map((holding, i) => {
      if (i !== 0) return holding;
      const bytes = holding.bytes.slice();
      bytes[100] = (bytes[100]! + 1) & 0xff;
      return { ...holding, bytes };
    });
    const rebuilt = await scheme.recover({ ...protection, holdings: altered }, [0, 1], params);
    expect(Buffer.from(rebuilt.pixels).equals(Buffer.from(image.pixels))).toBe(false);
  });
});

describe('the value 256', () => {
  it('is stored as 0 in the byte plane plus an overflow entry (hand-computed, 2×2 picture)', async () => {
    // Section VII on the 2×2 picture 255 1 0 0: one portion (m = 4/4 = 1), f(x) = 255 + 1·x + 0·x² + 0·x³ mod 257.
    // f(1) = 256 → plane 0, count 1, index 0;  f(2) = 257 mod 257 = 0;  f(3) = 258 mod 257 = 1.
    const image = { width: 2, height: 2, pixels: Uint8Array.of(255, 1, 0, 0) };
    const protection = await shamirGf257.protect(image, shamirGf257.defaults, deterministicRandom(5));
    expect(Array.from(protection.holdings[0]!.bytes)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(protection.holdings[1]!.bytes)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(protection.holdings[2]!.bytes)).toEqual([1, 0, 0, 0, 0]);
    const rebuilt = await shamirGf257.recover(protection, [0, 1], shamirGf257.defaults);
    expect(Array.from(rebuilt.pixels)).toEqual([255, 1, 0, 0]);
  });

  it('costs 4 bytes per share plus 4 per 256, about 1 value in 257 with random coefficients', async () => {
    const image = framePicture();
    const protection = await shamirGf257Algorithm1.protect(image, shamirGf257Algorithm1.defaults, deterministicRandom(6));
    const n = image.pixels.length;
    let overflow = 0;
    for (const holding of protection.holdings) {
      const values = shareValues(holding, n);
      const count = values.filter((v) => v === 256).length;
      expect(holding.bytes.length).toBe(n + 4 + 4 * count);
      overflow += count;
    }
    // 8 shares × 4,096 values, each 256 with probability 1/257: expected 127.5, σ ≈ 11.3.
    expect(overflow).toBeGreaterThan(127.5 - 5 * 11.3);
    expect(overflow).toBeLessThan(127.5 + 5 * 11.3);
    // Storage: 8 full shares, plus 8·4 bytes of counts, plus 4 bytes per 256.
    expect(storageOverhead(n, protection.holdings)).toBe((8 * n + 8 * 4 + 4 * overflow) / n);
    console.info(`GF(257) Algorithm 1 on 64×64: ${overflow} values of 256 in 8 shares, overhead ×${storageOverhead(n, protection.holdings).toFixed(4)}`);
  });
});

describe('section VII as simulated: WARNING, the shares leak', () => {
  const params: ShamirGf257Params = shamirGf257.defaults;

  it('uses no randomness: the same picture always gives the same shares', async () => {
    const image = framePicture();
    const first = await shamirGf257.protect(image, params, deterministicRandom(7));
    const second = await shamirGf257.protect(image, params, deterministicRandom(8));
    expect(first.holdings.map((holding) => Buffer.from(holding.bytes).toString('hex'))).toEqual(
      second.holdings.map((holding) => Buffer.from(holding.bytes).toString('hex')),
    );
  });

  it('shows a picture whose other blocks are black in every single share, verbatim', async () => {
    // Blocks are the 4 consecutive quarters of the picture read line by line; f(x) = q0 + q1·x + … with
    // q1 = q2 = q3 = 0 is q0: every share is the top quarter itself.
    const image = framePicture();
    const top = image.pixels.slice(0, image.pixels.length / 4);
    const pixels = new Uint8Array(image.pixels.length);
    pixels.set(top);
    const protection = await shamirGf257.protect({ ...image, pixels }, params, deterministicRandom(9));
    for (const holding of protection.holdings) {
      expect(Buffer.from(holding.bytes.subarray(0, top.length)).equals(Buffer.from(top)), holding.name).toBe(true);
    }
  });

  it('draws shares that still look like pictures (adjacent correlation far from noise)', async () => {
    const image = framePicture();
    const pixels = await shamirGf257.protect(image, params, deterministicRandom(10));
    const random = await shamirGf257Algorithm1.protect(image, shamirGf257Algorithm1.defaults, deterministicRandom(10));
    const leaky = pixels.holdings.map((holding) => adjacentCorrelation(holding.picture!, 'horizontal'));
    const noisy = random.holdings.map((holding) => adjacentCorrelation(holding.picture!, 'horizontal'));
    console.info(`horizontal correlation of shares — section VII: ${leaky.map((r) => r.toFixed(3)).join(' ')}; Algorithm 1: ${noisy.map((r) => r.toFixed(3)).join(' ')}`);
    // Share 1 is the four quarters summed mod 257: smooth where they are smooth.
    expect(leaky[0]).toBeGreaterThan(0.3);
    // 4,032 pairs of independent values: |r| is a few hundredths at most.
    for (const r of noisy) expect(Math.abs(r)).toBeLessThan(0.08);
  });

  it('lets 3 shares (one cloud and one more) narrow every 4 pixels from 2^32 to at most 257 candidates', async () => {
    const image = allValues();
    const m = image.pixels.length / 4;
    const protection = await shamirGf257.protect(image, params, deterministicRandom(11));
    // Cloud 0's shares 1 and 2, and share 3 from cloud 1.
    const xs = [1, 2, 3];
    const ys = xs.map((x) => shareValues(protection.holdings[x - 1]!, m));
    const vandermonde = xs.map((x) => [1, x, x * x]);
    let most = 0;
    for (let i = 0; i < m; i++) {
      const truth = [0, 1, 2, 3].map((j) => image.pixels[j * m + i]!);
      let candidates = 0;
      let truthFound = false;
      // Guess q3, then q0 + q1·x + q2·x² = y − q3·x³ is a 3×3 system with one solution.
      for (let q3 = 0; q3 < P; q3++) {
        const rhs = xs.map((x, l) => (((ys[l]![i]! - q3 * x ** 3) % P) + P) % P);
        const [q0, q1, q2] = solveMod(vandermonde, rhs) as [number, number, number];
        if (q0 > 255 || q1 > 255 || q2 > 255 || q3 > 255) continue;
        candidates++;
        if (q0 === truth[0] && q1 === truth[1] && q2 === truth[2] && q3 === truth[3]) truthFound = true;
      }
      // The attack is sound: the true 4 pixels are always among the (at most 257) candidates, so
      // at most log2(257) ≈ 8 of the 32 bits stay unknown — 3 shares leak at least 24.
      expect(truthFound).toBe(true);
      most = Math.max(most, candidates);
    }
    expect(most).toBeGreaterThan(1);
  });

  it('lets 3 shares rebuild the picture exactly when one block is known (a black background)', async () => {
    // The frame picture with its bottom quarter black, as a CT frame's border often is: with q3 = 0
    // known, 3 equations in q0, q1, q2 have one solution — one cloud plus one share is enough.
    const image = framePicture();
    const m = image.pixels.length / 4;
    const pixels = image.pixels.slice();
    pixels.fill(0, 3 * m);
    const protection = await shamirGf257.protect({ ...image, pixels }, params, deterministicRandom(14));
    const xs = [1, 2, 3];
    const ys = xs.map((x) => shareValues(protection.holdings[x - 1]!, m));
    const vandermonde = xs.map((x) => [1, x, x * x]);
    const guessed = new Uint8Array(pixels.length);
    for (let i = 0; i < m; i++) {
      const [q0, q1, q2] = solveMod(vandermonde, xs.map((_, l) => ys[l]![i]!));
      guessed[i] = q0!;
      guessed[m + i] = q1!;
      guessed[2 * m + i] = q2!;
    }
    expect(Buffer.from(guessed).equals(Buffer.from(pixels))).toBe(true);
  });
});

describe('section VI Algorithm 1: 3 shares reveal (almost) nothing', () => {
  const params = shamirGf257Algorithm1.defaults;

  it('leaves ≈ 253 of 256 candidates for every pixel given both shares of one cloud and one more', async () => {
    const image = allValues();
    const protection = await shamirGf257Algorithm1.protect(image, params, deterministicRandom(12));
    const xs = [1, 2, 3];
    const ys = xs.map((x) => shareValues(protection.holdings[x - 1]!, image.pixels.length));
    // A candidate s' and the 3 points fix a unique cubic: s' is possible iff a1, a2, a3 ≤ 255
    // (Algorithm 1 draws them from GF(2^8)). Exact Shamir (a_j in 0 … 256) would leave all 256.
    const vandermonde = xs.map((x) => [x, x * x, x ** 3]);
    let excluded = 0;
    let fewest = 256;
    for (let i = 0; i < image.pixels.length; i++) {
      let candidates = 0;
      for (let s = 0; s < 256; s++) {
        const rhs = xs.map((_, l) => (((ys[l]![i]! - s) % P) + P) % P);
        if (solveMod(vandermonde, rhs).every((a) => a <= 255)) candidates++;
        else if (s === image.pixels[i]) throw new Error('the true pixel was ruled out');
      }
      excluded += 256 - candidates;
      fewest = Math.min(fewest, candidates);
    }
    const mean = excluded / image.pixels.length;
    // Theory: 256·(1 − (256/257)^3) ≈ 2.98 candidates ruled out per pixel: log2(256/253) ≈ 0.017 bits of 8 leak.
    console.info(`Algorithm 1, 3 shares: ${mean.toFixed(3)} of 256 candidates ruled out per pixel on average, at least ${fewest} left`);
    expect(mean).toBeGreaterThan(2);
    expect(mean).toBeLessThan(4);
    expect(fewest).toBeGreaterThanOrEqual(240);
  });

  it('with t = 2, one share rules out exactly the value y + x mod 257 (coefficient 256 never drawn)', async () => {
    // f(x) = s + a·x, a ∈ 0 … 255: the only unreachable share value is s + 256·x ≡ s − x, so s ≠ y + x.
    const image = allValues();
    const small: ShamirGf257Params = { threshold: 2, shares: 2, sharesPerCloud: 1, polynomial: 'random' };
    const protection = await shamirGf257Algorithm1.protect(image, small, deterministicRandom(13));
    for (const holding of protection.holdings) {
      const x = xOf(holding);
      const y = shareValues(holding, image.pixels.length);
      for (let i = 0; i < image.pixels.length; i++) expect((y[i]! + x) % P).not.toBe(image.pixels[i]);
    }
  });
});
