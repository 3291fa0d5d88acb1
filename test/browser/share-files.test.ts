/**
 * Share files and bundles, through the UI: "Save shares as files…" makes one zip per share from the
 * demo clouds (downloads captured), and "Recover from share files" rebuilds the original from any 3
 * of them, or from the bare .tshare files inside, in a fresh browser context that knows nothing of
 * the record and may reach nothing but the app's own address; the tessera-recover.html inside a
 * bundle does the same opened from disk (file://) with every request blocked. Too few shares,
 * shares of two files and a damaged bundle are each said in plain words.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import JSZip from 'jszip';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fingerprintOfFile } from '../helpers/fingerprint.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { fillProtectForm } from './ui.js';

const MiB = 1024 * 1024;
let browser: Browser;
let workDirectory: string;

beforeAll(async () => {
  [browser, workDirectory] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-share-files-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Saves a captured download into the work directory under its suggested name; returns the path. */
async function keep(download: Download): Promise<string> {
  const path = join(workDirectory, download.suggestedFilename());
  await download.saveAs(path);
  return path;
}

interface Protected {
  readonly name: string;
  readonly sha256: string;
  readonly fingerprint: string;
  /** The bundles as downloaded, in order: their paths. */
  readonly zips: readonly string[];
}

/** Protects a random file into the demo clouds, then saves its shares as files; returns the zips. */
async function protectAndBundle(page: Page, name: string, size: number, k: number, n: number, includeFileName: boolean, downloadAll: boolean): Promise<Protected> {
  const path = join(workDirectory, name);
  const { sha256, fingerprint } = await writeRandomFile(path, size);
  await fillProtectForm(page, { path, name }, { scheme: 'ssms', k, n });
  const override = page.getByTestId('placement').getByRole('checkbox', { name: /Protect anyway/ });
  if (await override.count()) await override.check();
  await page.getByRole('button', { name: 'Protect', exact: true }).click();
  const record = page.getByRole('article', { name });
  await record.getByTestId('record-safety').getByText(`Safe: all ${n} shares are stored.`, { exact: false }).waitFor({ timeout: 60_000 });

  await record.getByRole('button', { name: 'Save shares as files…' }).click();
  const panel = record.getByRole('group', { name: `Save the shares of ${name} as files` });
  const nameChoice = panel.getByRole('checkbox', { name: /Include the file name/ });
  // A bundle may travel by e-mail: the name is left out unless the person asks.
  expect(await nameChoice.isChecked()).toBe(false);
  if (includeFileName) await nameChoice.check();
  await panel.getByRole('button', { name: 'Make the bundles' }).click();
  await panel.getByTestId('bundles-made').waitFor({ timeout: 60_000 });
  const zips: string[] = [];
  if (downloadAll) {
    const downloads: Download[] = [];
    page.on('download', (download) => downloads.push(download));
    await panel.getByRole('button', { name: 'Download all' }).click();
    await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(n);
    for (const download of downloads) zips.push(await keep(download));
  } else {
    for (let bundle = 1; bundle <= n; bundle++) {
      const downloaded = page.waitForEvent('download');
      await panel.getByRole('button', { name: `Download bundle ${bundle} of ${n}` }).click();
      zips.push(await keep(await downloaded));
    }
  }
  expect(await panel.getByText('Downloaded').count()).toBe(n);
  return { name, sha256, fingerprint, zips: zips.sort() };
}

let made: Promise<{ a: Protected; b: Protected }> | undefined;

/**
 * Two records, each saved as bundles: A (3 MiB, 3 of 5, no name in its bundles, each bundle
 * downloaded with its own button) and B (1 MiB, 2 of 3, named, all downloaded with one click).
 */
function bundles(): Promise<{ a: Protected; b: Protected }> {
  made ??= inApp(browser, async ({ page }) => ({
    a: await protectAndBundle(page, 'xray-3MiB.bin', 3 * MiB, 3, 5, false, false),
    b: await protectAndBundle(page, 'note-1MiB.bin', 1 * MiB, 2, 3, true, true),
  }));
  return made;
}

