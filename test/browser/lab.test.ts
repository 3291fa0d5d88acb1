/**
 * The Lab page (issue 8) in the built app: reached from the first screen, it runs every scheme in
 * its worker on a sample picture and shows a row per scheme — exact rebuild where the scheme claims
 * it, Tessera refusing k − 1 clouds, GA-ES's region readable by the cloud that holds it — and the
 * pictures. Then a frame from the DICOM viewer, sent with "Open in the Lab", and the way back.
 */
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as dicomPixels from '../../src/dicom/pixels/index.js';
import { LAB_SCHEMES } from '../../src/lab/index.js';
import { LAB_SAMPLES } from '../../src/lab/samples.js';
import { loadLabSample } from '../lab/samples.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { root } from './serve-app.js';

const CD = join(root, 'public/samples/demo-cd');
const LONG_WAIT = 120_000;

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** The pixels of a canvas (or of the canvas inside a Lab picture) as grey values: the Lab draws R = G = B. */
function greyOf(picture: Locator): Promise<number[]> {
  return picture.evaluate((element) => {
    const c = element instanceof HTMLCanvasElement ? element : element.querySelector('canvas')!;
    const rgba = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]!);
  });
}

async function runEveryScheme(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Run every scheme' }).click();
  await page.getByTestId('lab-status').getByText(`Done: ${LAB_SCHEMES.length} schemes measured`).waitFor({ timeout: LONG_WAIT });
}

it('runs every scheme on a sample and shows the table and the pictures', async () => {
  await inApp(browser, async ({ page }) => {
    await page.getByRole('link', { name: "Lab: compare the papers' schemes" }).click();
    await page.getByRole('heading', { name: "Lab: compare the papers' schemes" }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/lab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('lab-heading');

    await page.getByRole('radio', { name: /^CT of the chest/ }).check();
    const original = page.getByTestId('lab-original');
    await original.waitFor();
    // The page decodes the sample in its pixels worker; `npm run lab` in Node: the same pixels.
    const ct = await loadLabSample(LAB_SAMPLES.find((sample) => sample.id === 'ct-chest')!, dicomPixels);
    expect(await greyOf(original)).toEqual(Array.from(ct.pixels));
    await runEveryScheme(page);

    const rows = page.getByRole('table').getByTestId('lab-row');
    expect(await rows.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-scheme')))).toEqual(LAB_SCHEMES.map((scheme) => scheme.id));
    // Headers are headers: one per column, one per row.
    expect(await page.getByRole('columnheader').count()).toBe(12);
    expect(await page.getByRole('table').getByRole('rowheader').count()).toBe(LAB_SCHEMES.length);

    for (const scheme of LAB_SCHEMES) {
      const row = rows.and(page.locator(`[data-scheme="${scheme.id}"]`));
      const lossless = await row.getByTestId('lab-lossless').innerText();
      if (scheme.lossless) expect(lossless, scheme.id).toBe('yes');
      else expect(lossless, scheme.id).toMatch(/^no\b/);
      if (scheme.id.startsWith('tessera-')) expect(await row.getByTestId('lab-colluding').innerText()).toBe('2 clouds: cannot rebuild');
    }

    // GA-ES: the cloud shown holds its region in the clear, and its picture proves it.
    const gaEs = rows.and(page.locator('[data-scheme="ga-es"]'));
    const clear = await gaEs.getByTestId('lab-clear').innerText();
    expect(clear).toMatch(/^readable: cloud \d holds \d+\.\d % of the picture unchanged$/);
    const figure = page.getByTestId('lab-figure').and(page.locator('[data-scheme="ga-es"]'));
    await figure.getByText(/Main weakness: Segmentation is not encryption/).waitFor();
    const region = figure.getByTestId('lab-one-cloud');
    expect(await region.getAttribute('aria-label')).toMatch(/unchanged: readable\.$/);
    const [originalPixels, regionPixels] = await Promise.all([greyOf(original), greyOf(region)]);
    const lit = originalPixels.filter((v) => v !== 0).length;
    const same = originalPixels.filter((v, i) => v !== 0 && regionPixels[i] === v).length;
    expect(same / lit).toBeCloseTo(Number(/(\d+\.\d) %/.exec(clear)![1]) / 100, 2);

    // Every scheme has its pictures, each with words; Tessera's shares show nothing of the picture.
    const figures = page.getByTestId('lab-figure');
    expect(await figures.count()).toBe(LAB_SCHEMES.length);
    for (const canvas of await page.getByTestId('lab-one-cloud').all()) {
      expect(await canvas.getAttribute('aria-label')).toMatch(/^What cloud \d+ of \d+ holds for /);
      expect(await canvas.locator('canvas').evaluate((c) => (c as HTMLCanvasElement).width)).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('lab-one-cloud').count()).toBe(LAB_SCHEMES.length);
    const tessera = figures.and(page.locator('[data-scheme="tessera-shamir"]'));
    expect(await tessera.getByTestId('lab-colluding-none').innerText()).toBe('2 clouds: cannot rebuild');
    const share = await greyOf(tessera.getByTestId('lab-one-cloud'));
    expect(originalPixels.filter((v, i) => v !== 0 && share[i] === v).length / lit).toBeLessThan(0.05);

    await page.getByRole('link', { name: '← Back to Tessera' }).click();
    await page.getByRole('link', { name: "Lab: compare the papers' schemes" }).waitFor();
    expect(await page.getByRole('heading', { name: "Lab: compare the papers' schemes" }).count()).toBe(0);
  });
});

it('takes the frame shown in the DICOM viewer with "Open in the Lab", and keeps the chosen files on the way back', async () => {
  await inApp(browser, async ({ page }) => {
    await page.getByTestId('folder-input').setInputFiles(CD);
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
    const ct = item.getByTestId('series').filter({ hasText: 'CT' }).first();
    await ct.getByRole('button', { name: /^Look/ }).click({ timeout: LONG_WAIT });
    const frame = item.getByTestId('viewer-canvas');
    await frame.and(page.locator('[data-drawn-frame="0"]')).waitFor({ timeout: LONG_WAIT });
    const viewerPixels = await greyOf(frame);

    await item.getByRole('button', { name: 'Open in the Lab' }).click();
    await page.getByRole('heading', { name: "Lab: compare the papers' schemes" }).waitFor();
    await page.getByRole('radio', { name: /^From the DICOM viewer: / }).and(page.locator(':checked')).waitFor();
    expect(await greyOf(page.getByTestId('lab-original'))).toEqual(viewerPixels);
    await runEveryScheme(page);
    expect(await page.getByRole('table').getByTestId('lab-row').count()).toBe(LAB_SCHEMES.length);

    await page.getByRole('link', { name: '← Back to Tessera' }).click();
    await item.getByTestId('viewer-canvas').waitFor();
  });
});

it('opens at #/lab directly', async () => {
  await inApp(
    browser,
    async ({ page }) => {
      await page.getByRole('heading', { name: "Lab: compare the papers' schemes" }).waitFor();
      await page.getByTestId('lab-original').waitFor();
      expect(await page.getByRole('radio', { name: /^The frame shown in the DICOM viewer/ }).isDisabled()).toBe(true);
    },
    { path: '#/lab' },
  );
});
