/**
 * The demo sample study, fetched from the app's own origin (public/samples, precached by the
 * service worker, so it loads offline too) and handed to the protect form as a chosen folder is:
 * every file with its path under the CD's folder (`demo-cd/DICOM/…`), as `<input webkitdirectory>`
 * gives them. `samples.json` (written by test/samples/make-samples.py, checked against the files by
 * test/unit/samples.test.ts) lists them, so nothing has to list a folder over HTTP.
 */
import { TesseraError } from '../core/errors.js';
import type { Collected, DropEntry } from '../dicom/ingest/entries.js';

/** The sample the first screen offers: the whole CD of the fictitious patient, with its DICOMDIR. */
const DEMO_SAMPLE_ID = 'demo-cd';

/**
 * The files' modification time, fixed: a folder is protected as a tar archive that records it, so
 * the same sample always makes the same archive (and the same fingerprint).
 */
const SAMPLE_FILES_MODIFIED = Date.UTC(2024, 4, 20);

interface SampleFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

interface Sample {
  readonly id: string;
  readonly files: readonly SampleFile[];
  readonly totalBytes: number;
}

/** Where public/samples is served: under the app's base, wherever it is deployed. */
function samplesUrl(path: string): URL {
  return new URL(`samples/${path}`, new URL(import.meta.env.BASE_URL, document.baseURI));
}

function unreadable(why: string): TesseraError {
  return new TesseraError('input.unreadable', `the sample study could not be loaded: ${why}`);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** One sample of samples.json, validated: relative paths inside public/samples, sizes, SHA-256. */
function parseSample(value: unknown): Sample | undefined {
  if (!isRecord(value) || typeof value['id'] !== 'string' || !Array.isArray(value['files'])) return undefined;
  const files: SampleFile[] = [];
  for (const file of value['files'] as unknown[]) {
    if (!isRecord(file)) return undefined;
    const { path, bytes, sha256 } = file;
    if (typeof path !== 'string' || !/^[\w-]+(\/[\w.-]+)*$/.test(path) || path.split('/').some((part) => part === '..' || part === '.')) return undefined;
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) return undefined;
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    files.push({ path, bytes, sha256 });
  }
  const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0);
  return { id: value['id'], files, totalBytes };
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch {
    throw unreadable('the app could not reach its own files');
  }
  if (!response.ok) throw unreadable(`a file answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export interface SampleProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Fetches every file of the sample and checks each against the manifest's size and SHA-256 (a
 * half-updated deployment or a damaged cache must not pass for the sample). Returns the files as a
 * folder chosen with "Choose a folder" gives them.
 */
export async function fetchSample({
  id = DEMO_SAMPLE_ID,
  onProgress,
}: { readonly id?: string; readonly onProgress?: (progress: SampleProgress) => void } = {}): Promise<Collected> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(await fetchBytes(samplesUrl('samples.json'))));
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw unreadable('its list of files is not valid JSON');
  }
  const samples = isRecord(manifest) && Array.isArray(manifest['samples']) ? (manifest['samples'] as unknown[]) : [];
  const found = samples.map(parseSample).find((sample) => sample?.id === id);
  if (!found || found.files.length === 0) throw unreadable(`its list of files does not describe the sample “${id.slice(0, 40)}”`);

  const entries: DropEntry[] = [];
  let done = 0;
  onProgress?.({ done, total: found.totalBytes });
  // One file at a time: 60 small files from the cache, and the order is the manifest's (DICOMDIR first).
  for (const file of found.files) {
    const bytes = await fetchBytes(samplesUrl(file.path));
    if (bytes.length !== file.bytes || (await sha256Hex(bytes)) !== file.sha256) throw unreadable(`${file.path} is not the file the list describes`);
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    entries.push({ path: file.path, file: new File([bytes as Uint8Array<ArrayBuffer>], name, { lastModified: SAMPLE_FILES_MODIFIED }), size: bytes.length });
    done += bytes.length;
    onProgress?.({ done, total: found.totalBytes });
  }
  return { entries, problems: [] };
}
