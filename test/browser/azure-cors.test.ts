/**
 * The Azure transport in real headless Chromium, on the app's own origin, against Azurite through
 * real CORS: the transport is bundled for the browser here (Vite's build API, an IIFE into
 * test/.output/azure-bundle) and run in the app's page and in a dedicated worker of it, so that
 * requests carry the app's Origin and the browser enforces the storage account's CORS rules.
 * The rule set on Azurite is azureCorsRule(origin), the very rule the set-up screen shows and
 * docs/azure.md explains.
 *
 * The app is opened here without request interception, not with harness.ts's openApp: once a
 * context routes requests, Playwright answers every CORS preflight itself with "allow everything"
 * (playwright-core, crNetworkManager: isInterceptedOptionsPreflight), so the storage service's
 * rules on methods and headers would never be tested. Requests to other origins are still recorded
 * and fail the test; Chromium's flags (harness.ts) keep it off the internet.
 */
import { createServer, type AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { azureCorsRule } from '../../src/storage/azure/index.js';
import { launchChromium, openApp } from './harness.js';
import { bundleModule } from './module-bundle.js';
import { startAzurite, type Azurite } from '../servers/azurite.js';
import { startAzuriteFront, type AzuriteFront } from '../servers/azurite-front.js';

type AzureModule = typeof import('../../src/storage/azure/index.js');


let browser: Browser;
let azurite: Azurite;
let bundle: string;
let front: AzuriteFront;

beforeAll(async () => {
  const started = Promise.all([launchChromium(), startAzurite({ containers: ['cloud-a', 'cloud-b'] })]);
  bundle = await bundleModule('src/storage/azure/index.ts', 'TesseraAzure');
  [browser, azurite] = await started;
  front = await startAzuriteFront(azurite.endpoint);
});

afterAll(async () => {
  await front?.close();
  await browser?.close();
  await azurite?.stop();
});

/** What the scenarios report back: plain data, so it crosses into Node and out of a worker. */
interface ErrorReport {
  readonly name: string;
  readonly kind?: string;
  readonly code?: string;
  readonly status?: number;
  readonly message: string;
}

interface RoundTrip {
  readonly singleHead: { size: number } | null;
  readonly singleRangeOk: boolean;
  /** Progress of the single put, as reported. */
  readonly singleProgress: readonly number[];
  readonly listed: readonly { partNumber: number; size: number }[];
  readonly blocksHead: { size: number } | null;
  readonly blocksOk: boolean;
  readonly afterDelete: readonly ({ size: number } | null)[];
  /** PerformanceResourceTiming initiator types of the uploads (proves XHR where progress was asked). */
  readonly initiators: Record<string, number>;
}

/**
 * Every operation of the transport, run where it is evaluated (the page or a worker). Self-contained:
 * Playwright and the worker below both rebuild it from its source text.
 */
async function roundTrip(azure: AzureModule, input: { sasUrl: string; prefix: string }): Promise<RoundTrip> {
  const bytes = (length: number, salt: number): Uint8Array => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = (i * 31 + 7 + salt) % 251;
    return out;
  };
  const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((value, i) => value === b[i]);
  const contentType = 'application/vnd.tessera.share';
  const transport = new azure.AzureBlobTransport({ bucketId: 'azure-browser', containerSasUrl: input.sasUrl });
  const single = `${input.prefix}/single.tshare`;
  const blocks = `${input.prefix}/blocks.tshare`;

  const body = bytes(300_000, 1);
  const singleProgress: number[] = [];
  await transport.putObject(single, body, { contentType, onProgress: (sent) => singleProgress.push(sent) });
  const singleHead = await transport.head(single);
  const singleRangeOk = same(await transport.getRange(single, 1000, 5000), body.subarray(1000, 6000));

  const parts = [bytes(200_000, 2), bytes(1234, 3)];
  const uploadId = await transport.createMultipart(blocks, { contentType });
  const etags: string[] = [];
  for (const [index, part] of parts.entries()) etags.push(await transport.uploadPart(blocks, uploadId, index + 1, part, { onProgress: () => undefined }));
  const listed = await transport.listParts(blocks, uploadId);
  await transport.completeMultipart(blocks, uploadId, listed, { contentType });
  const blocksHead = await transport.head(blocks);
  const whole = await transport.getRange(blocks, 0, 1_000_000);
  const blocksOk = same(whole.subarray(0, 200_000), parts[0]!) && same(whole.subarray(200_000), parts[1]!) && listed.every((part, i) => part.etag === etags[i]);

  await transport.deleteObject(single);
  await transport.deleteObject(blocks);
  const afterDelete = [await transport.head(single), await transport.head(blocks)];
  await transport.abortMultipart(blocks, uploadId);

  const initiators: Record<string, number> = {};
  for (const entry of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
    initiators[entry.initiatorType] = (initiators[entry.initiatorType] ?? 0) + 1;
  }
  return {
    singleHead,
    singleRangeOk,
    singleProgress,
    listed: listed.map(({ partNumber, size }) => ({ partNumber, size })),
    blocksHead,
    blocksOk,
    afterDelete,
    initiators,
  };
}

