/**
 * The S3 transport in real headless Chromium, on the app's own origin, against Ceph RGW on
 * 127.0.0.1 through real CORS: with a rule that allows the app, every operation goes through (on
 * the page, and in a dedicated worker where uploads report progress through XMLHttpRequest); with
 * the rule missing or wrong, the failure is `bucket.cors` in plain words, and other failures are
 * told apart from it.
 *
 * The transport is not wired into the app yet, so this file bundles src/storage/s3 with Vite's
 * build API into the gitignored test/.output/ (an IIFE exposing `TesseraS3`) and adds it to the
 * served app's page with page.addScriptTag: it runs with the app's origin, as the app will.
 *
 * The page is opened in a context without request routing (openWithRealCors below), unlike
 * harness.ts's openApp: while any route is set, Playwright answers every CORS preflight itself with
 * "allow all" (playwright-core, crNetworkManager: isInterceptedOptionsPreflight), so RGW's own
 * preflight verdict would never be seen. Requests to other origins are still recorded and fail
 * the test; they are not aborted.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3BucketConfig } from '../../src/storage/s3/index.js';
import { appCorsRule, startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { launchChromium, type OpenApp } from './harness.js';
import { bundleModule, openAppWithBundle } from './module-bundle.js';


let browser: Browser;
let rgw: CephRgw;
let bundle: string;
/** A port nothing listens on, for "the storage cannot be reached". */
const CLOSED_ENDPOINT = 'http://127.0.0.1:9';


