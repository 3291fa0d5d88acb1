/**
 * For a presenter (issue 7): one key per demo step, listed by "?", silent while typing in a field
 * or while a modal is open; the projector layout, toggled by its button or a key and remembered
 * across visits; and presenter controls on the demo clouds (Slow, Delete, Corrupt, Reset) that
 * leave the audit trail alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { fillProtectForm, makeVaultIfNew, switchCloud } from './ui.js';

const LONG_WAIT = 120_000;
const CLOUDS = ['Demo cloud A', 'Demo cloud B', 'Demo cloud C', 'Demo cloud D', 'Demo cloud E'];
let browser: Browser;
let workDirectory: string;

beforeAll(async () => {
  [browser, workDirectory] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-presenter-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

function controls(page: Page, cloud: string): Locator {
  return page.getByRole('group', { name: `Presenter controls for ${cloud}`, exact: true });
}

/** Presses a key with the focus on nothing in particular (the page itself), as a presenter does. */
async function press(page: Page, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
}

/** WCAG 2 contrast ratio of two opaque CSS colours given as `rgb(r, g, b)`. */
function contrastRatio(foreground: string, background: string): number {
  const luminance = (colour: string): number => {
    const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((value) => {
      const channel = Number(value) / 255;
      return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
  return (light! + 0.05) / (dark! + 0.05);
}

const switchedOn = (page: Page): Promise<boolean[]> => Promise.all(CLOUDS.map((cloud) => page.getByRole('switch', { name: cloud }).isChecked()));

it('runs every demo step from the keyboard, lists the keys under "?", and stays quiet while typing or behind a modal', async () => {
  await inApp(browser, async ({ page }) => {
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    const sampleButton = page.getByRole('button', { name: 'Try it with a sample study' });
    const status = page.getByTestId('shortcut-status');

    // "?" opens the list of shortcuts, as a modal with the focus inside; "?" again closes it.
    await press(page, '?');
    await help.waitFor();
    for (const words of ['Load the sample study', 'Protect what is chosen', 'Switch demo cloud A … E off, or on again', 'Recover the newest protected file', 'Reset the demo', 'Projector layout on or off']) {
      await help.getByRole('row').filter({ hasText: words }).waitFor();
    }
    expect(await help.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);
    // Behind the modal nothing is acted on: S does not load the sample.
    await page.keyboard.press('s');
    await page.keyboard.press('?');
    await help.waitFor({ state: 'hidden' });
    expect(await sampleButton.isEnabled()).toBe(true);
    expect(await page.getByTestId('drop-item').count()).toBe(0);
    // Its button opens it too, and Escape closes it, giving the focus back to the button.
    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await help.waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
    expect(await page.getByRole('button', { name: 'Keyboard shortcuts' }).evaluate((button) => button === document.activeElement)).toBe(true);

    // Typing in a field is typing: "s" and "?" go into the passphrase, and nothing happens.
    const passphrase = page.getByLabel('New passphrase', { exact: true });
    await passphrase.pressSequentially('s?');
    expect(await passphrase.inputValue()).toBe('s?');
    expect(await help.isVisible()).toBe(false);
    await passphrase.fill('');
    // A key whose control cannot be used now says so, and does nothing.
    await press(page, 'r');
    await status.getByText('Recover (protect a file first): not possible right now.').waitFor();
    // The "s" typed above started nothing (the sample would show as loading or chosen by now).
    expect(await sampleButton.isEnabled()).toBe(true);
    expect(await page.getByTestId('drop-item').count()).toBe(0);

    // S: the sample study, chosen and set for 3 of 5 clouds.
    await press(page, 's');
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
    await item.getByText('DEMO, ALEX').first().waitFor({ timeout: LONG_WAIT });
    await page.getByTestId('threshold-summary').getByText('Any 2 of the 5 clouds may be lost: any 3 of them rebuild the file.').waitFor();
    // V looks at the first series (the CT), W shows what each cloud sees of it.
    await press(page, 'v');
    await item.getByTestId('viewer-canvas').and(page.locator('[data-drawn-frame="0"]')).waitFor({ timeout: LONG_WAIT });
    await press(page, 'w');
    await item.getByTestId('share-viewer').waitFor({ timeout: LONG_WAIT });

    // P protects (once the vault is made: its passphrase is typed, not a shortcut).
    await makeVaultIfNew(page);
    await press(page, 'p');
    const record = page.getByRole('article', { name: 'demo-cd.tar' });
    await record.getByTestId('record-safety').getByText('Safe: all 5 shares are stored.', { exact: false }).waitFor({ timeout: LONG_WAIT });

    // 4 and 5 switch clouds D and E off; Shift+3 corrupts a share in C; 5 switches E on again.
    await press(page, '4');
    await press(page, '5');
    expect(await switchedOn(page)).toEqual([true, true, true, false, false]);
    await page.getByText('3 of 5 clouds are switched on.').waitFor();
    await press(page, 'Shift+Digit3');
    await page.getByTestId('demo-notice').getByText('One share in Demo cloud C was damaged.').waitFor();
    await press(page, '5');
    expect(await switchedOn(page)).toEqual([true, true, true, false, true]);

    // R recovers: identical, with the damaged share named.
    await press(page, 'r');
    await record.getByTestId('verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });
    await record.getByRole('list', { name: 'Shares not used' }).getByText(/^Share 3 in Demo cloud C: /).waitFor();

    // X asks first, with the focus on the confirmation: Enter resets.
    await press(page, 'x');
    const confirm = page.getByRole('group', { name: 'Reset the demo', exact: true });
    await confirm.waitFor();
    expect(await confirm.getByRole('button', { name: 'Yes, reset the demo' }).evaluate((button) => button === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByTestId('demo-notice').getByText('The demo was reset: every demo cloud is on and at full speed, 1 protected file was removed.').waitFor({ timeout: LONG_WAIT });
    expect(await switchedOn(page)).toEqual([true, true, true, true, true]);
    expect(await record.count()).toBe(0);
    // The focus is back where the presenter started the reset from.
    await expect.poll(() => page.getByRole('button', { name: 'Reset the demo…' }).evaluate((button) => button === document.activeElement)).toBe(true);
  });
}, 300_000);

it('switches to the projector layout by its button or L, and remembers it after a reload', async () => {
  await inApp(browser, async ({ page }) => {
    const toggle = page.getByRole('button', { name: 'Projector layout', exact: true });
    const rootFontSize = (): Promise<number> => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const hintContrast = async (): Promise<number> => {
      const [text, background] = await page.evaluate(() => [getComputedStyle(document.querySelector('main p.hint')!).color, getComputedStyle(document.documentElement).backgroundColor]);
      return contrastRatio(text!, background!);
    };
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    const normalSize = await rootFontSize();
    const normalContrast = await hintContrast();

    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await toggle.getByText('on', { exact: true }).waitFor();
    expect(await rootFontSize()).toBeGreaterThanOrEqual(normalSize * 1.25);
    // Hints, grey in the normal layout, are near black on a projector: WCAG's enhanced contrast (7:1) at least.
    expect(await hintContrast()).toBeGreaterThanOrEqual(7);
    expect(await hintContrast()).toBeGreaterThan(normalContrast);

    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await rootFontSize()).toBeGreaterThanOrEqual(normalSize * 1.25);

    await press(page, 'l');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await rootFontSize()).toBe(normalSize);
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await rootFontSize()).toBe(normalSize);
  });
});

it('writes nothing to the audit trail for Slow, Delete its shares, Corrupt a share or Reset the demo', async () => {
  const name = 'presenter-audit.bin';
  const path = join(workDirectory, name);
  await writeRandomFile(path, 512 * 1024);
  await inApp(browser, async ({ page }) => {
    const activity = page.getByRole('region', { name: 'Activity' });
    const actions = (): Promise<string[]> => activity.getByTestId('activity-entry').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action') ?? ''));
    const notice = page.getByTestId('demo-notice');

    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText('Safe: all 5 shares are stored.', { exact: false }).waitFor({ timeout: LONG_WAIT });
    await expect.poll(actions).toContain('protect');
    const before = await actions();

    await controls(page, 'Demo cloud C').getByRole('checkbox', { name: 'Slow' }).check();
    await notice.getByText('Demo cloud C is slow now: every read and write waits.').waitFor();
    await controls(page, 'Demo cloud C').getByRole('checkbox', { name: 'Slow' }).uncheck();
    await notice.getByText('Demo cloud C is at full speed again.').waitFor();
    await controls(page, 'Demo cloud B').getByRole('button', { name: 'Corrupt a share' }).click();
    await notice.getByText('One share in Demo cloud B was damaged.').waitFor();
    await controls(page, 'Demo cloud D').getByRole('button', { name: 'Delete its shares' }).click();
    await notice.getByText('Demo cloud D lost 1 share.').waitFor();
    await page.getByRole('button', { name: 'Reset the demo…' }).click();
    await page.getByRole('group', { name: 'Reset the demo', exact: true }).getByRole('button', { name: 'Yes, reset the demo' }).click();
    await notice.getByText('The demo was reset: every demo cloud is on and at full speed, 1 protected file was removed.').waitFor({ timeout: LONG_WAIT });
    expect(await record.count()).toBe(0);

    // Entries are written in the order they are recorded: once a switch's entry is listed, anything
    // the controls above had recorded would be listed too.
    await switchCloud(page, 'Demo cloud A', false);
    await expect.poll(async () => (await actions())[0]).toBe('location-off');
    expect(await actions()).toEqual(['location-off', ...before]);
  });
}, 300_000);
