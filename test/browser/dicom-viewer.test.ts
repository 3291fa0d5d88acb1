/**
 * The DICOM viewer and its lazily loaded codecs in real headless Chromium, from a production build.
 *
 * The viewer is not wired into the app's UI yet, so this file builds the app once more with one
 * extra page, generated here under the gitignored test/.output/: it mounts Viewer.svelte and
 * exposes the worker client, built by the repository's own vite.config.ts (same plugins, same
 * worker format), and serves it like global-setup does. Fixtures come from pydicom, DCMTK and GDCM
 * (test/helpers/dicom-pixel-fixtures.ts). No sleeps: every step waits for a state.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewFrame, type VoiChoice } from '../../src/dicom/pixels/index.js';
import { encode, writeSources } from '../helpers/dicom-pixel-fixtures.js';
import { fixtureFolder } from '../helpers/dicom-tools.js';
import { launchChromium, openApp, type OpenApp } from './harness.js';
import { root, serveApp, type ServedApp } from './serve-app.js';

const outputRoot = join(root, 'test/.output');
const entryFolder = join(outputRoot, 'dicom-viewer-entry');
const distFolder = join(outputRoot, 'dicom-viewer-dist');
const fixtures = fixtureFolder('dicom-viewer');

let browser: Browser;
let server: ServedApp;

/** The extra page: mounts the viewer on demand and exposes a decode through the worker client. */
const ENTRY_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>Viewer test</title></head>
  <body><div id="app"></div><script type="module" src="./viewer-entry.ts"></script></body>
</html>
`;
const ENTRY_SCRIPT = `
import { mount, unmount } from 'svelte';
import Viewer from '/src/app/dicom/Viewer.svelte';
import { openPreview } from '/src/dicom/pixels/client.ts';
import { renderFrame } from '/src/dicom/pixels/view.ts';
import '/src/app/app.css';

