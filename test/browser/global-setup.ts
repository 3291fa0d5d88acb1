/**
 * Vitest global setup of the `browser` project: one production build of the app, served by
 * `vite preview` on 127.0.0.1 at a free port for the whole run (serve-app.ts). Tests read the
 * address with `inject('baseUrl')` and open it in real Chromium (see harness.ts).
 */
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { buildApp, serveApp } from './serve-app.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** Where the built app is served, with a trailing slash: `http://127.0.0.1:PORT/`. */
    baseUrl: string;
  }
}

/**
 * Gitignored (test/.output/); emptied by every run. TESSERA_TEST_DIST puts it elsewhere, so that two
 * runs in one checkout at once do not empty each other's build.
 */
const outDir = process.env['TESSERA_TEST_DIST'] ?? fileURLToPath(new URL('../.output/dist', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildApp(outDir);
  const server = await serveApp(outDir);
  project.provide('baseUrl', server.baseUrl);
  return () => server.close();
}
