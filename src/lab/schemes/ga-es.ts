import { entropy, npcr, pearson } from '../metrics.js';
import { checkImage } from '../pictures.js';
import type { Holding, LabImage, LabRandom, LabScheme, Protection } from '../types.js';

/**
 * GA-ES: entropy-based segmentation tuned by a genetic algorithm, each region processed in its own
 * cloud — seed 001 (Marwan, Kartit & Ouahmane, "A Cloud-based Framework to Secure Medical Image
 * Processing", J. Mobile Multimedia 14(3), 2018), section 3.1 (figures 6–8), section 3.2 (the GA and
 * its fitness, equations 6–12) and section 4 (Algorithm 1, four regions, Gaussian filtering).
 *
 * What the paper fixes, and what it leaves open (our choices, each marked "paper silent" below):
 * - The picture is cut into equal blocks; each block's Shannon entropy (equation 6) decides its
 *   region (section 3.1). Block size: paper silent — 16×16, so that a block's entropy can reach the
 *   full 8 bits (256 pixels).
 * - Four regions, one per cloud (section 4: "split into four homogeneous regions"; section 3.1,
 *   figure 8: "each region will be sent to a distinct cloud").
 * - A GA with selection, crossover and mutation (figure 9, Algorithm 1) finds "the optimal entropy
 *   threshold value for all regions": here a chromosome is the regions − 1 entropy thresholds, 8
 *   bits each (Goldberg's binary encoding, the paper's reference [28]). Population, generations,
 *   rates: paper silent — see GA_ES_DEFAULTS. Algorithm 1 step 4 stops "when the fitness of the
 *   population no longer improves": here, after `stallGenerations` generations without a better
 *   best individual, or after `generations` at most.
 * - For the fitness, "we rely on two parameters …: the number of regions and robustness
 *   parameters", the latter "evaluated basically using correlation coefficient (Cor) and … NPCR"
 *   (section 3.2); but equation 12, the only fitness formula printed, is the processing time R₁·T₁ + … + Rₙ·Tₙ, and the paper never says how Cor and NPCR
 *   enter it nor between which two images they are measured (there is no ciphertext in GA-ES). See
 *   gaEsFitness for the combination chosen here.
 * - Each cloud Gaussian-filters its region (section 4); the owner (CloudSec) combines the results.
 *   Kernel: paper silent, it used MATLAB R2014a, whose fspecial('gaussian') default is 3×3 with
 *   σ = 0.5 and whose imfilter pads with zeros and rounds to uint8 — those are the defaults here.
 *
 * WARNING: segmentation is not encryption. Every cloud receives its blocks' pixels unchanged, in
 * place: it sees its whole region of the picture in the clear (test/unit/lab-ga-es.test.ts
 * demonstrates it). There is no key; the block map only says which cloud holds which block.
 */

export type GaEsParams = {
  /** Regions = clouds (seed 001 section 4: four). */
  readonly regions: number;
  /** Side of the square blocks whose entropy is measured (paper silent: 16). */
  readonly blockSize: number;
  /** Chromosomes per generation (paper silent: 20). */
  readonly population: number;
  /** Upper bound on generations (paper silent: 30). */
  readonly generations: number;
  /** Stop after this many generations without improvement (Algorithm 1 step 4; paper silent on how many: 6). */
  readonly stallGenerations: number;
  /** Probability that two selected parents are crossed (paper silent: 0.8, Goldberg's usual range). */
  readonly crossoverRate: number;
  /** Probability that one bit of a child flips (paper silent: 0.02). */
  readonly mutationRate: number;
  /**
   * T_i of equation 12: time for cloud i to process one block, in any unit. Paper silent; equal by
   * default, which makes equation 12 the same for every segmentation (see gaEsFitness).
   */
  readonly blockTimes: readonly number[];
  /** σ of the clouds' Gaussian filter (MATLAB R2014a fspecial default: 0.5). */
  readonly gaussianSigma: number;
  /** Side of the Gaussian kernel, odd (MATLAB R2014a fspecial default: 3). */
  readonly gaussianSize: number;
};

