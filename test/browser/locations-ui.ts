/**
 * Driving the Storage locations part of the page and looking at the device's own storage, as the
 * browser tests of real clouds need it (clouds-e2e, uploads).
 */
import type { Locator, Page } from 'playwright-core';

export interface CephLocation {
  readonly name: string;
  /** The gateway's address, or a fault proxy's in front of it. */
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export function locationItem(page: Page, name: string): Locator {
  return page.getByRole('list', { name: 'Your storage locations' }).getByRole('listitem', { name, exact: true });
}

/** Adds a Ceph bucket through the form, as a person types it (preset "Ceph", path style). */
export async function addCephBucket(page: Page, location: CephLocation): Promise<void> {
  await page.getByRole('button', { name: 'Add a storage location' }).click();
  const form = page.getByRole('form', { name: 'Add a storage location' });
  await form.getByRole('radio', { name: /S3-compatible bucket/ }).check();
  await form.getByLabel('Name', { exact: true }).fill(location.name);
  await form.getByLabel('Provider').selectOption('ceph');
  await form.getByLabel('Endpoint', { exact: true }).fill(location.endpoint);
  await form.getByLabel('Region', { exact: true }).fill(location.region);
  await form.getByLabel('Bucket', { exact: true }).fill(location.bucket);
  await form.getByRole('radio', { name: /Path style/ }).check();
  await form.getByLabel('Access key ID', { exact: true }).fill(location.accessKeyId);
  await form.getByLabel('Secret access key', { exact: true }).fill(location.secretAccessKey);
  await form.getByRole('button', { name: 'Add location' }).click();
  await locationItem(page, location.name).waitFor();
}

/** After a reload: gives a remembered S3 location its secret key again. */
export async function giveCephKey(page: Page, name: string, secretAccessKey: string): Promise<void> {
  await page.getByRole('button', { name: `Give its key for ${name}` }).click();
  // The location form (not the "Unlock saved keys" one), filled in with the saved settings.
  const form = page.getByRole('form', { name: 'Add a storage location' });
  await form.getByLabel('Secret access key', { exact: true }).fill(secretAccessKey);
  await form.getByRole('button', { name: /^(Save changes|Add location|Save)$/ }).click();
  await locationItem(page, name).getByRole('switch', { name: `Use ${name}` }).waitFor();
}

/** Files in the device's staging area (shares waiting to upload), from the page's OPFS. */
export function stagedFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const names: string[] = [];
    const root = await navigator.storage.getDirectory();
    const walk = async (directory: FileSystemDirectoryHandle, path: string): Promise<void> => {
      for await (const [name, handle] of directory as unknown as AsyncIterable<[string, FileSystemHandle]>) {
        if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, `${path}${name}/`);
        else names.push(`${path}${name}`);
      }
    };
    try {
      await walk(await root.getDirectoryHandle('tessera-staging'), '');
    } catch (error) {
      if ((error as Error).name !== 'NotFoundError') throw error;
    }
    return names;
  });
}

/**
 * Everything the origin keeps in its page storage, as text: every value of every object store of
 * every IndexedDB database (bytes as Latin-1 and as base64, so raw bytes are searched too), then
 * localStorage and sessionStorage.
 */
export async function pageStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const binary = (bytes: Uint8Array): string => Array.from(bytes, (byte) => String.fromCharCode(byte)).join('');
    const replacer = (_key: string, value: unknown): unknown => {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : undefined;
      return bytes === undefined ? value : { latin1: binary(bytes), base64: btoa(binary(bytes)) };
    };
    const dump: string[] = [];
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const storeName of Array.from(db.objectStoreNames)) {
        const [keys, values] = await Promise.all(
          (['getAllKeys', 'getAll'] as const).map(
            (method) =>
              new Promise<unknown[]>((resolve, reject) => {
                const request = db.transaction(storeName).objectStore(storeName)[method]();
                request.onsuccess = () => resolve(request.result as unknown[]);
                request.onerror = () => reject(request.error);
              }),
          ),
        );
        dump.push(`${name}/${storeName}: ${JSON.stringify(keys, replacer)} ${JSON.stringify(values, replacer)}`);
      }
      db.close();
    }
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i++) dump.push(`${storage.key(i)}=${storage.getItem(storage.key(i)!)}`);
    }
    return dump.join('\n');
  });
}
