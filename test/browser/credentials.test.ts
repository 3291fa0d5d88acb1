/**
 * Keys kept on this device, locked with a passphrase, through the UI only, against a real Ceph RGW
 * on 127.0.0.1: a bucket added with "On this device, locked with my passphrase" comes back after a
 * reload needing its key, a wrong passphrase is refused in plain words and changes nothing, the
 * right one brings the bucket back and its Test works; the form asks for the current passphrase
 * while the keys are locked; "Forget saved keys" deletes them. All along, the origin's IndexedDB
 * databases, localStorage and sessionStorage hold the secret key in no spelling.
 *
 * Opened without request routing (harness.ts, routeRequests: false), as clouds-e2e.test.ts, so
 * that the gateway's own CORS verdicts count; requests to any other origin fail the test.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { pageStorage } from './locations-ui.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { textSpellings } from '../helpers/secret-spellings.js';

const PASSPHRASE = 'purple elephants dance at noon';
const LONG_WAIT = 60_000;
const WRONG_PASSPHRASE = /^✖?\s*That passphrase does not open the saved keys\. Nothing was changed; try again/;

let browser: Browser;
let rgw: CephRgw;

beforeAll(async () => {
  const origin = new URL(inject('baseUrl')).origin;
  [rgw, browser] = await Promise.all([startCephRgw({ buckets: ['cloud-a', 'cloud-b'], corsOrigin: origin }), launchChromium()]);
  console.info(`Ceph RGW up in ${rgw.startMs} ms`);
});

afterAll(async () => {
  await browser?.close();
  await rgw?.stop();
});

type Keeping = { readonly keep: 'visit' } | { readonly keep: 'new'; readonly passphrase: string } | { readonly keep: 'current'; readonly passphrase: string };

/** Fills the S3 part of the open form as a person types it (preset "Ceph", the gateway's address). */
async function fillCephForm(form: Locator, name: string, bucket: string): Promise<void> {
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Provider').selectOption('ceph');
  await form.getByLabel('Endpoint', { exact: true }).fill(rgw.endpoint);
  await form.getByLabel('Region', { exact: true }).fill(rgw.region);
  await form.getByLabel('Bucket', { exact: true }).fill(bucket);
  await form.getByRole('radio', { name: /Path style/ }).check();
  await form.getByLabel('Access key ID', { exact: true }).fill(rgw.users.owner.accessKeyId);
  await form.getByLabel('Secret access key', { exact: true }).fill(rgw.users.owner.secretAccessKey);
}

/** Chooses how the key is kept, typing the passphrase the form asks for. */
async function chooseKeeping(form: Locator, keeping: Keeping): Promise<void> {
  if (keeping.keep === 'visit') {
    await form.getByRole('radio', { name: /For this visit only/ }).check();
    return;
  }
  await form.getByRole('radio', { name: /On this device, locked with my passphrase/ }).check();
  if (keeping.keep === 'new') {
    await form.getByLabel('New passphrase', { exact: true }).fill(keeping.passphrase);
    await form.getByLabel('New passphrase again', { exact: true }).fill(keeping.passphrase);
  } else {
    await form.getByLabel('Your passphrase', { exact: true }).fill(keeping.passphrase);
  }
}

function addForm(page: Page): Locator {
  return page.getByRole('form', { name: 'Add a storage location' });
}

function locationItem(page: Page, name: string): Locator {
  return page.getByRole('list', { name: 'Your storage locations' }).getByRole('listitem', { name, exact: true });
}

function waitingItem(page: Page, name: string): Locator {
  return page.getByRole('list', { name: 'Saved locations that need their key' }).getByRole('listitem').filter({ hasText: name });
}

/** Presses Test and waits for its verdict; returns the status text. */
async function testLocation(page: Page, name: string): Promise<string> {
  const item = locationItem(page, name);
  await item.getByRole('button', { name: `Test ${name}`, exact: true }).click();
  const status = item.getByRole('status', { name: `Test of ${name}` });
  await status.getByText(/^\W*(Works|Does not work yet)/).waitFor({ timeout: LONG_WAIT });
  return (await status.textContent())!.replace(/\s+/g, ' ').trim();
}

