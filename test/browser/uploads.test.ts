/**
 * Uploads to real clouds as a person lives them, in headless Chromium through real CORS against
 * Ceph RGW on 127.0.0.1: protect reports which shares landed and how many cloud losses the record
 * survives now; a share a cloud refused waits on this device and is sent later; an upload
 * interrupted by closing the tab resumes after the reload with only the parts the cloud lacks.
 *
 * The shares of a protect into real clouds are staged whole on this device (OPFS) and uploaded from
 * there (workers/share-jobs.ts uploadShares); the demo clouds get theirs directly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { FaultProxy } from '../servers/fault-proxy.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium, openApp } from './harness.js';
import { addCephBucket, giveCephKey, locationItem, stagedFiles } from './locations-ui.js';
import { fillProtectForm, switchCloud, unlockVault } from './ui.js';

const MiB = 1024 * 1024;
const LONG_WAIT = 90_000;
const SHARE_KEY = /^tessera\/[0-9a-f]{32}\/[1-5]\.tshare$/;

let browser: Browser;
let rgw: CephRgw;
let proxy: FaultProxy;
let workDirectory: string;
let origin: string;

beforeAll(async () => {
  origin = new URL(inject('baseUrl')).origin;
  [rgw, browser, workDirectory] = await Promise.all([
    startCephRgw({ buckets: ['up-a', 'up-b', 'up-c', 'up-d', 'up-slow', 'up-cancel'] }),
    launchChromium(),
    mkdtemp(join(tmpdir(), 'tessera-uploads-')),
  ]);
  await Promise.all(['up-a', 'up-b', 'up-c', 'up-slow', 'up-cancel'].map((bucket) => rgw.setCors(bucket, origin)));
  await rgw.setCors('up-d', null);
  proxy = new FaultProxy();
  // The signature covers the Host the browser signed for: the proxy's.
  await proxy.start(rgw.endpoint, { preserveHost: true });
});

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled([proxy?.stop(), rgw?.stop()]);
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

function ceph(name: string, bucket: string, endpoint = rgw.endpoint) {
  const { accessKeyId, secretAccessKey } = rgw.users.owner;
  return { name, endpoint, region: rgw.region, bucket, accessKeyId, secretAccessKey };
}

async function cephKeys(bucket: string): Promise<string[]> {
  const response = await rgw.ownerFetch(`/${bucket}?list-type=2`);
  expect(response.status).toBe(200);
  return [...(await response.text()).matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1]!);
}

/** Unfinished multipart uploads in a bucket (ListMultipartUploads), read with the owner's key. */
async function unfinishedUploads(bucket: string): Promise<number> {
  const response = await rgw.ownerFetch(`/${bucket}?uploads`);
  expect(response.status).toBe(200);
  return [...(await response.text()).matchAll(/<Upload>/g)].length;
}

async function protect(page: Page, path: string, name: string): Promise<void> {
  await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
  const placement = page.getByTestId('placement');
  const override = placement.getByRole('checkbox', { name: /Protect anyway/ });
  if (await override.count()) await override.check();
  await page.getByRole('button', { name: 'Protect', exact: true }).click();
}

