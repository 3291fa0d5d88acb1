/**
 * The Activity panel (the audit trail, src/vault/audit.ts), through the UI in headless Chromium: a
 * protect and a recovery are listed once done, newest first, filtered by action; the CSV export (a
 * real download) holds exactly the rows shown; the trail outlives a reload; and neither the export
 * nor the trail's database holds the file's name.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeRandomFile } from '../helpers/random-file.js';
import { launchChromium } from './harness.js';
import { inApp } from './in-app.js';
import { pageStorage } from './locations-ui.js';
import { fillProtectForm, switchCloud } from './ui.js';

const LONG_WAIT = 90_000;
let browser: Browser;
let workDirectory: string;

beforeAll(async () => {
  [browser, workDirectory] = await Promise.all([launchChromium(), mkdtemp(join(tmpdir(), 'tessera-activity-'))]);
});

afterAll(async () => {
  await browser?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

/** RFC 4180, enough to read the export back: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  return rows;
}

function panel(page: Page): Locator {
  return page.getByRole('region', { name: 'Activity' });
}

/** The rows the panel shows: action and outcome as data attributes, and the time as its datetime. */
async function shownRows(page: Page): Promise<{ action: string; outcome: string; time: string; cells: string[] }[]> {
  return panel(page)
    .getByTestId('activity-entry')
    .evaluateAll((rows) =>
      rows.map((row) => ({
        action: row.getAttribute('data-action') ?? '',
        outcome: row.getAttribute('data-outcome') ?? '',
        time: row.querySelector('time')?.getAttribute('datetime') ?? '',
        cells: Array.from(row.querySelectorAll('td'), (cell) => (cell.textContent ?? '').trim()),
      })),
    );
}

it('lists a protect and a recovery once done, filters them, exports CSV rows that match, and keeps them across a reload', async () => {
  const name = 'Doe-Jane-CT-activity.bin';
  const path = join(workDirectory, name);
  await writeRandomFile(path, 256 * 1024);
  await inApp(browser, async ({ page }) => {
    await panel(page).getByText('Nothing recorded yet.').waitFor();

    await fillProtectForm(page, { path, name }, { scheme: 'ssms', k: 3, n: 5 });
    const override = page.getByTestId('placement').getByRole('checkbox', { name: /Protect anyway/ });
    if (await override.count()) await override.check();
    await page.getByRole('button', { name: 'Protect', exact: true }).click();
    const record = page.getByRole('article', { name });
    await record.waitFor({ timeout: LONG_WAIT });
    await expect.poll(async () => (await shownRows(page)).map((row) => `${row.action} ${row.outcome}`)).toEqual(['protect ok', 'vault-create ok']);

    // A recovery with one cloud switched off (a change of location, recorded too).
    await switchCloud(page, 'Demo cloud B', false);
    await record.getByRole('button', { name: 'Recover', exact: true }).click();
    await record.getByTestId('verdict').waitFor({ timeout: LONG_WAIT });
    await expect.poll(async () => (await shownRows(page)).map((row) => `${row.action} ${row.outcome}`)).toEqual(['recover ok', 'location-off ok', 'protect ok', 'vault-create ok']);
    const rows = await shownRows(page);
    const recordId = ((await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('tessera-audit');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const entries = await new Promise<{ action: string; recordId?: string }[]>((resolve) => {
        const request = db.transaction('entries').objectStore('entries').getAll();
        request.onsuccess = () => resolve(request.result as { action: string; recordId?: string }[]);
      });
      db.close();
      return entries.find((entry) => entry.action === 'protect')?.recordId;
    })) ?? '') as string;
    expect(recordId).toMatch(/^[0-9a-f]{32}$/);
    // The panel names the file from the library; the trail itself only knows the record id.
    expect(rows[0]!.cells[3]).toBe(`${name} (${recordId.slice(0, 8)})`);
    expect(rows[0]!.cells[4]).toMatch(/^Demo cloud A, Demo cloud B, Demo cloud C, Demo cloud D, Demo cloud E$/);
    expect(rows[0]!.cells[5]).toBe('used 3, unreachable 1, rejected 0');

    // Filter by action.
    await panel(page).getByLabel('Action').selectOption('protect');
    expect((await shownRows(page)).map((row) => row.action)).toEqual(['protect']);
    await panel(page).getByLabel('Action').selectOption('all');
    await panel(page).getByLabel('Outcome').selectOption('failed');
    await panel(page).getByText('Nothing recorded yet.').waitFor();
    await panel(page).getByLabel('Outcome').selectOption('all');

    // The CSV export holds exactly the rows shown, newest first.
    const [download] = await Promise.all([page.waitForEvent('download'), panel(page).getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^tessera-activity-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv).not.toContain('Doe');
    expect(csv).not.toContain('Jane');
    const table = parseCsv(csv);
    expect(table[0]).toEqual(['time', 'action', 'outcome', 'code', 'record_id', 'bucket_ids', 'counts']);
    const shown = await shownRows(page);
    expect(table.slice(1).map(([time, action, outcome]) => ({ time, action, outcome }))).toEqual(shown.map(({ time, action, outcome }) => ({ time, action, outcome })));
    expect(table[1]).toEqual([shown[0]!.time, 'recover', 'ok', '', recordId, 'demo-a demo-b demo-c demo-d demo-e', 'used=3 unreachable=1 rejected=0']);
    expect(table[2]!.slice(1, 6)).toEqual(['location-off', 'ok', '', '', 'demo-b']);
    expect(table[3]!.slice(1, 7)).toEqual(['protect', 'ok', '', recordId, 'demo-a demo-b demo-c demo-d demo-e', 'k=3 n=5']);
    // The first protect on the device made the vault (no record, no place).
    expect(table[4]!.slice(1, 6)).toEqual(['vault-create', 'ok', '', '', '']);

    const [json] = await Promise.all([page.waitForEvent('download'), panel(page).getByRole('button', { name: 'Export JSON' }).click()]);
    const exported = JSON.parse(await readFile((await json.path())!, 'utf8')) as { entries: { action: string; recordId?: string }[] };
    expect(exported.entries.map((entry) => entry.action)).toEqual(['recover', 'location-off', 'protect', 'vault-create']);

    // Kept on this device: still there after a reload; nothing in it names the file.
    await page.reload({ waitUntil: 'load' });
    await expect.poll(async () => (await shownRows(page)).map((row) => `${row.action} ${row.outcome}`)).toEqual(['recover ok', 'location-off ok', 'protect ok', 'vault-create ok']);
    const stored = (await pageStorage(page)).split('\n').filter((line) => line.startsWith('tessera-audit/'));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toContain(recordId);
    expect(stored[0]).not.toContain('Doe');
  });
});
