/**
 * Health and repair in the demo clouds, through the UI: "Check the shares" finds the shares a cloud
 * lost (HEAD only), says how many more losses the record can take, and "Rebuild" makes the lost
 * shares again from k of the others — byte for byte the shares protect wrote — and puts them back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { fillProtectForm, switchCloud } from './ui.js';

const MiB = 1024 * 1024;
let browser: Browser;
let workDirectory: string;

beforeAll(async () => {
  [browser, workDirectory] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-repair-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

/** The bytes of the one share object in a demo cloud (base64), or null when it holds none. */
function demoShare(page: Page, bucketId: string): Promise<string | null> {
  return page.evaluate(async (id) => {
    const root = await navigator.storage.getDirectory();
    const bucket = await (await root.getDirectoryHandle('tessera-demo')).getDirectoryHandle(id);
    for await (const [name, handle] of bucket as unknown as AsyncIterable<[string, FileSystemFileHandle]>) {
      if (name.startsWith('.') || handle.kind !== 'file') continue;
      const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    }
    return null;
  }, bucketId);
}

/** Deletes every object in a demo cloud, as a provider that lost the data would. */
function wipeDemoCloud(page: Page, bucketId: string): Promise<void> {
  return page.evaluate(async (id) => {
    const root = await navigator.storage.getDirectory();
    await (await root.getDirectoryHandle('tessera-demo')).removeEntry(id, { recursive: true });
  }, bucketId);
}

it('finds two lost shares, rebuilds them byte for byte from the other three, and the record is whole again', async () => {
  const name = 'xray-3MiB.bin';
  const path = join(workDirectory, name);
  const sha256 = await writeRandomFile(path, 3 * MiB);
  await inApp(browser, async ({ page }) => {
    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
    const override = page.getByTestId('placement').getByRole('checkbox', { name: /Protect anyway/ });
    if (await override.count()) await override.check();
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    const safety = record.getByTestId('record-safety');
    await safety.getByText('Safe: all 5 shares are stored. It survives the loss of any 2 clouds.').waitFor({ timeout: 60_000 });

    const originalB = await demoShare(page, 'demo-b');
    const originalD = await demoShare(page, 'demo-d');
    expect(originalB).not.toBeNull();
    await wipeDemoCloud(page, 'demo-b');
    await wipeDemoCloud(page, 'demo-d');

    await record.getByRole('button', { name: 'Check the shares' }).click();
    const health = record.getByTestId('health');
    await health.waitFor();
    expect((await health.textContent())!.replace(/\s+/g, ' ').trim()).toBe(
      'Checked: 3 of 5 shares are where they should be. It survives the loss of no more clouds.',
    );
    expect((await record.getByTestId('share-state').allTextContents()).map((text) => text.trim())).toEqual([
      'Stored (checked)',
      'Missing from its cloud',
      'Stored (checked)',
      'Missing from its cloud',
      'Stored (checked)',
    ]);

    await record.getByRole('button', { name: 'Rebuild the 2 missing shares' }).click();
    await expect.poll(() => demoShare(page, 'demo-d'), { timeout: 60_000 }).not.toBeNull();
    expect(await demoShare(page, 'demo-b')).toBe(originalB);
    expect(await demoShare(page, 'demo-d')).toBe(originalD);
    await safety.getByText('Safe: all 5 shares are stored. It survives the loss of any 2 clouds.').waitFor();

    await record.getByRole('button', { name: 'Check the shares' }).click();
    await health.getByText('Checked: 5 of 5 shares are where they should be. It survives the loss of 2 more clouds.').waitFor();

    // The rebuilt shares do the work: recover with two of the untouched clouds off.
    await switchCloud(page, 'Demo cloud A', false);
    await switchCloud(page, 'Demo cloud C', false);
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: 60_000 });
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(sha256);
  });
});

it('with fewer than k shares left, says the file cannot be rebuilt from the clouds and offers no repair', async () => {
  const name = 'note-1MiB.bin';
  const path = join(workDirectory, name);
  await writeRandomFile(path, 1 * MiB);
  await inApp(browser, async ({ page }) => {
    await fillProtectForm(page, { path, name }, { scheme: 'shamir', k: 2, n: 3 });
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: 60_000 });
    await wipeDemoCloud(page, 'demo-a');
    await wipeDemoCloud(page, 'demo-b');
    await record.getByRole('button', { name: 'Check the shares' }).click();
    await record
      .getByTestId('health')
      .getByText('Checked: 1 of 3 shares are where they should be. 2 are needed: unless more clouds can be reached, it cannot be rebuilt from them.')
      .waitFor();
    expect(await record.getByRole('button', { name: /^Rebuild/ }).count()).toBe(0);
  });
});
