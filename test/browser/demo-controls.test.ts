/**
 * The presenter's controls on the demo clouds, through the UI: a slow cloud makes a recovery that
 * reads it measurably slower (and still exact), a corrupted share is named and worked around, a
 * cloud that lost its shares shows up in "Check the shares", and "Reset the demo" puts everything
 * back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SLOW_DEMO_CALL_DELAY_MS } from '../../src/storage/demo-faults.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { demoCloudFiles, fillProtectForm, switchCloud, unlockVault } from './ui.js';

const MiB = 1024 * 1024;
const CLOUDS = ['Demo cloud A', 'Demo cloud B', 'Demo cloud C', 'Demo cloud D', 'Demo cloud E'];
let browser: Browser;
let workDirectory: string;

beforeAll(async () => {
  [browser, workDirectory] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-demo-controls-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

/** The presenter controls of one demo cloud. */
function controls(page: Page, cloud: string): Locator {
  return page.getByRole('group', { name: `Presenter controls for ${cloud}`, exact: true });
}

/** Recovers the record, checks that the rebuilt file is the original, and returns how long it took (ms). */
async function recoverAndTime(record: Locator, fingerprint: string): Promise<number> {
  const started = Date.now();
  await record.getByRole('button', { name: 'Recover', exact: true }).click();
  await record.getByTestId('verdict').waitFor({ timeout: 60_000 });
  const took = Date.now() - started;
  expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);
  return took;
}

async function closeRecovery(record: Locator): Promise<void> {
  await record.getByTestId('recovery-result').getByRole('button', { name: 'Close', exact: true }).click();
  await record.getByTestId('verdict').waitFor({ state: 'detached' });
}

it('slow, corrupt and delete work on a protected file as a presenter expects, and reset puts everything back', async () => {
  const name = 'mri-2MiB.bin';
  const path = join(workDirectory, name);
  const { fingerprint } = await writeRandomFile(path, 2 * MiB);
  await inApp(browser, async ({ page }) => {
    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText('Safe: all 5 shares are stored.', { exact: false }).waitFor({ timeout: 60_000 });
    const notice = page.getByTestId('demo-notice');

    // Slow: with D and E off the recovery must read A, B and C. Warm up, time it, then make C slow.
    await switchCloud(page, 'Demo cloud D', false);
    await switchCloud(page, 'Demo cloud E', false);
    await recoverAndTime(record, fingerprint);
    await closeRecovery(record);
    const fast = await recoverAndTime(record, fingerprint);
    await closeRecovery(record);
    await controls(page, 'Demo cloud C').getByRole('checkbox', { name: 'Slow' }).check();
    await notice.getByText('Demo cloud C is slow now: every read and write waits.').waitFor();
    const slow = await recoverAndTime(record, fingerprint);
    await record.getByText('Rebuilt from shares 1, 2, 3.').waitFor();
    // C's reader opens, then reads: each call waits at least the per-call delay, one after the other.
    expect(slow - fast, `recovery took ${fast} ms at full speed, ${slow} ms with cloud C slow`).toBeGreaterThanOrEqual(2 * SLOW_DEMO_CALL_DELAY_MS);
    await closeRecovery(record);
    await controls(page, 'Demo cloud C').getByRole('checkbox', { name: 'Slow' }).uncheck();
    await notice.getByText('Demo cloud C is at full speed again.').waitFor();
    await switchCloud(page, 'Demo cloud D', true);
    await switchCloud(page, 'Demo cloud E', true);

    // Corrupt: share 2 is damaged in place; the recovery names it and rebuilds from the others.
    await controls(page, 'Demo cloud B').getByRole('button', { name: 'Corrupt a share' }).click();
    await notice.getByText('One share in Demo cloud B was damaged.').waitFor();
    await recoverAndTime(record, fingerprint);
    await record.getByText(/^Share 2 in Demo cloud B: /).waitFor();
    await closeRecovery(record);

    // Delete: cloud D loses its one share, and "Check the shares" says share 4 is missing.
    await controls(page, 'Demo cloud D').getByRole('button', { name: 'Delete its shares' }).click();
    await notice.getByText('Demo cloud D lost 1 share.').waitFor();
    expect((await demoCloudFiles(page)).filter((file) => file.startsWith('tessera-demo/demo-d/') && !file.split('/').pop()!.startsWith('.'))).toEqual([]);
    await record.getByRole('button', { name: 'Check the shares' }).click();
    await record.getByTestId('health').waitFor();
    expect((await record.getByTestId('share-state').allTextContents()).map((text) => text.trim())[3]).toBe('Missing from its cloud');

    // A slow cloud is remembered like its switch; the notice comes once both are saved (in order).
    await switchCloud(page, 'Demo cloud A', false);
    await controls(page, 'Demo cloud E').getByRole('checkbox', { name: 'Slow' }).check();
    await notice.getByText('Demo cloud E is slow now: every read and write waits.').waitFor();
    await page.reload();
    await unlockVault(page);
    await record.waitFor();
    expect(await controls(page, 'Demo cloud E').getByRole('checkbox', { name: 'Slow' }).isChecked()).toBe(true);
    expect(await page.getByRole('switch', { name: 'Demo cloud A' }).isChecked()).toBe(false);

    // Reset asks first, then puts every switch back and removes the file and its shares.
    await page.getByRole('button', { name: 'Reset the demo…' }).click();
    const confirm = page.getByRole('group', { name: 'Reset the demo', exact: true });
    await confirm.getByText(/1 protected file kept only in the demo clouds will be deleted/).waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await record.count()).toBe(1);
    await page.getByRole('button', { name: 'Reset the demo…' }).click();
    await confirm.getByRole('button', { name: 'Yes, reset the demo' }).click();
    await notice.getByText('The demo was reset: every demo cloud is on and at full speed, 1 protected file was removed.').waitFor({ timeout: 60_000 });
    for (const cloud of CLOUDS) {
      expect(await page.getByRole('switch', { name: cloud }).isChecked(), cloud).toBe(true);
      expect(await controls(page, cloud).getByRole('checkbox', { name: 'Slow' }).isChecked(), cloud).toBe(false);
    }
    expect(await record.count()).toBe(0);
    await page.getByText('Nothing protected yet.', { exact: false }).waitFor();
    expect((await demoCloudFiles(page)).filter((file) => !file.split('/').pop()!.startsWith('.'))).toEqual([]);
  });
});
