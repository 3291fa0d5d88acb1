/**
 * The Lab report (`npm run lab` → docs/lab.md, src/lab/report.ts) from a real run on a small
 * synthetic picture: a table with a row per scheme, the GA-ES filtering line, the weaknesses, and the
 * comparison with the papers; the same figures on every run with the same seed. Also the measures
 * the report adds to runLab's (clearFraction) and its words, against values computed by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LAB_SCHEMES, type LabImage } from '../../src/lab/index.js';
import { clearFraction, clearFractionOfAny, runPictured } from '../../src/lab/pictured-run.js';
import { labReport, REPORT_COLUMNS, type LabReportImage } from '../../src/lab/report.js';
import type { LabSample } from '../../src/lab/samples.js';
import { formatNumber, inTheClearWords, schemeWords, SCHEME_WORDS } from '../../src/lab/words.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { measureLabImage } from '../lab/measure.js';

/** 48 × 48 (chaos-lsb hides 177 bytes: 1416 pixels at least): a bright disc on black, two grey bands. */
function phantom(): LabImage {
  const side = 48;
  const pixels = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const inside = (x - 24) ** 2 + (y - 24) ** 2 < 18 ** 2;
      pixels[y * side + x] = inside ? 60 + ((x * 3 + y) % 120) : y < 6 ? 200 : 0;
    }
  }
  return { width: side, height: side, pixels };
}

const SAMPLE: LabSample = { id: 'test-phantom', title: 'Test phantom', origin: 'synthetic, in the test' };
const INPUT = (images: LabReportImage[]) => ({ date: '2026-01-01T00:00:00Z', machine: 'test machine', seed: 8, totalMs: 1234, images });

let measured: LabReportImage;
let report: string;

beforeAll(async () => {
  measured = await measureLabImage(SAMPLE, phantom(), 8);
  report = labReport(INPUT([measured]));
}, 60_000);

describe('labReport', () => {
  it('has the table header and one row per scheme, in LAB_SCHEMES order', () => {
    expect(report).toContain(`| ${REPORT_COLUMNS.join(' | ')} |`);
    const section = report.slice(report.indexOf('## Test phantom'), report.indexOf('## Each scheme'));
    const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Scheme') && !line.startsWith('| ---'));
    expect(rows).toHaveLength(LAB_SCHEMES.length);
    LAB_SCHEMES.forEach((scheme, i) => {
      expect(rows[i]!.startsWith(`| ${scheme.title} |`)).toBe(true);
      expect(rows[i]!.split(' | ')).toHaveLength(REPORT_COLUMNS.length);
    });
  });

  it('says what the rows measured: exact where claimed, not for chaos-lsb, and Tessera refusing 2 of 5 clouds', () => {
    for (const pictured of measured.rows) {
      expect(pictured.row.result.ok, pictured.row.id).toBe(true);
      if (!pictured.row.result.ok) continue;
      expect(pictured.row.result.value.lossless, pictured.row.id).toBe(pictured.row.claimsLossless);
      const line = report.split('\n').find((l) => l.startsWith(`| ${pictured.row.title} |`))!;
      expect(line).toContain(pictured.row.claimsLossless ? '| yes |' : '| no, as the paper\'s own table shows |');
    }
    for (const id of ['tessera-shamir', 'tessera-ssms']) {
      const line = report.split('\n').find((l) => l.startsWith(`| ${LAB_SCHEMES.find((s) => s.id === id)!.title} |`))!;
      expect(line).toContain('| 2 clouds: cannot rebuild |');
    }
    const gaEs = measured.rows.find((pictured) => pictured.row.id === 'ga-es')!;
    expect(gaEs.mostInTheClear!.fraction).toBeGreaterThan(0.05);
    expect(report).toContain(inTheClearWords(gaEs.mostInTheClear, 0.05));
    // GA-ES refuses to rebuild from 3 of its 4 clouds, yet those 3 read their regions: the report says how much.
    expect(gaEs.row.result.ok && gaEs.row.result.value.colluding.outcome).toBe('cannot rebuild');
    expect(gaEs.colludingClear!).toBeGreaterThan(0.05);
    expect(report).toContain(`3 clouds: cannot rebuild, but together they hold ${formatNumber(gaEs.colludingClear! * 100, 1)} % of the picture unchanged`);
  });

  it('has the GA-ES filtering, every weakness and the comparison with the papers, with our figures in it', () => {
    const filtering = measured.gaEsFiltering!;
    expect(report).toContain(`Against one filter of the whole picture: PSNR ${formatNumber(filtering.psnr, 2)} dB`);
    for (const scheme of LAB_SCHEMES) expect(report).toContain(`- **${scheme.title}**: ${schemeWords(scheme.id).weakness}`);
    expect(report).toContain('## Our measurements beside what the papers publish');
    for (const heading of ['### Seed 003, Kurnaz & Jasim: table 6', '### Seed 000, Marwan et al.: share histograms', '### Seed 001, Marwan, Kartit & Ouahmane: GA-ES', '### Seeds 002 and 004']) {
      expect(report).toContain(heading);
    }
    // Table 6's published range beside our own row for the picture.
    expect(report).toContain('| paper, table 6 (13 images, most 256 × 256) |');
    const retrieval = measured.chaosRetrieval!;
    expect(report).toContain(`| ours, Test phantom (48 × 48) | ${formatNumber(retrieval.mse, 5)} | ${formatNumber(retrieval.psnr, 2)} |`);
    // The paper's pattern, measured: every spoilt pixel off by one grey level.
    expect(retrieval.largestError).toBe(1);
    expect(retrieval.mse).toBeCloseTo(retrieval.npcr / 100, 12);
    expect(report).toContain('Run on 2026-01-01T00:00:00Z, test machine');
  });

  it('gives the same figures for the same seed (only the times differ)', async () => {
    const again = labReport(INPUT([await measureLabImage(SAMPLE, phantom(), 8)]));
    const withoutTimes = (text: string) => text.replace(/[\d.]+ ms/g, 'T');
    expect(withoutTimes(again)).toBe(withoutTimes(report));
  });
});