/** Each operation once, each failure reported as plain data. */
async function failures(azure: AzureModule, input: { sasUrl: string; prefix: string }): Promise<Record<string, ErrorReport | 'ok'>> {
  const transport = new azure.AzureBlobTransport({ bucketId: 'azure-browser', containerSasUrl: input.sasUrl });
  const contentType = 'application/vnd.tessera.share';
  const key = `${input.prefix}/refused.tshare`;
  const report = async (call: () => Promise<unknown>): Promise<ErrorReport | 'ok'> => {
    try {
      await call();
      return 'ok';
    } catch (error) {
      const e = error as Error & { kind?: string; code?: string; status?: number };
      return { name: e.name, kind: e.kind, code: e.code, status: e.status, message: e.message };
    }
  };
  return {
    putObject: await report(() => transport.putObject(key, new Uint8Array(1000), { contentType, onProgress: () => undefined })),
    putObjectFetch: await report(() => transport.putObject(key, new Uint8Array(1000), { contentType })),
    uploadPart: await report(() => transport.uploadPart(key, '0123456789abcdef', 1, new Uint8Array(1000))),
    listParts: await report(() => transport.listParts(key, '0123456789abcdef')),
    getRange: await report(() => transport.getRange(key, 0, 10)),
    head: await report(() => transport.head(key)),
    deleteObject: await report(() => transport.deleteObject(key)),
  };
}

async function loadTransport(page: Page): Promise<void> {
  await page.addScriptTag({ content: bundle });
  await page.waitForFunction(() => 'TesseraAzure' in window);
}

type Scenario<T> = (azure: AzureModule, input: { sasUrl: string; prefix: string }) => Promise<T>;

/** Runs `scenario` on the page, with the bundle loaded there. */
async function onPage<T>(page: Page, scenario: Scenario<T>, input: { sasUrl: string; prefix: string }): Promise<T> {
  await loadTransport(page);
  return page.evaluate(
    async ({ source, input: given }) => {
      const run = new Function(`return (${source})`)() as (azure: unknown, input: unknown) => Promise<unknown>;
      return run((window as unknown as { TesseraAzure: unknown }).TesseraAzure, given);
    },
    { source: scenario.toString(), input },
  ) as Promise<T>;
}

/** Runs `scenario` in a dedicated worker the page starts (from a blob: URL, so on the app's origin). */
async function inWorker<T>(page: Page, scenario: Scenario<T>, input: { sasUrl: string; prefix: string }): Promise<T> {
  return page.evaluate(
    async ({ code, source, input: given }) => {
      const script = `${code}\nconst scenario = (${source});\nself.onmessage = (event) => scenario(self.TesseraAzure, event.data).then((result) => postMessage({ result }), (error) => postMessage({ error: String(error && error.stack || error) }));`;
      const url = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }));
      const worker = new Worker(url);
      try {
        const reply = await new Promise<{ result?: unknown; error?: string }>((resolve, reject) => {
          worker.onmessage = (event: MessageEvent<{ result?: unknown; error?: string }>) => resolve(event.data);
          worker.onerror = (event) => reject(new Error(`worker: ${event.message}`));
          worker.postMessage(given);
        });
        if (reply.error !== undefined) throw new Error(reply.error);
        return reply.result;
      } finally {
        worker.terminate();
        URL.revokeObjectURL(url);
      }
    },
    { code: bundle, source: scenario.toString(), input },
  ) as Promise<T>;
}

