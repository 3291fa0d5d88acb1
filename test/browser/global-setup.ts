/**
 * Vitest global setup of the `browser` project: one production build of the app, served by
 * `vite preview` on 127.0.0.1 at a free port for the whole run. Tests read the address with
 * `inject('baseUrl')` and open it in real Chromium (see harness.ts).
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  interface ProvidedContext {
    /** Where the built app is served, with a trailing slash: `http://127.0.0.1:PORT/`. */
    baseUrl: string;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const configFile = fileURLToPath(new URL('../../vite.config.ts', import.meta.url));
/** Gitignored (test/.output/); emptied by every run. */
const outDir = fileURLToPath(new URL('../.output/dist', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await buildApp();
  const server = await preview({
    root,
    configFile,
    logLevel: 'warn',
    build: { outDir },
    // Port 0: the OS picks a free one, so parallel checkouts and a running `npm start` never clash.
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') {
    await server.close();
    throw new Error(`vite preview is not listening on a TCP port (address: ${String(address)})`);
  }
  project.provide('baseUrl', `http://127.0.0.1:${(address satisfies AddressInfo).port}/`);
  return async () => {
    await server.close();
  };
}

async function buildApp(): Promise<void> {
  // Vitest sets NODE_ENV=test, and Vite (and Svelte with it) would then build in development mode.
  // Test what ships: a production build.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      root,
      configFile,
      mode: 'production',
      logLevel: 'warn',
      clearScreen: false,
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
}
