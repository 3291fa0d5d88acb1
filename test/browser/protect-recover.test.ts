/**
 * The first end-to-end slice, in real headless Chromium through the UI only: a file is protected
 * k-of-n into the demo clouds, some clouds are switched off, and the file comes back bit for bit.
 * No sleeps: every step waits for a role, a text or an event.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, longTasks, watchLongTasks, type OpenApp } from './harness.js';
import { inApp } from './in-app.js';
import { demoCloudFiles, fillProtectForm, makeVaultIfNew, switchCloud, unlockVault } from './ui.js';
import { ERROR_ADVICE } from '../../src/core/errors.js';
import { writeRandomFile, type WrittenFile } from '../helpers/random-file.js';

const MiB = 1024 * 1024;
/** Protecting and recovering 64 MiB on two slow cores takes a while; fail rather than hang. */
const LONG_WAIT = 150_000;

let browser: Browser;
let workDirectory: string;

beforeAll(async () => {
  browser = await launchChromium();
  workDirectory = await mkdtemp(join(tmpdir(), 'tessera-e2e-'));
});

afterAll(async () => {
  await browser?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

/** A file of random bytes on disk, with its SHA-256 and fingerprint as computed here, independently of the app. */
async function randomFile(name: string, size: number): Promise<{ path: string } & WrittenFile> {
  const path = join(workDirectory, name);
  return { path, ...(await writeRandomFile(path, size)) };
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Records every value a progress bar takes, so a test can check progress was shown. */
async function watchProgressBars(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    const record = (): void => {
      for (const bar of document.querySelectorAll('[role="progressbar"]')) seen.push(bar.getAttribute('aria-valuenow') ?? '');
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

async function progressSeen(page: Page): Promise<number[]> {
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
  return seen.map(Number);
}

async function protectThroughUi(
  app: OpenApp,
  file: { path: string; name: string },
  settings: { scheme: 'ssms' | 'shamir'; k: number; n: number },
): Promise<Locator> {
  const { page } = app;
  await fillProtectForm(page, file, settings);
  await page.getByRole('button', { name: 'Protect', exact: true }).click();
  const record = page.getByRole('article', { name: file.name });
  await record.waitFor({ timeout: LONG_WAIT });
  expect(await record.getByRole('row').count()).toBe(settings.n + 1);
  return record;
}

async function recoverThroughUi(record: Locator): Promise<{ original: string; rebuilt: string; verdict: string }> {
  await record.getByRole('button', { name: 'Recover', exact: true }).click();
  const verdict = record.getByTestId('verdict');
  await verdict.waitFor({ timeout: LONG_WAIT });
  return {
    original: (await record.getByTestId('sha-original').textContent())!.trim(),
    rebuilt: (await record.getByTestId('sha-rebuilt').textContent())!.trim(),
    verdict: (await verdict.textContent())!.trim(),
  };
}

async function saveThroughUi(page: Page, record: Locator): Promise<{ name: string; sha256: string }> {
  const downloaded = page.waitForEvent('download');
  await record.getByRole('button', { name: 'Save file' }).click();
  const download = await downloaded;
  const path = await download.path();
  return { name: download.suggestedFilename(), sha256: await sha256OfFile(path) };
}

const BIG_NAME = 'scan-64MiB.bin';
let big: Promise<{ path: string } & WrittenFile> | undefined;

/** The 64 MiB input, written once and shared by the tests that need a slow job. */
function bigFile(): Promise<{ path: string } & WrittenFile> {
  big ??= randomFile(BIG_NAME, 64 * MiB);
  return big;
}


it('protects 64 MiB 3-of-5 (strong & compact) and rebuilds it exactly with two clouds off', async () => {
  const name = BIG_NAME;
  const input = await bigFile();
  await inApp(browser, async (app) => {
    const { page } = app;
    await watchProgressBars(page);
    await watchLongTasks(page);
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    const record = await protectThroughUi(app, { path: input.path, name }, { scheme: 'ssms', k: 3, n: 5 });
    // One file keeps every core busy: the job's worker starts one chunk worker per core (2 to 4).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const chunkWorkers = workers.filter((url) => /\/chunk-worker-[\w-]+\.js$/.test(url)).length;
    expect(chunkWorkers).toBe(cores >= 2 ? Math.min(4, cores) : 0);
    const shown = await progressSeen(page);
    expect(shown.length).toBeGreaterThan(0);
    // The bar moved: it showed more than one value.
    expect(new Set(shown).size).toBeGreaterThan(1);
    expect(shown.every((value) => value >= 0 && value <= 100)).toBe(true);

    await switchCloud(page, 'Demo cloud A', false);
    await switchCloud(page, 'Demo cloud D', false);
    await page.getByText('3 of 5 clouds are switched on.').waitFor();

    const hashes = await recoverThroughUi(record);
    expect(hashes.verdict).toMatch(/^\W*Identical/);
    expect(hashes.rebuilt).toBe(hashes.original);
    expect(hashes.original).toBe(input.fingerprint);
    // The page stayed responsive: no main-thread task anywhere near the time the work took.
    const blocked = await longTasks(page);
    console.info(`main-thread long tasks during protect + recover of 64 MiB: ${blocked.length}, longest ${Math.max(0, ...blocked).toFixed(0)} ms`);
    expect(Math.max(0, ...blocked)).toBeLessThan(200);
    await record.getByText('Share 1 in Demo cloud A: switched off').waitFor();
    await record.getByText('Share 4 in Demo cloud D: switched off').waitFor();

    const saved = await saveThroughUi(page, record);
    expect(saved.name).toBe(name);
    expect(saved.sha256).toBe(input.sha256);

    // What the clouds hold says nothing about the file: five objects named by a random id.
    const stored = await demoCloudFiles(page);
    expect(stored).toHaveLength(5);
    for (const path of stored) expect(path).toMatch(/^tessera-demo\/demo-[a-e]\/tessera%2F[0-9a-f]{32}%2F[1-5]%2Etshare$/);
  });
});

it('protects a small file 2-of-3 (perfect secrecy) and rebuilds it with one cloud off', async () => {
  const name = 'report.pdf';
  const input = await randomFile(name, 300_001);
  await inApp(browser, async (app) => {
    const { page } = app;
    const record = await protectThroughUi(app, { path: input.path, name }, { scheme: 'shamir', k: 2, n: 3 });
    await record.getByRole('cell', { name: 'Demo cloud C' }).waitFor();

    await switchCloud(page, 'Demo cloud B', false);
    const hashes = await recoverThroughUi(record);
    expect(hashes.verdict).toMatch(/^\W*Identical/);
    expect(hashes.rebuilt).toBe(input.fingerprint);
    expect(hashes.original).toBe(input.fingerprint);

    const saved = await saveThroughUi(page, record);
    expect(saved).toEqual({ name, sha256: input.sha256 });
  });
});

it('refuses to recover in plain words when fewer than k clouds are on, and recovers once one is back', async () => {
  const name = 'xray.dcm';
  const input = await randomFile(name, 70_000);
  await inApp(browser, async (app) => {
    const { page } = app;
    const record = await protectThroughUi(app, { path: input.path, name }, { scheme: 'ssms', k: 3, n: 5 });

    for (const cloud of ['Demo cloud B', 'Demo cloud C', 'Demo cloud E']) await switchCloud(page, cloud, false);
    const refusal = record.getByTestId('recover-refused');
    await refusal.waitFor();
    expect((await refusal.textContent())!.replace(/\s+/g, ' ').trim()).toBe(
      'Only 2 of the 5 clouds holding this file are switched on, and 3 are needed to rebuild it. Switch on 1 more cloud to recover it.',
    );
    expect(await record.getByRole('button', { name: 'Recover', exact: true }).isDisabled()).toBe(true);

    // The switches are remembered: after a reload the refusal is still there.
    await page.reload();
    await unlockVault(page);
    await refusal.waitFor();
    expect(await page.getByRole('switch', { name: 'Demo cloud B' }).isChecked()).toBe(false);

    await switchCloud(page, 'Demo cloud E', true);
    await refusal.waitFor({ state: 'detached' });
    const hashes = await recoverThroughUi(record);
    expect(hashes.rebuilt).toBe(input.fingerprint);
  });
});

it('cancelling a protect is not an error and leaves nothing in the clouds', async () => {
  const input = await bigFile();
  await inApp(browser, async (app) => {
    const { page } = app;
    await page.getByTestId('file-input').setInputFiles(input.path);
    await makeVaultIfNew(page);
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const job = page.getByTestId('protect-job');
    await job.getByRole('progressbar').waitFor();
    await job.getByRole('button', { name: 'Cancel' }).click();
    await job.waitFor({ state: 'detached' });

    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.getByRole('article').count()).toBe(0);
    await expect.poll(() => demoCloudFiles(page), { timeout: 30_000 }).toEqual([]);

    // The pool starts a fresh worker for the next job.
    const record = await protectThroughUi(app, { path: input.path, name: BIG_NAME }, { scheme: 'ssms', k: 2, n: 3 });
    const hashes = await recoverThroughUi(record);
    expect(hashes.rebuilt).toBe(input.fingerprint);
  });
});

it('a file changed on disk after it was chosen is refused in plain words, and nothing is left in the clouds', async () => {
  const name = 'changed-scan.bin';
  const input = await randomFile(name, 12 * MiB);
  await inApp(browser, async (app) => {
    const { page } = app;
    await page.getByTestId('file-input').setInputFiles(input.path);
    await makeVaultIfNew(page);
    // Rewritten behind the browser's back (a scanner still writing it, a sync tool replacing it).
    await writeFile(input.path, randomBytes(12 * MiB));
    await utimes(input.path, new Date(), new Date(Date.now() + 60_000));
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.getByText(ERROR_ADVICE['input.unreadable'].title).waitFor({ timeout: 60_000 });
    await alert.getByText(ERROR_ADVICE['input.unreadable'].action).waitFor();
    expect(await page.getByRole('article').count()).toBe(0);
    await expect.poll(() => demoCloudFiles(page), { timeout: 30_000 }).toEqual([]);
  });
});

it('names the error in plain words, with Retry, when shares are missing from clouds that are on', async () => {
  const name = 'letter.txt';
  const input = await randomFile(name, 5_000);
  await inApp(browser, async (app) => {
    const { page } = app;
    const record = await protectThroughUi(app, { path: input.path, name }, { scheme: 'ssms', k: 3, n: 5 });
    // Someone deletes the shares in three clouds behind Tessera's back; the clouds stay on.
    await page.evaluate(async () => {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('tessera-demo');
      for (const cloud of ['demo-a', 'demo-b', 'demo-c']) await root.removeEntry(cloud, { recursive: true });
    });
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    const alert = record.getByRole('alert');
    await alert.getByText(ERROR_ADVICE['share.too-few'].title).waitFor();
    await alert.getByText(ERROR_ADVICE['share.too-few'].action).waitFor();
    await alert.getByRole('button', { name: 'Retry' }).waitFor();
    expect(await record.getByTestId('verdict').count()).toBe(0);
  });
});

it('recovers straight into a file the user picks, keeping no copy in browser storage', async () => {
  const name = 'scan-8MiB.bin';
  const input = await randomFile(name, 8 * MiB);
  await inApp(browser, async (app) => {
    const { page } = app;
    const record = await protectThroughUi(app, { path: input.path, name }, { scheme: 'ssms', k: 2, n: 3 });
    // The native save dialog cannot be driven headless: it is stood in for by a file of the origin's
    // private file system, which has the same FileSystemFileHandle API. The writing is the app's.
    await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const picked = await (await root.getDirectoryHandle('picked', { create: true })).getFileHandle('chosen.bin', { create: true });
      (window as unknown as { showSaveFilePicker: () => Promise<FileSystemFileHandle> }).showSaveFilePicker = () => Promise.resolve(picked);
    });
    await record.getByRole('button', { name: 'Recover into a file…' }).click();
    await record.getByTestId('verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });
    await record.getByTestId('saved-to').getByText('Saved as “chosen.bin” where you chose.').waitFor();
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(input.fingerprint);
    const written = await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      const file = await (await (await root.getDirectoryHandle('picked')).getFileHandle('chosen.bin')).getFile();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
      let leftInStorage = 0;
      try {
        const outputs = (await root.getDirectoryHandle('tessera-output')) as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };
        for await (const key of outputs.keys()) if (key) leftInStorage++;
      } catch {
        // No output folder at all: nothing was kept.
      }
      return { sha256: Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join(''), size: file.size, leftInStorage };
    });
    expect(written).toEqual({ sha256: input.sha256, size: 8 * MiB, leftInStorage: 0 });
  });
});
