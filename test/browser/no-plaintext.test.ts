/**
 * Plaintext never leaves the browser, measured. A study of a fictitious patient with random pixel
 * content (written by pydicom) is protected through the UI into three real Ceph RGW buckets — the
 * folder with `shamir` (multipart uploads), one slice alone with `ssms` — both rebuilt from them,
 * the folder sent as a share link (file name included) and opened in a second, fresh browser
 * context; every location is checked with its Test button first. Every request Chromium makes
 * meanwhile — the pages', every dedicated worker's and the service worker's — is captured through
 * the DevTools Protocol (request-capture.ts) with its method, URL, headers and whole body, and every
 * request that reached the storage server is recorded again, body byte for byte, by a proxy in
 * front of it (test/helpers/recording-proxy.ts). They are searched (test/helpers/plaintext-scan.ts)
 * for any 32-byte window of any original file and for the patient's name, ID, birth date, accession
 * number and the file and folder names, in any case and percent-encoded: none may appear. Two
 * controls prove the search, and the capture with it, find what they look for. */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { runPython, fixtureFolder } from '../helpers/dicom-tools.js';
import { scanForPlaintext, WindowIndex, type OriginalFile, type SentRequest } from '../helpers/plaintext-scan.js';
import { RecordingProxy } from '../helpers/recording-proxy.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { openAppIn, type OpenApp } from './harness.js';
import { addCephBucket, locationItem } from './locations-ui.js';
import { launchCapturingChromium, type RequestCapture } from './request-capture.js';
import { makeVaultIfNew } from './ui.js';

const LONG_WAIT = 90_000;
const BUCKETS = ['plain-a', 'plain-b', 'plain-c'] as const;
const LOCATIONS = ['Ceph A', 'Ceph B', 'Ceph C'] as const;

/** The fictitious patient: values chosen to occur nowhere else. */
const PATIENT = { name: 'QUILLFEATHER^ROSALIND', id: 'PID-7731-XQ', birthDate: '19610229', accession: 'ACC-55821-ZK' } as const;
const FOLDER = 'Quillfeather-Rosalind-PID7731XQ';

/**
 * Five instances of one study, every pixel random (8.5 MiB in all, so that a `shamir` share of the
 * folder, as large as the folder, goes up in two parts of a multipart upload): four CT slices of
 * 1024 × 1024 and an MR of 512 × 512, 16 bits, explicit VR little endian, named after the patient
 * as an export from a viewer often is.
 */
const MAKE_STUDY = `
import os, sys
import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
folder, name, patient_id, birth_date, accession = sys.argv[1:6]
rng = np.random.default_rng()
study = generate_uid()
for index, (modality, size) in enumerate([('CT', 1024), ('CT', 1024), ('CT', 1024), ('CT', 1024), ('MR', 512)]):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2' if modality == 'CT' else '1.2.840.10008.5.1.4.1.1.4'
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(None, {}, file_meta=meta, preamble=b'\\0' * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = name, patient_id, birth_date, 'F'
    ds.AccessionNumber, ds.StudyInstanceUID, ds.StudyDate, ds.StudyDescription = accession, study, '20260315', 'Chest'
    ds.SeriesInstanceUID, ds.SeriesNumber, ds.InstanceNumber, ds.Modality = generate_uid(), index + 1, 1, modality
    ds.Rows = ds.Columns = size
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation, ds.SamplesPerPixel = 16, 16, 15, 0, 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.PixelData = rng.integers(0, 65536, size=size * size, dtype=np.uint16).tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(os.path.join(folder, 'QUILLFEATHER_ROSALIND_%s_%04d.dcm' % (modality, index + 1)), write_like_original=False)
`;

let browser: Browser;
let capture: RequestCapture;
let rgw: CephRgw;
let proxy: RecordingProxy;
let study: ReturnType<typeof fixtureFolder>;
let studyFolder: string;
let originals: OriginalFile[];
let index: WindowIndex;
let identifying: string[];
let origin: string;

beforeAll(async () => {
  origin = new URL(inject('baseUrl')).origin;
  study = fixtureFolder('no-plaintext');
  studyFolder = join(study.path, FOLDER);
  mkdirSync(studyFolder);
  runPython(MAKE_STUDY, [studyFolder, PATIENT.name, PATIENT.id, PATIENT.birthDate, PATIENT.accession]);
  const names = readdirSync(studyFolder).sort();
  originals = names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(studyFolder, name))) }));
  index = new WindowIndex(originals);
  // The name's parts alone too: both are words found nowhere else.
  identifying = [PATIENT.name, ...PATIENT.name.split('^'), PATIENT.id, PATIENT.birthDate, PATIENT.accession, FOLDER, ...names, ...names.map((name) => name.replace(/\.dcm$/, ''))];
  let capturing;
  [rgw, capturing] = await Promise.all([startCephRgw({ buckets: [...BUCKETS] }), launchCapturingChromium()]);
  ({ browser, capture } = capturing);
  await Promise.all(BUCKETS.map((bucket) => rgw.setCors(bucket, origin)));
  proxy = new RecordingProxy();
  await proxy.start(rgw.endpoint);
}, 120_000);

