import { CLEAR_FRACTION_READABLE, type PicturedRow } from './pictured-run.js';
import type { Correlations, LabRow } from './run.js';
import type { LabSample } from './samples.js';
import { cloudsWords, colludingWords, formatMilliseconds, formatNumber, inTheClearWords, keySpaceWords, losslessWords, schemeWords } from './words.js';

/**
 * docs/lab.md, as `npm run lab` (test/lab/run.ts) writes it: the Lab's table for every sample
 * picture, GA-ES's filtering by regions against filtering the whole picture, and our measurements
 * beside the numbers the seed papers publish (docs/lab-papers.md), each difference explained.
 * Pure: the runner measures, this only writes. test/unit/lab-report.test.ts checks its shape.
 */

/** GA-ES's clouds each Gaussian-filter their region (filterInClouds) vs one filter of the whole picture. */
export interface GaEsFiltering {
  readonly psnr: number;
  readonly ssim: number;
  /** Pixels where the two differ. */
  readonly differing: number;
}

/** Seed 003's own measure (table 6): the original against what the doctor retrieves. */
export interface ChaosRetrieval {
  readonly mse: number;
  readonly psnr: number;
  readonly ssim: number;
  /** Percent of pixels changed, and UACI, between the original and the retrieved picture. */
  readonly npcr: number;
  readonly uaci: number;
  /** Largest |original − retrieved| over the pixels. */
  readonly largestError: number;
  /** Bytes hidden in the LSBs (stego-key, patient data, key, terminators). */
  readonly hiddenBytes: number;
}

export interface LabReportImage {
  readonly sample: LabSample;
  readonly width: number;
  readonly height: number;
  readonly rows: readonly PicturedRow[];
  readonly gaEsFiltering: GaEsFiltering | undefined;
  readonly chaosRetrieval: ChaosRetrieval | undefined;
}

export interface LabReportInput {
  /** ISO date and time of the run. */
  readonly date: string;
  /** CPU model and count, Node version, operating system. */
  readonly machine: string;
  /** Seed of the deterministic random source every scheme drew from. */
  readonly seed: number;
  /** Wall time of the whole run, ms. */
  readonly totalMs: number;
  readonly images: readonly LabReportImage[];
}

/** The headers of the per-image table, in order (the unit test checks every one is there). */
export const REPORT_COLUMNS = [
  'Scheme',
  'Paper',
  'Clouds needed',
  'Exact rebuild',
  'Rebuild PSNR / SSIM',
  'Storage',
  'Key space',
  'One cloud: entropy',
  'One cloud: correlation h / v / d',
  'Picture in the clear on one cloud',
  'NPCR / UACI (cipher)',
  'Fewer clouds than needed',
  'Protect / recover',
] as const;

