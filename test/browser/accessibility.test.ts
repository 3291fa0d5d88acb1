/**
 * Accessibility (issue 7): axe-core finds no serious or critical violation on any screen a person
 * meets — the first screen, a file chosen, the vault made, a record protected, recovered, checked,
 * its recovery kit, its share files, a storage location being added, the vault locked after a
 * reload, a DICOM study looked at with "What each cloud sees" open, the activity panel, the Lab
 * page before and after a run, and the presenter's screens: the sample study loaded in one click,
 * the list of keyboard shortcuts, and the projector layout (a recovery with a cloud off and a
 * damaged share, "Reset the demo" asking). The update notice is checked in update-notice.test.ts.
 * Each screen is checked softly, so one run lists the violations of every screen.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeRandomFile } from '../helpers/random-file.js';
import { describeViolations, seriousViolations } from './axe.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { root } from './serve-app.js';
import { makeVaultIfNew, unlockVault } from './ui.js';

const CD = join(root, 'public/samples/demo-cd');
const LONG_WAIT = 120_000;
let browser: Browser;
let workDirectory: string;

beforeAll(async () => {
  [browser, workDirectory] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-a11y-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

/** Checks the page as it is now; a failure names the screen and lists each violation. */
async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect.soft(violations, `serious or critical axe-core violations on ${screen}:\n${describeViolations(violations)}`).toEqual([]);
}

it('has no serious or critical violation from choosing a file to recovering it, and after a reload', async () => {
  const name = 'knee-MRI-256KiB.bin';
  const path = join(workDirectory, name);
  await writeRandomFile(path, 256 * 1024);
  await inApp(browser, async ({ page }) => {
    await page.getByRole('heading', { level: 1 }).waitFor();
    // axe-core runs and sees the page: an image without words is a violation it must report.
    // (An image of the app's own: the page's Content-Security-Policy allows no data: image.)
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img id="axe-probe" src="favicon.svg">'));
    expect((await seriousViolations(page)).map((v) => v.id)).toContain('image-alt');
    await page.evaluate(() => document.getElementById('axe-probe')!.remove());
    await expectAccessible(page, 'the first screen');

    await page.getByTestId('file-input').setInputFiles(path);
    await page.getByRole('list', { name: 'Chosen files' }).getByRole('heading', { name, exact: true }).waitFor();
    await expectAccessible(page, 'a file chosen, before the vault is made');

    // The rest of fillProtectForm, with the file already chosen: the form, then the vault made.
    await page.getByRole('radio', { name: 'Strong & compact' }).check();
    await page.getByLabel('Clouds to use').selectOption('5');
    await page.getByLabel('Needed to rebuild').selectOption('3');
    await makeVaultIfNew(page);
    await expectAccessible(page, 'the protect form with the vault made');

    const override = page.getByTestId('placement').getByRole('checkbox', { name: /Protect anyway/ });
    if (await override.count()) await override.check();
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 5 shares are stored/).waitFor({ timeout: LONG_WAIT });
    await expectAccessible(page, 'the record card after protecting');

    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: LONG_WAIT });
    await expectAccessible(page, 'the recovery result');

    await record.getByRole('button', { name: 'Check the shares' }).click();
    await record.getByTestId('health').waitFor({ timeout: LONG_WAIT });
    await expectAccessible(page, 'the result of "Check the shares"');

    await record.getByRole('button', { name: 'Recovery kit…' }).click();
    const sheet = page.getByRole('dialog', { name: /^Recovery kit/ });
    await sheet.waitFor();
    await expectAccessible(page, 'the recovery kit sheet');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });

    await record.getByRole('button', { name: 'Save shares as files…' }).click();
    await record.getByRole('button', { name: 'Save shares as files…', expanded: true }).waitFor();
    await expectAccessible(page, '"Save shares as files…" open');

    await page.getByRole('button', { name: 'Add a storage location' }).click();
    await page.getByRole('form', { name: 'Add a storage location' }).waitFor();
    await expectAccessible(page, 'the storage location form');

    await page.getByRole('region', { name: 'Activity' }).getByTestId('activity-entry').first().waitFor();
    await expectAccessible(page, 'the activity panel, with a protect and a recovery listed');

    await page.reload();
    await page.getByRole('form', { name: 'Unlock your vault' }).waitFor();
    await expectAccessible(page, 'the vault unlock screen after a reload');
    await unlockVault(page);
    await record.waitFor();
    await expectAccessible(page, 'the list of protected files, unlocked');
  });
});

