import type { ColludingView, LabRow } from './run.js';

/**
 * The Lab's results in words a non-specialist understands: what each scheme does, its main
 * weakness in one sentence, and the table's cells as text. The page (src/app/lab) and the report
 * `npm run lab` writes (./report.ts) both use these, so they say the same thing. Pure.
 */

export interface SchemeWords {
  /** What the scheme does, in one plain sentence. */
  readonly does: string;
  /** Its main weakness, in one sentence (the unit tests of src/lab demonstrate each). */
  readonly weakness: string;
}

/** Keyed by LabScheme.id (src/lab/index.ts). */
export const SCHEME_WORDS: Readonly<Record<string, SchemeWords>> = {
  'tessera-shamir': {
    does: 'Every byte of the picture becomes 5 random-looking shares, one per cloud; any 3 rebuild it, and the rebuild is checked.',
    weakness: 'Storage: every cloud keeps a share as large as the picture, 5 times its size in all.',
  },
  'tessera-ssms': {
    does: 'The picture is locked with AES-256, the locked bytes are spread over 5 clouds so that any 3 rebuild them, and the key is split the same way.',
    weakness: 'Its secrecy rests on AES-256 holding, not on mathematics alone as with shamir (3 colluding clouds still rebuild, as with any 3-of-5 scheme).',
  },
  'shamir-gf257': {
    does: 'As the paper simulated it: each share is a fixed mix of four blocks of the picture, with no randomness, two shares on each of four clouds.',
    weakness: 'A share looks like the picture (neighbouring pixels stay strongly related) and the same picture always gives the same shares, so one cloud learns a great deal and two clouds rebuild it.',
  },
  'shamir-gf257-random': {
    does: 'Textbook Shamir on each pixel modulo 257, as the paper\'s Algorithm 1 describes, two shares on each of four clouds.',
    weakness: 'Eight shares as large as the picture (about 8 times the storage), a side list for the value 256 that does not fit a byte, and any two of the four clouds hold enough shares to rebuild.',
  },
  'ga-es': {
    does: 'The picture is cut into blocks sorted by how busy they are (entropy, with thresholds a genetic algorithm tunes); each group of blocks goes, as it is, to its own cloud for processing.',
    weakness: 'Segmentation is not encryption: each cloud holds its region of the picture in the clear, readable in any image viewer.',
  },
  'chunked-aes-index': {
    does: 'The picture is cut into 1 KiB chunks, each encrypted with AES-256 and stored under a random name on one of two clouds; the owner keeps the key and the order in a master index.',
    weakness: 'Everything hangs on one master index holding the only key: lose it and the picture is gone, leak it and both clouds can read everything; a changed chunk is not detected.',
  },
  'chaos-lsb': {
    does: 'The pixels are scrambled with a chaotic (logistic) map; the cloud keeps the scrambled image and, in its database, the patient data and the key, and hides them in the image for the doctor.',
    weakness: 'The one cloud keeps the key beside the image (and writes it into the image it sends), and the key has fewer than 9 bits, so the cloud or anyone who sees the image can unscramble it; the rebuild is also not exact.',
  },
  'aes-sequence-split': {
    does: 'The picture is encrypted with AES-128 and the result cut into 8 pieces, one per cloud, whose first and last characters say how they join.',
    weakness: 'All 8 clouds are needed (one lost piece loses the picture), the pieces state their own order so the sequence key adds almost nothing, and nothing detects a changed piece.',
  },
};

export function schemeWords(id: string): SchemeWords {
  return SCHEME_WORDS[id] ?? { does: 'A scheme the Lab does not describe yet.', weakness: 'Not described yet.' };
}

/** A figure with `digits` decimals; "∞" for Infinity (a PSNR of identical pictures). */
export function formatNumber(value: number, digits: number): string {
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '−∞';
  if (Number.isNaN(value)) return '—';
  // A minus sign, not a hyphen; and no "-0.000".
  const text = value.toFixed(digits);
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text.replace(/^-/, '−');
}

/** Milliseconds, rounded: "12 ms", or "0.4 ms" under 1 ms. */
export function formatMilliseconds(ms: number): string {
  return ms < 1 ? `${formatNumber(ms, 1)} ms` : `${Math.round(ms)} ms`;
}

/** "3 of 5", or "all 8" when every cloud is needed. */
export function cloudsWords(row: LabRow): string {
  return row.threshold === row.cloudCount ? `all ${row.cloudCount} of ${row.cloudCount}` : `${row.threshold} of ${row.cloudCount}`;
}

/** "yes", or "no" (the paper claims it) where the measurement and the claim disagree. */
export function losslessWords(row: LabRow): string {
  if (!row.result.ok) return 'not measured';
  const measured = row.result.value.lossless;
  if (measured === row.claimsLossless) return measured ? 'yes' : 'no, as the paper\'s own table shows';
  return measured ? 'yes (the paper does not claim it)' : 'no, although the paper claims it';
}

/** Key space in bits, or the reason there is none. */
export function keySpaceWords(row: LabRow): string {
  if (row.keySpaceBits !== undefined) return `${formatNumber(row.keySpaceBits, row.keySpaceBits % 1 === 0 ? 0 : 1)} bits`;
  return row.id.startsWith('ga-es') ? 'none (no key)' : 'no key (secrecy from the shares)';
}

/**
 * What threshold − 1 colluding clouds get, in words: "cannot rebuild" when the scheme refuses, or
 * the rebuilt picture's PSNR and SSIM. `together` (PicturedRow.colludingClear) above `readable`
 * adds how much of the picture those clouds hold in the clear all the same.
 */
export function colludingWords(row: LabRow, together?: number, readable = 1): string {
  if (!row.result.ok) return 'not measured';
  const view: ColludingView = row.result.value.colluding;
  const who = view.clouds.length === 0 ? 'no cloud' : view.clouds.length === 1 ? '1 cloud' : `${view.clouds.length} clouds`;
  if (view.clouds.length === 0) return 'nothing to collude: one cloud holds everything';
  if (view.outcome === 'cannot rebuild') {
    // A scheme may refuse to rebuild while the clouds can still read what they hold (GA-ES).
    const readableTogether = together !== undefined && together > readable ? `, but together they hold ${formatNumber(together * 100, 1)} % of the picture unchanged` : '';
    return `${who}: cannot rebuild${readableTogether}`;
  }
  return `${who}: rebuild a picture, PSNR ${formatNumber(view.psnr, 2)} dB, SSIM ${formatNumber(view.ssim, 4)}`;
}

/** How much of the picture the most revealing cloud holds unchanged, in words. */
export function inTheClearWords(most: { readonly cloud: number; readonly fraction: number } | undefined, readable: number): string {
  if (most === undefined) return 'not comparable (no cloud holds a picture of the same size)';
  const percent = `${formatNumber(most.fraction * 100, 1)} %`;
  return most.fraction > readable ? `readable: cloud ${most.cloud + 1} holds ${percent} of the picture unchanged` : `no (${percent}, chance level)`;
}
