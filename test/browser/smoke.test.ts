import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchChromium, openApp } from './harness.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

it('loads the built app without errors and without reaching any other origin', async () => {
  const app = await openApp(browser, inject('baseUrl'));
  try {
    await expect.poll(() => app.page.title()).toBe('Tessera');
    await app.page.locator('h1').first().waitFor({ state: 'visible' });
    expect(app.pageErrors).toEqual([]);
    expect(app.consoleErrors).toEqual([]);
    expect(app.foreignRequests).toEqual([]);
  } finally {
    await app.close();
  }
});

it('harness: aborts and records a request to another origin', async () => {
  const app = await openApp(browser, inject('baseUrl'));
  try {
    const outcome = await app.page.evaluate(async () => {
      try {
        await fetch('https://example.com/tessera-harness-probe');
        return 'fetched';
      } catch {
        return 'blocked';
      }
    });
    expect(outcome).toBe('blocked');
    expect(app.foreignRequests).toEqual(['https://example.com/tessera-harness-probe']);
  } finally {
    await app.close();
  }
});
