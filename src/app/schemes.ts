import { shareSize, type Scheme } from '../core/index.js';

export interface SchemeChoice {
  readonly scheme: Scheme;
  readonly title: string;
  readonly explanation: string;
}

export const SCHEME_CHOICES: readonly SchemeChoice[] = [
  {
    scheme: 'ssms',
    title: 'Strong & compact (recommended)',
    explanation:
      'Your file is locked with strong encryption and the locked file is spread over the clouds, so each cloud keeps only a slice of it.',
  },
  {
    scheme: 'shamir',
    title: 'Perfect secrecy (larger)',
    explanation:
      'Every cloud keeps a full-size share that reveals nothing at all on its own, however much computing power someone has.',
  },
];

export function schemeTitle(scheme: Scheme): string {
  return SCHEME_CHOICES.find((choice) => choice.scheme === scheme)?.title.replace(/ \(.*\)$/, '') ?? scheme;
}

/** Size used to show the ×factor before any file is chosen. */
const EXAMPLE_SIZE = 10_000_000;

export interface StorageCost {
  /** Bytes one cloud keeps, summed over the files. */
  readonly perCloud: number;
  /** Bytes all clouds keep together. */
  readonly total: number;
  /** total ÷ size of the originals. */
  readonly factor: number;
}

/** What protecting `sizes` with these settings costs in storage, from the share format itself. */
export function storageCost(scheme: Scheme, k: number, n: number, sizes: readonly number[]): StorageCost {
  const measured = sizes.length > 0 ? sizes : [EXAMPLE_SIZE];
  const perCloud = measured.reduce((sum, size) => sum + shareSize(scheme, k, n, size), 0);
  const original = measured.reduce((sum, size) => sum + size, 0);
  const total = perCloud * n;
  return { perCloud: sizes.length > 0 ? perCloud : 0, total: sizes.length > 0 ? total : 0, factor: total / Math.max(1, original) };
}