/** The app in a fresh context (nothing protected, no clouds of its own), every other address blocked. */
async function inFreshApp(work: (page: Page) => Promise<void>): Promise<void> {
  await inApp(browser, async ({ page }) => {
    await page.getByText('Nothing protected yet', { exact: false }).waitFor();
    await work(page);
  });
}

const panelOf = (page: Page) => page.getByRole('region', { name: 'Recover from share files' });

/** Rebuilds the one file given, saves it under `saveAs`; returns the saved file's name and SHA-256. */
async function rebuildAndSave(page: Page, saveAs: string): Promise<{ name: string; sha256: string }> {
  const panel = panelOf(page);
  await panel.getByLabel('Save the rebuilt file as').fill(saveAs);
  await panel.getByRole('button', { name: 'Rebuild' }).click();
  await panel.getByTestId('rebuilt').waitFor({ timeout: 60_000 });
  const downloaded = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Save file' }).click();
  const path = await keep(await downloaded);
  expect((await panel.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(await fingerprintOfFile(path));
  return { name: path.split('/').pop()!, sha256: await sha256Of(path) };
}

/** Drops files onto the drop zone as a person does: a DataTransfer holding them, in a drop event. */
async function dropFiles(page: Page, files: readonly { readonly name: string; readonly bytes: Uint8Array }[]): Promise<void> {
  const payload = files.map(({ name, bytes }) => ({ name, base64: Buffer.from(bytes).toString('base64') }));
  const dataTransfer = await page.evaluateHandle((given) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of given) transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
    return transfer;
  }, payload);
  await panelOf(page).getByTestId('share-files-drop').dispatchEvent('drop', { dataTransfer });
}

const text = async (locator: { textContent(): Promise<string | null> }): Promise<string> => (await locator.textContent())!.replace(/\s+/g, ' ').trim();

it('saves the shares of a record as one zip each, with a README, a manifest, the share and the offline tool', async () => {
  const { a, b } = await bundles();
  const split = (await JSZip.loadAsync(await readFile(a.zips[0]!))).file('manifest.json')!;
  const splitId = (JSON.parse(await split.async('string')) as { splitId: string }).splitId;
  expect(a.zips.map((path) => path.split('/').pop())).toEqual([1, 2, 3, 4, 5].map((bundle) => `tessera-${splitId.slice(0, 8)}-bundle-${bundle}-of-5.zip`));
  expect(b.zips).toHaveLength(3);
  for (const [index, path] of a.zips.entries()) {
    const zip = await JSZip.loadAsync(await readFile(path), { checkCRC32: true });
    const names = Object.keys(zip.files);
    expect(names.filter((name) => !name.endsWith('.tshare')).sort()).toEqual(['README.txt', 'manifest.json', 'tessera-recover.html']);
    expect(names.filter((name) => name.endsWith('.tshare'))).toEqual([expect.stringMatching(/^[0-9a-f]{16}\.tshare$/)]);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ format: 'tessera-share-bundle', version: 1, bundle: index + 1, bundles: 5, bundlesNeeded: 3, k: 3, n: 5 });
    expect(manifest).not.toHaveProperty('fileName');
    expect(JSON.stringify(manifest)).not.toContain(a.sha256);
    expect(JSON.stringify(manifest)).not.toContain(a.fingerprint);
    const readme = await zip.file('README.txt')!.async('string');
    expect(readme).toContain('Any 3 of the 5 bundles together hold enough shares.');
    expect(readme).not.toContain(a.name);
    const tool = await zip.file('tessera-recover.html')!.async('string');
    // One file, nothing to fetch: one inline script, one inline stylesheet, no address in the markup or the styles.
    const style = /<style>([^]*?)<\/style>/.exec(tool)![1]!;
    const markup = tool.replace(/<script>[^]*<\/script>/, '<script></script>').replace(style, '');
    expect(markup).not.toMatch(/\b(src|href|action)=|<link\b|<iframe\b|<object\b/i);
    expect(style).not.toMatch(/url\(|@import/i);
    expect(markup.match(/<script/g)).toHaveLength(1);
    expect(tool).toContain("default-src 'none'");
  }
  const named = JSON.parse(await (await JSZip.loadAsync(await readFile(b.zips[0]!))).file('manifest.json')!.async('string')) as Record<string, unknown>;
  expect(named['fileName']).toBe(b.name);
});