function expectRoundTrip(result: RoundTrip): void {
  expect(result.singleHead).toEqual({ size: 300_000 });
  expect(result.singleRangeOk).toBe(true);
  expect(result.singleProgress.at(-1)).toBe(300_000);
  expect(result.singleProgress.every((sent, i) => i === 0 || sent >= result.singleProgress[i - 1]!)).toBe(true);
  expect(result.listed).toEqual([
    { partNumber: 1, size: 200_000 },
    { partNumber: 2, size: 1234 },
  ]);
  expect(result.blocksHead).toEqual({ size: 201_234 });
  expect(result.blocksOk).toBe(true);
  expect(result.afterDelete).toEqual([null, null]);
  // Uploads with progress went through XMLHttpRequest (put and two blocks), the rest through fetch.
  expect(result.initiators['xmlhttprequest']).toBe(3);
  expect(result.initiators['fetch']).toBeGreaterThanOrEqual(8);
}

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface AppPage {
  readonly page: Page;
  readonly origin: string;
}

/**
 * Opens the app (inject('baseUrl')) in a fresh context without request interception (see the top
 * of this file), runs `work`, then checks that no request went to an origin other than the app's
 * and `allowOrigins`, that the page threw nothing, and that every console error is one Chromium
 * itself prints for the failures the test provokes (`expectedConsole`): "Failed to load resource:
 * … status of 404" for a HEAD of a deleted blob, "blocked by CORS policy" for a refused exchange.
 */
async function withApp(allowOrigins: readonly string[], expectedConsole: RegExp, work: (app: AppPage) => Promise<void>): Promise<void> {
  // The bundle is an inline script and its worker a blob: URL, which the app's policy refuses.
  const app = await openApp(browser, inject('baseUrl'), { allowOrigins, routeRequests: false, bypassCSP: true });
  try {
    await work({ page: app.page, origin: app.origin });
    expect(app.foreignRequests, 'requests to other origins').toEqual([]);
    expect(app.pageErrors, 'page errors').toEqual([]);
    // The harness adds where a message came from, " (url:line)"; the patterns are about the text.
    for (const message of app.consoleErrors) expect(message.replace(/ \([^()]*:\d+\)$/, ''), 'console errors').toMatch(expectedConsole);
  } finally {
    await app.close();
  }
}

const NOT_FOUND_CONSOLE = /^Failed to load resource: the server responded with a status of 404 /;
const REFUSED_CONSOLE = /^Failed to load resource: the server responded with a status of 403 /;
const CORS_CONSOLE = /blocked by CORS policy|^Failed to load resource: net::ERR_FAILED$|^Failed to load resource: the server responded with a status of (400|403|404) /;

