/** The app's service worker as the browser tests wait for it (src/pwa). */
import type { Page } from 'playwright-core';

/** Waits until a service worker is active and controls the page: from then on the app works offline. */
export async function waitForServiceWorker(page: Page, timeout = 120_000): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, { timeout });
}
