/**
 * The Content-Security-Policy of the built app (vite.config.ts, docs/csp.md), in real headless
 * Chromium: the page carries it as a meta element and the server as a header (which is what
 * governs workers and the service worker); the app works under it — the demo CD looked at,
 * protected and recovered, a recovery kit read back from its QR code by zxing-wasm, a real bucket
 * (Ceph RGW) added, tested, protected into and recovered from — with no violation in the page, its
 * workers or its service worker, and every request any of them makes going to the app's own origin
 * or the configured bucket's; what the policy is for — an injected inline script or handler, eval,
 * a foreign script, style or image, a connection to plain http elsewhere — is blocked and reported.
 *
 * How it watches:
 * - requests: the context's `request` event, which Playwright raises for the page, its dedicated
 *   workers and its service worker alike; each test first proves it sees a request made from a
 *   worker and one made from the service worker, so that an empty list of foreign requests means
 *   something.
 * - violations: a `securitypolicyviolation` listener in the page (an init script) and in every
 *   worker and service worker as it starts; a worker's listener reports by a same-origin request to
 *   `/__csp-violation?…` (Chromium shows a worker's violations in no console the page can read), so
 *   it is seen whatever the worker's lifetime. The console's errors are checked too. Limit: a
 *   violation in a worker's first moments, before DevTools has put its listener in, is not seen;
 *   the requests it would block are still recorded (a refused request is a `request` event too).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { CONTENT_SECURITY_POLICY_HEADER } from '../../vite.config.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium, openAppIn, type OpenApp } from './harness.js';
import { addCephBucket, locationItem } from './locations-ui.js';
import { fillProtectForm, makeVaultIfNew } from './ui.js';

const LONG_WAIT = 90_000;
const VIOLATION_PATH = '/__csp-violation';
const CEPH_BUCKETS = ['csp-a', 'csp-b', 'csp-c'] as const;

let browser: Browser;
let rgw: CephRgw;
let workDirectory: string;
let baseUrl: string;

beforeAll(async () => {
  baseUrl = inject('baseUrl');
  [rgw, browser, workDirectory] = await Promise.all([startCephRgw({ buckets: [...CEPH_BUCKETS] }), launchChromium(), mkdtemp(join(tmpdir(), 'tessera-csp-'))]);
  await Promise.all(CEPH_BUCKETS.map((bucket) => rgw.setCors(bucket, new URL(baseUrl).origin)));
});

afterAll(async () => {
  await browser?.close();
  await rgw?.stop();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

interface Watched {
  /** Every request of the page, its workers and its service worker: `service worker` or `page` (a dedicated worker's count as the page's). */
  readonly requests: { readonly url: string; readonly by: 'page' | 'service worker' }[];
  /** Those Chromium refused to send because of the policy (they are still `request` events). */
  readonly refused: string[];
  /** Violations the page, its workers and its service worker reported so far. */
  violations(): Promise<string[]>;
}