export const GA_ES_DEFAULTS: GaEsParams = {
  regions: 4,
  blockSize: 16,
  population: 20,
  generations: 30,
  stallGenerations: 6,
  crossoverRate: 0.8,
  mutationRate: 0.02,
  blockTimes: [1, 1, 1, 1],
  gaussianSigma: 0.5,
  gaussianSize: 3,
};

/** Bits per threshold gene: a threshold is gene/255 of the largest possible block entropy. */
const GENE_BITS = 8;
const GENE_MAX = (1 << GENE_BITS) - 1;

/** The fitness of one segmentation and its parts (see gaEsFitness). */
export interface GaEsFitness {
  /** The value the GA maximises, in [0, 1]. */
  readonly fitness: number;
  /** max over clouds of |Cor(original, what that cloud holds)| (equation 7). */
  readonly worstCorrelation: number;
  /** min over clouds of NPCR(original, what that cloud holds) in percent (equation 11). */
  readonly worstNpcr: number;
  /** Equation 12: Σ R_i·T_i. */
  readonly totalTime: number;
  /** Equation 12 over its largest possible value (every block on the slowest cloud). */
  readonly normalisedTime: number;
}

/** Outcome of the GA: the thresholds it chose, the segmentation they make, and its progress. */
export interface GaEsSegmentation {
  /** Entropy thresholds in bits, ascending; region r holds the blocks with t_r < H ≤ t_{r+1}. */
  readonly thresholds: readonly number[];
  /** Region (= cloud) of each block, blocks in row order. */
  readonly blockRegion: Uint8Array;
  readonly fitness: GaEsFitness;
  /** The best fitness after each generation (index 0: the random initial population). */
  readonly bestFitnessByGeneration: readonly number[];
  /** Fitness evaluations actually computed (segmentations already seen are looked up). */
  readonly evaluations: number;
}

/** What recover needs besides the holdings: CloudSec's block map (seed 001 section 3.1, its local database). */
interface GaEsSecret {
  readonly kind: 'ga-es';
  readonly width: number;
  readonly height: number;
  readonly blockSize: number;
  readonly blockRegion: Uint8Array;
  readonly thresholds: readonly number[];
}

export const gaEs: LabScheme<GaEsParams> = {
  id: 'ga-es',
  title: 'GA-ES: entropy segmentation tuned by a genetic algorithm, each region processed in its own cloud',
  paper: {
    seed: '001_66abab25fecdbce0.txt',
    title: 'Marwan, Kartit & Ouahmane, "A Cloud-based Framework to Secure Medical Image Processing"',
    where: 'sections 3.1–3.2 (equations 6–12), section 4 (Algorithm 1, four regions, Gaussian filter)',
  },
  defaults: GA_ES_DEFAULTS,
  clouds: (params) => checkParams(params).regions,
  // Every region is held by one cloud only: all of them are needed.
  threshold: (params) => checkParams(params).regions,
  // No key: the block map says where each block went, but every cloud's blocks are in the clear.
  keySpaceBits: () => undefined,
  // Section 4: "to create the final image, we combine all processed regions" — without processing
  // the combination gives back every pixel.
  lossless: true,

  async protect(image, params, random) {
    checkImage(image, 'image');
    checkParams(params);
    if (typeof random !== 'function') throw new TypeError('random must be a function filling a Uint8Array');
    const segmentation = segmentByEntropy(image, params, random);
    const views = regionViews(image, params, segmentation.blockRegion);
    const holdings: Holding[] = views.map((view, region) => ({ cloud: region, name: `region ${region + 1}`, bytes: view.pixels, picture: view }));
    const secret: GaEsSecret = {
      kind: 'ga-es',
      width: image.width,
      height: image.height,
      blockSize: params.blockSize,
      blockRegion: segmentation.blockRegion,
      thresholds: segmentation.thresholds,
    };
    const across = Math.ceil(image.width / params.blockSize);
    const down = Math.ceil(image.height / params.blockSize);
    const thresholds = segmentation.thresholds.map((t) => t.toFixed(3)).join(', ');
    return {
      holdings,
      ownerKeeps: `block map: ${across}×${down} blocks of ${params.blockSize}×${params.blockSize} → ${params.regions} regions (entropy thresholds ${thresholds} bits)`,
      secret,
    };
  },

  async recover(protection, clouds, params) {
    checkParams(params);
    const secret = checkSecret(protection.secret);
    const { width, height, blockSize, blockRegion } = secret;
    const pixels = new Uint8Array(width * height);
    const blockOf = blockIndexOfPixels(width, height, blockSize);
    const needed = new Set(blockRegion);
    for (const region of needed) {
      if (!clouds.includes(region)) throw new Error(`GA-ES needs every cloud that holds a region: cloud ${region} (region ${region + 1}) is missing`);
    }
    const byRegion = new Map<number, Uint8Array>();
    for (const holding of protection.holdings) {
      if (!clouds.includes(holding.cloud)) continue;
      if (holding.bytes.length !== width * height) throw new RangeError(`region ${holding.cloud + 1} must hold ${width * height} bytes, got ${holding.bytes.length}`);
      byRegion.set(holding.cloud, holding.bytes);
    }
    for (let p = 0; p < pixels.length; p++) {
      const region = blockRegion[blockOf[p]!]!;
      const bytes = byRegion.get(region);
      if (bytes === undefined) throw new Error(`GA-ES: no holding of cloud ${region} among the clouds given`);
      pixels[p] = bytes[p]!;
    }
    return { width, height, pixels };
  },
};

