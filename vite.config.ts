import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build, type Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { SERVICE_WORKER_FILE, precacheManifest, type BuildFile } from './src/pwa/precache.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const RECOVERY_TOOL_MODULE = 'virtual:tessera-recovery-tool';
/** Where the app's build also puts the offline tool, so that it can be downloaded on its own. */
const RECOVERY_TOOL_FILE = 'tessera-recover.html';

/**
 * The offline recovery tool (src/offline, docs/bundles.md) as one self-contained HTML page: a second
 * Vite build of src/offline/main.ts into a single classic script (IIFE, every import inlined; the
 * WebAssembly kernels are already base64 in their generated modules) and one stylesheet, both
 * inlined into src/offline/recover.html with a Content-Security-Policy that allows exactly them and
 * no request at all. A classic inline script, because a page opened from disk (file://) may not
 * load module scripts from files. Built once per process and cached.
 */
let recoveryTool: Promise<string> | undefined;

async function buildRecoveryTool(): Promise<string> {
  const result = await build({
    root,
    configFile: false,
    mode: 'production',
    logLevel: 'warn',
    clearScreen: false,
    plugins: [svelte()],
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      cssCodeSplit: false,
      lib: { entry: fileURLToPath(new URL('src/offline/main.ts', import.meta.url)), formats: ['iife'], name: 'TesseraRecover', fileName: () => 'tool.js', cssFileName: 'tool' },
    },
  });
  const files = (Array.isArray(result) ? result : [result]).flatMap((output) => ('output' in output ? output.output : []));
  const scripts = files.flatMap((file) => (file.type === 'chunk' ? [file.code] : []));
  const styles = files.flatMap((file) => (file.type === 'asset' && file.fileName.endsWith('.css') ? [typeof file.source === 'string' ? file.source : new TextDecoder().decode(file.source)] : []));
  if (scripts.length !== 1 || scripts.length + styles.length !== files.length) {
    throw new Error(`the recovery tool must build into one script (and CSS), got: ${files.map((file) => file.fileName).join(', ')}`);
  }
  // Inside <script>, only "</script" and "<!--" can end or confuse the element (HTML §4.12.1.3).
  // Minified code has them only inside string and template literals (Svelte's templates), where
  // "\x3C" is the same "<"; should one ever stand outside a literal, the escape is a syntax error,
  // which compiling the script here catches.
  const script = scripts[0]!.replace(/<(!--|\/script)/gi, '\\x3C$1');
  new Function(script);
  const style = styles.join('\n');
  if (/<\/style/i.test(style)) throw new Error('the recovery tool\'s stylesheet contains "</style"');
  const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const policy = [
    "default-src 'none'",
    `script-src ${hash(script)} 'wasm-unsafe-eval'`,
    `style-src ${hash(style)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const template = await readFile(fileURLToPath(new URL('src/offline/recover.html', import.meta.url)), 'utf8');
  return template
    .replace('%TESSERA_CSP%', () => policy)
    .replace('%TESSERA_STYLE%', () => style)
    .replace('%TESSERA_SCRIPT%', () => script);
}

/**
 * `import recoveryTool from 'virtual:tessera-recovery-tool'` gives the tool's HTML as a string (the
 * share worker puts it into every bundle); with `emit`, the build also writes it as
 * tessera-recover.html (the page's build does, the workers' do not). In `npm start`, it is built on
 * first use and again after a source file changes.
 */
function recoveryToolPlugin({ emit }: { readonly emit: boolean }): Plugin {
  return {
    name: 'tessera-recovery-tool',
    resolveId: (id) => (id === RECOVERY_TOOL_MODULE ? `\0${RECOVERY_TOOL_MODULE}` : undefined),
    async load(id) {
      if (id !== `\0${RECOVERY_TOOL_MODULE}`) return undefined;
      recoveryTool ??= buildRecoveryTool();
      return `export default ${JSON.stringify(await recoveryTool)};`;
    },
    async generateBundle() {
      if (!emit) return;
      recoveryTool ??= buildRecoveryTool();
      this.emitFile({ type: 'asset', fileName: RECOVERY_TOOL_FILE, source: await recoveryTool });
    },
    configureServer(server) {
      server.watcher.on('change', (file) => {
        if (!file.startsWith(`${root}src/`)) return;
        recoveryTool = undefined;
        const module = server.moduleGraph.getModuleById(`\0${RECOVERY_TOOL_MODULE}`);
        if (module) server.moduleGraph.invalidateModule(module);
      });
    },
  };
}

/** Every file under `folder`, by `/`-separated path relative to it. */
async function filesUnder(folder: string): Promise<BuildFile[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.map(async (file) => ({ path: relative(folder, file).split(sep).join('/'), bytes: new Uint8Array(await readFile(file)) })));
}

/**
 * The service worker (src/pwa/sw.ts, docs/offline.md): once the build is written — chunks, worker
 * and codec chunks, WebAssembly, CSS, HTML, the public folder (samples) and the offline tool —
 * lists every file of the output folder with its SHA-256 (src/pwa/precache.ts) and writes sw.js at
 * its root: sw.ts built into one classic script with that manifest inlined. The manifest is in
 * sw.js itself, so a new build is a new sw.js, which is how the browser sees an update.
 * Production builds only; `npm start` has no service worker.
 */
function serviceWorkerPlugin(): Plugin {
  return {
    name: 'tessera-pwa',
    apply: 'build',
    async writeBundle(options) {
      if (!options.dir) throw new Error('tessera-pwa: the build has no output folder');
      const manifest = await precacheManifest(await filesUnder(options.dir));
      const result = await build({
        root,
        configFile: false,
        mode: 'production',
        logLevel: 'warn',
        clearScreen: false,
        define: { __TESSERA_PRECACHE__: JSON.stringify(manifest) },
        build: {
          write: false,
          target: 'es2022',
          minify: true,
          lib: { entry: fileURLToPath(new URL('src/pwa/sw.ts', import.meta.url)), formats: ['iife'], name: 'TesseraServiceWorker', fileName: () => SERVICE_WORKER_FILE },
        },
      });
      const chunks = (Array.isArray(result) ? result : [result]).flatMap((output) => ('output' in output ? output.output : []));
      if (chunks.length !== 1 || chunks[0]!.type !== 'chunk') throw new Error(`tessera-pwa: the service worker must build into one script, got ${chunks.length} files`);
      await writeFile(join(options.dir, SERVICE_WORKER_FILE), chunks[0]!.code);
    },
  };
}

/**
 * The app's Content-Security-Policy (docs/csp.md). Scripts, workers, styles, images and fonts only
 * from the app's own origin; no inline script and no eval — 'wasm-unsafe-eval' only lets
 * WebAssembly compile (the GF(2^8) kernels, the image codecs, zxing-wasm's QR reader). Connections
 * to the app's own origin and to any https: origin, because the buckets are the person's own and
 * only known at run time (src/storage/allowed-origins.ts keeps each request to its own location's
 * origins), and plain http: only on this computer, as the storage settings allow (a MinIO on
 * localhost; the tests' servers). Svelte sets style attributes through the CSSOM
 * (`element.style`), which style-src does not govern, so styles need no 'unsafe-inline'.
 */
const CONTENT_SECURITY_POLICY: readonly string[] = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];
/**
 * As an HTTP header, for whoever hosts the build (and `vite preview`, which the browser tests use):
 * the meta element governs the page only, while a worker or the service worker gets the policy of
 * its own script's response, and frame-ancestors is ignored in a meta element. Every file but the
 * offline tool, whose inline script and style only its own policy (hashes, no connection) allows.
 */
export const CONTENT_SECURITY_POLICY_HEADER = [...CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"].join('; ');

/**
 * The policy as a meta element right after the page's charset, before any script or stylesheet (a
 * meta policy applies only to what follows it; the charset must stay first), and as a header from
 * `vite preview`.
 */
function contentSecurityPolicyPlugin(): Plugin {
  const charset = '<meta charset="UTF-8" />';
  return {
    name: 'tessera-csp',
    // The build and `vite preview`; `npm start` has none: Vite's dev server injects inline styles
    // and talks to its client over a WebSocket.
    apply: (_config, env) => env.command === 'build' || env.isPreview === true,
    transformIndexHtml(html) {
      if (html.split(charset).length !== 2) throw new Error(`tessera-csp: index.html must have exactly one ${charset}`);
      return html.replace(charset, () => `${charset}\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.join('; ')}" />`);
    },
    configurePreviewServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        if (!path.endsWith(`/${RECOVERY_TOOL_FILE}`)) response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY_HEADER);
        next();
      });
    },
  };
}

export default defineConfig({
  plugins: [svelte(), recoveryToolPlugin({ emit: true }), serviceWorkerPlugin(), contentSecurityPolicyPlugin()],
  // Workers are bundled apart from the page: the share worker imports the recovery tool.
  worker: { format: 'es', plugins: () => [recoveryToolPlugin({ emit: false })] },
  build: { target: 'es2022' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  test: {
    // The default reporter for people, then one plain last line for CI: `tests: N passed, N failed`.
    reporters: ['default', './test/reporter.ts'],
    // Unit tests first, then the browser tests, so the two never compete for the 2 cores.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // The tests drive Debian's Chromium through playwright-core; they run in Node.
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One Chromium at a time.
          fileParallelism: false,
          // Builds the app once and serves it; tests get the URL with inject('baseUrl').
          globalSetup: ['./test/browser/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