async function expectNoSecretStored(page: Page): Promise<string> {
  const stored = await pageStorage(page);
  expect(stored).toContain('cloud-a');
  for (const secret of [rgw.users.owner.secretAccessKey, PASSPHRASE]) {
    for (const spelling of textSpellings(secret)) expect(stored, `page storage holds a secret as ${spelling.slice(0, 6)}…`).not.toContain(spelling);
  }
  // Nor is it shown anywhere on the page, or left in any field.
  expect(await page.locator('body').textContent()).not.toContain(rgw.users.owner.secretAccessKey);
  const fields = await page.locator('input').evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
  expect(fields.filter((value) => value.includes(rgw.users.owner.secretAccessKey) || value.includes(PASSPHRASE))).toEqual([]);
  return stored;
}

/** Records every text the unlock form's progress line shows from now on, so a short-lived "Unlocking…" is seen without polling. */
async function watchUnlockProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { unlockProgress: string[] }).unlockProgress = seen;
    new MutationObserver(() => {
      const text = document.querySelector('form[aria-labelledby="unlock-heading"] [role="status"]')?.textContent?.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

it('a key kept on this device under a passphrase: after a reload a wrong passphrase is refused, the right one brings the bucket back and it works; no secret is stored in the clear', async () => {
  await inApp(
    browser,
    async ({ page }) => {
      await page.getByRole('heading', { name: 'Storage locations' }).waitFor();

      // Ceph A: kept on this device. A new passphrase must be long enough and typed twice alike.
      await page.getByRole('button', { name: 'Add a storage location' }).click();
      let form = addForm(page);
      await form.getByRole('radio', { name: /S3-compatible bucket/ }).check();
      await fillCephForm(form, 'Ceph A', 'cloud-a');
      await expect.poll(() => form.getByRole('radio', { name: /For this visit only/ }).isChecked()).toBe(true);
      await chooseKeeping(form, { keep: 'new', passphrase: 'short' });
      await form.getByRole('button', { name: 'Add location' }).click();
      await form.getByRole('alert').getByText(/New passphrase: use at least 8 characters/).waitFor();
      expect(await form.getByLabel('New passphrase', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      await form.getByLabel('New passphrase', { exact: true }).fill(PASSPHRASE);
      await form.getByLabel('New passphrase again', { exact: true }).fill(`${PASSPHRASE}.`);
      await form.getByRole('button', { name: 'Add location' }).click();
      await form.getByRole('alert').getByText(/the two differ/).waitFor();
      await chooseKeeping(form, { keep: 'new', passphrase: PASSPHRASE });
      await form.getByRole('button', { name: 'Add location' }).click();
      await locationItem(page, 'Ceph A').waitFor({ timeout: LONG_WAIT });
      await locationItem(page, 'Ceph A').getByText(`Access key ID ${rgw.users.owner.accessKeyId}; its secret is kept on this device, locked with your passphrase.`).waitFor();
      await page.getByRole('group', { name: 'Saved keys' }).getByText('The key of one location is saved on this device, locked with your passphrase.').waitFor();

      // Ceph B: for this visit only (the default), with no passphrase asked.
      await page.getByRole('button', { name: 'Add a storage location' }).click();
      form = addForm(page);
      await fillCephForm(form, 'Ceph B', 'cloud-b');
      await form.getByRole('radio', { name: /On this device/ }).check();
      // Unlocked in this visit: the passphrase given before locks this one too, nothing more is asked.
      await form.getByText('It is locked with the passphrase you gave in this visit.').waitFor();
      expect(await form.getByLabel(/^(New|Your) passphrase/).count()).toBe(0);
      await chooseKeeping(form, { keep: 'visit' });
      await form.getByRole('button', { name: 'Add location' }).click();
      await locationItem(page, 'Ceph B').getByText(/its secret is kept for this visit only\.$/).waitFor();

      const sealedBefore = await expectNoSecretStored(page);
      expect(sealedBefore).toMatch(/"kdf":\{"name":"PBKDF2-SHA-256","iterations":600000,"salt":"[A-Za-z0-9+/]{22}=="\}/);

      // After a reload both need their key; the saved keys wait for the passphrase.
      await page.reload({ waitUntil: 'load' });
      const unlockForm = page.getByRole('form', { name: 'Unlock saved keys' });
      await unlockForm.waitFor();
      await expect.poll(() => page.getByRole('button', { name: /^Give its key/ }).count()).toBe(2);
      expect(await page.getByRole('list', { name: 'Your storage locations' }).count()).toBe(0);

      // A wrong passphrase: said so in plain words, the form stays, nothing changes; any number of tries.
      await watchUnlockProgress(page);
      const passphraseField = unlockForm.getByLabel('Passphrase', { exact: true });
      for (const wrong of ['purple elephants dance at midnight', 'Purple elephants dance at noon']) {
        await passphraseField.fill(wrong);
        await unlockForm.getByRole('button', { name: 'Unlock', exact: true }).click();
        await unlockForm.getByRole('alert').getByText(WRONG_PASSPHRASE).waitFor({ timeout: LONG_WAIT });
        await expect.poll(() => passphraseField.isEnabled()).toBe(true);
        expect(await passphraseField.inputValue()).toBe('');
        expect(await passphraseField.getAttribute('aria-invalid')).toBe('true');
        expect(await page.getByRole('button', { name: /^Give its key/ }).count()).toBe(2);
      }
      expect(await page.evaluate(() => (window as unknown as { unlockProgress: string[] }).unlockProgress)).toContain('Unlocking… this takes a moment.');

      // The right one: Ceph A is back (Ceph B, kept for its visit only, still needs its key) and works.
      await passphraseField.fill(PASSPHRASE);
      await unlockForm.getByRole('button', { name: 'Unlock', exact: true }).click();
      await locationItem(page, 'Ceph A').waitFor({ timeout: LONG_WAIT });
      expect(await unlockForm.count()).toBe(0);
      await waitingItem(page, 'Ceph B').waitFor();
      expect(await page.getByRole('button', { name: /^Give its key/ }).count()).toBe(1);
      expect(await testLocation(page, 'Ceph A')).toMatch(/^\W*Works: a test file was written, read back and deleted in \d+ ms\.$/);
      await expectNoSecretStored(page);

      // While the keys are locked, keeping another one asks for the current passphrase, and unlocks them all.
      await page.reload({ waitUntil: 'load' });
      await unlockForm.waitFor();
      await waitingItem(page, 'Ceph B').getByRole('button', { name: 'Give its key for Ceph B' }).click();
      form = addForm(page);
      await form.getByLabel('Secret access key', { exact: true }).fill(rgw.users.owner.secretAccessKey);
      await chooseKeeping(form, { keep: 'current', passphrase: 'not the passphrase' });
      await form.getByRole('button', { name: 'Add location' }).click();
      await form.getByRole('alert').getByText(WRONG_PASSPHRASE).waitFor({ timeout: LONG_WAIT });
      expect(await form.getByLabel('Your passphrase', { exact: true }).inputValue()).toBe('');
      await chooseKeeping(form, { keep: 'current', passphrase: PASSPHRASE });
      await form.getByRole('button', { name: 'Add location' }).click();
      await locationItem(page, 'Ceph B').getByText(/its secret is kept on this device, locked with your passphrase\.$/).waitFor({ timeout: LONG_WAIT });
      await locationItem(page, 'Ceph A').getByText(/its secret is kept on this device, locked with your passphrase\.$/).waitFor();
      await page.getByRole('group', { name: 'Saved keys' }).getByText('The keys of 2 locations are saved on this device, locked with your passphrase.').waitFor();
      expect(await testLocation(page, 'Ceph B')).toMatch(/^\W*Works/);
      await expectNoSecretStored(page);

      // "Forget saved keys" (asked twice) deletes them: after a reload there is nothing to unlock.
      const savedKeys = page.getByRole('group', { name: 'Saved keys' });
      await savedKeys.getByRole('button', { name: 'Forget saved keys' }).click();
      await savedKeys.getByRole('button', { name: 'Forget them' }).click();
      await locationItem(page, 'Ceph A').getByText(/its secret is kept for this visit only\.$/).waitFor();
      await expect.poll(async () => (await pageStorage(page)).includes('PBKDF2')).toBe(false);
      await page.reload({ waitUntil: 'load' });
      await expect.poll(() => page.getByRole('button', { name: /^Give its key/ }).count()).toBe(2);
      expect(await page.getByRole('form', { name: 'Unlock saved keys' }).count()).toBe(0);
      await expectNoSecretStored(page);
    },
    { routeRequests: false, allowOrigins: [rgw.endpoint] },
  );
});