/**
 * The clouds' processing and the owner's combination (seed 001 section 4, figures 10–11): each cloud
 * Gaussian-filters the region it holds, unaware of the blocks around it (outside its region it has
 * zeros); the owner takes each block from the cloud that filtered it. Compare with
 * gaussianFilter(original) to see what filtering by regions costs near their borders.
 */
export function filterInClouds(protection: Protection, params: GaEsParams): LabImage {
  checkParams(params);
  const secret = checkSecret(protection.secret);
  const { width, height, blockSize, blockRegion } = secret;
  const filtered = new Map<number, Uint8Array>();
  for (const holding of protection.holdings) {
    filtered.set(holding.cloud, gaussianFilter({ width, height, pixels: holding.bytes }, params.gaussianSigma, params.gaussianSize).pixels);
  }
  const blockOf = blockIndexOfPixels(width, height, blockSize);
  const pixels = new Uint8Array(width * height);
  for (let p = 0; p < pixels.length; p++) {
    const region = blockRegion[blockOf[p]!]!;
    const bytes = filtered.get(region);
    if (bytes === undefined) throw new Error(`GA-ES: no holding of cloud ${region}`);
    pixels[p] = bytes[p]!;
  }
  return { width, height, pixels };
}

/**
 * Gaussian filter as MATLAB R2014a does it (the paper's tool, section 4): the kernel of
 * fspecial('gaussian', size, σ), h(x, y) ∝ exp(−(x² + y²) / (2σ²)) normalised to Σ h = 1, applied
 * by imfilter's defaults — correlation, zeros outside the picture, the result rounded to uint8.
 */
export function gaussianFilter(image: LabImage, sigma: number, size: number): LabImage {
  checkImage(image, 'image');
  if (!(Number.isFinite(sigma) && sigma > 0)) throw new RangeError(`sigma must be a positive number, got ${sigma}`);
  if (!Number.isSafeInteger(size) || size < 1 || size % 2 === 0) throw new RangeError(`size must be an odd positive integer, got ${size}`);
  const half = (size - 1) / 2;
  const kernel = new Float64Array(size * size);
  let sum = 0;
  for (let y = -half; y <= half; y++) {
    for (let x = -half; x <= half; x++) {
      const h = Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
      kernel[(y + half) * size + x + half] = h;
      sum += h;
    }
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  const { width, height, pixels } = image;
  const out = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      let value = 0;
      for (let dy = -half; dy <= half; dy++) {
        const r = row + dy;
        if (r < 0 || r >= height) continue;
        for (let dx = -half; dx <= half; dx++) {
          const c = column + dx;
          if (c < 0 || c >= width) continue;
          value += kernel[(dy + half) * size + dx + half]! * pixels[r * width + c]!;
        }
      }
      out[row * width + column] = Math.min(255, Math.round(value));
    }
  }
  return { width, height, pixels: out };
}