async function safetyText(page: Page, name: string): Promise<string> {
  return ((await page.getByRole('article', { name }).getByTestId('record-safety').textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function recoverIdentical(page: Page, name: string, fingerprint: string): Promise<void> {
  const record = page.getByRole('article', { name });
  await record.getByRole('button', { name: 'Recover', exact: true }).click();
  const verdict = record.getByTestId('verdict');
  await verdict.or(record.getByRole('alert')).waitFor({ timeout: LONG_WAIT });
  expect((await record.textContent())!.replace(/\s+/g, ' ')).toMatch(/Identical: the rebuilt file is exactly the original/);
  expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);
  await record.getByRole('button', { name: 'Close' }).click();
}

it('a cloud that refuses (CORS) leaves its share waiting on this device; the record is safe with 4 of 5 and says so; the share is sent once the cloud is fixed', async () => {
  const name = 'ct-12MiB.bin';
  const path = join(workDirectory, name);
  const { fingerprint } = await writeRandomFile(path, 12 * MiB);
  const app = await openApp(browser, inject('baseUrl'), { routeRequests: false, allowOrigins: [rgw.endpoint, proxy.url] });
  const { page } = app;
  try {
    await page.getByRole('heading', { name: 'Storage locations' }).waitFor();
    for (const [label, bucket] of [
      ['Ceph A', 'up-a'],
      ['Ceph B', 'up-b'],
      ['Ceph C', 'up-c'],
      ['Ceph D', 'up-d'],
    ] as const) {
      await addCephBucket(page, ceph(label, bucket));
    }
    // Four real buckets first, then the first demo cloud: shares 1–4 are staged and uploaded, share 5 is stored at once.
    await protect(page, path, name);
    const record = page.getByRole('article', { name });
    await record.waitFor({ timeout: LONG_WAIT });
    await expect
      .poll(() => safetyText(page, name), { timeout: LONG_WAIT })
      .toBe('✔ Safe: 4 of 5 shares are stored; 1 waits on this device to be uploaded. It survives the loss of any 1 cloud.');
    const states = await record.getByTestId('share-state').allTextContents();
    expect(states.map((text) => text.replace(/\s+/g, ' ').trim())).toEqual([
      'Stored',
      'Stored',
      'Stored',
      'Not stored yet: the cloud’s sharing rule (CORS) does not let this page in — use “Test” under Storage locations to see the rule to add',
      'Stored',
    ]);
    for (const bucket of ['up-a', 'up-b', 'up-c']) {
      const keys = await cephKeys(bucket);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(SHARE_KEY);
    }
    expect(await cephKeys('up-d')).toEqual([]);
    // Exactly the refused share waits on this device, under its random object name.
    const staged = await stagedFiles(page);
    expect(staged).toHaveLength(1);
    expect(staged[0]).toMatch(/^device\/tessera%2F[0-9a-f]{32}%2F4%2Etshare$/);

    // The person adds the CORS rule and sends the waiting share.
    await rgw.setCors('up-d', origin);
    await record.getByRole('button', { name: 'Upload the waiting share' }).click();
    await expect.poll(() => safetyText(page, name), { timeout: LONG_WAIT }).toBe('✔ Safe: all 5 shares are stored. It survives the loss of any 2 clouds.');
    expect(await cephKeys('up-d')).toHaveLength(1);
    expect(await stagedFiles(page)).toEqual([]);

    // Recovery from the clouds alone, with two of them switched off.
    await locationItem(page, 'Ceph A').getByRole('switch', { name: 'Use Ceph A' }).uncheck();
    await locationItem(page, 'Ceph D').getByRole('switch', { name: 'Use Ceph D' }).uncheck();
    await recoverIdentical(page, name, fingerprint);

    // Removing the record deletes its shares everywhere: refused while two clouds are off (it says
    // which shares are left), done once they are on again.
    await record.getByRole('button', { name: 'Remove everywhere…' }).click();
    await record.getByRole('button', { name: 'Yes, delete it everywhere' }).click();
    await record.getByRole('alert').getByText('Not everything could be removed.').waitFor({ timeout: LONG_WAIT });
    await locationItem(page, 'Ceph A').getByRole('switch', { name: 'Use Ceph A' }).check();
    await locationItem(page, 'Ceph D').getByRole('switch', { name: 'Use Ceph D' }).check();
    await record.getByRole('button', { name: 'Remove everywhere…' }).click();
    await record.getByRole('button', { name: 'Yes, delete it everywhere' }).click();
    await record.waitFor({ state: 'detached', timeout: LONG_WAIT });
    for (const bucket of ['up-a', 'up-b', 'up-c', 'up-d']) expect(await cephKeys(bucket), bucket).toEqual([]);
    expect(app.pageErrors).toEqual([]);
    expect(app.foreignRequests).toEqual([]);
    expect(app.consoleErrors.filter((line) => !/CORS policy|net::ERR_FAILED/.test(line))).toEqual([]);
  } finally {
    await app.close();
  }
});

it('closing the tab in the middle of a multipart upload: after the reload the upload resumes with only the missing part, and the file comes back exact', async () => {
  const name = 'mr-48MiB.bin';
  const path = join(workDirectory, name);
  const { fingerprint } = await writeRandomFile(path, 48 * MiB);
  // The first request for a second part is held (not forwarded while the test runs): part 1 lands, part 2 never answers.
  proxy.clear();
  proxy.inject({ fault: { kind: 'delay', ms: 600_000 }, method: 'PUT', path: /partNumber=2&/, times: 1 });
  const context = await browser.newContext();
  const openIn = async (): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(inject('baseUrl'));
    await page.getByRole('heading', { name: 'Storage locations' }).waitFor();
    return page;
  };
  try {
    let page = await openIn();
    await addCephBucket(page, ceph('Ceph slow', 'up-slow', proxy.url));
    // One real bucket and four demo clouds: share 1 goes through the proxy (16 MiB: two 8 MiB parts).
    await protect(page, path, name);
    const record = page.getByRole('article', { name });
    await record.waitFor({ timeout: LONG_WAIT });
    await expect.poll(() => proxy.requests.filter((r) => r.method === 'PUT' && /partNumber=2&/.test(r.path)).length, { timeout: LONG_WAIT }).toBe(1);
    await expect.poll(() => proxy.requests.some((r) => r.method === 'PUT' && /partNumber=1&/.test(r.path) && r.status === 200), { timeout: LONG_WAIT }).toBe(true);
    const progress = record.getByTestId('upload-progress');
    await progress.waitFor();
    expect(await safetyText(page, name)).toBe('✔ Safe: 4 of 5 shares are stored; 1 waits on this device to be uploaded. It survives the loss of any 1 cloud.');
    // Pausing holds the upload (and says so) until resumed.
    await progress.getByRole('button', { name: 'Pause' }).click();
    await progress.getByText('Paused').waitFor();
    await progress.getByRole('button', { name: 'Resume' }).waitFor();

    // The tab is closed in the middle of it.
    await page.close();
    const before = proxy.requests.length;
    page = await openIn();
    await unlockVault(page);
    const reopened = page.getByRole('article', { name });
    await reopened.waitFor();
    expect(await safetyText(page, name)).toBe('✔ Safe: 4 of 5 shares are stored; 1 waits on this device to be uploaded. It survives the loss of any 1 cloud.');
    // It waits for the cloud's key; given it, the upload carries on by itself.
    expect(await reopened.getByTestId('share-state').first().textContent()).toMatch(/Not stored yet: its upload has not finished yet/);
    await giveCephKey(page, 'Ceph slow', rgw.users.owner.secretAccessKey);
    await expect.poll(() => safetyText(page, name), { timeout: LONG_WAIT }).toBe('✔ Safe: all 5 shares are stored. It survives the loss of any 2 clouds.');

    const after = proxy.requests.slice(before);
    const parts = after.filter((r) => r.method === 'PUT').map((r) => /partNumber=(\d+)&/.exec(r.path)?.[1]);
    expect(parts, 'only the part the cloud lacked is sent again').toEqual(['2']);
    expect(after.some((r) => r.method === 'GET' && /uploadId=/.test(r.path)), 'the cloud is asked which parts it holds').toBe(true);
    expect(after.filter((r) => r.method === 'POST' && /uploadId=/.test(r.path) && r.status === 200)).toHaveLength(1);
    expect(await unfinishedUploads('up-slow')).toBe(0);
    expect(await cephKeys('up-slow')).toHaveLength(1);
    expect(await stagedFiles(page)).toEqual([]);

    // Rebuilt from the real cloud and two demo clouds, with the other two switched off.
    await switchCloud(page, 'Demo cloud A', false);
    await switchCloud(page, 'Demo cloud B', false);
    await recoverIdentical(page, name, fingerprint);
  } finally {
    await context.close();
  }
});

it('cancelling in the middle of a multipart upload aborts it: the cloud keeps no part, no object, and this device no staged share', async () => {
  const name = 'cancel-48MiB.bin';
  const path = join(workDirectory, name);
  await writeRandomFile(path, 48 * MiB);
  proxy.clear();
  proxy.inject({ fault: { kind: 'delay', ms: 600_000 }, method: 'PUT', path: /partNumber=2&/, times: 1 });
  const app = await openApp(browser, inject('baseUrl'), { routeRequests: false, allowOrigins: [proxy.url] });
  const { page } = app;
  try {
    await page.getByRole('heading', { name: 'Storage locations' }).waitFor();
    await addCephBucket(page, ceph('Ceph cancel', 'up-cancel', proxy.url));
    const before = proxy.requests.length;
    await protect(page, path, name);
    const record = page.getByRole('article', { name });
    await record.waitFor({ timeout: LONG_WAIT });
    await expect.poll(() => proxy.requests.slice(before).some((r) => r.method === 'PUT' && /partNumber=1&/.test(r.path) && r.status === 200), { timeout: LONG_WAIT }).toBe(true);
    expect(await unfinishedUploads('up-cancel')).toBe(1);

    await record.getByTestId('upload-progress').getByRole('button', { name: 'Cancel and remove' }).click();
    await record.waitFor({ state: 'detached', timeout: LONG_WAIT });
    expect(await unfinishedUploads('up-cancel')).toBe(0);
    expect(await cephKeys('up-cancel')).toEqual([]);
    expect(await stagedFiles(page)).toEqual([]);
    expect(proxy.requests.slice(before).some((r) => r.method === 'DELETE' && /uploadId=/.test(r.path) && r.status === 204)).toBe(true);
    expect(app.pageErrors).toEqual([]);
    expect(app.foreignRequests).toEqual([]);
  } finally {
    await app.close();
  }
});
