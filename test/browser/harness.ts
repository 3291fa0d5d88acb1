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
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's package (`apt-get install chromium`); playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', // root in CI
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Chromium must not reach the internet by itself: a test run is offline and self-contained.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface OpenAppOptions {
  /**
   * Origins besides the app's that the page may reach, e.g. a local S3 or Azure test server
   * (`http://127.0.0.1:7480`). Everything else is aborted and recorded.
   */
  readonly allowOrigins?: readonly string[];
  /** Path under the base URL to open first (default: the base URL itself). */
  readonly path?: string;
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
  /** Closes the context (and with it the page and its downloads); the browser stays open. */
  close(): Promise<void>;
}

export async function openApp(browser: Browser, baseUrl: string, options: OpenAppOptions = {}): Promise<OpenApp> {
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

  const context = await browser.newContext({ acceptDownloads: true });
  try {
    // Recorded from the request event, which also sees requests that a test's own page.route let
    // through and those of service workers; aborted by the route below.
    context.on('request', (request) => {
      if (!isAllowed(request.url())) foreignRequests.push(request.url());
    });
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

    const page = await context.newPage();
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
  } catch (error) {
    await context.close();
    throw error;
  }
}
