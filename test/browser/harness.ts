/**
 * What every browser test uses: Debian's Chromium driven by playwright-core, and the built app
 * opened in a fresh context whose every request to an unexpected origin is aborted and recorded.
 *
 *   const browser = await launchChromium();
 *   const app = await openApp(browser, inject('baseUrl'));
 *   ... drive app.page ...
 *   expect(app.foreignRequests).toEqual([]);
 *   await app.close();
 *   await browser.close();
 *
 * In a test, inApp (in-app.ts) does the opening, the checks for trouble and the closing; ui.ts
 * drives the forms, for the tests and the browser benchmark alike.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's package (`apt-get install chromium`); playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags every launch uses, the browser benchmark's persistent context too. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox', // root in CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Chromium must not reach the internet by itself: a test run is offline and self-contained.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
}

export interface OpenAppOptions {
  /**
   * Origins besides the app's that the page may reach, e.g. a local S3 or Azure test server
   * (`http://127.0.0.1:7480`). Everything else is aborted and recorded.
   */
  readonly allowOrigins?: readonly string[];
  /** Path under the base URL to open first (default: the base URL itself). */
  readonly path?: string;
  /**
   * Default true: requests to other origins are aborted by a route. false: no route is set and
   * foreign requests are only recorded (they still fail the test through `foreignRequests`). Needed
   * to test real CORS: while any route is set, Playwright answers every CORS preflight itself with
   * "allow all" (playwright-core, crNetworkManager: isInterceptedOptionsPreflight).
   */
  readonly routeRequests?: boolean;
  /**
   * Default false. true: the page's Content-Security-Policy is not enforced (Playwright's
   * bypassCSP), for tests that inject code of their own into the page — a module bundle, or a
   * worker made from it through a blob: URL — which the app's policy rightly refuses. csp.test.ts
   * tests the app under its policy.
   */
  readonly bypassCSP?: boolean;
}

export interface OpenApp {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Origin of the app under test, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  /** URLs the page tried to reach outside the allowed origins (each one was aborted). */
  readonly foreignRequests: string[];
  /** Uncaught exceptions and unhandled rejections in the page. */
  readonly pageErrors: string[];
  /** `console.error` output of the page and its workers. */
  readonly consoleErrors: string[];
  /**
   * Closes the context (and with it the page and its downloads); the browser stays open, unless the
   * context is a persistent one (openAppIn), which is the browser.
   */
  close(): Promise<void>;
}

export async function openApp(browser: Browser, baseUrl: string, options: OpenAppOptions = {}): Promise<OpenApp> {
  const context = await browser.newContext({ acceptDownloads: true, ...(options.bypassCSP ? { bypassCSP: true } : {}) });
  try {
    return await openAppIn(context, baseUrl, options);
  } catch (error) {
    await context.close();
    throw error;
  }
}

/**
 * The same in a context made elsewhere, e.g. a persistent one (`chromium.launchPersistentContext`),
 * whose storage is on disk: in the fresh contexts of openApp, Chromium keeps OPFS in memory.
 * Closing the app closes the context.
 */
export async function openAppIn(context: BrowserContext, baseUrl: string, options: OpenAppOptions = {}): Promise<OpenApp> {
  const origin = new URL(baseUrl).origin;
  const allowed = new Set([origin, ...(options.allowOrigins ?? []).map((allowedOrigin) => new URL(allowedOrigin).origin)]);
  const isAllowed = (url: string): boolean => {
    if (!URL.canParse(url)) return false;
    const parsed = new URL(url);
    return parsed.protocol === 'data:' || parsed.protocol === 'blob:' || allowed.has(parsed.origin);
  };

  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  // Recorded from the request event, which also sees requests that a test's own page.route let
  // through and those of service workers; aborted by the route below.
  context.on('request', (request) => {
    if (!isAllowed(request.url())) foreignRequests.push(request.url());
  });
  if (options.routeRequests ?? true) {
    await context.route('**/*', async (route) => {
      if (isAllowed(route.request().url())) await route.fallback();
      else await route.abort('blockedbyclient');
    });
    await context.routeWebSocket(
      (url) => !isAllowed(url.href.replace(/^ws/, 'http')),
      async (socket) => {
        foreignRequests.push(socket.url());
        await socket.close({ code: 1008, reason: 'blocked by the test harness' });
      },
    );
  }

  const page = await context.newPage();
  // Without routes, a WebSocket to another origin is not stopped: record it all the same.
  if (!(options.routeRequests ?? true)) {
    page.on('websocket', (socket) => {
      if (!isAllowed(socket.url().replace(/^ws/, 'http'))) foreignRequests.push(socket.url());
    });
  }
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? `${error.name}: ${error.message}`));
  page.on('crash', () => pageErrors.push('the page crashed'));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const { url, lineNumber } = message.location();
      consoleErrors.push(url === '' ? message.text() : `${message.text()} (${url}:${lineNumber})`);
    }
  });

  await page.goto(new URL(options.path ?? '', baseUrl).href, { waitUntil: 'load' });

  return {
    context,
    page,
    origin,
    foreignRequests,
    pageErrors,
    consoleErrors,
    close: () => context.close(),
  };
}