it('rebuilds the file byte for byte from 3 of the 5 zips dropped into a fresh browser that knows nothing of it', async () => {
  const { a } = await bundles();
  await inFreshApp(async (page) => {
    const panel = panelOf(page);
    await dropFiles(page, await Promise.all([a.zips[4]!, a.zips[1]!, a.zips[2]!].map(async (path) => ({ name: path.split('/').pop()!, bytes: await readFile(path) }))));
    const given = panel.getByRole('list', { name: 'Share files given' }).getByTestId('given-file');
    await expect.poll(async () => (await given.allTextContents()).filter((line) => line.includes('Bundle')).length).toBe(3);
    expect(await text(given.nth(0))).toMatch(/^tessera-[0-9a-f]{8}-bundle-5-of-5\.zip Bundle 5 of 5: share 5 of a 3-of-5 split \(file [0-9a-f]{8}\) Remove$/);
    // The bundles do not carry the name: a default is offered, and the person gives the real one.
    expect(await panel.getByLabel('Save the rebuilt file as').inputValue()).toMatch(/^recovered-[0-9a-f]{8}$/);
    expect(await rebuildAndSave(page, a.name)).toEqual({ name: a.name, sha256: a.sha256 });
    expect(await text(panel.getByTestId('rebuild-result'))).toContain('Rebuilt from shares 2, 3, 5.');
  });
});

it('rebuilds it from 3 bare .tshare files, and offers the name a bundle carries', async () => {
  const { a, b } = await bundles();
  const shareFiles = await Promise.all(
    [a.zips[0]!, a.zips[3]!, a.zips[4]!].map(async (path) => {
      const zip = await JSZip.loadAsync(await readFile(path));
      const name = Object.keys(zip.files).find((entry) => entry.endsWith('.tshare'))!;
      return { name, bytes: await zip.file(name)!.async('uint8array') };
    }),
  );
  await inFreshApp(async (page) => {
    const panel = panelOf(page);
    await dropFiles(page, shareFiles);
    const given = panel.getByTestId('given-file');
    await expect.poll(async () => (await given.allTextContents()).filter((line) => / Share \d of a 3-of-5 split/.test(line)).length).toBe(3);
    expect(await rebuildAndSave(page, 'from-bare-shares.bin')).toEqual({ name: 'from-bare-shares.bin', sha256: a.sha256 });

    // B's bundles carry its name: it is offered as it is.
    await panel.getByTestId('share-files-input').setInputFiles([b.zips[0]!, b.zips[2]!]);
    const splitB = panel.getByRole('article', { name: `“${b.name}”` });
    await splitB.getByRole('button', { name: 'Rebuild' }).waitFor();
    expect(await splitB.getByLabel('Save the rebuilt file as').inputValue()).toBe(b.name);
  });
});

it('says plainly when too few shares are given, and when the shares are of two different files', async () => {
  const { a, b } = await bundles();
  const splitA = (await JSZip.loadAsync(await readFile(a.zips[0]!))).file('manifest.json')!;
  const shortA = (JSON.parse(await splitA.async('string')) as { splitId: string }).splitId.slice(0, 8);
  const zipName = (path: string): string => path.split('/').pop()!;
  await inFreshApp(async (page) => {
    const panel = panelOf(page);
    await panel.getByTestId('share-files-input').setInputFiles([a.zips[0]!, a.zips[1]!]);
    const tooFew = panel.getByTestId('too-few');
    await tooFew.waitFor();
    expect(await text(tooFew)).toBe('Only 2 of the 3 shares needed to rebuild this file are here. Add 1 more share of it: another bundle or share file of the same file.');
    expect(await panel.getByRole('button', { name: 'Rebuild' }).count()).toBe(0);

    await panel.getByTestId('share-files-input').setInputFiles([b.zips[1]!]);
    const mixed = panel.getByTestId('mixed-files');
    await mixed.waitFor();
    expect(await text(mixed.locator('p'))).toBe(
      'These files hold shares of 2 different protected files. Only shares of the same file rebuild it; each file below needs its own shares:',
    );
    expect(await mixed.getByRole('listitem').allTextContents()).toEqual([
      `Protected file ${shortA}: ${zipName(a.zips[0]!)}, ${zipName(a.zips[1]!)}`,
      `“${b.name}”: ${zipName(b.zips[1]!)}`,
    ]);
    expect(await panel.getByTestId('too-few').count()).toBe(2);

    // Giving A its third share makes A rebuildable; B still waits for a second one.
    await panel.getByTestId('share-files-input').setInputFiles([a.zips[2]!]);
    const splitA3 = panel.getByRole('article', { name: `Protected file ${shortA}` });
    await splitA3.getByRole('button', { name: 'Rebuild' }).waitFor();
    expect(await panel.getByRole('article', { name: `“${b.name}”` }).getByTestId('too-few').count()).toBe(1);
  });
});