describe('the words and measures the report adds', () => {
  it('clearFraction counts the non-black pixels a view holds unchanged', () => {
    const original = { width: 3, height: 2, pixels: Uint8Array.of(0, 10, 20, 30, 0, 50) };
    // Non-black: 10, 20, 30, 50 (4 pixels); the view keeps 10 and 50 in place, 20 changed, 30 gone.
    const view = { width: 3, height: 2, pixels: Uint8Array.of(0, 10, 21, 0, 7, 50) };
    expect(clearFraction(original, view)).toBe(2 / 4);
    expect(clearFraction(original, original)).toBe(1);
    expect(clearFraction({ width: 1, height: 1, pixels: Uint8Array.of(0) }, { width: 1, height: 1, pixels: Uint8Array.of(9) })).toBe(0);
    expect(() => clearFraction(original, { width: 2, height: 3, pixels: original.pixels })).toThrow(RangeError);
    // Two views: 10 and 50 from the first, 30 from the second; 20 from neither.
    const second = { width: 3, height: 2, pixels: Uint8Array.of(1, 1, 1, 30, 1, 1) };
    expect(clearFractionOfAny(original, [view, second])).toBe(3 / 4);
  });

  it('a cloud holding noise shows about 1/256 of the picture: not readable', async () => {
    const image = phantom();
    const pictured = await runPictured(image, LAB_SCHEMES.find((s) => s.id === 'tessera-shamir')!, deterministicRandom(3));
    expect(pictured.mostInTheClear!.fraction).toBeLessThan(0.05);
    expect(inTheClearWords(pictured.mostInTheClear, 0.05)).toMatch(/^no \(/);
  });

  it('formats figures with a minus sign and ∞', () => {
    expect(formatNumber(Infinity, 2)).toBe('∞');
    expect(formatNumber(-0.0001, 3)).toBe('0.000');
    expect(formatNumber(-0.25, 2)).toBe('−0.25');
  });

  it('describes every scheme of the Lab', () => {
    for (const scheme of LAB_SCHEMES) expect(Object.keys(SCHEME_WORDS)).toContain(scheme.id);
  });
});
