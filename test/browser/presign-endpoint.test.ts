/**
 * The presign-endpoint transport in real headless Chromium, on the app's own origin: each
 * operation asks the reference endpoint (test/servers/presign-endpoint.mjs) for a signed request,
 * then sends it to Ceph RGW, with real CORS on both (the endpoint's preflight for POST with
 * Authorization, the bucket's rule for the storage requests). An endpoint that does not allow the
 * app's origin is reported as `bucket.cors`, a wrong token as `bucket.auth`.
 *
 * As in s3-cors.test.ts: the transport is bundled with Vite into the gitignored test/.output/ (an
 * IIFE exposing `TesseraPresign`) and added to the served app's page, in a context without request
 * routing, because Playwright answers CORS preflights itself while any route is set.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PresignEndpointConfig } from '../../src/storage/presign-endpoint/index.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { startPresignEndpoint, type PresignEndpoint } from '../servers/presign-endpoint.mjs';
import { launchChromium, openApp, type OpenApp } from './harness.js';
import { bundleModule } from './module-bundle.js';

const TOKEN = 'tessera-browser-token-0123456789';
const RECORD = '0123456789abcdef0123456789abcdef';

let browser: Browser;
let rgw: CephRgw;
let endpoint: PresignEndpoint;
let elsewhere: PresignEndpoint;
let bundle: string;


beforeAll(async () => {
  const origin = new URL(inject('baseUrl')).origin;
  [bundle, rgw, browser] = await Promise.all([bundleModule('src/storage/presign-endpoint/index.ts', 'TesseraPresign'), startCephRgw({ buckets: ['org-a'], corsOrigin: origin }), launchChromium()]);
  console.log(`Ceph RGW up in ${rgw.startMs} ms`);
  const s3 = { endpoint: rgw.endpoint, region: rgw.region, ...rgw.users.owner, buckets: { 'records-a': 'org-a' } };
  [endpoint, elsewhere] = await Promise.all([
    startPresignEndpoint({ s3, token: TOKEN, allowOrigin: origin, record: true }),
    startPresignEndpoint({ s3, token: TOKEN, allowOrigin: 'https://elsewhere.example' }),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([endpoint?.stop(), elsewhere?.stop()]);
  await rgw?.stop();
});

function bucketConfig(overrides: Partial<PresignEndpointConfig> = {}): PresignEndpointConfig {
  return { bucketId: 'org-records-a', endpoint: endpoint.url, bucket: 'records-a', auth: { kind: 'bearer', token: TOKEN }, ...overrides };
}

type PresignModule = typeof import('../../src/storage/presign-endpoint/index.js');

/** The served app with the bundle, in a context with no routing; requests to other origins are recorded. */
async function openWithRealCors(allowOrigins: readonly string[]): Promise<OpenApp> {
  const app = await openApp(browser, inject('baseUrl'), { allowOrigins, routeRequests: false });
  try {
    await app.page.addScriptTag({ content: bundle });
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
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
