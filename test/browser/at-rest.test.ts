/**
 * Credentials and catalog at rest (docs/security.md, "The vault at rest", "Credentials at rest"), in
 * Chromium, through the UI only. vault.test.ts checks one file's name and fingerprint after one
 * protect; credentials.test.ts checks a saved S3 key alone. This one puts them together, as a real
 * device holds them, and searches everything the origin keeps:
 *
 *  - a file whose name identifies a patient, and the demo CD of a fictitious patient (a folder
 *    record: the catalog lists its studies' patient names), protected into the demo clouds, the
 *    CD recovered (its fingerprint shown); a real location (Ceph RGW) added with its S3 secret key
 *    kept "on this device, locked with my passphrase";
 *  - then every value of every object store of every IndexedDB database (`indexedDB.databases()`),
 *    localStorage, sessionStorage and the name of every file and folder in the origin's private
 *    file system hold none of: the file names, the patient's name, ID, birth date and accession
 *    numbers, the fingerprints and SHA-256 of the originals, the secret key, the passphrase — in any
 *    spelling (hex, base64 at every alignment, URL-encoded, UTF-16…; test/helpers/secret-spellings.ts);
 *  - after a reload a wrong passphrase, any number of times, is refused in plain words and locks
 *    nothing: the right one opens the list and the saved key at once;
 *  - a fresh page of the same origin that never gets the passphrase lists no file and no key.
 *
 * Opened without request routing (harness.ts, routeRequests: false) so that the gateway's own CORS
 * verdicts count; requests to any other origin fail the test.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { fingerprintOf } from '../helpers/fingerprint.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { digestSpellings, textSpellings } from '../helpers/secret-spellings.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { locationItem, pageStorage } from './locations-ui.js';
import { root } from './serve-app.js';
import { TEST_PASSPHRASE, fillProtectForm, makeVaultIfNew, unlockVault } from './ui.js';

const CD = join(root, 'public/samples/demo-cd');
/** What identifies the fictitious patient of the demo CD (test/samples/make-samples.py), as in the files and as the app shows it. */
const PATIENT = ['DEMO^ALEX', 'DEMO, ALEX', 'TESSERA-DEMO-0001', 'TDH-A0001', 'TDH-A0002', 'TDH-A0003', '19750614'];
const NAMED_FILE = 'Jane-Doe-1961-03-14-brain-MRI.bin';
const BUCKET = 'at-rest';
const LONG_WAIT = 120_000;
const WRONG_TRIES = ['correct horse battery stapler', 'Correct horse battery staple', 'correct horse battery staple ', 'staple battery horse correct', 'hunter2hunter2'];
const WRONG_WORDS = 'That passphrase does not open your vault. Nothing was changed; try again (check that Caps Lock is off).';

let browser: Browser;
let rgw: CephRgw;
let work: string;

beforeAll(async () => {
  const origin = new URL(inject('baseUrl')).origin;
  [rgw, browser, work] = await Promise.all([startCephRgw({ buckets: [BUCKET], corsOrigin: origin }), launchChromium(), mkdtemp(join(tmpdir(), 'tessera-at-rest-'))]);
});

afterAll(async () => {
  await browser?.close();
  await rgw?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** SHA-256 and fingerprint (docs/fingerprint.md) of every file under `folder`. */
async function digestsUnder(folder: string): Promise<{ path: string; sha256: string; fingerprint: string }[]> {
  const out: { path: string; sha256: string; fingerprint: string }[] = [];
  const walk = async (directory: string): Promise<void> => {
    for (const name of await readdir(directory)) {
      const path = join(directory, name);
      if ((await stat(path)).isDirectory()) await walk(path);
      else {
        const bytes = await readFile(path);
        out.push({ path: relative(folder, path), sha256: createHash('sha256').update(bytes).digest('hex'), fingerprint: fingerprintOf(bytes) });
      }
    }
  };
  await walk(folder);
  return out;
}

/** The path of every file and folder in the origin's private file system (OPFS). */
function privateFileNames(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    type Directory = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };
    const names: string[] = [];
    const walk = async (directory: Directory, path: string): Promise<void> => {
      for await (const [name, handle] of directory.entries()) {
        names.push(`${path}${name}`);
        if (handle.kind === 'directory') await walk(handle as Directory, `${path}${name}/`);
      }
    };
    await walk((await navigator.storage.getDirectory()) as Directory, '');
    return names.sort();
  });
}

/** Names of the origin's IndexedDB databases and their object stores. */
function databaseStores(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const store of Array.from(db.objectStoreNames)) out.push(`${name}/${store}`);
      db.close();
    }
    return out.sort();
  });
}

interface Forbidden {
  readonly what: string;
  readonly spellings: readonly string[];
}

