/**
 * "Send to a colleague", in headless Chromium through real CORS against Ceph RGW on 127.0.0.1: a
 * random 5 MiB file protected 2-of-3 into three buckets through the UI, a link made with a 1 hour
 * expiry, and the link opened in a second browser context (a fresh profile with nothing set up),
 * which fetches the shares straight from the buckets, rebuilds the file and says "identical"; every
 * request that context makes is captured, and none carries the link's fragment or any part of its
 * payload (a share's address only ever as the address of the GET to it). An expired link says when
 * it expired, without a request; a damaged one says it cannot be used; a record in the demo clouds
 * says why it cannot be sent.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { presignS3Request } from '../../src/storage/s3/presign.js';
import { decodeShareLink, encodeShareLink, RECEIVE_ROUTE } from '../../src/storage/share-links.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { launchChromium, openApp, openAppIn } from './harness.js';
import { addCephBucket, locationItem } from './locations-ui.js';
import { fillProtectForm } from './ui.js';

const MiB = 1024 * 1024;
const LONG_WAIT = 90_000;
const BUCKETS = ['link-a', 'link-b', 'link-c'] as const;

let browser: Browser;
let rgw: CephRgw;
let workDirectory: string;
let origin: string;

beforeAll(async () => {
  origin = new URL(inject('baseUrl')).origin;
  [rgw, browser, workDirectory] = await Promise.all([startCephRgw({ buckets: [...BUCKETS] }), launchChromium(), mkdtemp(join(tmpdir(), 'tessera-links-'))]);
  await Promise.all(BUCKETS.map((bucket) => rgw.setCors(bucket, origin)));
});

afterAll(async () => {
  await browser?.close();
  await rgw?.stop();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

/** One request as the browser sent it: address, every header (Referer and Origin included), body. */
interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Records every request of a context, from the first navigation on (the page's and its workers'). */
function recordRequests(context: BrowserContext): { readonly sent: () => Promise<SentRequest[]> } {
  const pending: Promise<SentRequest>[] = [];
  context.on('request', (request: Request) => {
    const sent = (headers: Record<string, string>): SentRequest => ({
      method: request.method(),
      url: request.url(),
      headers,
      body: request.postDataBuffer()?.toString('latin1') ?? '',
    });
    // Headers not read before the context closed are marked, never silently dropped: a test that
    // searches headers reads them while its context is open.
    pending.push(request.allHeaders().then(sent, () => sent({ 'x-test': 'headers unread: the context had closed' })));
  });
  return { sent: () => Promise.all(pending) };
}

