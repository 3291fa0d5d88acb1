/**
 * The installable PWA with the network cut (src/pwa, docs/offline.md): after one visit, the service
 * worker has cached every file of the build; offline, a reload loads the app, and a protect and a
 * recover (share worker, chunk workers, hash worker) and a JPEG-LS preview (a lazily loaded codec
 * chunk and its WebAssembly) all run from that cache alone.
 */
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { precacheManifest } from '../../src/pwa/precache.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { fillProtectForm } from './ui.js';
import { root } from './serve-app.js';

const MiB = 1024 * 1024;
const LONG_WAIT = 120_000;
/** The build global-setup serves (same rule as global-setup.ts). */
const dist = process.env['TESSERA_TEST_DIST'] ?? fileURLToPath(new URL('../.output/dist', import.meta.url));

let browser: Browser;
let work: string;

beforeAll(async () => {
  [browser, work] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-offline-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function buildFiles(): Promise<{ path: string; bytes: Uint8Array }[]> {
  const entries = await readdir(dist, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.map(async (file) => ({ path: relative(dist, file).split(sep).join('/'), bytes: new Uint8Array(await readFile(file)) })));
}

/** Waits until the service worker is active and controls the page. */
async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, { timeout: LONG_WAIT });
}

/** URL → SHA-256 of every response in the page's precache. */
function cachedFiles(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const names = (await caches.keys()).filter((name) => name.startsWith('tessera-precache-'));
    if (names.length !== 1) throw new Error(`expected one precache, found ${names.join(', ')}`);
    const cache = await caches.open(names[0]!);
    const found: Record<string, string> = {};
    for (const request of await cache.keys()) {
      const bytes = await (await cache.match(request))!.arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      found[new URL(request.url).pathname.slice(1)] = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
    }
    return found;
  });
}

it('is installable, caches every file of the build, and protects, recovers and previews a DICOM image offline', async () => {
  const name = 'offline-3MiB.bin';
  const path = join(work, name);
  const { fingerprint } = await writeRandomFile(path, 3 * MiB);
  const manifest = await precacheManifest(await buildFiles());

  await inApp(browser, async ({ page, context, origin }) => {
    await waitForServiceWorker(page);

    // Chromium's own verdict on the web app manifest, icons and service worker. A fresh context
    // is incognito, where nothing installs: that one objection is the context's, not the app's.
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors.filter((error) => error.errorId !== 'in-incognito')).toEqual([]);
    const appManifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] };
    expect(appManifest.url).toBe(`${origin}/manifest.webmanifest`);
    expect(appManifest.errors).toEqual([]);
    await cdp.detach();

    // The cache holds exactly the build's files (sw.js aside), each with the bytes of this build.
    expect(await cachedFiles(page)).toEqual(Object.fromEntries(manifest.files.map((file) => [file.path, file.sha256])));
    expect(manifest.files.some((file) => /^assets\/charlswasm_decode-[\w-]+\.wasm$/.test(file.path))).toBe(true);
    expect(manifest.files.some((file) => /^assets\/chunk-worker-[\w-]+\.js$/.test(file.path))).toBe(true);
    expect(manifest.files.some((file) => file.path === 'tessera-recover.html')).toBe(true);
    expect(manifest.files.some((file) => file.path === 'samples/demo-cd/DICOMDIR')).toBe(true);

    // The network is cut, and every same-origin request from here on must be answered by the
    // service worker (a request that went to the network would fail, and be listed too).
    await context.setOffline(true);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    const notFromCache: string[] = [];
    const fromCache: string[] = [];
    context.on('response', (response) => {
      if (new URL(response.url()).origin !== origin) return;
      if (response.fromServiceWorker()) fromCache.push(response.url());
      else notFromCache.push(response.url());
    });
    context.on('requestfailed', (request) => {
      if (new URL(request.url()).origin === origin) notFromCache.push(`${request.url()} (failed)`);
    });
    await page.reload({ waitUntil: 'load' });
    await page.locator('h1').first().waitFor({ state: 'visible' });
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    // Protect into the demo clouds (they live in OPFS) and recover, byte for byte.
    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
    const override = page.getByTestId('placement').getByRole('checkbox', { name: /Protect anyway/ });
    if (await override.count()) await override.check();
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText('Safe: all 5 shares are stored.', { exact: false }).waitFor({ timeout: LONG_WAIT });
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: LONG_WAIT });
    expect((await record.getByTestId('verdict').textContent())!.trim()).toMatch(/^\W*Identical/);
    expect((await record.getByTestId('sha-original').textContent())!.trim()).toBe(fingerprint);
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);

    // A JPEG-LS series of the demo CD: the CharLS chunk and its WebAssembly come from the cache.
    await page.getByTestId('folder-input').setInputFiles(join(root, 'public/samples/demo-cd'));
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item').filter({ hasText: 'demo-cd' });
    const series = item.getByTestId('series').filter({ hasText: 'T2 AX' }).first();
    await series.getByRole('button', { name: /^Look/ }).click({ timeout: LONG_WAIT });
    await item.locator('canvas').first().waitFor({ timeout: LONG_WAIT });
    // The pixels worker loaded CharLS (its chunk and its WebAssembly) through the service worker.
    await expect.poll(() => fromCache.filter((url) => /\/charlswasm_decode-[\w-]+\.(js|wasm)$/.test(url)).length, { timeout: LONG_WAIT }).toBe(2);
    expect(fromCache.some((url) => /\/chunk-worker-[\w-]+\.js$/.test(url))).toBe(true);
    expect(fromCache.some((url) => /\/share-worker-[\w-]+\.js$/.test(url))).toBe(true);

    expect(notFromCache).toEqual([]);
    await context.setOffline(false);
  });
});
