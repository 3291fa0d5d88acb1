import { adjacentCorrelation, entropy, mse, npcr, psnr, ssim, storageOverhead, uaci, type AdjacentDirection } from './metrics.js';
import { bytesAsPicture } from './pictures.js';
import type { Holding, LabImage, LabPaper, LabRandom, LabScheme, Protection } from './types.js';

/**
 * The Lab's runner: every scheme on one picture, with its paper's default parameters, measured the
 * same way (src/lab/metrics.ts). One row per scheme; a scheme that throws gets a row with `error`.
 */

export type Correlations = Readonly<Record<AdjacentDirection, number | undefined>>;

/** What was measured on one piece a cloud keeps. */
export interface PieceMeasure {
  readonly name: string;
  readonly bytes: number;
  /** Shannon entropy of every byte of the piece, bits per byte. */
  readonly entropy: number;
  /**
   * Adjacent-pixel correlations of the piece's picture where the scheme draws one, else of its bytes
   * laid out in rows of the original's width (./pictures.ts); undefined where the picture has no
   * such pairs (a single row or column).
   */
  readonly correlation: Correlations;
  readonly measuredOn: 'picture' | 'bytes';
}

export interface CloudMeasure {
  readonly cloud: number;
  readonly pieces: readonly PieceMeasure[];
}

/** What threshold − 1 colluding clouds (clouds 0 … threshold − 2) get. */
export type ColludingView =
  | { readonly clouds: readonly number[]; readonly outcome: 'cannot rebuild'; readonly reason: string }
  | { readonly clouds: readonly number[]; readonly outcome: 'picture'; readonly psnr: number; readonly ssim: number };

/** NPCR, UACI and the statistics of the scheme's encrypted picture against the plain one. */
export interface CipherMeasure {
  readonly npcr: number;
  readonly uaci: number;
  readonly entropy: number;
  readonly correlation: Correlations;
}

export interface LabMeasurements {
  readonly protectMs: number;
  readonly recoverMs: number;
  /** The rebuild from all clouds equals the original byte for byte. */
  readonly lossless: boolean;
  readonly mse: number;
  readonly psnr: number;
  readonly ssim: number;
  /** Σ bytes on the clouds / picture bytes. */
  readonly storageOverhead: number;
  readonly ownerKeeps: string | undefined;
  readonly clouds: readonly CloudMeasure[];
  readonly cipher: CipherMeasure | undefined;
  readonly colluding: ColludingView;
}

export interface LabRow {
  readonly id: string;
  readonly title: string;
  readonly paper: LabPaper | undefined;
  readonly params: unknown;
  readonly cloudCount: number;
  readonly threshold: number;
  readonly keySpaceBits: number | undefined;
  /** What the paper claims (and the scheme says it achieves). */
  readonly claimsLossless: boolean;
  readonly result: { readonly ok: true; readonly value: LabMeasurements } | { readonly ok: false; readonly error: string };
}

const DIRECTIONS: readonly AdjacentDirection[] = ['horizontal', 'vertical', 'diagonal'];

/** Runs each scheme with its defaults on `image`; `random` feeds every scheme's randomness. */
export async function runLab(image: LabImage, schemes: readonly LabScheme[], random: LabRandom): Promise<LabRow[]> {
  const rows: LabRow[] = [];
  for (const scheme of schemes) rows.push((await runScheme(image, scheme, random)).row);
  return rows;
}

/** One scheme's row, with what was measured on and is not in the row: for drawing (./pictured-run.ts). */
export interface SchemeRun {
  readonly row: LabRow;
  /** What protect made; undefined when it failed. */
  readonly protection: Protection | undefined;
  /** What threshold − 1 clouds rebuilt, when the scheme gave them a picture of the original's size. */
  readonly colludingPicture: LabImage | undefined;
}