it('has no serious or critical violation with a DICOM study in the viewer and "What each cloud sees" open', async () => {
  await inApp(browser, async ({ page }) => {
    await page.getByTestId('folder-input').setInputFiles(CD);
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
    await item.getByText('DEMO, ALEX').first().waitFor({ timeout: LONG_WAIT });
    await expectAccessible(page, 'a DICOM study chosen');

    const ct = item.getByTestId('series').filter({ hasText: 'CT' }).first();
    await ct.getByRole('button', { name: /^Look/ }).click({ timeout: LONG_WAIT });
    await item.getByTestId('viewer-canvas').and(page.locator('[data-drawn-frame="0"]')).waitFor({ timeout: LONG_WAIT });
    await expectAccessible(page, 'the DICOM viewer');

    await item.getByRole('button', { name: 'What each cloud sees…' }).click();
    const viewer = item.getByTestId('share-viewer');
    await viewer.and(page.locator('[data-shown="shamir"]')).waitFor({ timeout: LONG_WAIT });
    await expectAccessible(page, '"What each cloud sees" open');

    await page.getByRole('region', { name: 'Activity' }).scrollIntoViewIfNeeded();
    await expectAccessible(page, 'the activity panel');
  });
});

it('has no serious or critical violation in the presenter screens: the sample loaded, the shortcuts, the projector layout', async () => {
  await inApp(browser, async ({ page }) => {
    await page.getByRole('button', { name: 'Try it with a sample study' }).click();
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
    await item.getByText('DEMO, ALEX').first().waitFor({ timeout: LONG_WAIT });
    await expectAccessible(page, 'the sample study loaded with one click');

    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await expectAccessible(page, 'the list of keyboard shortcuts');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: /^Projector layout/ }).click();
    await page.getByRole('button', { name: /^Projector layout/, pressed: true }).waitFor();
    await expectAccessible(page, 'the projector layout with the sample study chosen');

    await makeVaultIfNew(page);
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name: 'demo-cd.tar' });
    await record.getByTestId('record-safety').getByText(/Safe: all 5 shares are stored/).waitFor({ timeout: LONG_WAIT });
    await page.getByRole('switch', { name: 'Demo cloud D' }).uncheck();
    await page.getByRole('group', { name: 'Presenter controls for Demo cloud C', exact: true }).getByRole('button', { name: 'Corrupt a share' }).click();
    await page.getByTestId('demo-notice').getByText('One share in Demo cloud C was damaged.').waitFor();
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: LONG_WAIT });
    await expectAccessible(page, 'the projector layout: a recovery with a cloud off and a damaged share');

    await page.getByRole('button', { name: 'Reset the demo…' }).click();
    await page.getByRole('group', { name: 'Reset the demo', exact: true }).waitFor();
    await expectAccessible(page, 'the projector layout: "Reset the demo" asking to confirm');
  });
});

it('has no serious or critical violation on the Lab page, before and after running every scheme', async () => {
  await inApp(browser, async ({ page }) => {
    await page.getByRole('link', { name: "Lab: compare the papers' schemes" }).click();
    await page.getByTestId('lab-original').waitFor();
    await expectAccessible(page, 'the Lab page, before running');

    await page.getByRole('button', { name: 'Run every scheme' }).click();
    await page.getByTestId('lab-status').getByText(/^Done: \d+ schemes measured/).waitFor({ timeout: LONG_WAIT });
    await expectAccessible(page, 'the Lab page with the table and the pictures');
  });
});
