/**
 * Real clouds, end to end, through the UI only: three Ceph RGW buckets and two Azurite containers
 * on 127.0.0.1 are set up as storage locations by typing into the form, each is tested from the
 * browser, a 20 MiB file is protected 3-of-5 into them and rebuilt bit for bit with two of them
 * switched off; a bucket without a CORS rule is told apart, with the rule to paste.
 *
 * The app is opened without request routing (harness.ts, routeRequests: false): while a route is
 * set, Playwright answers CORS preflights itself, and the servers' own CORS verdicts are the point
 * here. Requests to any other origin are still recorded and fail the test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { azureCorsRule } from '../../src/storage/azure/index.js';
import { corsRuleFor } from '../../src/storage/s3/index.js';
import { startAzurite, type Azurite } from '../servers/azurite.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium, openApp } from './harness.js';
import { inApp } from './in-app.js';
import { addCephBucket as addLocation, locationItem, pageStorage, stagedFiles } from './locations-ui.js';
import { fillProtectForm } from './ui.js';

const MiB = 1024 * 1024;
const LONG_WAIT = 90_000;
const CEPH_BUCKETS = ['cloud-a', 'cloud-b', 'cloud-c'] as const;
const AZURE_CONTAINERS = ['cloud-d', 'cloud-e'] as const;
const SHARE_KEY = /^tessera\/[0-9a-f]{32}\/[1-5]\.tshare$/;

let browser: Browser;
let rgw: CephRgw;
let azurite: Azurite;
let workDirectory: string;
let origin: string;

beforeAll(async () => {
  origin = new URL(inject('baseUrl')).origin;
  [rgw, azurite, browser, workDirectory] = await Promise.all([
    startCephRgw({ buckets: [...CEPH_BUCKETS, 'no-cors'] }),
    startAzurite({ containers: [...AZURE_CONTAINERS] }),
    launchChromium(),
    mkdtemp(join(tmpdir(), 'tessera-clouds-')),
  ]);
  console.info(`Ceph RGW up in ${rgw.startMs} ms`);
  await Promise.all([
    ...CEPH_BUCKETS.map((bucket) => rgw.setCors(bucket, origin)),
    rgw.setCors('no-cors', null),
    azurite.setCors([azureCorsRule(origin)]),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled([rgw?.stop(), azurite?.stop()]);
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

/** Adds a Ceph bucket of the gateway, with the owner's key. */
function addCephBucket(page: Page, name: string, bucket: string): Promise<void> {
  const { accessKeyId, secretAccessKey } = rgw.users.owner;
  return addLocation(page, { name, endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId, secretAccessKey });
}

async function addAzureContainer(page: Page, name: string, container: string): Promise<void> {
  await page.getByRole('button', { name: 'Add a storage location' }).click();
  const form = page.getByRole('form', { name: 'Add a storage location' });
  await form.getByRole('radio', { name: /Azure Blob Storage container/ }).check();
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Container SAS URL', { exact: true }).fill(azurite.sasUrl(container));
  await form.getByRole('button', { name: 'Add location' }).click();
  await locationItem(page, name).waitFor();
}

/** Presses Test and waits for its verdict; returns the status text. */
async function testLocation(page: Page, name: string): Promise<string> {
  const item = locationItem(page, name);
  await item.getByRole('button', { name: `Test ${name}`, exact: true }).click();
  const status = item.getByRole('status', { name: `Test of ${name}` });
  await status.getByText(/^\W*(Works|Does not work yet)/).waitFor({ timeout: LONG_WAIT });
  return (await status.textContent())!.replace(/\s+/g, ' ').trim();
}

/** Object names in a bucket or container, read with the servers' own owner / admin access. */
async function cephKeys(bucket: string): Promise<string[]> {
  const response = await rgw.ownerFetch(`/${bucket}?list-type=2`);
  expect(response.status).toBe(200);
  return [...(await response.text()).matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1]!);
}

async function azureNames(container: string): Promise<string[]> {
  const response = await azurite.adminFetch(`/${container}?restype=container&comp=list`);
  expect(response.status).toBe(200);
  return [...(await response.text()).matchAll(/<Name>([^<]*)<\/Name>/g)].map((match) => match[1]!);
}

