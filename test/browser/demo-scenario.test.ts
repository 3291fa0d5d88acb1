/**
 * The whole demo of issue 7, offline, as a presenter runs it on stage: the app is visited once,
 * the network is cut (the browser's own offline emulation) and the page reloaded; then the sample
 * study is loaded in one click, protected 3-of-5 into the demo clouds, two clouds are switched off
 * and a share is corrupted on a third, and the study is recovered byte for byte. On the way, the
 * shares the demo clouds hold are measured: their bytes are flat (entropy ≥ 7.99 bits per byte),
 * unlike the study's own.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HEADER_SIZE } from '../../src/core/index.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { root } from './serve-app.js';
import { waitForServiceWorker } from './service-worker.js';
import { demoCloudFiles, demoCloudObject, makeVaultIfNew, switchCloud } from './ui.js';

const CD = join(root, 'public/samples/demo-cd');
const LONG_WAIT = 120_000;
/** The bar for "measurably flat": a share's bytes carry at least this much entropy. */
const FLAT_BITS_PER_BYTE = 7.99;

let browser: Browser;
let work: string;

beforeAll(async () => {
  [browser, work] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-demo-scenario-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Every file under `folder`, by '/'-separated path relative to it, with its SHA-256. */
async function hashesUnder(folder: string): Promise<Record<string, string>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  const hashes: Record<string, string> = {};
  for (const file of files.sort()) hashes[relative(folder, file).split(sep).join('/')] = sha256(await readFile(file));
  return hashes;
}

/** Shannon entropy of the byte histogram, in bits per byte: 8 for uniformly random bytes. */
function entropyBitsPerByte(bytes: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const byte of bytes) counts[byte]!++;
  let bits = 0;
  for (const count of counts) if (count > 0) bits -= (count / bytes.length) * Math.log2(count / bytes.length);
  return bits;
}

function presenterControls(page: Page, cloud: string) {
  return page.getByRole('group', { name: `Presenter controls for ${cloud}`, exact: true });
}