async function protect(page: Page, path: string, name: string, k: number, n: number): Promise<void> {
  await fillProtectForm(page, { path, name }, { scheme: 'ssms', k, n });
  const override = page.getByTestId('placement').getByRole('checkbox', { name: /Protect anyway/ });
  if (await override.count()) await override.check();
  await page.getByRole('button', { name: 'Protect', exact: true }).click();
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

it('a link made with a 1 hour expiry rebuilds the file, identical, in a fresh browser; nothing of its fragment is ever sent', async () => {
  const name = 'scan-5MiB.bin';
  const path = join(workDirectory, name);
  const { sha256, fingerprint } = await writeRandomFile(path, 5 * MiB);
  const sender = await openApp(browser, inject('baseUrl'), { routeRequests: false, allowOrigins: [rgw.endpoint] });
  let link: string;
  let expiresAt: number;
  try {
    const { page } = sender;
    await page.getByRole('heading', { name: 'Storage locations' }).waitFor();
    const { accessKeyId, secretAccessKey } = rgw.users.owner;
    for (const [label, bucket] of [
      ['Ceph A', 'link-a'],
      ['Ceph B', 'link-b'],
      ['Ceph C', 'link-c'],
    ] as const) {
      await addCephBucket(page, { name: label, endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId, secretAccessKey });
    }
    await protect(page, path, name, 2, 3);
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: LONG_WAIT });

    const senderRequests = recordRequests(sender.context);
    await record.getByRole('button', { name: 'Send to a colleague…' }).click();
    const dialog = record.getByRole('group', { name: `Send ${name} to a colleague` });
    await dialog.getByText(/The link lets your colleague's browser download 3 shares \(shares 1, 2, 3\)/).waitFor();
    await dialog.getByRole('radio', { name: '1 hour' }).check();
    // The expiry is shown before anything is signed, and exactly once the link is made.
    expect(await dialog.getByTestId('expiry-preview').textContent()).toMatch(/Made now, it would work until .+ \(1 hour\)\./);
    await dialog.getByRole('checkbox', { name: /Include the file name/ }).check();
    const before = Date.now();
    await dialog.getByRole('button', { name: 'Make the link' }).click();
    const expiry = dialog.getByTestId('link-expiry');
    await expiry.waitFor();
    const after = Date.now();
    expiresAt = Date.parse((await expiry.locator('time').getAttribute('datetime'))!);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 3600_000);
    expect(await dialog.getByRole('note').textContent()).toMatch(/Anyone who has this link can rebuild the file until then/);
    link = await dialog.getByTestId('share-link').inputValue();
    expect(link.startsWith(`${origin}/${RECEIVE_ROUTE}`)).toBe(true);
    expect(link.length).toBeLessThan(8192);
    // Copy puts exactly the link on the clipboard.
    await sender.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await dialog.getByRole('button', { name: 'Copy the link' }).click();
    await dialog.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    // Making the link sent nothing anywhere (S3 links are signed on the device).
    expect(await senderRequests.sent()).toEqual([]);
    expect(sender.pageErrors).toEqual([]);
    expect(sender.foreignRequests).toEqual([]);
  } finally {
    await sender.close();
  }

  const encoded = link.slice(link.indexOf(RECEIVE_ROUTE) + RECEIVE_ROUTE.length);
  const payload = decodeShareLink(encoded);
  expect(payload).toMatchObject({ k: 2, n: 3, size: 5 * MiB, fingerprint, fileName: name, expiresAt: expiresAt / 1000 });
  expect(payload.shares.map((share) => share.x)).toEqual([1, 2, 3]);

  // The colleague: a fresh profile, nothing set up, only the link.
  const context = await browser.newContext({ acceptDownloads: true });
  const requests = recordRequests(context);
  const colleague = await openAppIn(context, inject('baseUrl'), { path: link.slice(origin.length + 1), routeRequests: false, allowOrigins: [rgw.endpoint] });
  try {
    const { page } = colleague;
    const received = page.getByRole('region', { name: 'A colleague sent you a file' });
    await received.waitFor();
    expect(await locationItem(page, 'Ceph A').count()).toBe(0);
    expect((await received.textContent())!.replace(/\s+/g, ' ')).toMatch(new RegExp(`${name}, a file of 5\\.2 MB, protected with .+: any 2 of its 3 shares rebuild it, and this link points to 3 of them\\.`));
    expect(await received.getByTestId('link-valid-until').locator('time').getAttribute('datetime')).toBe(new Date(expiresAt).toISOString());
    // Nothing is fetched before the person asks.
    expect((await requests.sent()).filter((request) => request.url.startsWith(rgw.endpoint))).toEqual([]);
    await received.getByRole('button', { name: 'Get the file' }).click();
    const verdict = received.getByTestId('link-verdict');
    await verdict.or(received.getByRole('alert')).waitFor({ timeout: LONG_WAIT });
    expect((await verdict.textContent())!.trim()).toMatch(/^\W*Identical: the rebuilt file is exactly the one your colleague protected\./);
    expect((await received.getByTestId('link-sha-rebuilt').textContent())!.trim()).toBe(fingerprint);
    const [download] = await Promise.all([page.waitForEvent('download'), received.getByRole('button', { name: 'Save the file' }).click()]);
    expect(download.suggestedFilename()).toBe(name);
    expect(sha256Hex(await readFile((await download.path())!))).toBe(sha256);

    const sent = await requests.sent();
    // The shares came straight from the buckets, by plain GETs to the link's addresses.
    const shareUrls = new Set(payload.shares.map((share) => share.url));
    const toBuckets = sent.filter((request) => request.url.startsWith(`${rgw.endpoint}/`));
    expect(toBuckets.length).toBeGreaterThanOrEqual(2);
    for (const request of toBuckets) {
      expect(['GET', 'OPTIONS'], request.url.split('?')[0]).toContain(request.method);
      expect(shareUrls.has(request.url), request.url.split('?')[0]).toBe(true);
    }
    expect(new Set(toBuckets.filter((request) => request.method === 'GET').map((request) => request.url)).size).toBeGreaterThanOrEqual(payload.k);
    // Nothing else of the link left the browser: not the fragment, not a slice of it, not what it holds.
    const payloadParts = [
      encoded,
      RECEIVE_ROUTE,
      // Every 16 characters of it, at every offset.
      ...Array.from({ length: encoded.length - 15 }, (_, index) => encoded.slice(index, index + 16)),
      fingerprint,
      payload.splitId,
      name,
      encodeURIComponent(name),
    ];
    const signatures = payload.shares.map((share) => new URL(share.url).searchParams.get('X-Amz-Signature')!);
    for (const request of sent) {
      const where = `${request.method} ${request.url.split('?')[0]}`;
      // A share's own address carries its own signature: only the requests to it may.
      for (const part of shareUrls.has(request.url) ? payloadParts : [...payloadParts, ...signatures]) expect(request.url.includes(part), `${where}: URL`).toBe(false);
      for (const part of [...payloadParts, ...signatures, '#']) {
        for (const [header, value] of Object.entries(request.headers)) expect(value.includes(part), `${where}: header ${header}`).toBe(false);
        expect(request.body.includes(part), `${where}: body`).toBe(false);
      }
      expect(request.url.includes('#'), `${where}: fragment`).toBe(false);
    }
    expect(colleague.pageErrors).toEqual([]);
    expect(colleague.consoleErrors).toEqual([]);
    expect(colleague.foreignRequests).toEqual([]);
  } finally {
    await colleague.close();
  }
});

