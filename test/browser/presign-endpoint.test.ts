/**
 * The presign-endpoint transport in real headless Chromium, on the app's own origin: each
 * operation asks the reference endpoint (test/servers/presign-endpoint.mjs) for a signed request,
 * then sends it to Ceph RGW, with real CORS on both (the endpoint's preflight for POST with
 * Authorization, the bucket's rule for the storage requests). An endpoint that does not allow the
 * app's origin is reported as `bucket.cors`, a wrong token as `bucket.auth`. Then the storage
 * location's Test (src/app/location-probe.ts) for such a bucket: once working, and once for each
 * way it can fail here, the signing service's failures told apart from the storage's.
 *
 * As in s3-cors.test.ts: the transport and the probe are bundled with Vite into the gitignored
 * test/.output/ (IIFEs exposing `TesseraPresign` and `TesseraProbe`) and added to the served app's
 * page, in a context without request routing, because Playwright answers CORS preflights itself
 * while any route is set.
 */
import { createServer, type AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adviceFor } from '../../src/app/location-probe.js';
import type { PresignEndpointConfig } from '../../src/storage/presign-endpoint/index.js';
import type { PresignEndpointBucketDescriptor } from '../../src/storage/types.js';
import { corsRuleFor } from '../../src/storage/s3/index.js';
import { TRANSFER_FAILURE_CODES } from '../../src/storage/transfer/transport.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { startPresignEndpoint, type PresignEndpoint } from '../servers/presign-endpoint.mjs';
import { launchChromium, openApp, type OpenApp } from './harness.js';
import { locationItem } from './locations-ui.js';
import { bundleModule, openAppWithBundle } from './module-bundle.js';

const TOKEN = 'tessera-browser-token-0123456789';
const RECORD = '0123456789abcdef0123456789abcdef';

let browser: Browser;
let rgw: CephRgw;
let endpoint: PresignEndpoint;
let elsewhere: PresignEndpoint;
/** Signs with a valid key that has no permission on the bucket. */
let otherUser: PresignEndpoint;
/** Signs with a wrong secret: the storage refuses its signatures. */
let wrongSecret: PresignEndpoint;
/** Signs for a storage address where nothing listens. */
let deadStorage: PresignEndpoint;
/** A port nothing listens on. */
let closed: string;
let bundle: string;
let probeBundle: string;

/** A port nothing listens on: bound by the OS, then released. */
async function closedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  const origin = new URL(inject('baseUrl')).origin;
  [bundle, probeBundle, rgw, browser, closed] = await Promise.all([
    bundleModule('src/storage/presign-endpoint/index.ts', 'TesseraPresign'),
    bundleModule('src/app/location-probe.ts', 'TesseraProbe'),
    startCephRgw({ buckets: ['org-a', 'org-no-cors'], corsOrigin: origin }),
    launchChromium(),
    closedOrigin(),
  ]);
  console.log(`Ceph RGW up in ${rgw.startMs} ms`);
  await rgw.setCors('org-no-cors', null);
  const buckets = { 'records-a': 'org-a', 'records-no-cors': 'org-no-cors' };
  const s3 = { endpoint: rgw.endpoint, region: rgw.region, ...rgw.users.owner, buckets };
  [endpoint, elsewhere, otherUser, wrongSecret, deadStorage] = await Promise.all([
    startPresignEndpoint({ s3, token: TOKEN, allowOrigin: origin, record: true }),
    startPresignEndpoint({ s3, token: TOKEN, allowOrigin: 'https://elsewhere.example' }),
    startPresignEndpoint({ s3: { ...s3, ...rgw.users.other }, token: TOKEN, allowOrigin: origin }),
    startPresignEndpoint({ s3: { ...s3, secretAccessKey: `${rgw.users.owner.secretAccessKey}x` }, token: TOKEN, allowOrigin: origin }),
    startPresignEndpoint({ s3: { ...s3, endpoint: closed }, token: TOKEN, allowOrigin: origin }),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([endpoint, elsewhere, otherUser, wrongSecret, deadStorage].map((server) => server?.stop()));
  await rgw?.stop();
});