/**
 * The fitness of a segmentation. Seed 001 section 3.2 names its ingredients — processing time
 * (equation 12), Cor (equations 7–10) and NPCR (equation 11) — but not how they combine nor which
 * images Cor and NPCR compare; GA-ES has no ciphertext. Our reading, the only one that measures
 * what the paper wants ("one cloud provider processes a specific region without being able to
 * reveal any information about the secret image", section 5.1):
 *
 *   view_i     = what cloud i holds: the original's pixels on its blocks, 0 elsewhere;
 *   Cor_i      = Pearson r(original, view_i)  (equation 7 over all pixel pairs at the same place);
 *   NPCR_i     = NPCR(original, view_i)       (equation 11 with C₁ = the original, C₂ = view_i);
 *   time       = Σ_i R_i·T_i                  (equation 12, R_i = blocks of region i);
 *   fitness    = ⅓·(1 − max_i |Cor_i|) + ⅓·(min_i NPCR_i / 100) + ⅓·(1 − time / (B·max_i T_i)),
 *
 * B the number of blocks. The worst cloud, not the average, because the average hides a cloud
 * that holds everything (the mean NPCR over n views is ≈ (n−1)/n·100 % whatever the split). Equal
 * weights: paper silent.
 *
 * WARNING (a property of equation 12, not of this code): with equal T_i, Σ R_i·T_i = B·T for every
 * segmentation, so the time term is a constant and only Cor and NPCR steer the GA — towards
 * regions of equal size.
 */
export function gaEsFitness(image: LabImage, blockRegion: Uint8Array, params: GaEsParams): GaEsFitness {
  checkImage(image, 'image');
  checkParams(params);
  const blocks = Math.ceil(image.width / params.blockSize) * Math.ceil(image.height / params.blockSize);
  if (!(blockRegion instanceof Uint8Array) || blockRegion.length !== blocks) {
    throw new RangeError(`blockRegion must be a Uint8Array of ${blocks} regions, one per block`);
  }
  const views = regionViews(image, params, blockRegion);
  return fitnessOfViews(image, views, blockRegion, params);
}

/**
 * Algorithm 1 of seed 001: the GA over entropy thresholds. Deterministic given `random` (the
 * initial population, selection, crossover points and mutations all draw from it).
 *
 * Generation loop (Goldberg's simple GA, the paper's reference [28], plus one elite): evaluate;
 * keep the best chromosome unchanged; fill the rest of the next generation with children of two
 * parents chosen by roulette wheel on fitness − (lowest fitness), crossed at one point with
 * probability crossoverRate, each bit then flipped with probability mutationRate.
 */
