/**
 * `npm run lab`: every scheme of the Lab (src/lab) on every sample picture (src/lab/samples.ts), in
 * Node, then docs/lab.md (src/lab/report.ts). Deterministic: one seeded xorshift32 per picture
 * feeds every scheme, so only the date and the times change from run to run. A few seconds.
 *
 *   npm run lab              # writes docs/lab.md
 *   LAB_OUT=- npm run lab    # prints it instead
 */
import { writeFile } from 'node:fs/promises';
import { cpus, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { labReport, type LabReportImage } from '../../src/lab/report.js';
import { LAB_SAMPLES } from '../../src/lab/samples.js';
import { measureLabImage } from './measure.js';
import { loadDicomPixels, loadLabSample } from './samples.js';

/** The seed of every picture's random source (issue 8). */
const SEED = 8;
const root = fileURLToPath(new URL('../../', import.meta.url));

const started = performance.now();
const images: LabReportImage[] = [];
const dicom = await loadDicomPixels();
try {
  for (const sample of LAB_SAMPLES) {
    const image = await loadLabSample(sample, dicom.pixels);
    images.push(await measureLabImage(sample, image, SEED, (line) => console.info(line)));
  }
} finally {
  await dicom.close();
}
const processor = cpus();
const machine = `${processor.length} × ${processor[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${platform()} ${release()}`;
const report = labReport({ date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), machine, seed: SEED, totalMs: performance.now() - started, images });
if (process.env['LAB_OUT'] === '-') process.stdout.write(report);
else {
  await writeFile(`${root}docs/lab.md`, report);
  console.info(`docs/lab.md written in ${Math.round(performance.now() - started)} ms`);
}
