/**
 * "What each cloud sees" in the built app: the demo CD's CT (public/samples/demo-cd) chosen as a
 * folder, looked at, then split on screen. Every share shown measures ≥ 7.99 bits per byte, and
 * the "3 clouds together" canvas holds the very pixels of the original one (and of the viewer's).
 */
import { join } from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

/** A canvas's pixels, as the page has them. */
function pixelsOf(canvas: Locator): Promise<number[]> {
  return canvas.evaluate((element) => {
    const c = element as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  });
}

async function entropies(viewer: Locator, testId: string): Promise<number[]> {
  const texts = await viewer.getByTestId(`${testId}-entropy`).allTextContents();
  return texts.map(Number);
}

it('shows each cloud noise, 2 clouds noise and 3 clouds the CT frame exactly, for both schemes', async () => {
  await inApp(browser, async ({ page }) => {
    await page.getByTestId('folder-input').setInputFiles(CD);
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
    const ct = item.getByTestId('series').filter({ hasText: 'CT' }).first();
    await ct.getByRole('button', { name: /^Look/ }).click({ timeout: LONG_WAIT });
    const frame = item.getByTestId('viewer-canvas');
    await frame.and(page.locator('[data-drawn-frame="0"]')).waitFor({ timeout: LONG_WAIT });

    await item.getByRole('button', { name: 'What each cloud sees…' }).click();
    const viewer = item.getByTestId('share-viewer');
    await viewer.and(page.locator('[data-shown="shamir"]')).waitFor({ timeout: LONG_WAIT });
    await viewer.getByText('Each cloud holds only noise like this; any 3 together give the picture back.').waitFor({ timeout: LONG_WAIT });

    const shares = await entropies(viewer, 'picture-share');
    expect(shares).toHaveLength(5);
    for (const value of shares) expect(value).toBeGreaterThanOrEqual(7.99);
    const [original] = await entropies(viewer, 'picture-original');
    expect(original).toBeLessThan(7);
    const [fewer] = await entropies(viewer, 'picture-fewer');
    expect(fewer).toBeGreaterThanOrEqual(7.99);
    // Every canvas has its words, entropy included.
    await viewer.getByRole('img', { name: /^Cloud 1 of 5: .* Entropy 7\.99\d bits per byte\.$/ }).waitFor();

    const originalPixels = await pixelsOf(viewer.getByTestId('picture-original-canvas'));
    expect(originalPixels.length).toBeGreaterThan(0);
    expect(await pixelsOf(viewer.getByTestId('picture-together-canvas'))).toEqual(originalPixels);
    expect(await pixelsOf(frame)).toEqual(originalPixels);
    expect(await pixelsOf(viewer.getByTestId('picture-fewer-canvas'))).not.toEqual(originalPixels);

    // The efficient scheme: smaller slices, nothing from 2, the locked picture from 3, then the picture.
    await viewer.getByLabel('Strong & compact').check();
    await viewer.and(page.locator('[data-shown="ssms"]')).waitFor({ timeout: LONG_WAIT });
    expect(await viewer.innerText()).toContain('Each cloud holds a slice of the locked picture, about a third of its size');
    const slices = viewer.getByTestId('picture-share-canvas');
    expect(await slices.first().evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])).toEqual([192, 65]);
    await viewer.getByTestId('picture-fewer').getByText(/Nothing to show/).waitFor();
    const [ciphertext] = await entropies(viewer, 'picture-ciphertext');
    expect(ciphertext).toBeGreaterThanOrEqual(7.99);
    expect(await pixelsOf(viewer.getByTestId('picture-together-canvas'))).toEqual(await pixelsOf(viewer.getByTestId('picture-original-canvas')));
    const slicesShown = await entropies(viewer, 'picture-share');
    console.info(`shamir shares ${shares.join(' ')}, 2 together ${fewer}; ssms slices ${slicesShown.join(' ')}, ciphertext ${ciphertext}`);
  });
});