it('sets a damaged bundle aside and names it: rebuilt with three good ones, refused with two', async () => {
  const { a } = await bundles();
  // One byte of the share inside bundle 1 changed; the zip around it stays valid.
  const bytes = new Uint8Array(await readFile(a.zips[0]!));
  const zip = await JSZip.loadAsync(bytes);
  const shareName = Object.keys(zip.files).find((entry) => entry.endsWith('.tshare'))!;
  const at = Buffer.from(bytes).indexOf(Buffer.from(shareName)) + shareName.length + 5000;
  bytes[at] = bytes[at]! ^ 0x20;
  const damaged = join(workDirectory, 'damaged-bundle-1.zip');
  await writeFile(damaged, bytes);

  await inFreshApp(async (page) => {
    const panel = panelOf(page);
    await panel.getByTestId('share-files-input').setInputFiles([damaged, a.zips[1]!, a.zips[2]!]);
    await panel.getByRole('button', { name: 'Rebuild' }).click();
    const alert = panel.getByRole('alert');
    await alert.getByText('Not enough shares to rebuild the file.').waitFor({ timeout: 60_000 });
    expect(await text(alert)).toContain('Set aside: damaged-bundle-1.zip: its SHA-256 differs from the one in its manifest');
    await panel.getByRole('button', { name: 'Dismiss' }).click();

    await panel.getByTestId('share-files-input').setInputFiles([a.zips[3]!]);
    expect(await rebuildAndSave(page, a.name)).toEqual({ name: a.name, sha256: a.sha256 });
    expect(await text(panel.getByRole('list', { name: 'Share files not used' }))).toBe(
      'The share in this bundle is damaged: it is not the share the bundle was made with. damaged-bundle-1.zip: its SHA-256 differs from the one in its manifest, so it was damaged or altered after the bundle was made.',
    );
  });
});

it('the tessera-recover.html in a bundle, opened from disk with every request blocked, rebuilds the file from 3 bundles', async () => {
  const { a } = await bundles();
  const tool = join(workDirectory, 'tessera-recover.html');
  await writeFile(tool, await (await JSZip.loadAsync(await readFile(a.zips[2]!))).file('tessera-recover.html')!.async('uint8array'));

  const context = await browser.newContext({ acceptDownloads: true });
  try {
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.fallback() : route.abort('blockedbyclient')));
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    await page.goto(pathToFileURL(tool).href, { waitUntil: 'load' });
    await context.setOffline(true);

    await page.getByRole('heading', { name: 'Tessera: rebuild a file from its shares' }).waitFor();
    await page.getByTestId('share-files-input').setInputFiles([a.zips[1]!, a.zips[3]!, a.zips[4]!]);
    await page.getByRole('button', { name: 'Rebuild' }).click();
    await page.getByTestId('rebuilt').waitFor({ timeout: 60_000 });
    await page.getByLabel('Save the rebuilt file as').fill('rebuilt-offline.bin');
    const downloaded = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save file' }).click();
    const path = await keep(await downloaded);
    expect(path.endsWith('/rebuilt-offline.bin')).toBe(true);
    expect(await sha256Of(path)).toBe(a.sha256);
    expect((await page.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(a.fingerprint);

    expect(requests).toEqual([pathToFileURL(tool).href]);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