describe('Azure transport in Chromium, through CORS', () => {
  it('with the CORS rule for the app, put, blocks, list, get, head and delete work on the page and in a worker', async () => {
    await withApp([azurite.endpoint], NOT_FOUND_CONSOLE, async (app) => {
      await azurite.setCors([azureCorsRule(app.origin)]);
      const sasUrl = azurite.sasUrl('cloud-a');
      expectRoundTrip(await onPage(app.page, roundTrip, { sasUrl, prefix: 'page' }));
      expectRoundTrip(await inWorker(app.page, roundTrip, { sasUrl, prefix: 'worker' }));
    });
  });

  it('with CORS but an expired SAS, the refusal is readable: bucket.expired, not bucket.cors', async () => {
    await withApp([azurite.endpoint], REFUSED_CONSOLE, async (app) => {
      await azurite.setCors([azureCorsRule(app.origin)]);
      const sasUrl = azurite.sasUrl('cloud-a', { expiresAt: new Date(Date.now() - 60_000) });
      const result = await onPage(app.page, failures, { sasUrl, prefix: 'expired' });
      for (const [operation, outcome] of Object.entries(result)) {
        expect(outcome, operation).toMatchObject({ name: 'TransferError', kind: 'resign', code: 'bucket.expired', status: 403 });
      }
    });
  });

  it('with no CORS rule, every operation fails as bucket.cors, on the page and in a worker', async () => {
    await withApp([azurite.endpoint], CORS_CONSOLE, async (app) => {
      await azurite.setCors([]);
      const sasUrl = azurite.sasUrl('cloud-a');
      const signature = new URL(sasUrl).searchParams.get('sig')!;
      for (const result of [await onPage(app.page, failures, { sasUrl, prefix: 'no-cors' }), await inWorker(app.page, failures, { sasUrl, prefix: 'no-cors' })]) {
        for (const [operation, outcome] of Object.entries(result)) {
          expect(outcome, operation).toMatchObject({ name: 'TransferError', kind: 'fatal', code: 'bucket.cors', status: 0 });
          expect((outcome as ErrorReport).message).not.toContain(signature);
          expect((outcome as ErrorReport).message).toContain(app.origin);
        }
      }
      // The diagnostic requests carried no SAS: nothing was written.
      const listing = await (await azurite.adminFetch('/cloud-a?restype=container&comp=list&prefix=no-cors/')).text();
      expect(listing).not.toContain('<Blob>');
    });
  });

  it('with a rule for another origin, or without a header the transport sends, bucket.cors', async () => {
    await withApp([azurite.endpoint], CORS_CONSOLE, async (app) => {
      const sasUrl = azurite.sasUrl('cloud-b');
      await azurite.setCors([azureCorsRule('https://elsewhere.example.org')]);
      const otherOrigin = await onPage(app.page, failures, { sasUrl, prefix: 'wrong-origin' });
      for (const [operation, outcome] of Object.entries(otherOrigin)) expect(outcome, operation).toMatchObject({ code: 'bucket.cors' });

      const rule = azureCorsRule(app.origin);
      await azurite.setCors([{ ...rule, allowedHeaders: rule.allowedHeaders.filter((header) => header !== 'x-ms-blob-content-type') }]);
      const missingHeader = await onPage(app.page, failures, { sasUrl, prefix: 'missing-header' });
      // Put Blob sends x-ms-blob-content-type: its preflight is refused. Put Block does not: it goes through.
      expect(missingHeader['putObject']).toMatchObject({ code: 'bucket.cors' });
      expect(missingHeader['putObjectFetch']).toMatchObject({ code: 'bucket.cors' });
      expect(missingHeader['uploadPart']).toBe('ok');
      expect(missingHeader['head']).toBe('ok');
    });
  });

  it('with the CORS rule right, a connection dropped mid-request is a network failure to retry, not CORS', async () => {
    // The dropped requests, and the 4xx answers to the transport's unsigned diagnostic requests.
    const dropped = /^Failed to load resource: (net::ERR_EMPTY_RESPONSE|net::ERR_CONNECTION_RESET|the server responded with a status of (400|403|404) )/;
    await withApp([azurite.endpoint, front.origin], dropped, async (app) => {
      await azurite.setCors([azureCorsRule(app.origin)]);
      const sasUrl = front.viaFront(azurite.sasUrl('cloud-a'));
      front.mode = { kind: 'reset-signed' };
      try {
        for (const result of [await onPage(app.page, failures, { sasUrl, prefix: 'reset' }), await inWorker(app.page, failures, { sasUrl, prefix: 'reset' })]) {
          for (const [operation, outcome] of Object.entries(result)) {
            expect(outcome, operation).toMatchObject({ name: 'TransferError', kind: 'retry', code: 'bucket.unavailable', status: 0 });
          }
        }
      } finally {
        front.mode = { kind: 'pass' };
      }
    });
  });

  it('a service that does not answer at all is a network failure to retry, not CORS', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    await withApp([azurite.endpoint, unreachable], /^Failed to load resource: net::ERR_CONNECTION_REFUSED$/, async (app) => {
      const sasUrl = azurite.sasUrl('cloud-a').replace(azurite.endpoint, unreachable);
      const result = await onPage(app.page, failures, { sasUrl, prefix: 'unreachable' });
      for (const [operation, outcome] of Object.entries(result)) {
        expect(outcome, operation).toMatchObject({ name: 'TransferError', kind: 'retry', code: 'bucket.unavailable', status: 0 });
      }
    });
  });
});