/** Everything the origin keeps, as text; fails naming the secret and the spelling found. */
async function expectNothingReadable(page: Page, forbidden: readonly Forbidden[]): Promise<{ stores: string[]; files: string[]; characters: number }> {
  const [stored, files, stores] = await Promise.all([pageStorage(page), privateFileNames(page), databaseStores(page)]);
  const everything = `${stored}\n${files.join('\n')}`;
  const found = forbidden.flatMap(({ what, spellings }) => spellings.filter((spelling) => everything.includes(spelling)).map((spelling) => `${what} as "${spelling.slice(0, 12)}…"`));
  expect(found, 'secrets readable at rest').toEqual([]);
  return { stores, files, characters: everything.length };
}

it('what the device keeps names no file, no patient, no fingerprint and no key; a wrong passphrase is refused in plain words and locks nothing out; without the passphrase nothing is listed', async () => {
  const namedPath = join(work, NAMED_FILE);
  const named = await writeRandomFile(namedPath, 300 * 1024);
  const namedBytes = await readFile(namedPath);
  const cdFiles = await digestsUnder(CD);
  const secretKey = rgw.users.owner.secretAccessKey;

  await inApp(
    browser,
    async ({ page, context }) => {
      // The named file, 2-of-3 in the demo clouds: the first protect makes the vault.
      await fillProtectForm(page, { path: namedPath, name: NAMED_FILE }, { scheme: 'ssms', k: 2, n: 3 });
      await page.getByRole('button', { name: 'Protect', exact: true }).click();
      const namedRecord = page.getByRole('article', { name: NAMED_FILE });
      await namedRecord.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: LONG_WAIT });

      // The demo CD, as one folder record listing its studies (the patient's name among them).
      await page.getByTestId('folder-input').setInputFiles(CD);
      const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
      await item.getByText('DEMO, ALEX').first().waitFor({ timeout: LONG_WAIT });
      await page.getByRole('radio', { name: 'Perfect secrecy' }).check();
      await page.getByLabel('Clouds to use').selectOption('3');
      await page.getByLabel('Needed to rebuild').selectOption('2');
      await makeVaultIfNew(page);
      await page.getByRole('button', { name: 'Protect', exact: true }).click();
      const cdRecord = page.getByRole('article', { name: 'demo-cd.tar' });
      await cdRecord.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: LONG_WAIT });
      // The catalog does hold the patient's name, so its absence at rest below means something.
      await cdRecord.getByText('DEMO, ALEX').first().waitFor();
      // Recovered once: the rebuilt archive's fingerprint is shown, and must be kept sealed too.
      await cdRecord.getByRole('button', { name: 'Recover', exact: true }).click();
      await cdRecord.getByTestId('verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });
      const cdFingerprint = (await cdRecord.getByTestId('sha-rebuilt').textContent())!.trim();
      expect(cdFingerprint).toMatch(/^256k:[0-9a-f]{64}$/);
      await cdRecord.getByRole('button', { name: 'Close' }).click();

      // A real location, its secret key kept on this device under the vault's passphrase.
      await page.getByRole('heading', { name: 'Storage locations' }).waitFor();
      await addCephBucketKept(page);
      await locationItem(page, 'Ward archive').getByText(/its secret is kept on this device, locked with your passphrase\.$/).waitFor({ timeout: LONG_WAIT });

      const forbidden: Forbidden[] = [
        ...[NAMED_FILE, 'Jane-Doe', 'brain-MRI', 'demo-cd', ...cdFiles.map((file) => file.path.split('/').at(-1)!).filter((name) => name.length >= 6)].map((text) => ({ what: `file name ${text}`, spellings: textSpellings(text) })),
        ...PATIENT.map((text) => ({ what: `patient data ${text}`, spellings: textSpellings(text) })),
        { what: 'fingerprint of the named file', spellings: digestSpellings(named.fingerprint) },
        { what: 'SHA-256 of the named file', spellings: digestSpellings(createHash('sha256').update(namedBytes).digest('hex')) },
        { what: 'fingerprint of the CD record', spellings: digestSpellings(cdFingerprint) },
        ...cdFiles.flatMap((file) => [
          { what: `SHA-256 of ${file.path}`, spellings: digestSpellings(file.sha256) },
          { what: `fingerprint of ${file.path}`, spellings: digestSpellings(file.fingerprint) },
        ]),
        { what: 'the S3 secret key', spellings: textSpellings(secretKey) },
        { what: 'the passphrase', spellings: textSpellings(TEST_PASSPHRASE) },
      ];

      const atRest = await expectNothingReadable(page, forbidden);
      // It did look at something: the catalog, the saved keys, the location's settings, the demo clouds' objects.
      const stored = await pageStorage(page);
      expect(stored).toContain('ciphertext');
      expect(stored).toContain('storage-keyring');
      expect(stored).toContain(BUCKET);
      expect(atRest.stores.length).toBeGreaterThanOrEqual(3);
      expect(atRest.files, 'OPFS entries').toContain('tessera-demo');
      console.info(`at rest: ${atRest.stores.length} object stores (${atRest.stores.join(', ')}), ${atRest.files.length} OPFS entries, ${atRest.characters} characters searched for ${forbidden.length} secrets in ${forbidden.reduce((sum, f) => sum + f.spellings.length, 0)} spellings`);

      // A fresh page of this origin that never gets the passphrase: no file, no key.
      const stranger = await context.newPage();
      await stranger.goto(page.url(), { waitUntil: 'load' });
      await stranger.getByRole('form', { name: 'Unlock your vault' }).waitFor();
      await stranger.getByText('Unlock your vault (above) to see the files you protected.').waitFor();
      expect(await stranger.getByRole('article').count()).toBe(0);
      expect(await stranger.getByRole('list', { name: 'Your storage locations' }).count()).toBe(0);
      await stranger.getByRole('button', { name: 'Give its key for Ward archive' }).waitFor();
      const strangerText = (await stranger.locator('body').textContent())!;
      for (const text of [NAMED_FILE, 'DEMO, ALEX', 'DEMO^ALEX', secretKey]) expect(strangerText, `the locked page shows ${text}`).not.toContain(text);
      await expectNothingReadable(stranger, forbidden);
      await stranger.close();

      // After a reload: wrong passphrases, one after the other, each refused in plain words; nothing
      // is listed meanwhile, and the form stays ready for the next try.
      await page.reload({ waitUntil: 'load' });
      const unlock = page.getByRole('form', { name: 'Unlock your vault' });
      await unlock.waitFor();
      const field = unlock.getByLabel('Passphrase', { exact: true });
      for (const wrong of WRONG_TRIES) {
        await field.fill(wrong);
        await unlock.getByRole('button', { name: 'Unlock' }).click();
        // The try is over when the field is emptied for the next one (the alert may still show the
        // previous try's words until then).
        await expect.poll(() => field.inputValue(), { timeout: LONG_WAIT }).toBe('');
        expect((await unlock.getByRole('alert').textContent())!.replace(/\s+/g, ' ').trim()).toBe(WRONG_WORDS);
        // Ready for the next try at once: the field is editable and the button no longer says "Unlocking…".
        expect(await field.isEditable()).toBe(true);
        expect((await unlock.getByRole('button').first().textContent())!.trim()).toBe('Unlock');
        expect(await page.getByRole('article').count()).toBe(0);
      }
      // No lock-out, no waiting: the right one opens the list and the saved key straight away.
      const started = Date.now();
      await unlockVault(page);
      await namedRecord.waitFor();
      await cdRecord.waitFor();
      await locationItem(page, 'Ward archive').getByText(/its secret is kept on this device, locked with your passphrase\.$/).waitFor({ timeout: LONG_WAIT });
      const unlockMs = Date.now() - started;
      console.info(`${WRONG_TRIES.length} wrong passphrases refused; the right one then opened the vault in ${unlockMs} ms`);
      expect(unlockMs).toBeLessThan(30_000);
      // What the wrong tries left at rest is still unreadable (the audit trail records them, with no passphrase).
      await expectNothingReadable(page, forbidden);
      expect(await pageStorage(page)).toContain('vault.wrong-passphrase');
    },
    { routeRequests: false, allowOrigins: [rgw.endpoint] },
  );
});

