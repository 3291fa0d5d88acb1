/**
 * One production build of the app, served by `vite preview` on 127.0.0.1 at a free port. Used by
 * the browser tests' global setup and by the browser benchmark (test/bench/browser.ts), each with
 * an output folder of its own under the gitignored test/.output/.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, preview, type PluginOption } from 'vite';

/** The repository's root folder, with a trailing slash. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
const configFile = fileURLToPath(new URL('../../vite.config.ts', import.meta.url));

interface BuildOptions {
  /**
   * `'hidden'`: write source maps beside the scripts without pointing to them, so that the code is
   * what ships and a profile can still be read back in terms of the sources (the benchmark does).
   */
  readonly sourcemap?: boolean | 'hidden';
  /** Plugins added to the app's own (a test's variant of the build). */
  readonly plugins?: PluginOption[];
}

/** Builds the app into `outDir` (emptied first), in production mode whatever NODE_ENV says. */
export async function buildApp(outDir: string, options: BuildOptions = {}): Promise<void> {
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
      build: { outDir, emptyOutDir: true, ...(options.sourcemap !== undefined ? { sourcemap: options.sourcemap } : {}) },
      ...(options.plugins ? { plugins: options.plugins } : {}),
    });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
}

export interface ServedApp {
  /** With a trailing slash: `http://127.0.0.1:PORT/`. */
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Serves a build made by buildApp with `vite preview`. */
export async function serveApp(outDir: string): Promise<ServedApp> {
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
  return {
    baseUrl: `http://127.0.0.1:${(address satisfies AddressInfo).port}/`,
    close: () => server.close(),
  };
}
