/**
 * Demo-cloud objects as a worker writes them: through OPFS sync access handles (opfs.ts
 * openFileTarget), in the served app's origin. What is checked is what a reader of the object gets.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from './harness.js';
import { bundleModule, openAppWithBundle } from './module-bundle.js';

let browser: Browser;
let bundle: string;

beforeAll(async () => {
  [bundle, browser] = await Promise.all([bundleModule('src/storage/demo-bucket.ts', 'TesseraDemo'), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

interface Written {
  readonly error?: string;
  readonly syncHandles: number;
  readonly size: number;
  readonly same: boolean;
  readonly files: readonly string[];
}

/**
 * In a worker of the page: optionally leaves `leftover` bytes in the object's temporary file (as a
 * write cut short by a closed tab does), writes `pieces` pieces of 100 KiB into the object and
 * closes it, then reads it back and lists the bucket's folder.
 */
async function writeInWorker(bundleText: string, page: import('playwright-core').Page, leftover: number, pieces: number): Promise<Written> {
  return (await page.evaluate(
    async ({ bundleText, leftover, pieces }) => {
      const script = `${bundleText}
        self.onmessage = async ({ data: { leftover, pieces } }) => {
          let syncHandles = 0;
          const original = FileSystemFileHandle.prototype.createSyncAccessHandle;
          FileSystemFileHandle.prototype.createSyncAccessHandle = function (...args) {
            syncHandles++;
            return original.apply(this, args);
          };
          try {
            const key = 'tessera/0123456789abcdef0123456789abcdef/1.tshare';
            const root = await navigator.storage.getDirectory();
            const folder = await (await root.getDirectoryHandle('tessera-demo', { create: true })).getDirectoryHandle('demo-t', { create: true });
            if (leftover > 0) {
              const partial = await folder.getFileHandle('.partial-' + TesseraDemo.encodeObjectKey(key), { create: true });
              const writable = await partial.createWritable();
              await writable.write(new Uint8Array(leftover).fill(0xee));
              await writable.close();
            }
            const bucket = new TesseraDemo.DemoBucket({ kind: 'demo', id: 'demo-t', label: 'Demo cloud T', online: true });
            const piece = (i) => new Uint8Array(100 * 1024).map((_, j) => (i * 31 + j * 7) % 251);
            const sink = await bucket.openWriter(key);
            for (let i = 0; i < pieces; i++) await sink.write(piece(i));
            await sink.close();
            const reader = await bucket.openReader(key);
            const back = await reader.read(0, reader.size);
            await reader.close();
            let same = back.length === pieces * 100 * 1024;
            for (let i = 0; same && i < pieces; i++) {
              const expected = piece(i);
              same = expected.every((value, j) => back[i * 100 * 1024 + j] === value);
            }
            const files = [];
            for await (const name of folder.keys()) files.push(name);
            await bucket.delete(key);
            self.postMessage({ syncHandles, size: reader.size, same, files });
          } catch (error) {
            self.postMessage({ error: String(error && error.message), syncHandles, size: -1, same: false, files: [] });
          }
        };`;
      const worker = new Worker(URL.createObjectURL(new Blob([script], { type: 'text/javascript' })));
      const answer = new Promise((resolve) => (worker.onmessage = (event) => resolve(event.data)));
      worker.postMessage({ leftover, pieces });
      const data = await answer;
      worker.terminate();
      return data;
    },
    { bundleText, leftover, pieces },
  )) as Written;
}

// 2 MiB left in the temporary file, then 300 KiB written: nothing of the 2 MiB may remain.
it.each([
  ['a worker writes a demo object through a sync access handle, and reads back exactly what it wrote', 0, 12],
  ['an object written over the leftovers of an interrupted write holds only the new bytes', 2 * 1024 * 1024, 3],
] as const)('%s', async (_what, leftover, pieces) => {
  const app = await openAppWithBundle(browser, bundle, []);
  try {
    const written = await writeInWorker(bundle, app.page, leftover, pieces);
    expect(written.error).toBeUndefined();
    // Written and read through sync handles, not the page's writable streams.
    expect(written.syncHandles).toBeGreaterThanOrEqual(2);
    expect(written).toMatchObject({ size: pieces * 100 * 1024, same: true });
    // The object alone: no temporary file left beside it.
    expect(written.files).toEqual(['tessera%2F0123456789abcdef0123456789abcdef%2F1%2Etshare']);
  } finally {
    await app.close();
  }
});
