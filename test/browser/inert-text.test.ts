/**
 * Script-like text renders inert: markup in DICOM attributes (patient name, study, series and
 * institution), in a folder's and a file's name, in a storage location's name and in a recovery
 * kit's file name is shown as text wherever the app shows it — the study tree, the viewer, the
 * protected record, its recovery, the Activity panel, the locations list, a kit read back — and
 * never becomes markup.
 *
 * Under the Content-Security-Policy (csp.test.ts) an injected handler would be blocked anyway, so
 * a flag it would set staying unset proves little alone. What this test asserts is earlier than
 * that: no element the payloads describe exists in the page (no `img[src=x]`, no `svg`, no inline
 * `script`, no `on…` attribute on any element), the payloads are on screen as the very characters
 * given, and the policy reported no violation (a violation would mean markup got parsed and only
 * the policy stopped it).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shareKey } from '../../src/storage/share-keys.js';
import { parseRecoveryKit, recoveryKitJson, type RecoveryKit } from '../../src/vault/recovery-kit.js';
import { fixtureUid, writeInstance } from '../helpers/dicom-fixtures.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { locationItem } from './locations-ui.js';
import { makeVaultIfNew } from './ui.js';

const LONG_WAIT = 90_000;
/** Each payload, were it markup, would set `window.inertFlag` to its own number. */
const PAYLOAD = {
  patientName: '<svg onload=window.inertFlag=1>',
  studyDescription: '<img src=x onerror=window.inertFlag=2>',
  seriesDescription: '<script>window.inertFlag=3</script>',
  institutionName: '"><img src=x onerror=window.inertFlag=4>',
  folder: '<img src=x onerror=window.inertFlag=5>',
  file: '<svg onload=window.inertFlag=6>.dcm',
  location: '<img src=x onerror=window.inertFlag=7>',
  kitFileName: '<iframe onload=window.inertFlag=8>.pdf',
  /** A kit's addresses: the parser takes any path, so markup can sit there. */
  kitContainerUrl: 'https://acct.blob.core.windows.net/<img src=x onerror=window.inertFlag=9>',
  kitS3Endpoint: 'https://s3.example.org/<svg onload=window.inertFlag=10>',
  kitPresignEndpoint: 'https://presign.example.org/<img src=x onerror=window.inertFlag=11>',
} as const;

let browser: Browser;
let work: string;

