/**
 * Tessera's service worker (built into sw.js at the root of the build by the `tessera-pwa` plugin
 * in vite.config.ts, with the build's precache manifest in place of __TESSERA_PRECACHE__).
 *
 * - install: fetches every file of this build (page, workers, codec chunks, WebAssembly, samples,
 *   the offline tool), checks each against its SHA-256, and stores them in a cache named after the
 *   build's version. One wrong or missing file fails the install: the old version stays.
 * - A new version waits (no skipWaiting here) until the page posts `skip-waiting`, which it does
 *   only when the person clicks Reload and no job is running (src/pwa/register.ts).
 * - fetch: same-origin GETs of this build's files come from the cache; everything else — other
 *   origins (clouds, presigned URLs), other methods, other paths — goes to the network untouched
 *   and is never stored. Nothing is ever written to a cache outside install.
 */
import type { PrecacheEntry, PrecacheManifest } from './precache.js';
import { sha256Hex } from './precache.js';

declare const self: ServiceWorkerGlobalScope;
declare const __TESSERA_PRECACHE__: PrecacheManifest;

const MANIFEST: PrecacheManifest = __TESSERA_PRECACHE__;
const CACHE_PREFIX = 'tessera-precache-';
const CACHE = `${CACHE_PREFIX}${MANIFEST.version.slice(0, 16)}`;
const SCOPE = new URL(self.registration.scope);
/** Hashed build files: a page still running the previous version may load one of its own lazily. */
const ASSETS = new URL('assets/', SCOPE).pathname;
const INDEX = new URL('index.html', SCOPE).pathname;
/** Files fetched at once while installing. */
const PARALLEL = 6;

const byPathname = new Map<string, PrecacheEntry>(MANIFEST.files.map((entry) => [new URL(entry.path, SCOPE).pathname, entry]));

/** The cache key of a file: its absolute URL, without query. */
const keyOf = (entry: PrecacheEntry): string => new URL(entry.path, SCOPE).href;

async function precacheOne(cache: Cache, entry: PrecacheEntry): Promise<void> {
  const key = keyOf(entry);
  // A resumed install: this file was checked and stored by an earlier attempt of the same version.
  if (await cache.match(key)) return;
  // no-cache: revalidate with the server, so the HTTP cache cannot hand back an older copy.
  const response = await fetch(key, { cache: 'no-cache', credentials: 'same-origin' });
  if (!response.ok) throw new Error(`precache: ${entry.path} answered ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== entry.sha256) throw new Error(`precache: ${entry.path} does not match this version (another deployment in between?)`);
  // A new Response: never a redirected one (a navigation may not be answered with it), headers
  // kept (Content-Type matters: WebAssembly.instantiateStreaming requires application/wasm).
  const headers = new Headers(response.headers);
  headers.delete('content-encoding');
  headers.set('content-length', String(bytes.length));
  await cache.put(key, new Response(bytes, { status: 200, statusText: 'OK', headers }));
}

async function precacheAll(): Promise<void> {
  const cache = await caches.open(CACHE);
  const queue = [...MANIFEST.files];
  const runner = async (): Promise<void> => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) await precacheOne(cache, entry);
  };
  await Promise.all(Array.from({ length: PARALLEL }, runner));
}

/**
 * Drops the caches of older versions but keeps the one made just before this (CacheStorage keys
 * are in creation order): another tab may still run that version and load one of its chunks.
 */
async function pruneCaches(): Promise<void> {
  const older = (await caches.keys()).filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE);
  await Promise.all(older.slice(0, -1).map((name) => caches.delete(name)));
}

async function respond(request: Request, entry: PrecacheEntry | undefined): Promise<Response> {
  const cached = entry ? await (await caches.open(CACHE)).match(keyOf(entry)) : await caches.match(request, { ignoreSearch: true });
  // Not cached (evicted, or an old file no cache holds): the network, as without a service worker.
  return cached ?? fetch(request);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precacheAll());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(pruneCaches().then(() => self.clients.claim()));
});

self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'skip-waiting') void self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Other origins (the clouds, presigned URLs, share links' servers): never touched, never cached.
  if (url.origin !== SCOPE.origin) return;
  const pathname = request.mode === 'navigate' && url.pathname === SCOPE.pathname ? INDEX : url.pathname;
  const entry = byPathname.get(pathname);
  if (entry) event.respondWith(respond(request, entry));
  else if (pathname.startsWith(ASSETS)) event.respondWith(respond(request, undefined));
});