export function labReport(input: LabReportInput): string {
  const lines: string[] = [];
  const out = (...text: string[]): void => {
    lines.push(...text);
  };
  out(
    '# The Lab: the seed papers\' schemes measured beside Tessera\'s',
    '',
    'Written by `npm run lab` (test/lab/run.ts, src/lab/report.ts): every scheme of the Lab (src/lab, issue 8) with its',
    'paper\'s own parameters, run on each sample picture and measured the same way (src/lab/metrics.ts; formulas and',
    `choices in [lab-schemes.md](lab-schemes.md)). Randomness is a seeded xorshift32 (seed ${input.seed}), so every figure`,
    'below except the times is the same on every run; times vary from run to run and from machine to machine.',
    '',
    `Run on ${input.date}, ${input.machine}; ${formatNumber(input.totalMs / 1000, 1)} s in all. The Lab page in the app`,
    '(first screen, "Lab: compare the papers\' schemes", or `#/lab`) shows the same table and the pictures.',
    '',
    'How to read the columns: *Clouds needed* is how many of the clouds must cooperate to rebuild. *Storage* is every',
    'byte on the clouds over the picture\'s size. *Key space* is log2 of the keys an attacker must try. *One cloud* is',
    'what one provider holds (the cloud the page draws: the most revealing one): its entropy (8 bits per byte looks like',
    'noise) and the correlation of neighbouring pixels across, down and diagonally (near 1 for a picture, near 0 for',
    'noise). *Picture in the clear* is the largest share of the picture\'s non-black pixels one cloud holds unchanged',
    `and in place (noise: about 0.4 %; above ${formatNumber(CLEAR_FRACTION_READABLE * 100, 0)} % counts as readable). *NPCR / UACI* compare the`,
    'encrypted picture with the original, where a scheme makes one (ideal: 99.61 % and 33.46 %). *Fewer clouds than',
    'needed* is what threshold − 1 colluding clouds (the first ones) rebuild, and, where the scheme refuses, how much of the',
    'picture they hold in the clear together when that is more than chance.',
    '',
    '## Samples',
    '',
  );
  for (const image of input.images) out(`- **${image.sample.title}** (${image.width} × ${image.height}): ${image.sample.origin}.`);
  out(
    '',
    'The DICOM frames are decoded at run time by src/dicom/pixels and drawn with the file\'s first window, as the viewer first shows',
    'them (test/lab/samples.ts; the page does the same in its pixels worker). Only pixels are kept, and the patient is fictitious.',
    '',
  );

  for (const image of input.images) {
    out(`## ${image.sample.title}`, '', `| ${REPORT_COLUMNS.join(' | ')} |`, `| ${REPORT_COLUMNS.map(() => '---').join(' | ')} |`);
    for (const pictured of image.rows) out(`| ${tableCells(pictured).map(escapeCell).join(' | ')} |`);
    out('');
    if (image.gaEsFiltering !== undefined) {
      const filtering = image.gaEsFiltering;
      out(
        `GA-ES processing (seed 001 section 4): each cloud Gaussian-filters only its region (3 × 3, σ = 0.5, zeros outside), and the`,
        `owner puts the regions together. Against one filter of the whole picture: PSNR ${formatNumber(filtering.psnr, 2)} dB, SSIM`,
        `${formatNumber(filtering.ssim, 4)}, ${filtering.differing} of ${image.width * image.height} pixels differ${
          filtering.differing === 0
            ? ' (the picture is in one region: no border).'
            : ' (along the regions\' borders, where a cloud\'s filter sees zeros instead of its neighbours\' pixels).'
        }`,
        '',
      );
    }
  }

  out('## Each scheme\'s main weakness', '');
  for (const row of input.images[0]?.rows ?? []) out(`- **${row.row.title}**: ${schemeWords(row.row.id).weakness}`);
  out('');
  out(...paperComparison(input));
  return `${lines.join('\n')}\n`;
}

function tableCells(pictured: PicturedRow): string[] {
  const row = pictured.row;
  const paper = row.paper === undefined ? 'Tessera' : `seed ${row.paper.seed.slice(0, 3)}`;
  const head = [row.title, paper, cloudsWords(row), losslessWords(row)];
  if (!row.result.ok) return [...head, `failed: ${row.result.error}`, '', '', '', '', '', '', '', ''];
  const value = row.result.value;
  const piece = pictured.cloudView === undefined ? undefined : value.clouds[pictured.cloudView.cloud]?.pieces[0];
  const cloud = pictured.cloudView === undefined ? '' : `cloud ${pictured.cloudView.cloud + 1}: `;
  return [
    ...head,
    `${formatNumber(value.psnr, 2)} dB / ${formatNumber(value.ssim, 4)}`,
    `×${formatNumber(value.storageOverhead, 3)}`,
    keySpaceWords(row),
    piece === undefined ? '—' : `${cloud}${formatNumber(piece.entropy, 3)} bits/byte`,
    piece === undefined ? '—' : correlationText(piece.correlation),
    inTheClearWords(pictured.mostInTheClear, CLEAR_FRACTION_READABLE),
    value.cipher === undefined ? 'no encrypted picture' : `${formatNumber(value.cipher.npcr, 2)} % / ${formatNumber(value.cipher.uaci, 2)} %`,
    colludingWords(row, pictured.colludingClear, CLEAR_FRACTION_READABLE),
    `${formatMilliseconds(value.protectMs)} / ${formatMilliseconds(value.recoverMs)}`,
  ];
}

