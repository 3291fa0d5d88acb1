/**
 * One of the app's modules built into a single classic script that sets `globalThis[name]`, for
 * tests that run it inside the served app's page or one of its workers (`page.addScriptTag`,
 * `importScripts`) — the transports, tested through the browser's real CORS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { inject } from 'vitest';
import { build } from 'vite';
import { openApp, type OpenApp } from './harness.js';
import { root } from './serve-app.js';

/** Builds `modulePath` (relative to the repository) into test/.output/bundles/<name>.js and returns its text. */
export async function bundleModule(modulePath: string, name: string): Promise<string> {
  const outDir = join(root, 'test/.output/bundles', name);
  // Vitest sets NODE_ENV=test; build what ships.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      root,
      configFile: false,
      logLevel: 'warn',
      clearScreen: false,
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        minify: false,
        lib: { entry: join(root, modulePath), formats: ['iife'], name, fileName: () => `${name}.js` },
      },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  return readFileSync(join(outDir, `${name}.js`), 'utf8');
}

/**
 * The served app in a fresh context with no request routing, so that CORS preflights reach the
 * servers themselves, with `bundle` (from bundleModule) added to the page. Requests outside the
 * app's origin and `allowOrigins` are recorded. The app's Content-Security-Policy would refuse the
 * bundle (an inline script) and a worker made from it (a blob: URL): it is bypassed here.
 */
export async function openAppWithBundle(browser: Browser, bundle: string, allowOrigins: readonly string[]): Promise<OpenApp> {
  const app = await openApp(browser, inject('baseUrl'), { allowOrigins, routeRequests: false, bypassCSP: true });
  try {
    await app.page.addScriptTag({ content: bundle });
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}
