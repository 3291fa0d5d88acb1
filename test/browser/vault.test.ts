/**
 * The vault in Chromium: the first protect makes it with the person's passphrase; what IndexedDB
 * then holds names no file and no patient; after a reload nothing is listed until the passphrase
 * opens it, a wrong one is refused in plain words and may be retried, and the record comes back
 * whole and recoverable.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { pageStorage } from './locations-ui.js';
import { TEST_PASSPHRASE, fillProtectForm, unlockVault } from './ui.js';

let browser: Browser;
let workDirectory: string;

beforeAll(async () => {
  [browser, workDirectory] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-vault-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

it('the list of protected files survives a reload, and is unreadable without the passphrase', async () => {
  const name = 'Jane-Doe-brain-MRI.bin';
  const path = join(workDirectory, name);
  const { fingerprint } = await writeRandomFile(path, 2 * 1024 * 1024);
  await inApp(browser, async ({ page }) => {
    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 2, n: 3 });
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: 60_000 });

    // On the disk: neither the file's name nor its fingerprint, nor the passphrase.
    const stored = await pageStorage(page);
    expect(stored).toContain('ciphertext');
    for (const text of ['Jane-Doe', 'brain-MRI', fingerprint, TEST_PASSPHRASE]) expect(stored, text).not.toContain(text);

    await page.reload();
    await page.getByRole('form', { name: 'Unlock your vault' }).waitFor();
    await page.getByText('Unlock your vault (above) to see the files you protected.').waitFor();
    expect(await page.getByRole('article').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Protect', exact: true }).isDisabled()).toBe(true);

    const form = page.getByRole('form', { name: 'Unlock your vault' });
    await form.getByLabel('Passphrase', { exact: true }).fill('not the passphrase');
    await form.getByRole('button', { name: 'Unlock' }).click();
    await form.getByRole('alert').getByText('That passphrase does not open your vault. Nothing was changed; try again (check that Caps Lock is off).').waitFor({ timeout: 30_000 });

    await unlockVault(page);
    await record.waitFor();
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: 60_000 });
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);
  });
});