function correlationText(correlation: Correlations): string {
  const value = (v: number | undefined): string => (v === undefined ? '—' : formatNumber(v, 3));
  return `${value(correlation.horizontal)} / ${value(correlation.vertical)} / ${value(correlation.diagonal)}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The rows of one scheme over every image, with the image they were measured on. */
function rowsOf(input: LabReportInput, id: string): { image: LabReportImage; row: LabRow; pictured: PicturedRow }[] {
  return input.images.flatMap((image) => image.rows.filter((pictured) => pictured.row.id === id).map((pictured) => ({ image, row: pictured.row, pictured })));
}

function range(values: readonly number[], digits: number, unit = ''): string {
  if (values.length === 0) return 'not measured';
  const low = Math.min(...values);
  const high = Math.max(...values);
  // "to", not a dash: a range of signed figures ("−0.02–0.98") reads as a subtraction.
  return low === high || formatNumber(low, digits) === formatNumber(high, digits) ? `${formatNumber(low, digits)}${unit}` : `${formatNumber(low, digits)} to ${formatNumber(high, digits)}${unit}`;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function paperComparison(input: LabReportInput): string[] {
  const lines: string[] = ['## Our measurements beside what the papers publish', ''];
  lines.push(
    'The papers\' numbers are in [lab-papers.md](lab-papers.md), copied as printed. The papers\' images are not available,',
    'so every comparison is on different pictures; what each difference comes from is said with it.',
    '',
  );

  // Seed 003: table 6.
  const chaos = input.images.flatMap((image) => (image.chaosRetrieval === undefined ? [] : [{ image, retrieval: image.chaosRetrieval }]));
  const chaosRows = rowsOf(input, 'chaos-lsb');
  lines.push('### Seed 003, Kurnaz & Jasim: table 6 (chaos encryption + LSB)', '');
  lines.push('| picture | MSE | PSNR (dB) | SSIM | NPCR (%) | UACI (%) | pixels spoilt | largest error |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  lines.push('| paper, table 6 (13 images, most 256 × 256) | 0.00009–0.0015 | 75.69–88.51 | 0.99998–0.999999 | 0.009–0.153 | 0.00004–0.0006 | 6–100 | 1 (UACI·255 = NPCR in every row) |');
  for (const { image, retrieval } of chaos) {
    const spoilt = Math.round((retrieval.npcr / 100) * image.width * image.height);
    lines.push(
      `| ours, ${image.sample.title} (${image.width} × ${image.height}) | ${formatNumber(retrieval.mse, 5)} | ${formatNumber(retrieval.psnr, 2)} | ${formatNumber(retrieval.ssim, 6)} | ${formatNumber(retrieval.npcr, 3)} | ${formatNumber(retrieval.uaci, 5)} | ${spoilt} | ${retrieval.largestError} |`,
    );
  }
  const hidden = chaos[0]?.retrieval.hiddenBytes;
  const allPlusMinusOne = chaos.every(({ retrieval }) => retrieval.largestError <= 1);
  lines.push(
    '',
    `- **Same pattern, more pixels spoilt.** ${allPlusMinusOne ? 'As in the paper, every spoilt pixel is off by exactly one grey level (MSE = NPCR/100, UACI = NPCR/255): an LSB overwritten in the cipher, undone by an XOR diffusion.' : 'Unlike the paper, some spoilt pixels are off by more than one grey level.'}`,
    `  We hide ${hidden ?? '?'} bytes (the stego-key, the fictitious seven-column patient record of section II, the key,`,
    '  terminators); their 6–100 spoilt pixels mean only about 12–200 bits were hidden, far less than the data the paper says',
    '  it hides. More hidden bits spoil more pixels, and our pictures are smaller (fewer pixels to spread the error over), so',
    '  our PSNR is lower. The paper\'s claim of "a lossless retrieval" fails in its own table and in ours (the table above marks',
    '  the scheme "no, as the paper\'s own table shows").',
    `- **Plain against cipher**, which the paper does not publish: NPCR ${range(chaosRows.flatMap(({ row }) => (row.result.ok && row.result.value.cipher ? [row.result.value.cipher.npcr] : [])), 2, ' %')}, UACI ${range(chaosRows.flatMap(({ row }) => (row.result.ok && row.result.value.cipher ? [row.result.value.cipher.uaci] : [])), 2, ' %')}. NPCR is near the ideal 99.61 %; UACI is not the ideal`,
    '  33.46 % because it depends on the picture\'s histogram (mostly black pictures give more), not only on the cipher.',
    `- **Key space**: the paper gives none. At its precision (x₀ to one decimal, μ to two) it is ${chaosRows[0] === undefined ? '?' : keySpaceWords(chaosRows[0].row)}; the cloud needs no search anyway, since it stores the key.`,
    '',
  );

  // Seed 000: the share histograms.
  const section7 = rowsOf(input, 'shamir-gf257');
  const section6 = rowsOf(input, 'shamir-gf257-random');
  const shareStats = (rows: typeof section7, pick: (correlation: Correlations) => number | undefined) =>
    rows.flatMap(({ row }) => (row.result.ok ? row.result.value.clouds.flatMap((cloud) => cloud.pieces.map((piece) => pick(piece.correlation) ?? Number.NaN)) : [])).filter((v) => !Number.isNaN(v));
  const entropies = (rows: typeof section7) => rows.flatMap(({ row }) => (row.result.ok ? row.result.value.clouds.flatMap((cloud) => cloud.pieces.map((piece) => piece.entropy)) : []));
  lines.push(
    '### Seed 000, Marwan et al.: share histograms (figures 15–16, Shamir over GF(257))',
    '',
    'The paper publishes no numbers: it shows the histograms of the shares of "Head.bin" and "Mammogram.bin", finds them',
    '"fairly uniform and … significantly different from that of the original image", and concludes that the scheme "is',
    'perfectly secure". The histogram\'s flatness is its entropy (8 bits per byte when flat):',
    '',
    `- **As simulated (section VII, \`shamir-gf257\`)**: share entropy ${range(entropies(section7), 3, ' bits per byte')} over our pictures, and neighbouring`,
    `  pixels of a share correlate ${range(shareStats(section7, (c) => c.horizontal), 2)} across (mean ${formatNumber(mean(shareStats(section7, (c) => c.horizontal)), 2)}). On pictures with much black (our phantoms), a share — a sum of four`,
    '  pixels mod 257 — is far from flat; on busier pictures like the paper\'s it flattens, which is what the figures show. A flat',
    '  histogram is still not secrecy: the shares keep the picture\'s structure (the correlation above; noise gives about 0) and',
    '  two clouds rebuild the picture. The conclusion does not follow from the figures.',
    `- **Algorithm 1 (section VI, \`shamir-gf257-random\`)**: entropy ${range(entropies(section6), 3, ' bits per byte')}, correlation ${range(shareStats(section6, (c) => c.horizontal), 3)}: flat and`,
    '  structureless, as the figures claim — but each share is as large as the picture, 8 shares in all, and the paper never',
    '  measured this construction (its figures come from section VII).',
    '',
  );

  // Seed 001: GA-ES.
  const gaEs = input.images.flatMap((image) => (image.gaEsFiltering === undefined ? [] : [{ image, filtering: image.gaEsFiltering }]));
  const gaRows = rowsOf(input, 'ga-es');
  lines.push(
    '### Seed 001, Marwan, Kartit & Ouahmane: GA-ES',
    '',
    'The paper publishes pictures only (figures 10–11: two RGB images in four regions, each filtered), no Cor, NPCR, PSNR or time,',
    'although its equations 7–11 define Cor and NPCR. Ours, on each sample:',
    '',
    ...gaRows.map(({ image, pictured }) => `- ${image.sample.title}: ${inTheClearWords(pictured.mostInTheClear, CLEAR_FRACTION_READABLE)}; ${colludingWords(pictured.row, pictured.colludingClear, CLEAR_FRACTION_READABLE)}.`),
    ...gaEs.map(({ image, filtering }) => `- ${image.sample.title}: filtering by regions against the whole picture, PSNR ${formatNumber(filtering.psnr, 2)} dB (${filtering.differing} pixels differ).`),
    '',
    'So the figures\' message (the regions put back together look like the filtered picture) holds: the difference stays on',
    'the regions\' borders. What the figures do not show is that each cloud sees its region in the clear. On a picture whose',
    'blocks all have the same entropy (the gradient), every block falls in one region, one cloud holds the whole picture, and',
    'threshold − 1 clouds rebuild it exactly.',
    '',
    '### Seeds 002 and 004: nothing to compare',
    '',
    '- **002, Anuja & Jeyamala (survey)**: qualitative tables only. Our chunked-AES cloud PACS costs',
    `  ${range(rowsOf(input, 'chunked-aes-index').flatMap(({ row }) => (row.result.ok ? [row.result.value.storageOverhead] : [])), 3)}× storage (an IV and padding per 1 KiB chunk); its cipher NPCR is`,
    `  ${range(rowsOf(input, 'chunked-aes-index').flatMap(({ row }) => (row.result.ok && row.result.value.cipher ? [row.result.value.cipher.npcr] : [])), 2, ' %')}.`,
    '- **004, the EHR paper (AES + sequence key)**: screenshots only (figures 5.1–5.3). Ours costs',
    `  ${range(rowsOf(input, 'aes-sequence-split').flatMap(({ row }) => (row.result.ok ? [row.result.value.storageOverhead] : [])), 3)}× storage and every one of the 8 clouds is needed, as the paper says ("only if the n files are merged").`,
    '',
    '### Tessera',
    '',
    `Tessera's two schemes publish their own figures in [share-pictures.md](share-pictures.md): shamir shares at about 7.99 bits per byte`,
    `and ssms storage n/k plus headers. Here: shamir ${range(rowsOf(input, 'tessera-shamir').flatMap(({ row }) => (row.result.ok ? [row.result.value.storageOverhead] : [])), 3)}×, ssms`,
    `${range(rowsOf(input, 'tessera-ssms').flatMap(({ row }) => (row.result.ok ? [row.result.value.storageOverhead] : [])), 3)}× (5/3 = 1.667 plus a 108-byte header and a 16-byte tag per share, which weigh more on small pictures),`,
    'and 2 of the 5 clouds cannot rebuild in either.',
    '',
  );
  return lines;
}
