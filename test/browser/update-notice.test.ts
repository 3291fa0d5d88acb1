/**
 * "A new version is ready — Reload to use it" (src/app/UpdateNotice.svelte, src/pwa/register.ts),
 * for real: the app is built twice, the second build differing in its page; the first is served
 * and visited, then the second is served at the same address in its place. The update check finds
 * the new service worker, which installs and waits; the notice appears, its Reload button is
 * disabled while a protect runs and enabled once it is done, the page stays on the old version
 * until the click, and the click reloads it onto the new one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeRandomFile } from '../helpers/random-file.js';
import { describeViolations, seriousViolations } from './axe.js';
import { launchChromium, openApp } from './harness.js';
import { buildApp, root } from './serve-app.js';
import { waitForServiceWorker } from './service-worker.js';
import { fillProtectForm } from './ui.js';

const configFile = join(root, 'vite.config.ts');
/** The build global-setup made (same rule as global-setup.ts): the version first visited. */
const firstBuild = process.env['TESSERA_TEST_DIST'] ?? fileURLToPath(new URL('../.output/dist', import.meta.url));
/** What tells the second build's page from the first's. */
const MARKER = 'tessera-test-build';
const MiB = 1024 * 1024;
const LONG_WAIT = 120_000;

let browser: Browser;
let work: string;
let secondBuild: string;
let server: PreviewServer | undefined;

/**
 * The same app built again with one difference: a `<meta name="tessera-test-build">` in its page.
 * A different index.html is a different precache list, so a different sw.js: an update.
 */
async function buildSecondVersion(outDir: string): Promise<void> {
  await buildApp(outDir, {
    plugins: [{ name: 'second-version', transformIndexHtml: () => [{ tag: 'meta', attrs: { name: MARKER, content: 'second' }, injectTo: 'head' }] }],
  });
}

/** Serves a build with `vite preview` on 127.0.0.1 (port 0: any free one). */
async function serve(outDir: string, port: number): Promise<{ server: PreviewServer; port: number }> {
  const started = await preview({ root, configFile, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true, open: false } });
  return { server: started, port: (started.httpServer.address() as AddressInfo).port };
}

beforeAll(async () => {
  [browser, work] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-update-'))]);
  secondBuild = join(work, 'dist-second');
  await buildSecondVersion(secondBuild);
}, 300_000);

afterAll(async () => {
  await server?.close();
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const secondVersionShown = (page: Page): Promise<boolean> => page.evaluate((name) => document.querySelector(`meta[name="${name}"]`) !== null, MARKER);

it('offers the new version once it waits, not while a protect runs, and reloads onto it when asked', async () => {
  const first = await serve(firstBuild, 0);
  server = first.server;
  const baseUrl = `http://127.0.0.1:${first.port}/`;
  const name = 'update-16MiB.bin';
  const path = join(work, name);
  await writeRandomFile(path, 16 * MiB);

  const app = await openApp(browser, baseUrl);
  try {
    const { page } = app;
    await waitForServiceWorker(page);
    expect(await secondVersionShown(page)).toBe(false);
    const notice = page.getByRole('complementary', { name: 'New version' });
    expect(await notice.count()).toBe(0);

    // The new version is deployed at the same address, and the page checks for it (as it does every hour).
    await server.close();
    server = (await serve(secondBuild, first.port)).server;
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });
    await notice.getByText('A new version is ready — Reload to use it.').waitFor({ timeout: LONG_WAIT });
    const reload = notice.getByRole('button', { name: 'Reload' });
    expect(await reload.isEnabled()).toBe(true);
    const violations = await seriousViolations(page);
    expect(violations, `serious or critical axe-core violations with the update notice:\n${describeViolations(violations)}`).toEqual([]);

    // A protect into the demo clouds, one of them slow so that the job visibly runs: no reload meanwhile.
    await page.getByRole('group', { name: 'Presenter controls for Demo cloud A', exact: true }).getByRole('checkbox', { name: 'Slow' }).check();
    await page.getByTestId('demo-notice').getByText('Demo cloud A is slow now: every read and write waits.').waitFor();
    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    await expect.poll(() => reload.isDisabled(), { timeout: LONG_WAIT }).toBe(true);
    await notice.getByText('You can reload when the work in progress has finished.').waitFor();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText('Safe: all 5 shares are stored.', { exact: false }).waitFor({ timeout: LONG_WAIT });
    await expect.poll(() => reload.isEnabled(), { timeout: LONG_WAIT }).toBe(true);
    // Nothing switched by itself: the page is still the first version.
    expect(await secondVersionShown(page)).toBe(false);

    // The click: the waiting worker takes over and the page reloads onto the new version.
    const reloaded = page.waitForEvent('load', { timeout: LONG_WAIT });
    await reload.click();
    await reloaded;
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await secondVersionShown(page)).toBe(true);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await notice.count()).toBe(0);

    expect(app.foreignRequests, 'requests to other origins').toEqual([]);
    expect(app.pageErrors, 'page errors').toEqual([]);
    expect(app.consoleErrors, 'console errors').toEqual([]);
  } finally {
    await app.close();
  }
}, 300_000);
