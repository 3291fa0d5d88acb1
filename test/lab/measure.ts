import { LAB_SCHEMES, type LabImage } from '../../src/lab/index.js';
import { mse, npcr, psnr, ssim, uaci } from '../../src/lab/metrics.js';
import { runPictured, type PicturedRow } from '../../src/lab/pictured-run.js';
import type { ChaosRetrieval, GaEsFiltering, LabReportImage } from '../../src/lab/report.js';
import type { LabSample } from '../../src/lab/samples.js';
import { CHAOS_LSB_DEFAULTS, chaosLsb, extractLsb, stegoImageForDoctor } from '../../src/lab/schemes/chaos-lsb.js';
import { filterInClouds, GA_ES_DEFAULTS, gaussianFilter } from '../../src/lab/schemes/ga-es.js';
import type { Protection } from '../../src/lab/types.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';

/**
 * What `npm run lab` measures on one picture (test/lab/run.ts writes it into docs/lab.md): every
 * Lab scheme through runPictured, fed by one xorshift32 seeded with `seed`; GA-ES's filtering by
 * regions against the whole picture; seed 003's table-6 measure of what the doctor retrieves.
 */
export async function measureLabImage(sample: LabSample, image: LabImage, seed: number, log: (line: string) => void = () => {}): Promise<LabReportImage> {
  const random = deterministicRandom(seed);
  const rows: PicturedRow[] = [];
  let gaEsFiltering: GaEsFiltering | undefined;
  let chaosRetrieval: ChaosRetrieval | undefined;
  for (const scheme of LAB_SCHEMES) {
    const { protection, ...pictured } = await runPictured(image, scheme, random);
    rows.push(pictured);
    log(`${sample.id} ${scheme.id}: ${pictured.row.result.ok ? `${Math.round(pictured.row.result.value.protectMs)} ms` : pictured.row.result.error}`);
    if (protection === undefined) continue;
    if (scheme.id === 'ga-es') gaEsFiltering = measureFiltering(image, protection);
    if (scheme.id === 'chaos-lsb') chaosRetrieval = await measureRetrieval(image, protection);
  }
  return { sample, width: image.width, height: image.height, rows, gaEsFiltering, chaosRetrieval };
}

function measureFiltering(image: LabImage, protection: Protection): GaEsFiltering {
  const byRegions = filterInClouds(protection, GA_ES_DEFAULTS);
  const whole = gaussianFilter(image, GA_ES_DEFAULTS.gaussianSigma, GA_ES_DEFAULTS.gaussianSize);
  let differing = 0;
  for (let p = 0; p < whole.pixels.length; p++) if (whole.pixels[p] !== byRegions.pixels[p]) differing++;
  return { psnr: psnr(whole, byRegions), ssim: ssim(whole, byRegions), differing };
}

/** Seed 003 table 6's measure: the original against what the doctor's application retrieves. */
async function measureRetrieval(image: LabImage, protection: Protection): Promise<ChaosRetrieval> {
  const retrieved = await chaosLsb.recover(protection, [0], CHAOS_LSB_DEFAULTS);
  let largestError = 0;
  for (let p = 0; p < image.pixels.length; p++) largestError = Math.max(largestError, Math.abs(image.pixels[p]! - retrieved.pixels[p]!));
  const hidden = extractLsb(stegoImageForDoctor(protection));
  const encoder = new TextEncoder();
  return {
    mse: mse(image, retrieved),
    psnr: psnr(image, retrieved),
    ssim: ssim(image, retrieved),
    npcr: npcr(image, retrieved),
    uaci: uaci(image, retrieved),
    largestError,
    // The stego-key, a terminator, the text (patient data and key), a terminator (table 3).
    hiddenBytes: encoder.encode(hidden.stegoKey).length + 1 + encoder.encode(hidden.text).length + 1,
  };
}
