/**
 * The Lab (DESIGN.md "The seed systems"): every seed paper's scheme beside Tessera's own, on one
 * interface (./types.ts), measured by one runner (./run.ts) with one set of metrics (./metrics.ts).
 */
import type { LabScheme } from './types.js';
import { aesSequenceSplit } from './schemes/aes-sequence-split.js';
import { chaosLsb } from './schemes/chaos-lsb.js';
import { chunkedAesIndex } from './schemes/chunked-aes-index.js';
import { gaEs } from './schemes/ga-es.js';
import { shamirGf257, shamirGf257Algorithm1 } from './schemes/shamir-gf257.js';
import { tesseraShamir, tesseraSsms } from './schemes/tessera.js';

export { runLab, type LabRow, type LabMeasurements, type CloudMeasure, type PieceMeasure, type ColludingView, type CipherMeasure } from './run.js';
export type { LabImage, LabRandom, LabScheme, Holding, Protection, LabPaper } from './types.js';

/** Tessera's two schemes first, then the seed papers' in the order of the seed index (000 … 004). */
export const LAB_SCHEMES: readonly LabScheme[] = [
  tesseraShamir,
  tesseraSsms,
  shamirGf257,
  shamirGf257Algorithm1,
  gaEs,
  chunkedAesIndex,
  chaosLsb,
  aesSequenceSplit,
];