/** Starts watching a context before its page loads (see the file's comment). */
async function watch(context: BrowserContext): Promise<Watched> {
  const requests: Watched['requests'] = [];
  const refused: string[] = [];
  const pages: Page[] = [];
  context.on('request', (request) => requests.push({ url: request.url(), by: request.serviceWorker() !== null ? 'service worker' : 'page' }));
  context.on('requestfailed', (request) => {
    // Playwright's word for Chromium's net::ERR_BLOCKED_BY_CSP.
    if (request.failure()?.errorText === 'csp') refused.push(request.url());
  });
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sample}`));
  });
  const listenIn = (worker: Worker): void => {
    void worker
      .evaluate((path) => {
        self.addEventListener('securitypolicyviolation', (event) => {
          void fetch(`${path}?${new URLSearchParams({ where: self.location.pathname, what: `${event.effectiveDirective} ${event.blockedURI}` })}`).catch(() => undefined);
        });
      }, VIOLATION_PATH)
      .catch(() => undefined); // a worker that ended first
  };
  context.on('page', (page) => {
    pages.push(page);
    page.on('worker', listenIn);
  });
  context.on('serviceworker', listenIn);
  return {
    requests,
    refused,
    async violations() {
      const fromPages = await Promise.all(pages.filter((page) => !page.isClosed()).map((page) => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)));
      const fromWorkers = requests
        .filter(({ url }) => new URL(url).pathname === VIOLATION_PATH)
        .map(({ url }) => {
          const report = new URL(url).searchParams;
          return `worker ${report.get('where') ?? '?'}: ${report.get('what') ?? '?'}`;
        });
      return [...fromPages.flat(), ...fromWorkers];
    },
  };
}

/** The app, watched from its first request; requests to other origins are recorded (harness.ts), and aborted unless `routeRequests` is false. */
async function openWatched(options: { readonly allowOrigins?: readonly string[]; readonly routeRequests?: boolean; readonly path?: string } = {}): Promise<{ app: OpenApp; watched: Watched }> {
  const context = await browser.newContext({ acceptDownloads: true });
  try {
    const watched = await watch(context);
    return { app: await openAppIn(context, baseUrl, options), watched };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/**
 * Proves, after the fact, that the watching works: a request from a live dedicated worker of the
 * page and one from the service worker, each to a path of the app's own, are both recorded, as
 * theirs; in that worker the policy applies (eval refused) and still lets WebAssembly compile; and
 * that refused eval reaches `violations` through the worker's listener. The checks run from a timer:
 * code DevTools evaluates directly is exempt from CSP.
 */
async function proveWatched(app: OpenApp, watched: Watched): Promise<void> {
  const worker = app.page.workers().at(-1);
  expect(worker, 'a live dedicated worker').toBeDefined();
  const inWorker = await worker!.evaluate(
    () =>
      new Promise<{ evaluated: string; wasm: string; fetched: number }>((resolve) => {
        setTimeout(async () => {
          let evaluated: string;
          try {
            (0, eval)('1');
            evaluated = 'ran';
          } catch (error) {
            evaluated = (error as Error).name;
          }
          // The smallest module: "\0asm", version 1.
          const wasm = await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(
            () => 'compiled',
            (error: unknown) => String(error),
          );
          const fetched = (await fetch('/favicon.svg?seen-from=worker')).status;
          resolve({ evaluated, wasm, fetched });
        }, 0);
      }),
  );
  expect(inWorker).toEqual({ evaluated: 'EvalError', wasm: 'compiled', fetched: 200 });
  const [serviceWorker] = app.context.serviceWorkers();
  expect(serviceWorker, 'the service worker').toBeDefined();
  expect(await serviceWorker!.evaluate(async () => (await fetch('/favicon.svg?seen-from=service-worker')).status)).toBe(200);
  await expect.poll(() => watched.requests.filter(({ url }) => url.includes('seen-from=')).map(({ url, by }) => `${by} ${new URL(url).search}`).sort()).toEqual([
    'page ?seen-from=worker',
    'service worker ?seen-from=service-worker',
  ]);
  const where = new URL(worker!.url()).pathname;
  await expect.poll(() => watched.violations()).toEqual([`worker ${where}: script-src eval`]);
}

/** Every origin requested, but for the test's own probe requests. */
function originsRequested(watched: Watched): string[] {
  return [...new Set(watched.requests.map(({ url }) => new URL(url)).filter((url) => url.pathname !== VIOLATION_PATH).map((url) => (url.protocol === 'blob:' || url.protocol === 'data:' ? url.protocol : url.origin)))].sort();
}

it('the build carries the policy: a meta element in the page, the same as a header on every file the server gives (workers and service worker included)', async () => {
  const page = await (await fetch(baseUrl)).text();
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)" \/>/.exec(page)?.[1];
  expect(meta).toBeDefined();
  // Right after the charset, before any script or stylesheet.
  expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<script'));
  expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<link'));
  expect(`${meta!}; frame-ancestors 'none'`).toBe(CONTENT_SECURITY_POLICY_HEADER);
  const directives = new Map(meta!.split('; ').map((directive) => [directive.split(' ')[0]!, directive.split(' ').slice(1)]));
  expect(directives.get('default-src')).toEqual(["'none'"]);
  expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(directives.get('style-src')).toEqual(["'self'"]);
  expect(directives.get('connect-src')).toEqual(["'self'", 'https:', 'http://127.0.0.1:*', 'http://localhost:*']);
  for (const [name, sources] of directives) {
    expect(sources, name).not.toContain("'unsafe-inline'");
    expect(sources, name).not.toContain("'unsafe-eval'");
    // No third-party host anywhere: only keywords, schemes and this computer.
    for (const source of sources) expect(source, name).toMatch(/^(?:'[a-z-]+'|[a-z]+:|http:\/\/(?:127\.0\.0\.1|localhost):\*)$/);
  }
  const scripts = ['', 'sw.js', ...[...page.matchAll(/src="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]!)];
  expect(scripts.length).toBeGreaterThan(2);
  for (const path of scripts) expect((await fetch(new URL(path, baseUrl))).headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY_HEADER);
  // The offline tool, downloadable from the app's address too, keeps only its own policy: the
  // app's would refuse its inline script and style (and two policies both apply).
  const tool = await fetch(new URL('tessera-recover.html', baseUrl));
  expect(tool.headers.get('content-security-policy')).toBeNull();
  expect(await tool.text()).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
});

it('the offline tool served beside the app runs under its own policy alone', async () => {
  const { app, watched } = await openWatched({ path: 'tessera-recover.html' });
  try {
    await app.page.getByRole('heading', { name: 'Tessera: rebuild a file from its shares' }).waitFor();
    expect(await watched.violations()).toEqual([]);
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
  } finally {
    await app.close();
  }
});

it('demo clouds: the sample CD looked at, protected and recovered, a file protected and recovered, a recovery kit read from its QR code — no violation, and every request of the page, its workers and its service worker stays on the app’s origin', async () => {
  const name = 'scan-1MiB.bin';
  const path = join(workDirectory, name);
  const { fingerprint } = await writeRandomFile(path, 1024 * 1024);
  const { app, watched } = await openWatched();
  try {
    const { page } = app;
    await page.getByRole('heading', { level: 1 }).first().waitFor();

    // The demo CD: read in workers, a series drawn (pixels worker, codecs), protected 3-of-5 and rebuilt.
    await page.getByRole('button', { name: 'Try it with a sample study' }).click();
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
    await item.getByRole('heading', { name: 'demo-cd', exact: true }).waitFor({ timeout: LONG_WAIT });
    for (const series of await item.getByTestId('series').all()) {
      await series.getByRole('button', { name: /^Look/ }).click();
      await item.locator('[data-testid="viewer-canvas"][data-drawn-frame]:not([data-drawn-frame=""])').waitFor({ timeout: LONG_WAIT });
      expect(await item.getByTestId('viewer-problem').count()).toBe(0);
    }
    await makeVaultIfNew(page);
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const study = page.getByRole('article', { name: 'demo-cd.tar' });
    await study.getByTestId('record-safety').getByText('Safe: all 5 shares are stored.', { exact: false }).waitFor({ timeout: LONG_WAIT });
    await study.getByRole('button', { name: 'Recover', exact: true }).click();
    await study.getByTestId('verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });

    // A file of random bytes, protected with the other scheme and rebuilt.
    await fillProtectForm(page, { path, name }, { scheme: 'shamir', k: 2, n: 3 });
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: LONG_WAIT });
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);

    // Its recovery kit: the sheet's QR code, read back by zxing-wasm from a picture, rebuilds it again.
    await record.getByRole('button', { name: 'Recovery kit…' }).click();
    const sheet = page.getByRole('dialog', { name: 'Recovery kit' });
    const png = join(workDirectory, 'kit.png');
    await writeFile(png, await sheet.getByTestId('kit-qr').screenshot());
    await sheet.getByRole('button', { name: 'Close' }).click();
    const importer = page.getByRole('region', { name: 'Import a recovery kit' });
    await importer.getByTestId('kit-file-input').setInputFiles(png);
    await importer.getByTestId('kit-read').getByTestId('kit-verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });
    expect(watched.requests.some(({ url }) => /zxing_reader.*\.wasm$/.test(url))).toBe(true);

    expect(await watched.violations()).toEqual([]);
    expect(originsRequested(watched)).toEqual([app.origin]);
    expect(app.foreignRequests).toEqual([]);
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
    await proveWatched(app, watched);
  } finally {
    await app.close();
  }
});

it('a real bucket (Ceph RGW, real CORS): three added in the form and tested, a file protected 2-of-3 into them and recovered — no violation, and requests go only to the app and the buckets’ origin', async () => {
  const name = 'report-3MiB.bin';
  const path = join(workDirectory, name);
  const { fingerprint } = await writeRandomFile(path, 3 * 1024 * 1024);
  // No routes: Playwright would answer CORS preflights itself (harness.ts); other origins are still recorded.
  const { app, watched } = await openWatched({ allowOrigins: [rgw.endpoint], routeRequests: false });
  try {
    const { page } = app;
    const { accessKeyId, secretAccessKey } = rgw.users.owner;
    for (const [index, bucket] of CEPH_BUCKETS.entries()) {
      const location = `Ceph ${'ABC'[index]!}`;
      await addCephBucket(page, { name: location, endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId, secretAccessKey });
      const item = locationItem(page, location);
      await item.getByRole('button', { name: `Test ${location}`, exact: true }).click();
      await item.getByRole('status', { name: `Test of ${location}` }).getByText(/^\W*Works/).waitFor({ timeout: LONG_WAIT });
    }
    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 2, n: 3 });
    const placement = page.getByTestId('placement');
    await placement.getByText('Shares go to: “Ceph A”, “Ceph B” and “Ceph C”.').waitFor();
    await placement.getByRole('checkbox', { name: /Protect anyway/ }).check();
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: LONG_WAIT });
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });
    expect((await record.getByTestId('sha-rebuilt').textContent())!.trim()).toBe(fingerprint);

    expect(await watched.violations()).toEqual([]);
    expect(originsRequested(watched)).toEqual([app.origin, new URL(rgw.endpoint).origin].sort());
    // The shares went up and came back from workers: the bucket's requests are theirs as much as the page's.
    expect(watched.requests.filter(({ url }) => url.startsWith(rgw.endpoint)).length).toBeGreaterThan(6);
    expect(app.foreignRequests).toEqual([]);
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
    await proveWatched(app, watched);
  } finally {
    await app.close();
  }
});

it('what the policy is for: an injected inline script or handler, eval, a string timer, a foreign script, style or image and plain http elsewhere are blocked and reported, and nothing of them runs', async () => {
  const { app, watched } = await openWatched();
  try {
    const { page } = app;
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    const outcome = await page.evaluate(
      () =>
        new Promise<Record<string, string>>((resolve) => {
          const flags = window as unknown as Record<string, unknown>;
          const add = (html: string): void => {
            const holder = document.createElement('div');
            holder.innerHTML = html;
            document.body.append(holder);
          };
          const script = document.createElement('script');
          script.textContent = 'window.ranInline = true';
          document.body.append(script);
          add('<img src="/favicon.svg?handler" onload="window.ranHandler = true">');
          add('<a id="csp-link" href="javascript:window.ranUrl = true">x</a>');
          add('<img src="https://third-party.example/pixel.png">');
          add('<link rel="stylesheet" href="https://third-party.example/style.css">');
          add('<style>body { --csp-injected: 1 }</style>');
          const foreign = document.createElement('script');
          foreign.src = 'https://third-party.example/script.js';
          document.body.append(foreign);
          // From a timer: code DevTools evaluates directly is exempt from CSP, what it schedules is not.
          setTimeout(async () => {
            const outcome: Record<string, string> = {};
            try {
              (0, eval)('window.ranEval = true');
              outcome['eval'] = 'ran';
            } catch (error) {
              outcome['eval'] = (error as Error).name;
            }
            try {
              new Function('window.ranFunction = true')();
              outcome['Function'] = 'ran';
            } catch (error) {
              outcome['Function'] = (error as Error).name;
            }
            (setTimeout as unknown as (code: string, ms: number) => void)('window.ranTimer = true', 0);
            document.getElementById('csp-link')!.click();
            outcome['http'] = await fetch('http://192.0.2.1/').then(
              () => 'answered',
              (error: unknown) => (error as Error).name,
            );
            setTimeout(() => {
              for (const flag of ['ranInline', 'ranHandler', 'ranUrl', 'ranEval', 'ranFunction', 'ranTimer']) outcome[flag] = String(flags[flag] ?? false);
              outcome['injectedStyle'] = getComputedStyle(document.body).getPropertyValue('--csp-injected') || 'none';
              resolve(outcome);
            }, 100);
          }, 0);
        }),
    );
    expect(outcome).toEqual({
      eval: 'EvalError',
      Function: 'EvalError',
      http: 'TypeError',
      ranInline: 'false',
      ranHandler: 'false',
      ranUrl: 'false',
      ranEval: 'false',
      ranFunction: 'false',
      ranTimer: 'false',
      injectedStyle: 'none',
    });
    // Each reported by both copies of the policy (the meta element and the header); the set of kinds:
    const kinds = new Set((await watched.violations()).map((line) => line.split(' ').slice(0, 2).join(' ')));
    expect([...kinds].sort()).toEqual(
      [
        'connect-src http://192.0.2.1/',
        'img-src https://third-party.example/pixel.png',
        'script-src eval',
        'script-src-attr inline',
        'script-src-elem https://third-party.example/script.js',
        'script-src-elem inline',
        'style-src-elem https://third-party.example/style.css',
        'style-src-elem inline',
      ].sort(),
    );
    // Blocked before anything was sent: Chromium still raises a `request` event for each element's
    // fetch, then fails it for the policy (the harness would also have aborted it); fetch() is stopped earlier still.
    const foreign = ['https://third-party.example/pixel.png', 'https://third-party.example/script.js', 'https://third-party.example/style.css'];
    expect(watched.requests.filter(({ url }) => !url.startsWith(app.origin)).map(({ url }) => url).sort()).toEqual(foreign);
    await expect.poll(() => [...new Set(watched.refused)].sort()).toEqual(foreign);
    expect(app.foreignRequests.sort()).toEqual(foreign);
    expect(app.pageErrors).toEqual([]);
  } finally {
    await app.close();
  }
});