export function segmentByEntropy(image: LabImage, params: GaEsParams, random: LabRandom): GaEsSegmentation {
  checkImage(image, 'image');
  checkParams(params);
  const uniform = uniformSource(random);
  const entropies = blockEntropies(image, params.blockSize);
  const sorted = Float64Array.from(entropies).sort();
  const maxEntropy = Math.log2(Math.min(256, params.blockSize * params.blockSize));
  const genes = params.regions - 1;
  const length = genes * GENE_BITS;

  const decode = (chromosome: Uint8Array): number[] => {
    const thresholds: number[] = [];
    for (let g = 0; g < genes; g++) {
      let value = 0;
      for (let b = 0; b < GENE_BITS; b++) value = (value << 1) | chromosome[g * GENE_BITS + b]!;
      thresholds.push((value / GENE_MAX) * maxEntropy);
    }
    return thresholds.sort((a, b) => a - b);
  };
  const assign = (thresholds: readonly number[]): Uint8Array => {
    const regions = new Uint8Array(entropies.length);
    for (let b = 0; b < entropies.length; b++) {
      let region = 0;
      for (const t of thresholds) if (entropies[b]! > t) region++;
      regions[b] = region;
    }
    return regions;
  };
  // Two chromosomes whose thresholds fall between the same block entropies make the same
  // segmentation: key the cache on how many blocks lie at or under each threshold.
  const cache = new Map<string, GaEsFitness>();
  let evaluations = 0;
  const evaluate = (chromosome: Uint8Array): GaEsFitness => {
    const thresholds = decode(chromosome);
    const key = thresholds.map((t) => countAtMost(sorted, t)).join(',');
    let result = cache.get(key);
    if (result === undefined) {
      const blockRegion = assign(thresholds);
      result = fitnessOfViews(image, regionViews(image, params, blockRegion), blockRegion, params);
      cache.set(key, result);
      evaluations++;
    }
    return result;
  };

  let population: Uint8Array[] = [];
  for (let i = 0; i < params.population; i++) {
    const chromosome = new Uint8Array(length);
    for (let b = 0; b < length; b++) chromosome[b] = uniform() < 0.5 ? 1 : 0;
    population.push(chromosome);
  }
  let scores = population.map((c) => evaluate(c).fitness);
  let bestIndex = indexOfMax(scores);
  let best = population[bestIndex]!;
  const history = [scores[bestIndex]!];
  let stall = 0;

  for (let generation = 1; generation <= params.generations && stall < params.stallGenerations; generation++) {
    const lowest = Math.min(...scores);
    const weights = scores.map((s) => s - lowest + Number.EPSILON);
    const total = weights.reduce((a, b) => a + b, 0);
    const pick = (): Uint8Array => {
      let target = uniform() * total;
      for (let i = 0; i < weights.length; i++) {
        target -= weights[i]!;
        if (target < 0) return population[i]!;
      }
      return population[population.length - 1]!;
    };
    const next: Uint8Array[] = [best.slice()];
    while (next.length < params.population) {
      const a = pick().slice();
      const b = pick().slice();
      if (uniform() < params.crossoverRate && length > 1) {
        const point = 1 + Math.floor(uniform() * (length - 1));
        for (let i = point; i < length; i++) {
          const t = a[i]!;
          a[i] = b[i]!;
          b[i] = t;
        }
      }
      for (const child of [a, b]) {
        for (let i = 0; i < length; i++) if (uniform() < params.mutationRate) child[i] = child[i]! ^ 1;
        if (next.length < params.population) next.push(child);
      }
    }
    population = next;
    scores = population.map((c) => evaluate(c).fitness);
    bestIndex = indexOfMax(scores);
    if (scores[bestIndex]! > history[history.length - 1]!) stall = 0;
    else stall++;
    best = population[bestIndex]!;
    history.push(scores[bestIndex]!);
  }

  const thresholds = decode(best);
  return { thresholds, blockRegion: assign(thresholds), fitness: evaluate(best), bestFitnessByGeneration: history, evaluations };
}

/** Shannon entropy (seed 001 equation 6) of every block, blocks in row order; edge blocks may be smaller. */
export function blockEntropies(image: LabImage, blockSize: number): Float64Array {
  checkImage(image, 'image');
  if (!Number.isSafeInteger(blockSize) || blockSize < 1) throw new RangeError(`blockSize must be a positive integer, got ${blockSize}`);
  const { width, height, pixels } = image;
  const across = Math.ceil(width / blockSize);
  const down = Math.ceil(height / blockSize);
  const out = new Float64Array(across * down);
  for (let by = 0; by < down; by++) {
    for (let bx = 0; bx < across; bx++) {
      const w = Math.min(blockSize, width - bx * blockSize);
      const h = Math.min(blockSize, height - by * blockSize);
      const block = new Uint8Array(w * h);
      for (let r = 0; r < h; r++) {
        const start = (by * blockSize + r) * width + bx * blockSize;
        block.set(pixels.subarray(start, start + w), r * w);
      }
      out[by * across + bx] = entropy(block);
    }
  }
  return out;
}

function fitnessOfViews(image: LabImage, views: readonly LabImage[], blockRegion: Uint8Array, params: GaEsParams): GaEsFitness {
  let worstCorrelation = 0;
  let worstNpcr = 100;
  for (const view of views) {
    worstCorrelation = Math.max(worstCorrelation, Math.abs(pearson(image.pixels, view.pixels)));
    worstNpcr = Math.min(worstNpcr, npcr(image, view));
  }
  let totalTime = 0;
  for (const region of blockRegion) totalTime += params.blockTimes[region]!;
  const normalisedTime = totalTime / (blockRegion.length * Math.max(...params.blockTimes));
  const fitness = ((1 - worstCorrelation) + worstNpcr / 100 + (1 - normalisedTime)) / 3;
  return { fitness, worstCorrelation, worstNpcr, totalTime, normalisedTime };
}