it('runs the demo offline: one-click sample, protect 3-of-5, two clouds off and a share corrupted, recovered byte for byte; shares are flat', async () => {
  // The CD as a hospital gives it, under its folder's name, as the record holds it.
  const originals = Object.fromEntries(Object.entries(await hashesUnder(CD)).map(([path, hash]) => [`demo-cd/${path}`, hash]));
  const ctBytes = Buffer.concat(
    await Promise.all(Object.keys(originals).filter((path) => path.startsWith('demo-cd/DICOM/ST000001/')).sort().map((path) => readFile(join(CD, path.slice('demo-cd/'.length))))),
  );

  await inApp(browser, async ({ page, context, origin }) => {
    // One visit online installs the app; then the network goes, and the page is reloaded.
    await waitForServiceWorker(page);
    await context.setOffline(true);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    // From here on every same-origin request must be answered by the service worker.
    const notFromCache: string[] = [];
    context.on('response', (response) => {
      if (new URL(response.url()).origin === origin && !response.fromServiceWorker()) notFromCache.push(response.url());
    });
    context.on('requestfailed', (request) => {
      if (new URL(request.url()).origin === origin) notFromCache.push(`${request.url()} (failed)`);
    });
    await page.reload({ waitUntil: 'load' });
    await page.getByRole('heading', { level: 1 }).waitFor();

    // One click from the first screen: the sample study is chosen, set for 3 of 5 clouds.
    await page.getByLabel('Needed to rebuild').selectOption('2');
    await page.getByRole('button', { name: 'Try it with a sample study' }).click();
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
    await item.getByRole('heading', { name: 'demo-cd', exact: true }).waitFor({ timeout: LONG_WAIT });
    await item.getByText('DEMO, ALEX').first().waitFor({ timeout: LONG_WAIT });
    expect(await item.getByTestId('study').count()).toBe(3);
    expect(await item.getByTestId('series').count()).toBe(4);
    await item.getByText(`${Object.keys(originals).length} files`).waitFor();
    await page.getByTestId('threshold-summary').getByText('Any 2 of the 5 clouds may be lost: any 3 of them rebuild the file.').waitFor();
    await makeVaultIfNew(page);

    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name: 'demo-cd.tar' });
    await record.getByTestId('record-safety').getByText('Safe: all 5 shares are stored.', { exact: false }).waitFor({ timeout: LONG_WAIT });
    await record.getByText(`A folder of ${Object.keys(originals).length} files`).waitFor();

    // What each cloud holds: one share of the CD (its CT series of 1.8 MB included), flat bytes.
    const objects = (await demoCloudFiles(page)).filter((path) => !path.split('/').pop()!.startsWith('.'));
    expect(objects.map((path) => path.split('/')[1])).toEqual(['demo-a', 'demo-b', 'demo-c', 'demo-d', 'demo-e']);
    const ctEntropy = entropyBitsPerByte(ctBytes);
    expect(ctEntropy, 'the CT series itself is far from flat, so a flat share means something').toBeLessThan(6);
    for (const path of objects) {
      const records = (await demoCloudObject(page, path)).subarray(HEADER_SIZE);
      expect(records.length, `${path}: enough bytes for the histogram to mean something`).toBeGreaterThan(1_000_000);
      expect(entropyBitsPerByte(records), `${path}: entropy of its share data (bits per byte)`).toBeGreaterThanOrEqual(FLAT_BITS_PER_BYTE);
    }

    // Two clouds off, and a share silently corrupted on a third (the presenter's control).
    await switchCloud(page, 'Demo cloud D', false);
    await switchCloud(page, 'Demo cloud E', false);
    await presenterControls(page, 'Demo cloud C').getByRole('button', { name: 'Corrupt a share' }).click();
    await page.getByTestId('demo-notice').getByText('One share in Demo cloud C was damaged.').waitFor();

    // Three clouds are on but one holds a damaged share: only 2 good shares, and 3 are needed. The
    // app says so and gives back nothing, rather than a wrong file.
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    const refusal = record.getByRole('alert');
    await refusal.waitFor({ timeout: LONG_WAIT });
    await refusal.getByText('A share is damaged or was altered.').waitFor();
    expect(await record.getByTestId('verdict').count()).toBe(0);
    await refusal.getByRole('button', { name: 'Dismiss' }).click();

    // One cloud back on: the CD is rebuilt, and share 3 is named as damaged.
    await switchCloud(page, 'Demo cloud E', true);
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: LONG_WAIT });
    expect((await record.getByTestId('verdict').textContent())!.trim()).toMatch(/^\W*Identical/);
    // Share 3 is damaged in one place only: its intact chunks are used, share 5 stands in for the rest.
    await record.getByText('Rebuilt from shares 1, 2, 3, 5.').waitFor();
    await record.getByRole('list', { name: 'Shares not used' }).getByText(/^Share 3 in Demo cloud C: /).waitFor();

    // The rebuilt CD, downloaded, holds every original file byte for byte.
    const downloading = page.waitForEvent('download', { timeout: LONG_WAIT });
    await record.getByRole('button', { name: 'Download as .tar' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('demo-cd.tar');
    // The app's own verdict compares fingerprints; this compares every file's bytes, here in Node.
    const shownOriginal = (await record.getByTestId('sha-original').textContent())!.trim();
    expect(shownOriginal).toMatch(/^256k:[0-9a-f]{64}$/);
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(shownOriginal);
    const unpacked = join(work, 'rebuilt');
    await mkdir(unpacked);
    execFileSync('tar', ['-xf', await download.path(), '-C', unpacked]);
    expect(await hashesUnder(unpacked)).toEqual(originals);

    expect(notFromCache, 'same-origin requests not answered by the service worker').toEqual([]);
    await context.setOffline(false);
  });
}, 300_000);
