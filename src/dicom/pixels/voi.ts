/**
 * The grayscale pipeline after the stored values (PS3.3 C.11, fig. C.11-1): Modality LUT (rescale
 * or a table), VOI LUT (a window with its function, or a table), Presentation LUT (MONOCHROME1 is
 * shown inverted, C.7.6.3.1.2), to 8-bit display values.
 */
import type { LookupTable, VoiFunction } from './instance.js';

export interface VoiWindow {
  readonly centre: number;
  readonly width: number;
  readonly function: VoiFunction;
}

/** Which VOI transform drew a frame, for the words the viewer shows. */
export type AppliedVoi =
  | (VoiWindow & { readonly kind: 'window'; readonly source: 'file' | 'preset' | 'user' | 'full-range' })
  | { readonly kind: 'table'; readonly index: number };

/** What the caller asks for: a window, the n-th VOI LUT table of the file, or the default. */
export type VoiChoice = { readonly kind: 'window'; readonly window: VoiWindow; readonly source: 'file' | 'preset' | 'user' | 'full-range' } | { readonly kind: 'table'; readonly index: number };

export interface WindowPreset {
  readonly id: 'lung' | 'bone' | 'brain' | 'abdomen';
  readonly label: string;
  readonly centre: number;
  readonly width: number;
}

/**
 * CT presets in Hounsfield units (so only meaningful after the Modality LUT of a CT). Widths and
 * levels as commonly taught (e.g. Radiopaedia's "CT windows"): lung W1500/L−600, brain W80/L40,
 * abdomen (soft tissue) W400/L40. Bone windows vary between W1500–2500 and L300–500 by site; W2000/
 * L300 keeps both cortical detail and medulla visible. A preview, not a reading station.
 */
export const CT_PRESETS: readonly WindowPreset[] = [
  { id: 'lung', label: 'Lung', centre: -600, width: 1500 },
  { id: 'bone', label: 'Bone', centre: 300, width: 2000 },
  { id: 'brain', label: 'Brain', centre: 40, width: 80 },
  { id: 'abdomen', label: 'Abdomen', centre: 40, width: 400 },
];

/**
 * One VOI window function value in 0…1 for input x (C.11.2.1.2 and C.11.2.1.3):
 * - LINEAR (C.11.2.1.2.1): ≤ c − 0.5 − (w − 1)/2 → 0; > c − 0.5 + (w − 1)/2 → 1; else
 *   ((x − (c − 0.5)) / (w − 1) + 0.5). Width must be ≥ 1; width 1 is a threshold at c − 0.5.
 * - LINEAR_EXACT (C.11.2.1.3.2): ≤ c − w/2 → 0; > c + w/2 → 1; else (x − c)/w + 0.5. Width > 0.
 * - SIGMOID (C.11.2.1.3.1): 1 / (1 + exp(−4 (x − c) / w)). Width > 0.
 */
export function windowLevel(x: number, window: VoiWindow): number {
  const { centre: c, function: shape } = window;
  if (shape === 'SIGMOID') return 1 / (1 + Math.exp((-4 * (x - c)) / window.width));
  if (shape === 'LINEAR_EXACT') {
    if (x <= c - window.width / 2) return 0;
    if (x > c + window.width / 2) return 1;
    return (x - c) / window.width + 0.5;
  }
  const w = Math.max(1, window.width);
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 1;
  // Width 1 is a pure threshold: every x in between is excluded by the two tests above.
  return (x - (c - 0.5)) / (w - 1) + 0.5;
}

/**
 * The window that spreads [min, max] over the full output range with LINEAR: w − 1 = max − min and
 * c − 0.5 = (min + max) / 2, so min → black and max → white (used when the file gives no VOI).
 */
export function fullRangeWindow(min: number, max: number): VoiWindow {
  const width = Math.max(1, max - min + 1);
  return { centre: (min + max) / 2 + 0.5, width, function: 'LINEAR' };
}

/** A LUT lookup (C.11.1.1.1 / C.11.2.1.1): inputs below the first mapped value take the first entry, beyond the last the last. */
export function lookUp(table: LookupTable, x: number): number {
  const index = Math.round(x) - table.firstMapped;
  const last = table.data.length - 1;
  return table.data[index < 0 ? 0 : index > last ? last : index]!;
}