beforeAll(async () => {
  browser = await launchChromium();
  work = mkdtempSync(join(tmpdir(), 'tessera-inert-'));
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Nothing the payloads describe became an element, and no payload's flag was set. */
async function expectInert(page: Page, where: string): Promise<void> {
  const found = await page.evaluate(() => ({
    flag: String((window as unknown as { inertFlag?: unknown }).inertFlag),
    handlers: [...document.querySelectorAll('*')].flatMap((element) =>
      [...element.attributes].filter((attribute) => /^on/i.test(attribute.name)).map((attribute) => `${element.tagName} ${attribute.name}`),
    ),
    injected: [...document.querySelectorAll('img[src="x"], svg[onload], iframe, script:not([src])')].map((element) => element.outerHTML.slice(0, 80)),
    violations: (window as unknown as { cspViolations: string[] }).cspViolations,
  }));
  expect(found, where).toEqual({ flag: 'undefined', handlers: [], injected: [], violations: [] });
}

/** The page's visible text, white space collapsed. */
async function shownText(page: Page): Promise<string> {
  return (await page.locator('body').innerText()).replace(/\s+/g, ' ');
}

it('markup in DICOM attributes, a folder and a file name, a location name and a recovery kit is shown as text and never runs', async () => {
  // A study folder: one instance under a file name that is markup, in a folder whose name is markup.
  const plain = join(work, 'plain.dcm');
  writeInstance(plain, {
    studyInstanceUid: fixtureUid(7331, 1),
    seriesInstanceUid: fixtureUid(7331, 1, 1),
    sopInstanceUid: fixtureUid(7331, 1, 1, 1),
    patientName: PAYLOAD.patientName,
    patientId: 'INERT-0001',
    studyDescription: PAYLOAD.studyDescription,
    seriesDescription: PAYLOAD.seriesDescription,
    institutionName: PAYLOAD.institutionName,
    modality: 'OT',
    rows: 16,
    columns: 16,
  });
  const folder = join(work, PAYLOAD.folder);
  mkdirSync(folder);
  copyFileSync(plain, join(folder, PAYLOAD.file));

  const recordId = 'fedcba9876543210fedcba9876543210';
  const kit: RecoveryKit = {
    format: 'tessera-recovery-kit',
    version: 1,
    recordId,
    splitId: '0123456789abcdef0123456789abcdef',
    scheme: 'shamir',
    k: 2,
    n: 4,
    size: 1000,
    fingerprint: 'b'.repeat(64),
    fileName: PAYLOAD.kitFileName,
    shares: [
      { x: 1, place: { kind: 'azure', containerUrl: PAYLOAD.kitContainerUrl }, key: shareKey(recordId, 1), size: 1016 },
      { x: 2, place: { kind: 's3', provider: 'wasabi', endpoint: PAYLOAD.kitS3Endpoint, region: 'eu-central-1', bucket: 'shares', addressing: 'path' }, key: shareKey(recordId, 2), size: 1016 },
      { x: 3, place: { kind: 'presign-endpoint', endpoint: PAYLOAD.kitPresignEndpoint, bucket: 'records-a' }, key: shareKey(recordId, 3), size: 1016 },
      { x: 4, place: { kind: 'demo', id: 'demo-a' }, key: shareKey(recordId, 4), size: 1016 },
    ],
  };
  const kitPath = join(work, 'kit.json');
  writeFileSync(kitPath, recoveryKitJson(kit));
  expect(parseRecoveryKit(recoveryKitJson(kit))).toEqual(kit);

  await inApp(browser, async ({ page, context }) => {
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`));
    });
    // The init script applies from the next document on.
    await page.reload({ waitUntil: 'load' });
    await page.getByRole('heading', { level: 1 }).first().waitFor();

    // The folder, read: its name and the study's attributes in the tree, as text.
    await page.getByTestId('folder-input').setInputFiles(folder);
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
    await item.getByRole('heading', { name: PAYLOAD.folder, exact: true }).waitFor({ timeout: LONG_WAIT });
    await item.getByText(PAYLOAD.studyDescription, { exact: false }).first().waitFor({ timeout: LONG_WAIT });
    const series = item.getByTestId('series').first();
    await series.getByRole('button', { name: /^Look/ }).click();
    await item.locator('[data-testid="viewer-canvas"][data-drawn-frame]:not([data-drawn-frame=""])').waitFor({ timeout: LONG_WAIT });
    const tree = await shownText(page);
    for (const shown of [PAYLOAD.folder, PAYLOAD.studyDescription, PAYLOAD.seriesDescription]) expect(tree, shown).toContain(shown);
    expect(tree).toContain('<svg onload'); // the patient's name, as its PN form is shown
    await expectInert(page, 'the study tree and the viewer');

    // Protected (a folder of one file is that file's record, under its name) and recovered.
    await makeVaultIfNew(page);
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name: PAYLOAD.file, exact: true });
    await record.getByTestId('record-safety').getByText(/Safe: all \d shares are stored/).waitFor({ timeout: LONG_WAIT });
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });
    expect(await shownText(page)).toContain(PAYLOAD.file);
    await expectInert(page, 'the protected record and its recovery');

    // The Activity panel names the record's file next to its entries.
    const activity = page.getByRole('region', { name: 'Activity' }).getByTestId('activity-entry').filter({ hasText: 'protect' });
    await expect.poll(async () => (await activity.allTextContents()).join(' ')).toContain(PAYLOAD.file);
    await expectInert(page, 'the Activity panel');

    // A storage location whose name is markup.
    await page.getByRole('button', { name: 'Add a storage location' }).click();
    const form = page.getByRole('form', { name: 'Add a storage location' });
    await form.getByRole('radio', { name: /S3-compatible bucket/ }).check();
    await form.getByLabel('Name', { exact: true }).fill(PAYLOAD.location);
    await form.getByLabel('Provider').selectOption('ceph');
    await form.getByLabel('Endpoint', { exact: true }).fill('http://127.0.0.1:9');
    await form.getByLabel('Region', { exact: true }).fill('default');
    await form.getByLabel('Bucket', { exact: true }).fill('inert');
    await form.getByRole('radio', { name: /Path style/ }).check();
    await form.getByLabel('Access key ID', { exact: true }).fill('AKIAINERTEXAMPLE');
    await form.getByLabel('Secret access key', { exact: true }).fill('inert-secret-key-example-0000000000000000');
    await form.getByRole('button', { name: 'Add location' }).click();
    await locationItem(page, PAYLOAD.location).waitFor();
    expect(await shownText(page)).toContain(PAYLOAD.location);
    await expectInert(page, 'the storage locations');

    // A recovery kit whose file name is markup.
    const importer = page.getByRole('region', { name: 'Import a recovery kit' });
    await importer.getByTestId('kit-file-input').setInputFiles(kitPath);
    const read = importer.getByTestId('kit-read');
    await read.getByRole('heading', { name: PAYLOAD.kitFileName, exact: true }).waitFor({ timeout: LONG_WAIT });
    const places = (await read.getByTestId('kit-place').allTextContents()).join(' ');
    for (const shown of [PAYLOAD.kitContainerUrl, PAYLOAD.kitS3Endpoint, PAYLOAD.kitPresignEndpoint]) expect(places, shown).toContain(shown);
    await expectInert(page, 'a recovery kit read back');
  });
});