afterAll(async () => {
  capture?.close();
  await browser?.close();
  await Promise.allSettled([proxy?.stop(), rgw?.stop()]);
  study?.remove();
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

it('the search finds a 32-byte slice of an original and an identifying string wherever a request carries them', () => {
  const [first, second] = originals;
  // Pixel data: random, so a slice of it can only be there by copying.
  const at = first!.bytes.length - 100_000;
  const slice = first!.bytes.subarray(at, at + 32);
  expect(slice.length).toBe(32);
  const random = (length: number): Uint8Array => new Uint8Array(createHash('sha512').update(String(length)).digest()).subarray(0, Math.min(length, 64));
  const planted = (body: Uint8Array, extra: Partial<SentRequest> = {}): SentRequest => ({ method: 'PUT', url: `${proxy.url}/plain-a/x`, headers: {}, extraHeaders: {}, body, ...extra });
  const cases: { label: string; request: SentRequest; expected: RegExp }[] = [
    { label: 'slice in a body', request: planted(Buffer.concat([random(50), slice, random(40)])), expected: new RegExp(`32 bytes of ${first!.name}`) },
    { label: 'slice as base64 in a JSON body', request: planted(Buffer.from(JSON.stringify({ data: Buffer.from(second!.bytes.subarray(5000, 5048)).toString('base64') }))), expected: new RegExp(`32 bytes of ${second!.name}`) },
    { label: 'slice percent-encoded in a URL', request: planted(new Uint8Array(0), { url: `${proxy.url}/plain-a/${encodeURIComponent(Buffer.from(slice).toString('latin1'))}` }), expected: /32 bytes of/ },
    { label: 'patient ID in a header', request: planted(new Uint8Array(0), { headers: { 'x-amz-meta-note': PATIENT.id } }), expected: /"pid-7731-xq"/ },
    { label: 'name lower-cased and percent-encoded in a URL', request: planted(new Uint8Array(0), { url: `${proxy.url}/plain-a/${encodeURIComponent('quillfeather^rosalind')}` }), expected: /"quillfeather%5erosalind"/ },
    { label: 'file name in a sent header', request: planted(new Uint8Array(0), { extraHeaders: { 'content-disposition': `attachment; filename="${originals[2]!.name}"` } }), expected: /identifying string/ },
    { label: 'birth date as ISO in a body', request: planted(Buffer.from('{"born":"1961-02-29"}')), expected: /"1961-02-29"/ },
  ];
  for (const { label, request, expected } of cases) {
    const { leaks } = scanForPlaintext([request], index, identifying);
    expect(leaks.map((leak) => leak.what).join('; '), label).toMatch(expected);
  }
  // The originals do carry what is searched for: one of them, sent as it is, is caught for each value.
  const whole = scanForPlaintext([planted(first!.bytes)], index, identifying);
  for (const value of [PATIENT.name, PATIENT.id, PATIENT.birthDate, PATIENT.accession]) expect(whole.leaks.map((leak) => leak.what)).toContain(`identifying string "${value.toLowerCase()}"`);
  expect(whole.figures.windowHits).toBe(first!.bytes.length - 31);
  // 31 bytes are not a window: the search is exact, not approximate. The bytes around them differ
  // from the original's there, so no 32-byte window matches by chance (1 in 256 per side if random).
  const around = (byte: number): Uint8Array => Uint8Array.of(byte ^ 0xff);
  const cut = Buffer.concat([random(50), around(first!.bytes[at - 1]!), slice.subarray(0, 31), around(slice[31]!), random(40)]);
  expect(scanForPlaintext([planted(cut)], index, identifying).leaks).toEqual([]);
  console.info(`indexed: ${index.windows.toLocaleString('en')} windows of 32 bytes in ${originals.length} files (${index.distinctWindows.toLocaleString('en')} distinct)`);
});

it('a planted leak is caught end to end: sent from a page and from a dedicated worker, captured through CDP and at the proxy, found by the search', async () => {
  capture.phase('control');
  proxy.phase('control');
  const first = originals[0]!;
  const slice = [...first.bytes.subarray(1_500_000, 1_500_032)];
  expect(slice).toHaveLength(32);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // A blank page, not the app: its own worker sends a slice of an original, the page the patient's
    // name, each as a simple cross-origin POST (no preflight, so it is sent whatever the CORS rule).
    await page.evaluate(
      async ({ url, slice, name }) => {
        const source = 'onmessage = async (event) => { await fetch(event.data.url, { method: "POST", mode: "no-cors", body: new Uint8Array(event.data.body) }); postMessage("sent"); };';
        const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        const body = [...crypto.getRandomValues(new Uint8Array(40)), ...slice, ...crypto.getRandomValues(new Uint8Array(40))];
        await new Promise((resolve) => {
          worker.onmessage = resolve;
          worker.postMessage({ url: `${url}/plain-a/from-worker`, body });
        });
        await fetch(`${url}/plain-a/from-page`, { method: 'POST', mode: 'no-cors', body: `note=${encodeURIComponent(name)}` });
      },
      { url: proxy.url, slice, name: 'Rosalind Quillfeather' },
    );
  } finally {
    await context.close();
  }
  const sent = (await capture.settled()).filter((request) => request.phase === 'control');
  const fromWorker = sent.find((request) => request.url.endsWith('/from-worker'));
  expect(fromWorker?.targetType).toBe('worker');
  expect(fromWorker?.bodyState).toBe('whole');
  expect(scanForPlaintext(sent, index, identifying).leaks.map((leak) => `${leak.request}: ${leak.what}`).sort()).toEqual([
    `POST ${proxy.url}/plain-a/from-worker: 32 bytes of ${first.name} at 1500000`,
    `POST ${proxy.url}/plain-a/from-page: identifying string "quillfeather"`,
    `POST ${proxy.url}/plain-a/from-page: identifying string "rosalind%20quillfeather"`,
    `POST ${proxy.url}/plain-a/from-page: identifying string "rosalind"`,
  ].sort());
  const atProxy = proxy.requests.filter((request) => request.phase === 'control');
  expect(scanForPlaintext(atProxy, index, identifying).figures).toMatchObject({ requests: 2, windowHits: 1 });
}, 60_000);

/** Presses Test and waits for its verdict; returns the status text. */
async function testLocation(page: Page, name: string): Promise<string> {
  const item = locationItem(page, name);
  await item.getByRole('button', { name: `Test ${name}`, exact: true }).click();
  const status = item.getByRole('status', { name: `Test of ${name}` });
  await status.getByText(/^\W*(Works|Does not work yet)/).waitFor({ timeout: LONG_WAIT });
  return (await status.textContent())!.replace(/\s+/g, ' ').trim();
}

async function chooseSettings(page: Page, scheme: 'Perfect secrecy' | 'Strong & compact'): Promise<void> {
  await page.getByRole('radio', { name: scheme }).check();
  await page.getByLabel('Clouds to use').selectOption('3');
  await page.getByLabel('Needed to rebuild').selectOption('2');
  await page.getByTestId('threshold-summary').getByText('Any 1 of the 3 clouds may be lost').waitFor();
  await makeVaultIfNew(page);
}

/** Protect, once the three buckets of one provider are accepted for it. */
async function protect(page: Page): Promise<void> {
  const override = page.getByTestId('placement').getByRole('checkbox', { name: /Protect anyway/ });
  if (await override.count()) await override.check();
  await page.getByRole('button', { name: 'Protect', exact: true }).click();
}

/** Opens the app in a context of its own, listing the URLs Playwright saw requested (a cross-check of the capture). */
async function open(context: BrowserContext, path?: string): Promise<{ app: OpenApp; seen: string[] }> {
  const seen: string[] = [];
  context.on('request', (request) => seen.push(`${request.method()} ${request.url()}`));
  const app = await openAppIn(context, inject('baseUrl'), { routeRequests: false, allowOrigins: [proxy.url], ...(path !== undefined ? { path } : {}) });
  return { app, seen };
}

function expectNoTrouble(app: OpenApp): void {
  expect(app.foreignRequests, 'requests to other origins').toEqual([]);
  expect(app.pageErrors, 'page errors').toEqual([]);
  expect(app.consoleErrors, 'console errors').toEqual([]);
}

it('no window of the study and no identifying string in any request of bucket tests, protect, recover, or a share link made and opened', async () => {
  const seen: string[] = [];
  let link = '';
  const setPhase = (name: string): void => {
    capture.phase(name);
    proxy.phase(name);
  };

  setPhase('load and locations');
  const sender = await open(await browser.newContext({ acceptDownloads: true }));
  try {
    const { page } = sender.app;
    await page.getByRole('heading', { name: 'Storage locations' }).waitFor();
    const { accessKeyId, secretAccessKey } = rgw.users.owner;
    for (const [position, name] of LOCATIONS.entries()) {
      await addCephBucket(page, { name, endpoint: proxy.url, region: rgw.region, bucket: BUCKETS[position]!, accessKeyId, secretAccessKey });
    }

    setPhase('bucket tests');
    for (const name of LOCATIONS) expect(await testLocation(page, name), name).toMatch(/^\W*Works: a test file was written, read back and deleted/);

    setPhase('protect');
    // The folder with perfect secrecy (shares as large as the folder: multipart uploads).
    await page.getByTestId('folder-input').setInputFiles(studyFolder);
    const item = page.getByRole('list', { name: 'Chosen files' }).getByTestId('drop-item');
    await item.getByRole('heading', { name: FOLDER, exact: true }).waitFor();
    await item.getByText('QUILLFEATHER, ROSALIND').first().waitFor({ timeout: LONG_WAIT });
    await chooseSettings(page, 'Perfect secrecy');
    await protect(page);
    const recordName = `${FOLDER}.tar`;
    const record = page.getByRole('article', { name: recordName });
    await record.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: LONG_WAIT });
    // One slice alone, strong & compact (AES-GCM, then Reed–Solomon: single PUTs).
    const slice = originals[0]!.name;
    await page.getByTestId('file-input').setInputFiles(join(studyFolder, slice));
    await page.getByRole('list', { name: 'Chosen files' }).getByRole('heading', { name: slice, exact: true }).waitFor();
    await chooseSettings(page, 'Strong & compact');
    await protect(page);
    const sliceRecord = page.getByRole('article', { name: slice });
    await sliceRecord.getByTestId('record-safety').getByText(/Safe: all 3 shares are stored/).waitFor({ timeout: LONG_WAIT });

    setPhase('recover');
    for (const recovered of [record, sliceRecord]) {
      await recovered.getByRole('button', { name: 'Recover', exact: true }).click();
      await recovered.getByTestId('verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });
      await recovered.getByRole('button', { name: 'Close' }).click();
    }

    setPhase('share link: made');
    await record.getByRole('button', { name: 'Send to a colleague…' }).click();
    const dialog = record.getByRole('group', { name: `Send ${recordName} to a colleague` });
    await dialog.getByRole('radio', { name: '1 hour' }).check();
    // With the file name: it travels in the link's fragment, which must never be sent.
    await dialog.getByRole('checkbox', { name: /Include the file name/ }).check();
    await dialog.getByRole('button', { name: 'Make the link' }).click();
    link = await dialog.getByTestId('share-link').inputValue();
    expect(link).toContain('#');
    expectNoTrouble(sender.app);
  } finally {
    seen.push(...sender.seen);
    await sender.app.close();
  }

  setPhase('share link: opened');
  const colleague = await open(await browser.newContext({ acceptDownloads: true }), link.slice(origin.length + 1));
  try {
    const received = colleague.app.page.getByRole('region', { name: 'A colleague sent you a file' });
    await received.getByRole('button', { name: 'Get the file' }).click();
    await received.getByTestId('link-verdict').getByText(/Identical/).waitFor({ timeout: LONG_WAIT });
    expectNoTrouble(colleague.app);
  } finally {
    seen.push(...colleague.seen);
    await colleague.app.close();
  }

  // The control's planted leak aside.
  const captured = (await capture.settled()).filter((request) => request.phase !== 'control');

  // The capture is complete: every request Playwright saw, and every one that reached the storage
  // server, was captured through CDP, and every body that reached it was captured whole and equal.
  const capturedKeys = new Set(captured.map((request) => `${request.method} ${request.url}`));
  expect(seen.filter((key) => /^\w+ https?:/.test(key) && !capturedKeys.has(key))).toEqual([]);
  expect(captured.filter((request) => request.bodyState === 'unreadable').map((request) => `${request.method} ${request.url}`)).toEqual([]);
  const cdpBodies = new Map(captured.filter((request) => request.body.length > 0).map((request) => [`${request.method} ${request.url}`, sha256(request.body)]));
  const atServer = proxy.requests.filter((request) => request.phase !== 'control');
  // CORS preflights included: Chromium reports them too.
  const missing = atServer.filter((request) => !capturedKeys.has(`${request.method} ${request.url}`));
  expect(missing.map((request) => `${request.method} ${request.url}`)).toEqual([]);
  for (const request of atServer.filter((sent) => sent.body.length > 0)) {
    expect(cdpBodies.get(`${request.method} ${request.url}`), `${request.method} ${request.url.split('?')[0]}`).toBe(sha256(request.body));
  }
  // Making a link signs on the device: nothing at all was sent (Chromium's own UI pages aside).
  expect(captured.filter((request) => request.phase === 'share link: made' && request.targetType !== 'browser_ui').map((request) => request.url)).toEqual([]);

  const scanStarted = performance.now();
  const fromBrowser = scanForPlaintext(captured, index, identifying);
  // The proxy's bodies were just shown to be byte for byte those captured through CDP: searched once,
  // there. Its URLs and headers (as they reached the server) are searched here.
  const fromProxy = scanForPlaintext(
    atServer.map((request) => ({ ...request, body: new Uint8Array(0) })),
    index,
    identifying,
  );
  const scanSeconds = (performance.now() - scanStarted) / 1000;
  const lines = [...new Set(captured.map((request) => request.phase))].map((phase) => {
    const requests = captured.filter((request) => request.phase === phase);
    const scanned = fromBrowser.each.filter((_scan, position) => captured[position]!.phase === phase).reduce((sum, scan) => sum + scan.bytesScanned, 0);
    const atProxy = atServer.filter((request) => request.phase === phase);
    const targets = [...new Set(requests.map((request) => request.targetType))].join(', ');
    return `  ${phase}: ${requests.length} requests captured (${targets}), ${scanned.toLocaleString('en')} bytes scanned; at the proxy ${atProxy.length} requests, ${atProxy.reduce((sum, request) => sum + request.body.length, 0).toLocaleString('en')} body bytes`;
  });
  const uploads = captured.filter((request) => request.method === 'PUT' && request.body.length > 0);
  const parts = atServer.filter((request) => request.method === 'PUT' && /[?&]partNumber=/.test(request.url));
  expect(parts.length, 'parts of multipart uploads').toBeGreaterThanOrEqual(6);
  const origins = new Map<string, number>();
  for (const request of captured) {
    const key = `${request.targetType} → ${URL.canParse(request.url) ? new URL(request.url).origin : request.url.slice(0, 20)}`;
    origins.set(key, (origins.get(key) ?? 0) + 1);
  }
  console.info(
    [
      `plaintext search: ${index.windows.toLocaleString('en')} windows of 32 bytes indexed (${index.distinctWindows.toLocaleString('en')} distinct) in ${originals.length} files of ${originals.reduce((sum, file) => sum + file.bytes.length, 0).toLocaleString('en')} bytes; ${identifying.length} identifying strings`,
      `targets attached through CDP: ${[...capture.targetsAttached].map(([type, count]) => `${count} ${type}`).join(', ')}; not started since: ${capture.targetsNotStarted().join(', ') || 'none'}`,
      ...lines,
      `  by sender and destination: ${[...origins].map(([key, count]) => `${key.replace(origin, 'app').replace(proxy.url, 'buckets')}: ${count}`).join('; ')}`,
      `  multipart: ${parts.length} parts; CORS preflights at the proxy: ${atServer.filter((request) => request.method === 'OPTIONS').length}, through CDP: ${captured.filter((request) => request.method === 'OPTIONS').length}`,
      `  uploads with a body: ${uploads.length}, ${uploads.reduce((sum, request) => sum + request.body.length, 0).toLocaleString('en')} bytes (the largest ${Math.max(...uploads.map((request) => request.body.length)).toLocaleString('en')}), every one whole through CDP and equal to what the proxy received`,
      `  (browser_ui: Chromium's own chrome:// pages, not the app; searched all the same)`,
      `searched in ${scanSeconds.toFixed(1)} s`,
      `CDP: ${fromBrowser.figures.requests} requests, ${fromBrowser.figures.bytesScanned.toLocaleString('en')} bytes scanned, ${fromBrowser.figures.windowHits} window hits, ${fromBrowser.figures.stringHits} string hits`,
      `proxy: ${fromProxy.figures.requests} requests, ${fromProxy.figures.bytesScanned.toLocaleString('en')} bytes of URLs and headers scanned (bodies: those of CDP), ${fromProxy.figures.windowHits} window hits, ${fromProxy.figures.stringHits} string hits`,
    ].join('\n'),
  );
  expect(fromBrowser.leaks).toEqual([]);
  expect(fromProxy.leaks).toEqual([]);
  for (const phase of ['bucket tests', 'protect', 'recover', 'share link: opened']) {
    expect(captured.some((request) => request.phase === phase && request.url.startsWith(proxy.url)), `${phase} reached the buckets`).toBe(true);
  }
}, 240_000);