function bucketConfig(overrides: Partial<PresignEndpointConfig> = {}): PresignEndpointConfig {
  return { bucketId: 'org-records-a', endpoint: endpoint.url, bucket: 'records-a', auth: { kind: 'bearer', token: TOKEN }, ...overrides };
}

type PresignModule = typeof import('../../src/storage/presign-endpoint/index.js');

/** The served app with the bundle, in a context with no routing (module-bundle.ts). */
function openWithRealCors(allowOrigins: readonly string[]): Promise<OpenApp> {
  return openAppWithBundle(browser, bundle, allowOrigins);
}

describe('presign-endpoint transport in Chromium, through the endpoint and RGW with real CORS', () => {
  it('PUT (with progress), HEAD, ranged GET, multipart with ListParts, abort, DELETE — on the page', async () => {
    const app = await openWithRealCors([rgw.endpoint, endpoint.url]);
    const before = endpoint.received.length;
    try {
      const result = await app.page.evaluate(
        async ({ config, record }) => {
          const { PresignEndpointTransport } = (globalThis as unknown as { TesseraPresign: PresignModule }).TesseraPresign;
          const t = new PresignEndpointTransport(config);
          const pattern = (length: number, salt: number): Uint8Array => new Uint8Array(length).map((_, i) => (i * 31 + 7 + salt) % 251);
          const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
          const octets = { contentType: 'application/octet-stream' };
          const checks: Record<string, unknown> = {};

          const small = pattern(200_001, 1);
          const progress: number[] = [];
          await t.putObject(`tessera/${record}/1.tshare`, small, { ...octets, onProgress: (n) => progress.push(n) });
          checks['progress ends at the size'] = progress.at(-1) === small.length;
          checks['head'] = await t.head(`tessera/${record}/1.tshare`);
          checks['range'] = same(await t.getRange(`tessera/${record}/1.tshare`, 1000, 5000), small.subarray(1000, 6000));
          checks['tail'] = same(await t.getRange(`tessera/${record}/1.tshare`, 199_990, 100), small.subarray(199_990));

          const MiB = 1024 * 1024;
          const big = pattern(5 * MiB + 4321, 2);
          const key = `tessera/${record}/2.tshare`;
          const uploadId = await t.createMultipart(key, octets);
          const etag1 = await t.uploadPart(key, uploadId, 1, big.subarray(0, 5 * MiB));
          const etag2 = await t.uploadPart(key, uploadId, 2, big.subarray(5 * MiB), { onProgress: () => undefined });
          const parts = await t.listParts(key, uploadId);
          checks['parts listed with their ETags'] = parts.map((p) => [p.partNumber, p.etag === [etag1, etag2][p.partNumber - 1], p.size]);
          await t.completeMultipart(key, uploadId, parts, octets);
          checks['big head'] = await t.head(key);
          checks['across parts'] = same(await t.getRange(key, 5 * MiB - 3, 10), big.subarray(5 * MiB - 3, 5 * MiB + 7));

          const dropped = `tessera/${record}/3.tshare`;
          const droppedId = await t.createMultipart(dropped, octets);
          await t.uploadPart(dropped, droppedId, 1, pattern(1000, 3));
          await t.abortMultipart(dropped, droppedId);
          checks['no upload left'] = await t.listUploads(dropped);

          for (const gone of [`tessera/${record}/1.tshare`, key]) await t.deleteObject(gone);
          checks['deleted'] = await t.head(`tessera/${record}/1.tshare`);
          return checks;
        },
        { config: bucketConfig(), record: RECORD },
      );
      expect(result).toEqual({
        'progress ends at the size': true,
        head: { size: 200_001 },
        range: true,
        tail: true,
        'parts listed with their ETags': [
          [1, true, 5 * 1024 * 1024],
          [2, true, 4321],
        ],
        'big head': { size: 5 * 1024 * 1024 + 4321 },
        'across parts': true,
        'no upload left': [],
        deleted: null,
      });
      // The browser preflighted the endpoint (POST with Authorization), then asked it for each request.
      const asked = endpoint.received.slice(before);
      expect(asked.filter((request) => request.method === 'OPTIONS').length).toBeGreaterThanOrEqual(1);
      expect(asked.filter((request) => request.method === 'POST').every((request) => request.bodyBytes < 600)).toBe(true);
      // HEAD of the deleted object and the one-byte GET that diagnoses it are both 404.
      expect(app.consoleErrors.filter((line) => !/status of 404 \(Not Found\)/.test(line))).toEqual([]);
      expect(app.pageErrors).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("an endpoint whose CORS does not allow the app → bucket.cors; a wrong token → bucket.auth (the organisation's sign-in)", async () => {
    const app = await openWithRealCors([rgw.endpoint, endpoint.url, elsewhere.url]);
    try {
      const attempt = (config: PresignEndpointConfig): Promise<{ name: string; kind?: string; code?: string; message: string } | 'ok'> =>
        app.page.evaluate(
          async ({ config, record }) => {
            const { PresignEndpointTransport } = (globalThis as unknown as { TesseraPresign: PresignModule }).TesseraPresign;
            try {
              await new PresignEndpointTransport(config).head(`tessera/${record}/9.tshare`);
              return 'ok' as const;
            } catch (error) {
              const e = error as { name: string; kind?: string; code?: string; message: string };
              return { name: e.name, kind: e.kind, code: e.code, message: e.message };
            }
          },
          { config, record: RECORD },
        );
      const blocked = await attempt(bucketConfig({ endpoint: elsewhere.url }));
      expect(blocked).toMatchObject({ name: 'TransferError', kind: 'fatal', code: 'bucket.cors' });
      expect((blocked as { message: string }).message).toContain(app.origin);
      const refused = await attempt(bucketConfig({ auth: { kind: 'bearer', token: 'wrong-token' } }));
      expect(refused).toMatchObject({ name: 'TransferError', kind: 'fatal', code: 'bucket.auth' });
      expect((refused as { message: string }).message).toMatch(/organisation's sign-in was refused/);
      expect(app.pageErrors).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

type ProbeModule = typeof import('../../src/app/location-probe.js');
type ProbeOutcome = Awaited<ReturnType<ProbeModule['probeLocation']>>;
type ProbeAdvice = ReturnType<ProbeModule['adviceFor']>;

describe("Test of a storage location an organisation signs for, in Chromium, through the signing service and RGW", () => {
  function location(overrides: Partial<PresignEndpointBucketDescriptor> = {}): PresignEndpointBucketDescriptor {
    const fields = { endpoint: endpoint.url, bucket: 'records-a', ...overrides };
    return { kind: 'presign-endpoint', id: `presign:${fields.endpoint}/${fields.bucket}`, label: 'Hospital records', online: true, token: TOKEN, ...fields };
  }

  /** Opens the app with the probe's bundle; every server of this file may be reached. */
  async function openForProbes(): Promise<OpenApp> {
    const app = await openApp(browser, inject('baseUrl'), {
      allowOrigins: [rgw.endpoint, closed, ...[endpoint, elsewhere, otherUser, wrongSecret, deadStorage].map((server) => server.url)],
      routeRequests: false,
      // The bundle is an inline script, which the app's policy refuses.
      bypassCSP: true,
    });
    try {
      await app.page.addScriptTag({ content: probeBundle });
      return app;
    } catch (error) {
      await app.close();
      throw error;
    }
  }

  /** Presses "Test", as the app does: the probe on the page, then the advice for the app's origin. */
  function test(app: OpenApp, place: PresignEndpointBucketDescriptor): Promise<{ outcome: ProbeOutcome; advice: ProbeAdvice | null }> {
    return app.page.evaluate(
      async ({ place, origin }) => {
        const { probeLocation, adviceFor } = (globalThis as unknown as { TesseraProbe: ProbeModule }).TesseraProbe;
        const outcome = await probeLocation(place);
        return { outcome, advice: outcome.ok ? null : adviceFor(place, outcome, origin) };
      },
      { place, origin: app.origin },
    );
  }

  /** Test files left in a bucket (the probe deletes its own, and writes none when refused). */
  async function probeFiles(bucket: string): Promise<string[]> {
    const response = await rgw.ownerFetch(`/${bucket}?list-type=2&prefix=tessera/probe/`);
    expect(response.status).toBe(200);
    return [...(await response.text()).matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1]!);
  }

  it('every failure has its own words, from the signing service and from the storage behind it; only CORS comes with a rule', () => {
    const origin = 'https://tessera.example.org';
    for (const code of TRANSFER_FAILURE_CODES) {
      const service = adviceFor(location(), { ok: false, step: 'sign', code, detail: 'x' }, origin);
      const storage = adviceFor(location(), { ok: false, step: 'write', code, detail: 'x' }, origin);
      for (const advice of [service, storage]) {
        expect(advice.title.length, code).toBeGreaterThan(10);
        expect(advice.action.length, code).toBeGreaterThan(10);
        expect(advice.corsRule !== undefined, code).toBe(code === 'bucket.cors');
      }
      expect(service.title, code).toMatch(/signing service/);
      expect(service.title, code).not.toBe(storage.title);
    }
  });

  it('in the app: a location added in the form has a Test button; it works, and a storage without CORS is told apart, with the rule for the storage', async () => {
    const app = await openApp(browser, inject('baseUrl'), { allowOrigins: [rgw.endpoint, endpoint.url], routeRequests: false });
    try {
      const { page } = app;
      const add = async (name: string, bucket: string): Promise<void> => {
        await page.getByRole('button', { name: 'Add a storage location' }).click();
        const form = page.getByRole('form', { name: 'Add a storage location' });
        await form.getByRole('radio', { name: /Your organisation's signing service/ }).check();
        await form.getByLabel('Name', { exact: true }).fill(name);
        await form.getByLabel('Signing service address', { exact: true }).fill(endpoint.url);
        await form.getByLabel('Bucket name', { exact: true }).fill(bucket);
        await form.getByLabel('Access token', { exact: true }).fill(TOKEN);
        await form.getByRole('button', { name: 'Add location' }).click();
        await locationItem(page, name).waitFor();
      };
      const pressTest = async (name: string): Promise<string> => {
        const item = locationItem(page, name);
        await item.getByRole('button', { name: `Test ${name}`, exact: true }).click();
        const status = item.getByRole('status', { name: `Test of ${name}` });
        await status.getByText(/^\W*(Works|Does not work yet)/).waitFor({ timeout: 60_000 });
        return (await status.textContent())!.replace(/\s+/g, ' ').trim();
      };
      await page.getByRole('heading', { name: 'Storage locations' }).waitFor();
      await add('Hospital A', 'records-a');
      await add('Hospital no CORS', 'records-no-cors');
      expect(await pressTest('Hospital A')).toMatch(/^\W*Works: a test file was written, read back and deleted in \d+ ms\.$/);
      const verdict = await pressTest('Hospital no CORS');
      expect(verdict).toContain('Does not work yet. The signing service works, but the storage behind it does not let this app in');
      expect(await locationItem(page, 'Hospital no CORS').getByLabel('CORS rule for Hospital no CORS').textContent()).toBe(corsRuleFor('aws', app.origin));
      expect(await page.locator('body').textContent()).not.toContain(TOKEN);
      expect(await probeFiles('org-a')).toEqual([]);
      expect(app.pageErrors).toEqual([]);
      expect(app.consoleErrors.filter((line) => !/CORS policy|net::ERR_FAILED|status of 403 \(/.test(line))).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('works: the test file is signed, written, checked, read back and deleted; nothing is left', async () => {
    const app = await openForProbes();
    const before = endpoint.received.length;
    try {
      const { outcome } = await test(app, location());
      expect(outcome).toMatchObject({ ok: true });
      expect((outcome as { roundTripMs: number }).roundTripMs).toBeGreaterThanOrEqual(0);
      const asked = endpoint.received.slice(before);
      // The browser's preflight, then one signature per request: put, head, get, delete.
      expect(asked.filter((request) => request.method === 'OPTIONS').length).toBeGreaterThanOrEqual(1);
      expect(asked.filter((request) => request.method === 'POST').map((request) => (JSON.parse(request.body) as { operation: string }).operation)).toEqual(['put', 'head', 'get', 'delete']);
      expect(await probeFiles('org-a')).toEqual([]);
      expect(app.consoleErrors).toEqual([]);
      expect(app.pageErrors).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("the signing service's failures: unreachable, blocking this site by CORS, refusing the token, not knowing the bucket — each in its own words", async () => {
    const app = await openForProbes();
    try {
      const cases = [
        { place: location({ endpoint: closed }), code: 'bucket.unavailable', title: /signing service could not be reached/, action: new RegExp(`Check its address \\(${closed}\\)`) },
        { place: location({ endpoint: elsewhere.url }), code: 'bucket.cors', title: /signing service does not let this app in/, action: new RegExp(`allow ${app.origin} on the signing service`) },
        { place: location({ token: 'a-token-it-never-issued' }), code: 'bucket.auth', title: /signing service refused the access token/, action: /paste a new one/ },
        { place: location({ bucket: 'records-z' }), code: 'bucket.no-such-bucket', title: /does not know the bucket “records-z”/, action: /bucket name/ },
      ] as const;
      for (const { place, code, title, action } of cases) {
        const { outcome, advice } = await test(app, place);
        expect(outcome, code).toMatchObject({ ok: false, step: 'sign', code });
        expect(advice!.title, code).toMatch(title);
        expect(advice!.action, code).toMatch(action);
        expect((outcome as { detail: string }).detail, code).not.toContain(place.token);
        expect(JSON.stringify(advice), code).not.toContain(place.token);
        if (code === 'bucket.cors') {
          // What the service must answer, with this app's origin.
          expect(advice!.corsRule).toContain(`Access-Control-Allow-Origin: ${app.origin}`);
          expect(advice!.corsRule).toContain('Access-Control-Allow-Headers: authorization, content-type');
          expect(advice!.corsWhere).toContain(elsewhere.url);
        } else {
          expect(advice!.corsRule, code).toBeUndefined();
        }
      }
      expect(await probeFiles('org-a')).toEqual([]);
      expect(app.pageErrors).toEqual([]);
      // The browser reports each blocked or refused answer; the 405 is the no-cors GET that tells a
      // service blocking by CORS from one that cannot be reached (it takes only POST).
      expect(app.consoleErrors.filter((line) => !/CORS policy|net::ERR_FAILED|net::ERR_CONNECTION_REFUSED|status of 40[145] \(/.test(line))).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("the storage's failures behind a working signing service: CORS (with the rule it needs), a key without permission, refused signatures, unreachable", async () => {
    const app = await openForProbes();
    try {
      const cases = [
        { place: location({ bucket: 'records-no-cors' }), code: 'bucket.cors', title: /the storage behind it does not let this app in/ },
        { place: location({ endpoint: otherUser.url }), code: 'bucket.permission', title: /key may not do everything Tessera needs/ },
        { place: location({ endpoint: wrongSecret.url }), code: 'bucket.auth', title: /storage refused the signing service's signatures/ },
        { place: location({ endpoint: deadStorage.url }), code: 'bucket.unavailable', title: /the storage behind it could not be reached/ },
      ] as const;
      for (const { place, code, title } of cases) {
        const { outcome, advice } = await test(app, place);
        expect(outcome, code).toMatchObject({ ok: false, step: 'write', code });
        expect(advice!.title, code).toMatch(title);
        expect(advice!.action, code).toMatch(/organisation's IT department/);
        expect(JSON.stringify(outcome) + JSON.stringify(advice), code).not.toContain(TOKEN);
        if (code === 'bucket.cors') {
          expect(advice!.corsRule).toBe(corsRuleFor('aws', app.origin));
          expect(advice!.action).toContain(app.origin);
          expect(advice!.corsWhere).toMatch(/PutBucketCors/);
        } else {
          expect(advice!.corsRule, code).toBeUndefined();
        }
      }
      // Refused before anything was stored: no test file anywhere.
      expect([...(await probeFiles('org-a')), ...(await probeFiles('org-no-cors'))]).toEqual([]);
      expect(app.pageErrors).toEqual([]);
      expect(app.consoleErrors.filter((line) => !/CORS policy|net::ERR_FAILED|net::ERR_CONNECTION_REFUSED|status of 403 \(/.test(line))).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