/** Adds the Ceph bucket through the form with its key kept on this device (the vault is unlocked: no passphrase asked). */
async function addCephBucketKept(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Add a storage location' }).click();
  const form = page.getByRole('form', { name: 'Add a storage location' });
  await form.getByRole('radio', { name: /S3-compatible bucket/ }).check();
  await form.getByLabel('Name', { exact: true }).fill('Ward archive');
  await form.getByLabel('Provider').selectOption('ceph');
  await form.getByLabel('Endpoint', { exact: true }).fill(rgw.endpoint);
  await form.getByLabel('Region', { exact: true }).fill(rgw.region);
  await form.getByLabel('Bucket', { exact: true }).fill(BUCKET);
  await form.getByRole('radio', { name: /Path style/ }).check();
  await form.getByLabel('Access key ID', { exact: true }).fill(rgw.users.owner.accessKeyId);
  await form.getByLabel('Secret access key', { exact: true }).fill(rgw.users.owner.secretAccessKey);
  await form.getByRole('radio', { name: /On this device, locked with my passphrase/ }).check();
  await form.getByText('It is locked with the passphrase you gave in this visit.').waitFor();
  await form.getByRole('button', { name: 'Add location' }).click();
  await locationItem(page, 'Ward archive').waitFor({ timeout: LONG_WAIT });
}
