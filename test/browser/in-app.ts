import type { Browser } from 'playwright-core';
import { expect, inject } from 'vitest';
import { openApp, type OpenApp, type OpenAppOptions } from './harness.js';

/**
 * Opens the app served for this run (inject('baseUrl')) in a fresh context, runs `work` in it, then
 * checks that the page reached no other origin and reported no page error and no console error;
 * the context is closed whatever happens.
 */
export async function inApp<T>(browser: Browser, work: (app: OpenApp) => Promise<T>, options: OpenAppOptions = {}): Promise<T> {
  const app = await openApp(browser, inject('baseUrl'), options);
  try {
    const result = await work(app);
    expect(app.foreignRequests, 'requests to other origins').toEqual([]);
    expect(app.pageErrors, 'page errors').toEqual([]);
    expect(app.consoleErrors, 'console errors').toEqual([]);
    return result;
  } finally {
    await app.close();
  }
}