it('an expired link says when it expired and fetches nothing; a damaged one says it cannot be used; one whose shares are gone says so', async () => {
  const { accessKeyId, secretAccessKey } = rgw.users.owner;
  const config = { bucketId: 'link-a', endpoint: rgw.endpoint, region: rgw.region, bucket: 'link-a', addressing: 'path' as const, accessKeyId, secretAccessKey };
  // Signed two hours ago, valid one hour: the signer takes a past time.
  const signedAt = Math.floor(Date.now() / 1000) * 1000 - 2 * 3600_000;
  const recordId = '00112233445566778899aabbccddeeff';
  const shares = await Promise.all(
    [1, 2, 3].map(async (x) => ({
      x,
      url: (await presignS3Request(config, { method: 'GET', key: `tessera/${recordId}/${x}.tshare`, expiresSeconds: 3600, date: new Date(signedAt) })).href,
    })),
  );
  // RGW itself refuses it: the message is about a real expiry.
  expect((await fetch(shares[0]!.url)).status).toBe(403);
  const expiresAt = (signedAt + 3600_000) / 1000;
  const encoded = encodeShareLink({ version: 1, scheme: 'ssms', k: 2, n: 3, size: 1000, splitId: 'ab'.repeat(16), sha256: 'cd'.repeat(32), expiresAt, shares });

  const context = await browser.newContext();
  const requests = recordRequests(context);
  const colleague = await openAppIn(context, inject('baseUrl'), { path: `${RECEIVE_ROUTE}${encoded}`, routeRequests: false, allowOrigins: [rgw.endpoint] });
  try {
    const { page } = colleague;
    const received = page.getByRole('region', { name: 'A colleague sent you a file' });
    const expired = received.getByTestId('link-expired');
    await expired.waitFor();
    expect((await expired.textContent())!.replace(/\s+/g, ' ')).toMatch(/This link expired on .+ \(by this device's clock\)\. Ask your colleague to send a new one\./);
    expect(await expired.locator('time').getAttribute('datetime')).toBe(new Date(expiresAt * 1000).toISOString());
    expect(await received.getByRole('button', { name: 'Get the file' }).count()).toBe(0);
    expect((await requests.sent()).filter((request) => request.url.startsWith(rgw.endpoint))).toEqual([]);

    // The same link with its end cut off (a mail program wrapped it).
    await page.evaluate((hash) => (window.location.hash = hash), `${RECEIVE_ROUTE}${encoded.slice(0, encoded.length - 41)}`);
    await received.getByTestId('link-invalid').getByText(/This link cannot be used: the link is damaged or incomplete/).waitFor();

    // A link in time whose shares are gone from their buckets: it says so, in words for the colleague.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const gone = await Promise.all(
      [1, 2, 3].map(async (x) => ({
        x,
        url: (await presignS3Request(config, { method: 'GET', key: `tessera/${recordId}/${x}.tshare`, expiresSeconds: 600, date: new Date(now) })).href,
      })),
    );
    const missing = encodeShareLink({ version: 1, scheme: 'ssms', k: 2, n: 3, size: 1000, splitId: 'ab'.repeat(16), sha256: 'cd'.repeat(32), expiresAt: now / 1000 + 600, shares: gone });
    await page.evaluate((hash) => (window.location.hash = hash), `${RECEIVE_ROUTE}${missing}`);
    await received.getByRole('button', { name: 'Get the file' }).click();
    const alert = received.getByRole('alert');
    await alert.waitFor({ timeout: LONG_WAIT });
    expect((await alert.textContent())!.replace(/\s+/g, ' ')).toMatch(/Too few of the shares this link points to could be downloaded\..*share 1 \(bucket\.not-found\), share 2 \(bucket\.not-found\), share 3 \(bucket\.not-found\)/);
    expect(await received.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    expect(colleague.pageErrors).toEqual([]);
    expect(colleague.foreignRequests).toEqual([]);
  } finally {
    await colleague.close();
  }
});

it('a record in the demo clouds says why it cannot be sent', async () => {
  const name = 'demo-note.bin';
  const path = join(workDirectory, name);
  await writeRandomFile(path, 64 * 1024);
  const app = await openApp(browser, inject('baseUrl'));
  try {
    const { page } = app;
    await protect(page, path, name, 2, 3);
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: LONG_WAIT });
    await record.getByRole('button', { name: 'Send to a colleague…' }).click();
    const refused = record.getByTestId('link-refused');
    expect((await refused.textContent())!.replace(/\s+/g, ' ')).toMatch(/This file is kept in the demo clouds, which live inside this browser: nobody else can reach them, so it cannot be sent by link\./);
    expect(await record.getByRole('button', { name: 'Make the link' }).count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
    expect(app.foreignRequests).toEqual([]);
  } finally {
    await app.close();
  }
});
