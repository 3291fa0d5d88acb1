/**
 * The recovery kit through the UI, in real headless Chromium: a file protected 3-of-5 into the demo
 * clouds gets a kit sheet whose QR code, read back by zxing-cpp from a screenshot of the page, is
 * the very kit of the downloaded .json; printing shows the sheet alone. Then the catalog forgets
 * the record (as on a device that lost it, while the demo clouds keep their shares), and the kit
 * alone — its .json file, then the screenshot as a photo — rebuilds the file, byte for byte.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { shareKey } from '../../src/storage/share-keys.js';
import { parseRecoveryKit, recoveryKitJson, recoveryKitQr, type RecoveryKit } from '../../src/vault/recovery-kit.js';
import type { QrSymbol } from '../../src/vault/qr/index.js';
import { readQrImage } from '../helpers/qr-reader.js';
import { fingerprintOf } from '../helpers/fingerprint.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { fillProtectForm } from './ui.js';

const MiB = 1024 * 1024;
let browser: Browser;
let workDirectory: string;

beforeAll(async () => {
  [browser, workDirectory] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-kit-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

/** Deletes the record from the catalog in IndexedDB, leaving its shares where they are. */
function forgetRecord(page: Page, recordId: string): Promise<void> {
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('tessera');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
    });
    await new Promise<void>((resolve, reject) => {
      const transaction = db.transaction('records', 'readwrite');
      transaction.objectStore('records').delete(id);
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error ?? new Error('delete failed'));
    });
    db.close();
  }, recordId);
}

/** Imports a kit file into the panel, which recovers at once; saves the file, and returns the saved bytes' SHA-256 and the shown fingerprints. */
async function recoverFromKit(page: Page, importer: Locator, file: string): Promise<{ saved: string; expected: string; rebuilt: string }> {
  await importer.getByTestId('kit-file-input').setInputFiles(file);
  const read = importer.getByTestId('kit-read');
  await read.waitFor({ timeout: 30_000 });
  expect(await read.getByTestId('kit-place').count()).toBe(5);
  expect(await read.getByTestId('kit-place').getByRole('cell', { name: 'Ready' }).count()).toBe(5);
  // Every place is ready here: reading the kit started the recovery.
  const verdict = read.getByTestId('kit-verdict');
  await verdict.waitFor({ timeout: 60_000 });
  expect((await verdict.textContent())!).toContain('Identical');
  const [download] = await Promise.all([page.waitForEvent('download'), read.getByRole('button', { name: 'Save file' }).click()]);
  const savedPath = join(workDirectory, `saved-${Date.now()}`);
  await download.saveAs(savedPath);
  const result = {
    saved: fingerprintOf(await readFile(savedPath)),
    expected: (await read.getByTestId('kit-sha-expected').textContent())!.trim(),
    rebuilt: (await read.getByTestId('kit-sha-rebuilt').textContent())!.trim(),
  };
  await read.getByRole('button', { name: 'Close' }).click();
  await read.waitFor({ state: 'detached' });
  return result;
}

const OTHER_RECORD_ID = '0123456789abcdef0123456789abcdef';
/** A kit made on another device: two real clouds this browser does not have, and a demo cloud. */
const otherDeviceKit: RecoveryKit = {
  format: 'tessera-recovery-kit',
  version: 1,
  recordId: OTHER_RECORD_ID,
  splitId: 'fedcba9876543210fedcba9876543210',
  scheme: 'shamir',
  k: 2,
  n: 3,
  size: 1000,
  sha256: 'a'.repeat(64),
  fileName: 'report.pdf',
  shares: [
    {
      x: 1,
      place: { kind: 's3', provider: 'wasabi', endpoint: 'https://s3.eu-central-1.wasabisys.com', region: 'eu-central-1', bucket: 'family-shares', addressing: 'virtual-hosted' },
      key: shareKey(OTHER_RECORD_ID, 1),
      size: 1016,
    },
    { x: 2, place: { kind: 'azure', containerUrl: 'https://familyacct.blob.core.windows.net/shares' }, key: shareKey(OTHER_RECORD_ID, 2), size: 1016 },
    { x: 3, place: { kind: 'demo', id: 'demo-c' }, key: shareKey(OTHER_RECORD_ID, 3), size: 1016 },
  ],
};