/** Runs one scheme with its paper's defaults on `image`, as runLab does for each. */
export async function runScheme(image: LabImage, scheme: LabScheme, random: LabRandom): Promise<SchemeRun> {
  const params = scheme.defaults;
  const cloudCount = scheme.clouds(params);
  const threshold = scheme.threshold(params);
  let result: LabRow['result'];
  let protection: Protection | undefined;
  let colludingPicture: LabImage | undefined;
  try {
    const measured = await measure(image, scheme, random, cloudCount, threshold);
    ({ protection, colludingPicture } = measured);
    result = { ok: true, value: measured.value };
  } catch (error) {
    result = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const row: LabRow = {
    id: scheme.id,
    title: scheme.title,
    paper: scheme.paper,
    params,
    cloudCount,
    threshold,
    keySpaceBits: scheme.keySpaceBits(params),
    claimsLossless: scheme.lossless,
    result,
  };
  return { row, protection, colludingPicture };
}

async function measure(
  image: LabImage,
  scheme: LabScheme,
  random: LabRandom,
  cloudCount: number,
  threshold: number,
): Promise<{ readonly value: LabMeasurements; readonly protection: Protection; readonly colludingPicture: LabImage | undefined }> {
  const params = scheme.defaults;
  const started = performance.now();
  const protection = await scheme.protect(image, params, random);
  const protectMs = performance.now() - started;
  const all = Array.from({ length: cloudCount }, (_, i) => i);
  const recoverStarted = performance.now();
  const rebuilt = await scheme.recover(protection, all, params);
  const recoverMs = performance.now() - recoverStarted;
  const sameSize = rebuilt.width === image.width && rebuilt.height === image.height;
  const colluding = await collude(image, scheme, protection, Math.max(0, threshold - 1));
  const value: LabMeasurements = {
    protectMs,
    recoverMs,
    lossless: sameSize && equalBytes(rebuilt.pixels, image.pixels),
    mse: mse(image, rebuilt),
    psnr: psnr(image, rebuilt),
    ssim: ssim(image, rebuilt),
    storageOverhead: storageOverhead(image.pixels.length, protection.holdings),
    ownerKeeps: protection.ownerKeeps,
    clouds: all.map((cloud) => ({
      cloud,
      pieces: protection.holdings.filter((holding) => holding.cloud === cloud).map((holding) => measurePiece(holding, image.width)),
    })),
    cipher: protection.cipherImage === undefined ? undefined : measureCipher(image, protection.cipherImage),
    colluding: colluding.view,
  };
  return { value, protection, colludingPicture: colluding.picture };
}

/** Recovers from clouds 0 … count − 1 only: an error ("cannot rebuild") or a picture, measured. */
async function collude(image: LabImage, scheme: LabScheme, protection: Protection, count: number): Promise<{ readonly view: ColludingView; readonly picture?: LabImage }> {
  const clouds = Array.from({ length: count }, (_, i) => i);
  let picture: LabImage;
  try {
    picture = await scheme.recover(protection, clouds, scheme.defaults);
  } catch (error) {
    return { view: { clouds, outcome: 'cannot rebuild', reason: error instanceof Error ? error.message : String(error) } };
  }
  if (picture.width !== image.width || picture.height !== image.height) {
    return { view: { clouds, outcome: 'cannot rebuild', reason: `a ${picture.width}×${picture.height} picture, not the original's size` } };
  }
  return { view: { clouds, outcome: 'picture', psnr: psnr(image, picture), ssim: ssim(image, picture) }, picture };
}

function measurePiece(holding: Holding, width: number): PieceMeasure {
  const picture = holding.picture ?? bytesAsPicture(holding.bytes, width);
  return {
    name: holding.name,
    bytes: holding.bytes.length,
    entropy: entropy(holding.bytes),
    correlation: correlations(picture),
    measuredOn: holding.picture === undefined ? 'bytes' : 'picture',
  };
}

function measureCipher(image: LabImage, cipher: LabImage): CipherMeasure {
  return { npcr: npcr(image, cipher), uaci: uaci(image, cipher), entropy: entropy(cipher.pixels), correlation: correlations(cipher) };
}

function correlations(picture: LabImage | undefined): Correlations {
  const measureOne = (direction: AdjacentDirection): number | undefined => {
    if (picture === undefined) return undefined;
    const columns = picture.width - (direction === 'vertical' ? 0 : 1);
    const rows = picture.height - (direction === 'horizontal' ? 0 : 1);
    return columns >= 1 && rows >= 1 ? adjacentCorrelation(picture, direction) : undefined;
  };
  return Object.fromEntries(DIRECTIONS.map((direction) => [direction, measureOne(direction)])) as Record<AdjacentDirection, number | undefined>;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
