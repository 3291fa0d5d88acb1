/**
 * The precache manifest: every file of a build, by path relative to the output folder, with the
 * SHA-256 of its bytes. Made at build time (the `tessera-pwa` plugin in vite.config.ts), embedded
 * into sw.js, and read by the service worker (sw.ts), which fetches every file on install and
 * checks it against its hash. Pure: runs in Node (the build), in the service worker and in tests.
 */

export interface PrecacheEntry {
  /** Path relative to the build's root, `/`-separated, no leading slash: `assets/index-abc.js`. */
  readonly path: string;
  /** SHA-256 of the file's bytes, lowercase hex. */
  readonly sha256: string;
  readonly bytes: number;
}

export interface PrecacheManifest {
  /** SHA-256 (hex) over every path and hash: changes whenever any file does, names the cache. */
  readonly version: string;
  /** Sorted by path, each path once. */
  readonly files: readonly PrecacheEntry[];
}

export interface BuildFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** The service worker's own file: never in its manifest (the browser fetches it, and it changes with every manifest). */
export const SERVICE_WORKER_FILE = 'sw.js';

/**
 * Whether a build file belongs in the precache: everything except the service worker itself and
 * source maps (written beside the scripts for profiling only, never loaded by the app).
 */
export function isPrecached(path: string): boolean {
  return path !== SERVICE_WORKER_FILE && !path.endsWith('.map');
}

export async function sha256Hex(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The manifest of a build's files (those isPrecached keeps). A path given twice is an error. */
export async function precacheManifest(files: Iterable<BuildFile>): Promise<PrecacheManifest> {
  const entries: PrecacheEntry[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (typeof file.path !== 'string' || file.path === '' || file.path.startsWith('/') || file.path.includes('\\')) {
      throw new RangeError(`precacheManifest: a path must be relative and /-separated, got ${JSON.stringify(file.path)}`);
    }
    if (!(file.bytes instanceof Uint8Array)) throw new TypeError(`precacheManifest: the bytes of ${file.path} must be a Uint8Array`);
    if (seen.has(file.path)) throw new RangeError(`precacheManifest: ${file.path} is listed twice`);
    seen.add(file.path);
    if (!isPrecached(file.path)) continue;
    entries.push({ path: file.path, sha256: await sha256Hex(file.bytes), bytes: file.bytes.length });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const version = await sha256Hex(entries.map((entry) => `${entry.path}\n${entry.sha256}\n`).join(''));
  return { version, files: entries };
}