/** What each cloud holds: the original's pixels on the blocks of its region, 0 elsewhere. */
function regionViews(image: LabImage, params: GaEsParams, blockRegion: Uint8Array): LabImage[] {
  const { width, height, pixels } = image;
  const blockOf = blockIndexOfPixels(width, height, params.blockSize);
  const views = Array.from({ length: params.regions }, () => new Uint8Array(width * height));
  for (let p = 0; p < pixels.length; p++) views[blockRegion[blockOf[p]!]!]![p] = pixels[p]!;
  return views.map((view) => ({ width, height, pixels: view }));
}

function blockIndexOfPixels(width: number, height: number, blockSize: number): Uint32Array {
  const across = Math.ceil(width / blockSize);
  const out = new Uint32Array(width * height);
  for (let row = 0; row < height; row++) {
    const base = Math.floor(row / blockSize) * across;
    for (let column = 0; column < width; column++) out[row * width + column] = base + Math.floor(column / blockSize);
  }
  return out;
}

/** How many values of the ascending `sorted` are ≤ t. */
function countAtMost(sorted: Float64Array, t: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! <= t) low = middle + 1;
    else high = middle;
  }
  return low;
}

function indexOfMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Uniform numbers in [0, 1) from the injected byte source: 32 bits each, drawn 1 KiB at a time. */
function uniformSource(random: LabRandom): () => number {
  const buffer = new Uint8Array(1024);
  const view = new DataView(buffer.buffer);
  let offset = buffer.length;
  return () => {
    if (offset === buffer.length) {
      random(buffer);
      offset = 0;
    }
    const value = view.getUint32(offset) / 2 ** 32;
    offset += 4;
    return value;
  };
}

function checkInteger(value: number, name: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
}

function checkRate(value: number, name: string): void {
  if (!(typeof value === 'number' && value >= 0 && value <= 1)) throw new RangeError(`${name} must be a probability from 0 to 1, got ${value}`);
}

function checkParams(params: GaEsParams): GaEsParams {
  if (typeof params !== 'object' || params === null) throw new TypeError('params must be GA-ES parameters');
  // A region is a byte in the block map and a gene per extra region: 2 to 256 regions.
  checkInteger(params.regions, 'params.regions', 2, 256);
  checkInteger(params.blockSize, 'params.blockSize', 1, 65536);
  checkInteger(params.population, 'params.population', 2, 10000);
  checkInteger(params.generations, 'params.generations', 0, 100000);
  checkInteger(params.stallGenerations, 'params.stallGenerations', 1, 100000);
  checkRate(params.crossoverRate, 'params.crossoverRate');
  checkRate(params.mutationRate, 'params.mutationRate');
  if (!Array.isArray(params.blockTimes) || params.blockTimes.length !== params.regions) {
    throw new RangeError(`params.blockTimes must list one time per region (${params.regions}), got ${String(params.blockTimes)}`);
  }
  for (const t of params.blockTimes) {
    if (!(typeof t === 'number' && Number.isFinite(t) && t > 0)) throw new RangeError(`params.blockTimes must be positive numbers, got ${String(t)}`);
  }
  if (!(Number.isFinite(params.gaussianSigma) && params.gaussianSigma > 0)) throw new RangeError(`params.gaussianSigma must be a positive number, got ${params.gaussianSigma}`);
  if (!Number.isSafeInteger(params.gaussianSize) || params.gaussianSize < 1 || params.gaussianSize % 2 === 0) {
    throw new RangeError(`params.gaussianSize must be an odd positive integer, got ${params.gaussianSize}`);
  }
  return params;
}

function checkSecret(secret: unknown): GaEsSecret {
  const candidate = secret as Partial<GaEsSecret> | undefined;
  if (typeof candidate !== 'object' || candidate === null || candidate.kind !== 'ga-es' || !(candidate.blockRegion instanceof Uint8Array)) {
    throw new TypeError('protection.secret must be the block map GA-ES made (protection from another scheme?)');
  }
  return candidate as GaEsSecret;
}
