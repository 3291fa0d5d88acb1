/**
 * Driving the app's UI the way a user does, shared by the browser tests and the browser benchmark
 * (test/bench/browser.ts): only roles, labels and visible text, and one test id for the file input.
 */
import type { Page } from 'playwright-core';
import type { Scheme } from '../../src/core/index.js';

/** The scheme as the protect form names it. */
const SCHEME_LABEL: Record<Scheme, string> = { ssms: 'Strong & compact', shamir: 'Perfect secrecy' };

/**
 * Chooses the file, the scheme and k-of-n, and waits until the form says how many clouds may be
 * lost; the caller clicks Protect (and waits, or times it).
 */
export async function fillProtectForm(
  page: Page,
  file: { readonly path: string; readonly name: string },
  settings: { readonly scheme: Scheme; readonly k: number; readonly n: number },
): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(file.path);
  await page.getByRole('list', { name: 'Chosen files' }).getByRole('heading', { name: file.name, exact: true }).waitFor();
  await page.getByRole('radio', { name: SCHEME_LABEL[settings.scheme] }).check();
  await page.getByLabel('Clouds to use').selectOption(String(settings.n));
  await page.getByLabel('Needed to rebuild').selectOption(String(settings.k));
  await page
    .getByTestId('threshold-summary')
    .getByText(`Any ${settings.n - settings.k} of the ${settings.n} clouds may be lost`)
    .waitFor();
  await makeVaultIfNew(page);
}

/**
 * The first protect on a device makes the vault that locks the list of protected files: makes it
 * now, with the tests' passphrase, rather than with Protect, so that a timed Protect (the
 * benchmark) does not include it.
 */
export async function makeVaultIfNew(page: Page): Promise<void> {
  const newPassphrase = page.getByLabel('New passphrase', { exact: true });
  if (!(await newPassphrase.isVisible())) return;
  await newPassphrase.fill(TEST_PASSPHRASE);
  await page.getByLabel('Type it again', { exact: true }).fill(TEST_PASSPHRASE);
  await page.getByRole('button', { name: 'Lock the list with this passphrase' }).click();
  await newPassphrase.waitFor({ state: 'detached', timeout: 30_000 });
}

/** The vault passphrase the browser tests choose. */
export const TEST_PASSPHRASE = 'correct horse battery staple';

/** After a reload: opens the vault, so that the protected files are listed again. */
export async function unlockVault(page: Page, passphrase: string = TEST_PASSPHRASE): Promise<void> {
  const form = page.getByRole('form', { name: 'Unlock your vault' });
  await form.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await form.getByRole('button', { name: 'Unlock' }).click();
  await form.waitFor({ state: 'detached', timeout: 30_000 });
}

/** Switches a demo cloud on or off by its label ("Demo cloud A"). */
export async function switchCloud(page: Page, name: string, on: boolean): Promise<void> {
  const cloudSwitch = page.getByRole('switch', { name });
  if (on) await cloudSwitch.check();
  else await cloudSwitch.uncheck();
}

/** Every file under the demo clouds' folder in OPFS (objects and temporary files alike). */
export async function demoCloudFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    type Directory = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };
    const names: string[] = [];
    const walk = async (directory: Directory, path: string): Promise<void> => {
      for await (const [name, handle] of directory.entries()) {
        if (handle.kind === 'file') names.push(`${path}/${name}`);
        else await walk(handle as Directory, `${path}/${name}`);
      }
    };
    const root = (await navigator.storage.getDirectory()) as Directory;
    try {
      await walk((await root.getDirectoryHandle('tessera-demo')) as Directory, 'tessera-demo');
    } catch (error) {
      if ((error as Error).name !== 'NotFoundError') throw error;
    }
    return names.sort();
  });
}

/** The bytes of one object of a demo cloud, by its path as demoCloudFiles gives it. */
export async function demoCloudObject(page: Page, path: string): Promise<Uint8Array> {
  const base64 = await page.evaluate(async (parts) => {
    let directory = await navigator.storage.getDirectory();
    for (const name of parts.slice(0, -1)) directory = await directory.getDirectoryHandle(name);
    const bytes = new Uint8Array(await (await (await directory.getFileHandle(parts.at(-1)!)).getFile()).arrayBuffer());
    let binary = '';
    for (let offset = 0; offset < bytes.length; offset += 0x8000) binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
    return btoa(binary);
  }, path.split('/'));
  return new Uint8Array(Buffer.from(base64, 'base64'));
}
