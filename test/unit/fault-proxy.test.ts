import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../servers/fault-proxy.js';
import { startMemoryObjectStore, type MemoryObjectStore } from '../servers/memory-object-store.js';
import { until } from './transfer-test-kit.js';

/** The fault proxy, seen by a plain fetch client: each fault must be observable as documented. */
describe('fault proxy', () => {
  let store: MemoryObjectStore;
  let proxy: FaultProxy;
  const body = new TextEncoder().encode('x'.repeat(10_000));

  beforeAll(async () => {
    store = await startMemoryObjectStore();
    proxy = new FaultProxy();
    await proxy.start(store.url);
  });
  afterAll(async () => {
    await proxy.stop();
    await store.stop();
  });
  beforeEach(() => {
    proxy.clear();
    proxy.requests.length = 0;
    store.objects.clear();
    store.objects.set('a', body);
  });

  const get = (init: RequestInit = {}): Promise<Response> => fetch(`${proxy.url}/o/a`, init);

  it('passes requests and answers through untouched, CORS headers included, and records them', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(body);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe('ETag');
    const put = await fetch(`${proxy.url}/o/b`, { method: 'PUT', body: 'hello' });
    expect(put.status).toBe(200);
    expect(new TextDecoder().decode(store.objects.get('b'))).toBe('hello');
    const preflight = await fetch(`${proxy.url}/o/b`, { method: 'OPTIONS' });
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(proxy.requests.map(({ method, path, fault, status }) => ({ method, path, fault, status }))).toEqual([
      { method: 'GET', path: '/o/a', fault: null, status: 200 },
      { method: 'PUT', path: '/o/b', fault: null, status: 200 },
      { method: 'OPTIONS', path: '/o/b', fault: null, status: 204 },
    ]);
  });

  it('answers 500, 503 SlowDown and 429 with Retry-After, for the chosen requests and count only', async () => {
    proxy.inject({ method: 'GET', path: /^\/o\/a/, fault: { kind: 'status', status: 500 }, times: 2 });
    expect((await get()).status).toBe(500);
    expect((await get()).status).toBe(500);
    expect((await get()).status).toBe(200);
    proxy.inject({ method: 'GET', fault: { kind: 'slow-down' } });
    const slow = await get();
    expect(slow.status).toBe(503);
    expect(await slow.text()).toContain('<Code>SlowDown</Code>');
    proxy.inject({ method: 'GET', fault: { kind: 'too-many', retryAfterSeconds: 7 }, skip: 1 });
    expect((await get()).status).toBe(200);
    const many = await get();
    expect(many.status).toBe(429);
    expect(many.headers.get('retry-after')).toBe('7');
    expect(proxy.requests.map((request) => request.fault)).toEqual(['status', 'status', null, 'slow-down', null, 'too-many']);
  });

  it('stalls after the headers: the status arrives, the body never does', async () => {
    proxy.inject({ fault: { kind: 'stall', when: 'after-headers' } });
    const controller = new AbortController();
    const response = await get({ signal: controller.signal });
    expect(response.status).toBe(200);
    const reading = response.arrayBuffer();
    await until(() => proxy.requests[0]?.status === 200);
    let settled = false;
    void reading.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    controller.abort();
    await expect(reading).rejects.toThrow();
  });

  it('stalls before the headers: the request was served, the client hears nothing', async () => {
    proxy.inject({ method: 'PUT', fault: { kind: 'stall', when: 'before-headers' } });
    const controller = new AbortController();
    const request = fetch(`${proxy.url}/o/c`, { method: 'PUT', body: 'late', signal: controller.signal });
    await until(() => store.objects.has('c'));
    controller.abort();
    await expect(request).rejects.toThrow();
    expect(proxy.requests[0]!.status).toBeNull();
  });

  it('resets before the request reaches the server', async () => {
    proxy.inject({ method: 'PUT', fault: { kind: 'reset', when: 'before-request' } });
    await expect(fetch(`${proxy.url}/o/d`, { method: 'PUT', body: 'lost' })).rejects.toThrow(/fetch failed/);
    expect(store.objects.has('d')).toBe(false);
  });

  it('resets after the server did the work, before the answer: the client cannot know it landed', async () => {
    proxy.inject({ method: 'PUT', fault: { kind: 'reset', when: 'before-headers' } });
    await expect(fetch(`${proxy.url}/o/e`, { method: 'PUT', body: 'landed' })).rejects.toThrow(/fetch failed/);
    expect(new TextDecoder().decode(store.objects.get('e'))).toBe('landed');
  });

  it('resets after the headers, in the middle of the body', async () => {
    proxy.inject({ fault: { kind: 'reset', when: 'after-headers' } });
    const response = await get();
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
  });

  it('truncates a body: fewer bytes than its Content-Length, then the connection closes', async () => {
    proxy.inject({ fault: { kind: 'truncate', keep: 0.3 } });
    const response = await get();
    expect(response.headers.get('content-length')).toBe(String(body.length));
    const outcome = await response.arrayBuffer().then(
      (bytes) => bytes.byteLength,
      () => 'error',
    );
    // Either the client notices the cut (undici: "terminated") or it sees a short body.
    expect(outcome === 'error' || (typeof outcome === 'number' && outcome < body.length)).toBe(true);
  });

  it('delays, then forwards', async () => {
    proxy.inject({ fault: { kind: 'delay', ms: 20 } });
    const response = await get();
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(body);
    expect(proxy.requests[0]!.fault).toBe('delay');
  });

  it('drops the connection when the server behind it is gone, and frees its port when stopped', async () => {
    const lonely = await startMemoryObjectStore();
    const front = new FaultProxy();
    await front.start(lonely.url);
    await lonely.stop();
    await expect(fetch(`${front.url}/o/a`)).rejects.toThrow(/fetch failed/);
    await front.stop();
    await expect(fetch(`${front.url}/o/a`)).rejects.toThrow(/fetch failed/);
  });
});