it('QR round trip: the sheet’s QR code, read from a screenshot, is the downloaded kit; the kit alone (file or photo) rebuilds the file', async () => {
  const name = 'knee-mri-2MiB.bin';
  const path = join(workDirectory, name);
  const { sha256, fingerprint } = await writeRandomFile(path, 2 * MiB);
  const jsonPath = join(workDirectory, 'kit.json');
  const pngPath = join(workDirectory, 'kit-qr.png');

  await inApp(browser, async ({ page, origin }) => {
    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
    const override = page.getByTestId('placement').getByRole('checkbox', { name: /Protect anyway/ });
    if (await override.count()) await override.check();
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.getByTestId('record-safety').getByText(/Safe: all 5 shares are stored/).waitFor({ timeout: 60_000 });

    await record.getByRole('button', { name: 'Recovery kit…' }).click();
    const sheet = page.getByRole('dialog', { name: 'Recovery kit' });
    await sheet.getByText('It holds no secret that alone reveals anything').waitFor();
    await sheet.getByText('Any 3 of the 5 shares rebuild the file').waitFor();
    expect(await sheet.getByTestId('kit-share').count()).toBe(5);

    const [download] = await Promise.all([page.waitForEvent('download'), sheet.getByRole('button', { name: 'Download the kit (.json)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^tessera-recovery-kit-[0-9a-f]{8}\.json$/);
    await download.saveAs(jsonPath);
    const kitText = await readFile(jsonPath, 'utf8');
    const kit: RecoveryKit = parseRecoveryKit(kitText);
    expect(kit).toMatchObject({ k: 3, n: 5, scheme: 'ssms', size: 2 * MiB, fingerprint });
    expect(kit.shares.map((share) => share.place)).toEqual(['a', 'b', 'c', 'd', 'e'].map((letter) => ({ kind: 'demo', id: `demo-${letter}` })));
    expect(kit.shares.map((share) => share.key)).toEqual([1, 2, 3, 4, 5].map((x) => shareKey(kit.recordId, x)));
    // The file name is printed only when the person asks for it.
    expect(kitText).not.toContain(name);
    expect(kit.fileName).toBeUndefined();
    expect(kitText).toBe(recoveryKitJson(kit));

    // The QR code as the page draws it, read back by an independent reader from the screenshot.
    const png = await sheet.getByTestId('kit-qr').screenshot();
    await writeFile(pngPath, png);
    const scanned = await readQrImage(png);
    expect(scanned, 'a QR code in the screenshot').toBeDefined();
    expect(parseRecoveryKit(new TextDecoder().decode(scanned))).toEqual(kit);

    // Ticking the name puts it on the sheet and in its QR code.
    await sheet.getByRole('checkbox', { name: /Print the file’s name/ }).check();
    await page.getByRole('dialog', { name: `Recovery kit for “${name}”` }).waitFor();
    const named = await readQrImage(await sheet.getByTestId('kit-qr').screenshot());
    expect(parseRecoveryKit(new TextDecoder().decode(named))).toEqual({ ...kit, fileName: name });
    await sheet.getByRole('checkbox', { name: /Print the file’s name/ }).uncheck();

    // Printed, the sheet is all there is.
    await page.emulateMedia({ media: 'print' });
    expect(await sheet.getByTestId('kit-qr').isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Protected files' }).isVisible()).toBe(false);
    expect(await sheet.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    expect(await page.getByRole('heading', { name: 'Protected files' }).isVisible()).toBe(true);
    await sheet.getByRole('button', { name: 'Close' }).click();
    await sheet.waitFor({ state: 'detached' });

    // This browser forgets the record; its shares stay in the demo clouds.
    await forgetRecord(page, kit.recordId);
    await page.reload();
    const importer = page.getByRole('region', { name: 'Import a recovery kit' });
    await importer.waitFor();
    expect(await page.getByRole('article', { name }).count()).toBe(0);

    // The QR reader (zxing-cpp in WebAssembly) is fetched, from the app itself, only to read a picture.
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const fromFile = await recoverFromKit(page, importer, jsonPath);
    expect(fromFile).toEqual({ saved: fingerprint, expected: fingerprint, rebuilt: fingerprint });
    expect(requests.filter((url) => url.includes('zxing'))).toEqual([]);
    const fromPhoto = await recoverFromKit(page, importer, pngPath);
    expect(fromPhoto).toEqual({ saved: fingerprint, expected: fingerprint, rebuilt: fingerprint });
    const reader = requests.filter((url) => url.includes('zxing'));
    expect(reader).toHaveLength(1);
    expect(reader[0]!.startsWith(`${origin}/assets/zxing_reader-`) && reader[0]!.endsWith('.wasm'), reader[0]).toBe(true);

    // A kit printed before fingerprints names the file by its plain SHA-256: the rebuild is checked
    // against that (the whole file hashed again), and says so.
    const legacyPath = join(workDirectory, 'kit-before-fingerprints.json');
    const { fingerprint: _fingerprint, ...legacy } = JSON.parse(kitText) as Record<string, unknown>;
    await writeFile(legacyPath, JSON.stringify({ ...legacy, sha256 }));
    await importer.getByTestId('kit-file-input').setInputFiles(legacyPath);
    const read = importer.getByTestId('kit-read');
    await read.getByTestId('kit-verdict').waitFor({ timeout: 60_000 });
    expect((await read.getByTestId('kit-verdict').textContent())!).toContain('Identical');
    expect((await read.getByTestId('kit-sha-expected').textContent())!.trim()).toBe(sha256);
    expect((await read.getByTestId('kit-sha-rebuilt').textContent())!.trim()).toBe(sha256);
    await read.getByText('Fingerprint on the kit (SHA-256)').waitFor();

    // A kit printed on 2026-11-21 carries a fingerprint made with 1 MiB blocks (plain hex): the
    // rebuild is fingerprinted with 1 MiB blocks to match (these shares' chunks are 768 KiB, so
    // across chunks), and is identical; today's fingerprint of the same file is not what it shows.
    const oneMiB = fingerprintOf(await readFile(path), 1048576);
    expect(oneMiB).toMatch(/^[0-9a-f]{64}$/);
    const oneMiBPath = join(workDirectory, 'kit-1-mib-blocks.json');
    await writeFile(oneMiBPath, JSON.stringify({ ...legacy, fingerprint: oneMiB }));
    await importer.getByTestId('kit-file-input').setInputFiles(oneMiBPath);
    await read.getByTestId('kit-sha-expected').getByText(oneMiB, { exact: true }).waitFor();
    await read.getByTestId('kit-verdict').waitFor({ timeout: 60_000 });
    expect((await read.getByTestId('kit-verdict').textContent())!).toContain('Identical');
    expect((await read.getByTestId('kit-sha-rebuilt').textContent())!.trim()).toBe(oneMiB);
  });
});

it('a kit from another device names the locations to add, and a kit holding a signature is refused', async () => {
  const otherDevice = join(workDirectory, 'other-device.json');
  await writeFile(otherDevice, recoveryKitJson(otherDeviceKit));
  const tampered = join(workDirectory, 'tampered.json');
  await writeFile(tampered, recoveryKitJson(otherDeviceKit).replace('https://familyacct.blob.core.windows.net/shares', 'https://familyacct.blob.core.windows.net/shares?sv=2022-11-02&sr=c&sp=rl&sig=abc123'));

  await inApp(browser, async ({ page }) => {
    const importer = page.getByRole('region', { name: 'Import a recovery kit' });
    await importer.getByTestId('kit-file-input').setInputFiles(otherDevice);
    const read = importer.getByTestId('kit-read');
    await read.getByRole('heading', { name: 'report.pdf' }).waitFor();
    const rows = await read
      .getByTestId('kit-place')
      .evaluateAll((elements) => elements.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent!.replace(/\s+/g, ' ').trim())));
    expect(rows).toEqual([
      ['1', 'S3-compatible bucket “family-shares” at https://s3.eu-central-1.wasabisys.com (region eu-central-1, wasabi)', 'Not set up here: add it under “Storage locations”, with its key'],
      ['2', 'Azure Blob container https://familyacct.blob.core.windows.net/shares', 'Not set up here: add it under “Storage locations”, with its key'],
      ['3', 'Demo cloud C', 'Ready'],
    ]);
    await read.getByTestId('kit-not-enough').getByText('Only 1 of the places holding its shares is ready here, and 2 are needed.').waitFor();
    expect(await read.getByRole('button', { name: 'Recover', exact: true }).isDisabled()).toBe(true);

    await importer.getByTestId('kit-file-input').setInputFiles(tampered);
    const problem = importer.getByTestId('kit-problem');
    await problem.getByText('This kit holds something that looks like a password or a storage key, so it was not used.').waitFor();
    expect(await problem.getByText('kit.secret').count()).toBe(1);
    expect(await importer.getByTestId('kit-read').count()).toBe(0);
  });
});

/**
 * A one-frame Y4M video (what Chromium's fake camera plays, looped) of the symbol drawn black on
 * white in the middle of a 640 × 480 picture: luma only, chroma neutral.
 */
function videoOf(symbol: QrSymbol): Buffer {
  const width = 640;
  const height = 480;
  const scale = Math.floor(440 / (symbol.size + 8));
  const left = Math.floor((width - symbol.size * scale) / 2);
  const top = Math.floor((height - symbol.size * scale) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let row = 0; row < symbol.size * scale; row++) {
    for (let column = 0; column < symbol.size * scale; column++) {
      if (symbol.modules[Math.floor(row / scale) * symbol.size + Math.floor(column / scale)]) luma[(top + row) * width + left + column] = 16;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), luma, chroma]);
}

it('reads a kit shown to the camera (Chromium’s fake camera playing the QR code)', async () => {
  const video = join(workDirectory, 'kit.y4m');
  await writeFile(video, videoOf(recoveryKitQr(otherDeviceKit)!));
  const cameraBrowser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
  try {
    await inApp(cameraBrowser, async ({ page }) => {
      const importer = page.getByRole('region', { name: 'Import a recovery kit' });
      await importer.getByRole('button', { name: 'Scan with the camera' }).click();
      const read = importer.getByTestId('kit-read');
      await read.getByRole('heading', { name: 'report.pdf' }).waitFor({ timeout: 30_000 });
      expect(await read.getByTestId('kit-place').count()).toBe(3);
      // Found: the camera is let go.
      await importer.getByRole('button', { name: 'Scan with the camera' }).waitFor();
      expect(await page.locator('video').count()).toBe(0);
    });
  } finally {
    await cameraBrowser.close();
  }
});