const fromBase64 = (text) => Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
let mounted;
window.viewerTest = {
  mount(base64, label) {
    if (mounted) unmount(mounted);
    mounted = mount(Viewer, { target: document.getElementById('app'), props: { bytes: fromBase64(base64), label } });
  },
  async decode(base64, frame) {
    const opened = await openPreview(fromBase64(base64));
    if (!opened.ok) return { ok: false, code: opened.problem.code };
    const decoded = await opened.value.frame(frame);
    opened.value.close();
    if (!decoded.ok) return { ok: false, code: decoded.problem.code };
    const image = renderFrame(decoded.value);
    return { ok: true, width: image.width, height: image.height, rgba: Array.from(image.rgba) };
  },
};
document.body.dataset.ready = 'true';
`;

const FIXTURES: readonly [source: string, output: string, tool: string, options: readonly string[]][] = [
  ['gray8', 'jpeg-baseline', 'dcmcjpeg', ['+eb']],
  ['rgb', 'jpeg-baseline-colour', 'dcmcjpeg', ['+eb']],
  ['ct16', 'jpeg-lossless', 'dcmcjpeg', ['+e1']],
  ['ct16', 'jpeg-ls', 'dcmcjpls', []],
  ['ct16', 'jpeg-2000', 'gdcmconv', ['--j2k']],
  ['rgb', 'rle-colour', 'dcmcrle', []],
  ['ct16', 'deflated', 'dcmconv', ['+td']],
];

beforeAll(async () => {
  writeSources(fixtures.path);
  for (const [source, output, tool, options] of FIXTURES) encode(fixtures.path, source, output, tool, options);

  mkdirSync(entryFolder, { recursive: true });
  writeFileSync(join(entryFolder, 'viewer.html'), ENTRY_HTML);
  writeFileSync(join(entryFolder, 'viewer-entry.ts'), ENTRY_SCRIPT);
  // As serve-app.ts's buildApp: Vitest sets NODE_ENV=test, which would make a development build.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      root,
      configFile: join(root, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      clearScreen: false,
      build: { outDir: distFolder, emptyOutDir: true, rolldownOptions: { input: { viewer: join(entryFolder, 'viewer.html') } } },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  server = await serveApp(distFolder);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  fixtures.remove();
});

const base64Of = (name: string): string => readFileSync(join(fixtures.path, `${name}.dcm`)).toString('base64');

/**
 * Opens the test page in a fresh context; `wasm` lists the WebAssembly files fetched so far (by
 * the page or its workers). After `work`: no foreign request, page error or console error.
 */
async function onTestPage<T>(work: (app: OpenApp, wasm: readonly string[]) => Promise<T>): Promise<T> {
  const app = await openApp(browser, server.baseUrl, { path: 'test/.output/dicom-viewer-entry/viewer.html' });
  const wasm: string[] = [];
  app.context.on('request', (request) => {
    if (request.url().endsWith('.wasm')) wasm.push(new URL(request.url()).pathname);
  });
  try {
    await app.page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    const result = await work(app, wasm);
    expect(app.foreignRequests, 'requests to other origins').toEqual([]);
    expect(app.pageErrors, 'page errors').toEqual([]);
    expect(app.consoleErrors, 'console errors').toEqual([]);
    return result;
  } finally {
    await app.close();
  }
}

interface DecodedInPage {
  ok: boolean;
  code?: string;
  width?: number;
  height?: number;
  rgba?: number[];
}

function decodeInPage(page: Page, name: string, frame = 0): Promise<DecodedInPage> {
  return page.evaluate(
    ([base64, index]) => (window as unknown as { viewerTest: { decode(b: string, f: number): Promise<DecodedInPage> } }).viewerTest.decode(base64, index),
    [base64Of(name), frame] as const,
  );
}

async function renderedInNode(name: string, frame = 0, voi?: VoiChoice): Promise<number[]> {
  const result = await previewFrame(readFileSync(join(fixtures.path, `${name}.dcm`)), { frame, ...(voi ? { voi } : {}) });
  if (!result.ok) throw new Error(result.problem.message);
  return Array.from(result.value.image.rgba);
}

describe('codecs load only when needed and decode in Chromium as they do in Node', () => {
  it.each(FIXTURES.map(([, output]) => output))('%s', async (name) => {
    await onTestPage(async (app, wasm) => {
      expect(wasm, 'no codec before a compressed frame is asked for').toEqual([]);
      const decoded = await decodeInPage(app.page, name, name.includes('colour') ? 1 : 0);
      expect(decoded.ok, decoded.code).toBe(true);
      expect(decoded.rgba).toEqual(await renderedInNode(name, name.includes('colour') ? 1 : 0));
      // Only the codec this syntax needs: JPEG Lossless is plain JavaScript, RLE and deflate need none.
      const expected = { 'jpeg-baseline': 1, 'jpeg-baseline-colour': 1, 'jpeg-ls': 1, 'jpeg-2000': 1 }[name] ?? 0;
      expect(wasm.length, wasm.join(', ')).toBe(expected);
    });
  });

  it('codecs are chunks of their own, outside the page and the worker entry', () => {
    const assets = join(distFolder, 'assets');
    const files = readdirSync(assets);
    const read = (file: string): string => readFileSync(join(assets, file), 'utf8');
    const chunk = (prefix: string): string | undefined => files.find((file) => file.startsWith(prefix) && file.endsWith('.js'));
    const worker = chunk('pixels-worker');
    const page = chunk('viewer');
    expect(worker, files.join(', ')).toBeDefined();
    expect(page, files.join(', ')).toBeDefined();
    // Emscripten's glue (a string every one of its builds has) and the lossless decoder's own error text.
    const glue = 'instantiateWasm';
    const lossless = 'Not a JPEG file';
    for (const entry of [worker!, page!]) {
      expect(read(entry)).not.toContain(glue);
      expect(read(entry)).not.toContain(lossless);
    }
    for (const codec of ['libjpegturbowasm_decode', 'charlswasm_decode', 'openjpegwasm_decode']) expect(read(chunk(codec)!)).toContain(glue);
    expect(read(chunk('lossless')!)).toContain(lossless);
    expect(files.filter((file) => file.endsWith('.wasm')).length).toBe(3);
  });
});

describe('the viewer', () => {
  const canvas = (page: Page) => page.getByTestId('viewer-canvas');

  async function canvasPixels(page: Page): Promise<number[]> {
    return page.evaluate(() => {
      const element = document.querySelector<HTMLCanvasElement>('[data-testid="viewer-canvas"]')!;
      return Array.from(element.getContext('2d')!.getImageData(0, 0, element.width, element.height).data);
    });
  }

  async function mountViewer(page: Page, name: string): Promise<void> {
    await page.evaluate(
      ([base64]) => (window as unknown as { viewerTest: { mount(b: string, l: string): void } }).viewerTest.mount(base64, 'Test image'),
      [base64Of(name)] as const,
    );
  }

  it('draws a multi-frame CT, scrolls frames by key, wheel and slider, and windows by preset, drag, keys and reset', async () => {
    await onTestPage(async ({ page }) => {
      await mountViewer(page, 'jpeg-2000');
      await page.locator('[data-testid="viewer-canvas"][data-drawn-frame="0"]').waitFor();
      expect(await canvas(page).getAttribute('aria-label')).toBe('Test image: CT grey image, frame 1 of 3, 96 × 80 pixels. Window centre 40, width 400 (from the file).');
      expect(await canvasPixels(page)).toEqual(await renderedInNode('jpeg-2000', 0));

      await canvas(page).focus();
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => page.getByTestId('viewer-frame').textContent()).toBe('2 of 3');
      await page.keyboard.press('PageDown');
      await expect.poll(() => page.getByTestId('viewer-frame').textContent()).toBe('3 of 3');
      await page.locator('[data-testid="viewer-canvas"][data-drawn-frame="2"]').waitFor();
      expect(await canvasPixels(page)).toEqual(await renderedInNode('jpeg-2000', 2));
      await canvas(page).hover();
      await page.mouse.wheel(0, -120);
      await expect.poll(() => page.getByTestId('viewer-frame').textContent()).toBe('2 of 3');
      await page.getByTestId('viewer-frame-slider').fill('1');
      await expect.poll(() => page.getByTestId('viewer-frame').textContent()).toBe('1 of 3');

      await page.getByRole('button', { name: /^Lung preset/ }).click();
      await expect.poll(() => page.getByTestId('viewer-window').textContent()).toBe('Window centre -600, width 1500 (Lung preset).');
      const lung: VoiChoice = { kind: 'window', window: { centre: -600, width: 1500, function: 'LINEAR' }, source: 'preset' };
      await expect.poll(async () => (await canvasPixels(page)).join()).toBe((await renderedInNode('jpeg-2000', 0, lung)).join());

      // Drag right and down: a wider window, a higher centre.
      const box = (await canvas(page).boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 20, box.y + box.height / 2 + 10, { steps: 4 });
      await page.mouse.up();
      const dragged = await page.getByTestId('viewer-window').textContent();
      const [, centre, width] = /Window centre (-?[\d.]+), width ([\d.]+) \(adjusted\)/.exec(dragged ?? '') ?? [];
      expect(Number(width)).toBeGreaterThan(1500);
      expect(Number(centre)).toBeGreaterThan(-600);

      await canvas(page).focus();
      await page.keyboard.press('Shift+ArrowLeft');
      await expect.poll(async () => Number(/width ([\d.]+)/.exec((await page.getByTestId('viewer-window').textContent()) ?? '')?.[1])).toBeLessThan(Number(width));

      await page.getByTestId('viewer-reset').click();
      await expect.poll(() => page.getByTestId('viewer-window').textContent()).toBe('Window centre 40, width 400 (from the file).');
      await page.getByRole('button', { name: 'File LUNG' }).click();
      await expect.poll(() => page.getByTestId('viewer-window').textContent()).toBe('Window centre -600, width 1500 (from the file: LUNG).');
    });
  });

  it('draws colour without window controls', async () => {
    await onTestPage(async ({ page }) => {
      await mountViewer(page, 'jpeg-baseline-colour');
      await page.locator('[data-testid="viewer-canvas"][data-drawn-frame="0"]').waitFor();
      expect(await canvas(page).getAttribute('aria-label')).toMatch(/colour image, frame 1 of 2/);
      expect(await canvasPixels(page)).toEqual(await renderedInNode('jpeg-baseline-colour', 0));
      expect(await page.getByRole('group', { name: 'Window' }).count()).toBe(0);
      expect(await page.getByTestId('viewer-window').textContent()).toBe('Colour image, shown as stored.');
    });
  });

  it('says plainly when a file cannot be previewed, without an error on the page', async () => {
    await onTestPage(async ({ page }) => {
      await page.evaluate(() => (window as unknown as { viewerTest: { mount(b: string, l: string): void } }).viewerTest.mount(btoa('not a DICOM file'), 'Test image'));
      const problem = page.getByTestId('viewer-problem');
      await problem.waitFor();
      expect(await problem.getAttribute('data-code')).toBe('pixels.unreadable');
      expect(await problem.textContent()).toContain('The file is still protected exactly as it is.');
    });
  });
});
