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
import { demoCloudFiles, fillProtectForm, switchCloud, unlockVault } from './ui.js';

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
  const { fingerprint } = await writeRandomFile(path, 3 * MiB);
  await inApp(browser, async ({ page }) => {
    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
    const override = page.getByTestId('placement').getByRole('checkbox', { name: /Protect anyway/ });
    if (await override.count()) await override.check();
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    const safety = record.getByTestId('record-safety');
    await safety.getByText('Safe: all 5 shares are stored. It survives the loss of any 2 clouds.').waitFor({ timeout: 60_000 });

    // A rehearsal fetches 3 shares picked at random and rebuilds the file, saving nothing.
    await record.getByRole('button', { name: 'Rehearse recovery' }).click();
    const rehearsal = record.getByTestId('rehearsal');
    await rehearsal.waitFor({ timeout: 60_000 });
    expect((await rehearsal.textContent())!.replace(/\s+/g, ' ').trim()).toMatch(
      /^✔ Rehearsal passed: shares [1-5], [1-5], [1-5], picked at random, rebuild the file exactly\. Nothing was saved\.$/,
    );
    expect(await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      try {
        const output = await root.getDirectoryHandle('tessera-output');
        for await (const _entry of output as unknown as AsyncIterable<unknown>) return 'something';
      } catch {
        return 'nothing';
      }
      return 'nothing';
    })).toBe('nothing');

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

    // The status, in the card and the list's filter, and it is kept: after a reload it still says so.
    expect(await record.getByTestId('record-status').textContent()).toBe('Status: needs attention — a share is missing, damaged or not stored yet');
    await page.reload();
    await unlockVault(page);
    await record.getByTestId('record-status').getByText('Status: needs attention').waitFor();
    await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Safe (0)' });
    await page.getByText('No protected file matches.').waitFor();
    await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Needs attention (1)' });
    await page.getByLabel('Search', { exact: true }).fill('XRAY 3mib');
    await record.waitFor();
    await page.getByLabel('Search', { exact: true }).fill('knee');
    await page.getByText('No protected file matches.').waitFor();
    await page.getByLabel('Search', { exact: true }).fill('');
    await page.getByLabel('Show', { exact: true }).selectOption('all');

    await record.getByRole('button', { name: 'Rebuild the 2 missing shares' }).click();
    await expect.poll(() => demoShare(page, 'demo-d'), { timeout: 60_000 }).not.toBeNull();
    expect(await demoShare(page, 'demo-b')).toBe(originalB);
    expect(await demoShare(page, 'demo-d')).toBe(originalD);
    await safety.getByText('Safe: all 5 shares are stored. It survives the loss of any 2 clouds.').waitFor();

    await record.getByRole('button', { name: 'Check the shares' }).click();
    await health.getByText('Checked: 5 of 5 shares are where they should be. It survives the loss of 2 more clouds.').waitFor();
    expect(await record.getByTestId('record-status').textContent()).toBe('Status: safe');

    // The rebuilt shares do the work: recover with two of the untouched clouds off.
    await switchCloud(page, 'Demo cloud A', false);
    await switchCloud(page, 'Demo cloud C', false);
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: 60_000 });
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);
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

/** Replaces the bytes of the one share object in a demo cloud, as a provider serving an old copy would. */
function plantDemoShare(page: Page, bucketId: string, base64: string): Promise<void> {
  return page.evaluate(
    async ({ id, data }) => {
      const root = await navigator.storage.getDirectory();
      const bucket = await (await root.getDirectoryHandle('tessera-demo')).getDirectoryHandle(id);
      for await (const [name, handle] of bucket as unknown as AsyncIterable<[string, FileSystemFileHandle]>) {
        if (name.startsWith('.') || handle.kind !== 'file') continue;
        const writable = await handle.createWritable();
        await writable.write(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
        await writable.close();
      }
    },
    { id: bucketId, data: base64 },
  );
}

it('refresh makes a new split and deletes the old one; an old share mixed with the new ones is refused, and named', async () => {
  const name = 'ct-2MiB.bin';
  const path = join(workDirectory, name);
  const { fingerprint } = await writeRandomFile(path, 2 * MiB);
  await inApp(browser, async ({ page }) => {
    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 2, n: 3 });
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: 60_000 });
    const oldB = (await demoShare(page, 'demo-b'))!;

    await record.getByRole('button', { name: 'Refresh the shares…' }).click();
    await record.getByRole('button', { name: 'Yes, refresh the shares' }).click();
    // The old record goes once the new shares are stored: one card again, with other shares.
    await expect.poll(async () => (await demoShare(page, 'demo-b')) !== oldB && (await page.getByRole('article', { name }).count()) === 1, { timeout: 60_000 }).toBe(true);
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor();
    const files = await demoCloudFiles(page);
    expect(files.filter((file) => !file.split('/').pop()!.startsWith('.'))).toHaveLength(3);

    // Cloud B serves its old share again: with cloud A off, B (old) and C (new) cannot be combined.
    await plantDemoShare(page, 'demo-b', oldB);
    await switchCloud(page, 'Demo cloud A', false);
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByRole('alert').getByText('These shares do not belong to the same protected file.').waitFor({ timeout: 60_000 });
    await record.getByRole('button', { name: 'Dismiss' }).click();

    // With A back, the new shares rebuild the file and the old one is named.
    await switchCloud(page, 'Demo cloud A', true);
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: 60_000 });
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);
    await record.getByText(/^Share 2 in Demo cloud B: /).waitFor();
  });
});

it('moves a share to another cloud: made there from the others, byte for byte, then deleted from the old one', async () => {
  const name = 'scan-1MiB.bin';
  const path = join(workDirectory, name);
  const { fingerprint } = await writeRandomFile(path, 1 * MiB);
  await inApp(browser, async ({ page }) => {
    await fillProtectForm(page, { path, name }, { scheme: 'shamir', k: 2, n: 3 });
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: 60_000 });
    const share2 = await demoShare(page, 'demo-b');

    await record.getByRole('button', { name: 'Move a share…' }).click();
    const form = record.getByRole('form', { name: `Move a share of ${name}` });
    await form.getByLabel('Share', { exact: true }).selectOption({ label: 'Share 2, now in Demo cloud B' });
    await form.getByLabel('Move it to').selectOption({ label: 'Demo cloud D' });
    // Each demo cloud counts as a provider of its own: no provider would hold 2 shares, no warning.
    expect(await form.getByRole('alert').count()).toBe(0);
    await form.getByRole('button', { name: 'Move the share' }).click();
    await record.getByTestId('moved').getByText('Share 2 moved from Demo cloud B to Demo cloud D.').waitFor({ timeout: 60_000 });

    expect(await demoShare(page, 'demo-d')).toBe(share2);
    expect(await demoShare(page, 'demo-b')).toBeNull();
    expect((await record.getByRole('row').nth(2).textContent())!.replace(/\s+/g, ' ')).toContain('Demo cloud D');

    await switchCloud(page, 'Demo cloud A', false);
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: 60_000 });
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);
  });
});