it('five real locations set up in the form and tested; 20 MiB protected 3-of-5 into them and rebuilt exactly with two switched off', async () => {
  const name = 'scan-20MiB.bin';
  const path = join(workDirectory, name);
  const { fingerprint } = await writeRandomFile(path, 20 * MiB);
  await inApp(
    browser,
    async ({ page }) => {
      await page.getByRole('heading', { name: 'Storage locations' }).waitFor();
      await page.getByTestId('session-only').getByText(/forgets its key/).waitFor();
      await addCephBucket(page, 'Ceph A', 'cloud-a');
      await addCephBucket(page, 'Ceph B', 'cloud-b');
      await addCephBucket(page, 'Ceph C', 'cloud-c');
      await addAzureContainer(page, 'Azure D', 'cloud-d');
      await addAzureContainer(page, 'Azure E', 'cloud-e');
      for (const location of ['Ceph A', 'Ceph B', 'Ceph C', 'Azure D', 'Azure E']) {
        expect(await testLocation(page, location), location).toMatch(/^\W*Works: a test file was written, read back and deleted in \d+ ms\.$/);
      }
      // The secret is never shown back: not in the page's text, nor in any field's value.
      expect(await page.locator('body').textContent()).not.toContain(rgw.users.owner.secretAccessKey);

      await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
      const placement = page.getByTestId('placement');
      await placement.getByText('Shares go to: “Ceph A”, “Ceph B”, “Ceph C”, “Azure D” and “Azure E”.').waitFor();
      await placement.getByText('“Ceph A”, “Ceph B” and “Ceph C” belong to the same provider account, so that provider would keep 3 shares.').waitFor();
      await placement.getByText('“Azure D” and “Azure E” belong to the same provider account, so that provider would keep 2 shares.').waitFor();
      await placement.getByTestId('collusion').getByText(/One provider alone keeps 3 or more shares/).waitFor();
      // Refused until the person overrides.
      const protectButton = page.getByRole('button', { name: 'Protect', exact: true });
      expect(await protectButton.isDisabled()).toBe(true);
      await placement.getByRole('checkbox', { name: /Protect anyway/ }).check();
      expect(await protectButton.isEnabled()).toBe(true);
      await protectButton.click();

      const record = page.getByRole('article', { name });
      await record.waitFor({ timeout: LONG_WAIT });
      expect(await record.getByRole('row').count()).toBe(6);
      // The shares were staged on this device, then uploaded; the record is safe once all five are stored.
      await record.getByTestId('record-safety').getByText(/Safe: all 5 shares are stored\. It survives the loss of any 2 clouds\./).waitFor({ timeout: LONG_WAIT });
      expect(await record.getByTestId('share-state').allTextContents()).toEqual(Array(5).fill('Stored'));
      expect(await stagedFiles(page)).toEqual([]);

      // Each bucket and container holds exactly one object: a share under a random id, no file name.
      const stored = [...(await Promise.all(CEPH_BUCKETS.map(cephKeys))), ...(await Promise.all(AZURE_CONTAINERS.map(azureNames)))];
      for (const names of stored) {
        expect(names).toHaveLength(1);
        expect(names[0]).toMatch(SHARE_KEY);
        expect(names[0]).not.toContain('scan');
      }
      const keys = stored.map((names) => names[0]!);
      expect(new Set(keys.map((key) => key.split('/')[1])).size).toBe(1);
      expect(keys.map((key) => key.split('/')[2]).sort()).toEqual(['1.tshare', '2.tshare', '3.tshare', '4.tshare', '5.tshare']);

      await locationItem(page, 'Ceph B').getByRole('switch', { name: 'Use Ceph B' }).uncheck();
      await locationItem(page, 'Azure E').getByRole('switch', { name: 'Use Azure E' }).uncheck();
      await record.getByRole('button', { name: 'Recover', exact: true }).click();
      const verdict = record.getByTestId('verdict');
      await verdict.waitFor({ timeout: LONG_WAIT });
      expect((await verdict.textContent())!.trim()).toMatch(/^\W*Identical/);
      expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);
      expect((await record.getByTestId('sha-original').textContent())!.trim()).toBe(fingerprint);
      await record.getByText('Share 2 in Ceph B: switched off').waitFor();
      await record.getByText('Share 5 in Azure E: switched off').waitFor();

      // After a reload the five locations are remembered without their keys: each asks for its key,
      // and nothing secret is in the page's storage.
      await page.reload({ waitUntil: 'load' });
      await expect.poll(() => page.getByRole('button', { name: /^Give its key/ }).count()).toBe(5);
      const saved = await pageStorage(page);
      expect(saved).toContain('cloud-a');
      expect(saved).not.toContain(rgw.users.owner.secretAccessKey);
      expect(saved).not.toContain('sig=');
    },
    { routeRequests: false, allowOrigins: [rgw.endpoint, azurite.endpoint] },
  );
});

it('a bucket without a CORS rule: Test says so and shows the rule to paste, with the app’s origin, and copies it', async () => {
  const app = await openApp(browser, inject('baseUrl'), { routeRequests: false, allowOrigins: [rgw.endpoint] });
  try {
    const { page } = app;
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await addCephBucket(page, 'No CORS', 'no-cors');
    const verdict = await testLocation(page, 'No CORS');
    expect(verdict).toMatch(/Does not work yet\. The bucket does not let this app in yet: its CORS setting is missing or wrong\./);
    const rule = locationItem(page, 'No CORS').getByLabel('CORS rule for No CORS');
    const expected = corsRuleFor('ceph', origin);
    expect(await rule.textContent()).toBe(expected);
    expect(expected).toContain(origin);
    expect(expected).toContain('ETag');
    await locationItem(page, 'No CORS').getByRole('button', { name: 'Copy the rule for No CORS' }).click();
    await locationItem(page, 'No CORS').getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected);
    expect(await page.locator('body').textContent()).not.toContain(rgw.users.owner.secretAccessKey);

    // The browser reports each blocked answer and each refused unsigned probe; nothing else went wrong.
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors.filter((line) => !/CORS policy|net::ERR_FAILED|status of 403 \(Forbidden\)/.test(line))).toEqual([]);
    expect(app.foreignRequests).toEqual([]);
  } finally {
    await app.close();
  }
});