/**
 * Records main-thread tasks over 50 ms (Long Tasks API) from now on: the heavy work runs in
 * workers, so the page must stay responsive while a large file is protected and rebuilt. The
 * observer is proven live first (a deliberate 80 ms task must be seen), so an empty list means
 * something.
 */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const durations: number[] = [];
    const frames: LongFrame[] = [];
    Object.assign(window, { longTasks: durations, longFrames: frames });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) durations.push(entry.duration);
    }).observe({ type: 'longtask' });
    // What ran in them: the Long Animation Frames API names the scripts of every frame over 50 ms.
    if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
      type Script = { invoker: string; sourceURL: string; sourceFunctionName: string; sourceCharPosition: number; duration: number; forcedStyleAndLayoutDuration: number };
      type Frame = PerformanceEntry & { blockingDuration: number; renderStart: number; styleAndLayoutStart: number; scripts: Script[] };
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as Frame[]) {
          frames.push({
            startTime: entry.startTime,
            duration: entry.duration,
            blockingDuration: entry.blockingDuration,
            renderMs: entry.renderStart > 0 ? entry.startTime + entry.duration - entry.renderStart : 0,
            styleAndLayoutMs: entry.styleAndLayoutStart > 0 ? entry.startTime + entry.duration - entry.styleAndLayoutStart : 0,
            scripts: entry.scripts.map((script) => ({
              invoker: script.invoker,
              sourceURL: script.sourceURL,
              sourceFunctionName: script.sourceFunctionName,
              sourceCharPosition: script.sourceCharPosition,
              duration: script.duration,
              forcedStyleAndLayoutMs: script.forcedStyleAndLayoutDuration,
            })),
          });
        }
      }).observe({ type: 'long-animation-frame' });
    }
  });
  // Prove the observer sees a long task (so an empty list means something), then start afresh.
  await page.evaluate(() => {
    setTimeout(() => {
      const start = performance.now();
      while (performance.now() - start < 80) {
        // deliberately block the main thread, in an ordinary task
      }
    }, 0);
  });
  await page.waitForFunction(() => (window as unknown as { longTasks: number[] }).longTasks.some((d) => d >= 80));
  await clearLongTasks(page);
}

/** Durations (ms) of the long tasks seen since watchLongTasks or the last clearLongTasks. */
export async function longTasks(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
}

/** A frame of the page that took over 50 ms (Long Animation Frames API), with the scripts that ran in it. */
export interface LongFrame {
  readonly startTime: number;
  readonly duration: number;
  /** The part of it that blocked input: each long task's time over 50 ms, plus rendering. */
  readonly blockingDuration: number;
  readonly renderMs: number;
  readonly styleAndLayoutMs: number;
  readonly scripts: readonly {
    readonly invoker: string;
    readonly sourceURL: string;
    readonly sourceFunctionName: string;
    /** Character offset of the function in its script (-1 when unknown). */
    readonly sourceCharPosition: number;
    readonly duration: number;
    readonly forcedStyleAndLayoutMs: number;
  }[];
}

/** The long animation frames seen since watchLongTasks or the last clearLongTasks (none where the browser lacks the API). */
export async function longFrames(page: Page): Promise<LongFrame[]> {
  return page.evaluate(() => (window as unknown as { longFrames: LongFrame[] }).longFrames);
}

/** Starts the lists of long tasks and frames afresh (the observers keep running). */
export async function clearLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { longTasks: number[] }).longTasks.length = 0;
    (window as unknown as { longFrames: unknown[] }).longFrames.length = 0;
  });
}