beforeAll(async () => {
  const origin = new URL(inject('baseUrl')).origin;
  [bundle, rgw, browser] = await Promise.all([
    bundleModule('src/storage/s3/index.ts', 'TesseraS3'),
    startCephRgw({ buckets: ['cors-ok', 'cors-none', 'cors-elsewhere', 'cors-no-md5', 'cors-get-only', 'cors-no-etag'] }),
    launchChromium(),
  ]);
  console.log(`Ceph RGW up in ${rgw.startMs} ms`);
  const rule = appCorsRule(origin);
  await Promise.all([
    rgw.setCors('cors-ok', origin),
    rgw.setCors('cors-none', null),
    rgw.setCors('cors-elsewhere', 'https://elsewhere.example'),
    rgw.setCors('cors-no-md5', [{ ...rule, allowedHeaders: ['content-type', 'range'] }]),
    rgw.setCors('cors-get-only', [{ ...rule, allowedMethods: ['GET', 'HEAD'] }]),
    rgw.setCors('cors-no-etag', [{ ...rule, exposeHeaders: [] }]),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rgw?.stop();
});

function bucketConfig(bucket: string, overrides: Partial<S3BucketConfig> = {}): S3BucketConfig {
  return {
    bucketId: bucket,
    endpoint: rgw.endpoint,
    region: rgw.region,
    bucket,
    addressing: 'path',
    accessKeyId: rgw.users.owner.accessKeyId,
    secretAccessKey: rgw.users.owner.secretAccessKey,
    ...overrides,
  };
}

interface Failure {
  readonly name: string;
  readonly kind?: string;
  readonly code?: string;
  readonly message: string;
}

type S3Module = typeof import('../../src/storage/s3/index.js');

/** Runs one transport call on the page; a rejection comes back as its name, kind, code and message. */
async function attempt(page: Page, config: S3BucketConfig, call: 'put' | 'head' | 'get' | 'create-and-part'): Promise<Failure | 'ok'> {
  return page.evaluate(
    async ({ config, call }) => {
      const { S3Transport } = (globalThis as unknown as { TesseraS3: S3Module }).TesseraS3;
      const s3 = new S3Transport(config);
      const body = new Uint8Array(1000).map((_, i) => i % 251);
      try {
        if (call === 'put') await s3.putObject('tessera/cors/probe', body, { contentType: 'application/octet-stream' });
        if (call === 'head') await s3.head('tessera/cors/probe');
        if (call === 'get') await s3.getRange('tessera/cors/probe', 0, 10);
        if (call === 'create-and-part') {
          const uploadId = await s3.createMultipart('tessera/cors/parts', { contentType: 'application/octet-stream' });
          try {
            await s3.uploadPart('tessera/cors/parts', uploadId, 1, body);
          } finally {
            await s3.abortMultipart('tessera/cors/parts', uploadId);
          }
        }
        return 'ok' as const;
      } catch (error) {
        const e = error as { name: string; kind?: string; code?: string; message: string };
        return { name: e.name, kind: e.kind, code: e.code, message: e.message };
      }
    },
    { config, call },
  );
}

/** The served app with the bundle, in a context with no routing (module-bundle.ts). */
function openWithRealCors(allowOrigins: readonly string[]): Promise<OpenApp> {
  return openAppWithBundle(browser, bundle, allowOrigins);
}

describe('S3 transport in Chromium through RGW CORS', () => {
  it('with the app allowed: PUT (with progress), HEAD, ranged GET, multipart with ListParts, abort, DELETE — on the page', async () => {
    const app = await openWithRealCors([rgw.endpoint]);
    try {
      const result = await app.page.evaluate(async (config) => {
        const { S3Transport } = (globalThis as unknown as { TesseraS3: S3Module }).TesseraS3;
        const s3 = new S3Transport(config);
        const pattern = (length: number, salt: number): Uint8Array => new Uint8Array(length).map((_, i) => (i * 31 + 7 + salt) % 251);
        const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
        const checks: Record<string, unknown> = {};

        const small = pattern(200_001, 1);
        const progress: number[] = [];
        await s3.putObject('tessera/page/small.tshare', small, { contentType: 'application/octet-stream', onProgress: (n) => progress.push(n) });
        checks['progress ends at the size'] = progress.at(-1) === small.length;
        checks['head'] = await s3.head('tessera/page/small.tshare');
        checks['range'] = same(await s3.getRange('tessera/page/small.tshare', 1000, 5000), small.subarray(1000, 6000));
        checks['tail'] = same(await s3.getRange('tessera/page/small.tshare', 199_990, 100), small.subarray(199_990));

        const MiB = 1024 * 1024;
        const big = pattern(5 * MiB + 4321, 2);
        const uploadId = await s3.createMultipart('tessera/page/big.tshare', { contentType: 'application/octet-stream' });
        const etag1 = await s3.uploadPart('tessera/page/big.tshare', uploadId, 1, big.subarray(0, 5 * MiB));
        const etag2 = await s3.uploadPart('tessera/page/big.tshare', uploadId, 2, big.subarray(5 * MiB), { onProgress: () => undefined });
        const parts = await s3.listParts('tessera/page/big.tshare', uploadId);
        checks['parts listed with their ETags'] = parts.map((p) => [p.partNumber, p.etag === [etag1, etag2][p.partNumber - 1], p.size]);
        await s3.completeMultipart('tessera/page/big.tshare', uploadId, parts, { contentType: 'application/octet-stream' });
        checks['big head'] = await s3.head('tessera/page/big.tshare');
        checks['across parts'] = same(await s3.getRange('tessera/page/big.tshare', 5 * MiB - 3, 10), big.subarray(5 * MiB - 3, 5 * MiB + 7));

        const dropped = await s3.createMultipart('tessera/page/dropped.tshare', { contentType: 'application/octet-stream' });
        await s3.uploadPart('tessera/page/dropped.tshare', dropped, 1, pattern(1000, 3));
        await s3.abortMultipart('tessera/page/dropped.tshare', dropped);
        checks['no upload left'] = await s3.listUploads('tessera/page/dropped.tshare');

        for (const key of ['tessera/page/small.tshare', 'tessera/page/big.tshare']) await s3.deleteObject(key);
        checks['deleted'] = await s3.head('tessera/page/small.tshare');
        return checks;
      }, bucketConfig('cors-ok'));
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
      // HEAD of the deleted object, and the one-byte GET that tells a missing object from a missing
      // bucket, are both 404: Chromium reports each failed load on the console.
      expect(app.consoleErrors.filter((line) => !/status of 404 \(Not Found\)/.test(line))).toEqual([]);
      expect(app.consoleErrors.length).toBe(2);
      expect(app.pageErrors).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('with the app allowed: PUT through XMLHttpRequest with progress, and GET, in a dedicated worker', async () => {
    const app = await openWithRealCors([rgw.endpoint]);
    try {
      const result = await app.page.evaluate(
        async ({ bundle, config }) => {
          const script = `${bundle}
            self.onmessage = async ({ data: config }) => {
              try {
                const s3 = new TesseraS3.S3Transport(config);
                const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) % 253);
                const progress = [];
                await s3.putObject('tessera/worker/share.tshare', body, { contentType: 'application/octet-stream', onProgress: (n) => progress.push(n) });
                const back = await s3.getRange('tessera/worker/share.tshare', 0, body.length);
                await s3.deleteObject('tessera/worker/share.tshare');
                self.postMessage({ xhr: typeof XMLHttpRequest, events: progress.length, last: progress.at(-1), same: back.every((v, i) => v === body[i]) && back.length === body.length });
              } catch (error) {
                self.postMessage({ error: String(error && error.message) });
              }
            };`;
          const worker = new Worker(URL.createObjectURL(new Blob([script], { type: 'text/javascript' })));
          const answer = new Promise((resolve) => (worker.onmessage = (event) => resolve(event.data)));
          worker.postMessage(config);
          const data = await answer;
          worker.terminate();
          return data;
        },
        { bundle, config: bucketConfig('cors-ok') },
      );
      expect(result).toMatchObject({ xhr: 'function', last: 3 * 1024 * 1024, same: true });
      expect((result as { events: number }).events).toBeGreaterThanOrEqual(1);
      expect(app.consoleErrors).toEqual([]);
      expect(app.pageErrors).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('a CORS rule missing, for another origin, without Content-MD5, without PUT, or hiding ETag → bucket.cors, in plain words', async () => {
    const app = await openWithRealCors([rgw.endpoint]);
    try {
      const cases = [
        ['cors-none', 'put'],
        ['cors-none', 'head'],
        ['cors-elsewhere', 'get'],
        ['cors-elsewhere', 'put'],
        ['cors-no-md5', 'put'],
        ['cors-get-only', 'put'],
        ['cors-no-etag', 'create-and-part'],
      ] as const;
      for (const [bucket, call] of cases) {
        const failure = await attempt(app.page, bucketConfig(bucket), call);
        expect(failure, `${bucket} ${call}`).toMatchObject({ name: 'TransferError', kind: 'fatal', code: 'bucket.cors' });
        const message = (failure as Failure).message;
        expect(message, `${bucket} ${call}`).toMatch(/CORS rule/);
        expect(message).not.toContain(rgw.users.owner.secretAccessKey);
        expect(message).not.toMatch(/X-Amz-Signature/);
      }
      expect(((await attempt(app.page, bucketConfig('cors-no-etag'), 'create-and-part')) as Failure).message).toMatch(/ETag/);
      expect(((await attempt(app.page, bucketConfig('cors-none'), 'put')) as Failure).message).toContain(app.origin);
      // The browser itself reports each blocked answer, and the 403 of each unsigned probe; nothing
      // else went wrong on the page.
      expect(app.pageErrors).toEqual([]);
      expect(app.consoleErrors.filter((line) => !/CORS policy|net::ERR_FAILED|status of 403 \(Forbidden\)/.test(line))).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('told apart from CORS: a refused signature (bucket.auth), a missing permission, an unreachable server (retry)', async () => {
    const app = await openWithRealCors([rgw.endpoint, CLOSED_ENDPOINT]);
    try {
      // RGW answers a bad signature without CORS headers: the probes see the rule is fine and the signature is not.
      const wrongSecret = await attempt(app.page, bucketConfig('cors-ok', { secretAccessKey: `${rgw.users.owner.secretAccessKey}x` }), 'put');
      expect(wrongSecret).toMatchObject({ name: 'TransferError', kind: 'fatal', code: 'bucket.auth' });
      expect((wrongSecret as Failure).message).not.toContain(rgw.users.owner.secretAccessKey);
      // Another user's valid key: RGW's AccessDenied carries CORS headers, so the answer itself is read.
      const other = await attempt(app.page, bucketConfig('cors-ok', { accessKeyId: rgw.users.other.accessKeyId, secretAccessKey: rgw.users.other.secretAccessKey }), 'get');
      expect(other).toMatchObject({ name: 'TransferError', kind: 'fatal', code: 'bucket.permission' });
      expect((other as Failure).message).toContain('AccessDenied');
      const unreachable = await attempt(app.page, bucketConfig('cors-ok', { endpoint: CLOSED_ENDPOINT }), 'head');
      expect(unreachable).toMatchObject({ name: 'TransferError', kind: 'retry', code: 'bucket.unavailable' });
      expect(app.pageErrors).toEqual([]);
      expect(app.foreignRequests).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
