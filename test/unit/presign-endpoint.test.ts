/**
 * The presign-endpoint transport (src/storage/presign-endpoint) against the reference endpoint
 * (test/servers/presign-endpoint.mjs) signing for a real Ceph RADOS Gateway on 127.0.0.1: every
 * operation end to end; what the endpoint refuses (token, key policy, expiry, bucket) and how each
 * is reported; that the endpoint never receives a byte of an object, and that nothing it answers
 * carries the storage secret; an expired URL asked for again exactly once.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex } from '../../src/core/bytes.js';
import { PresignEndpointTransport, type PresignEndpointConfig, type PresignEndpointTransportOptions } from '../../src/storage/presign-endpoint/index.js';
import { Fetcher } from '../../src/storage/transfer/fetcher.js';
import { TransferError, type FailureKind, type TransferFailureCode } from '../../src/storage/transfer/transport.js';
import { sameBytes } from '../helpers/bytes.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { startCephRgw, type CephRgw, type S3User } from '../servers/ceph-rgw.js';
import { startPresignEndpoint, type PresignEndpoint, type PresignEndpointOptions } from '../servers/presign-endpoint.mjs';

const MiB = 1024 * 1024;
const TOKEN = 'tessera-test-token-0123456789abcdef';
const OCTETS = { contentType: 'application/octet-stream' } as const;
const random = deterministicRandom(0x5e55);

let rgw: CephRgw;
let endpoint: PresignEndpoint;
const endpoints: PresignEndpoint[] = [];
/** Every answer the endpoints gave to this process (fetch wrapped below). */
const answers: string[] = [];
const realFetch = globalThis.fetch;

async function startEndpoint(overrides: Partial<PresignEndpointOptions> = {}, user: S3User = rgw.users.owner): Promise<PresignEndpoint> {
  const started = await startPresignEndpoint({
    s3: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, buckets: { 'records-a': 'org-a', 'records-b': 'org-b' } },
    token: TOKEN,
    record: true,
    ...overrides,
  });
  endpoints.push(started);
  return started;
}

beforeAll(async () => {
  rgw = await startCephRgw({ buckets: ['org-a', 'org-b'] });
  console.log(`Ceph RGW up in ${rgw.startMs} ms at ${rgw.endpoint}`);
  endpoint = await startEndpoint();
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (endpoints.some((started) => url.startsWith(started.url))) answers.push(await response.clone().text());
    return response;
  };
}, 120_000);

afterAll(async () => {
  globalThis.fetch = realFetch;
  await Promise.all(endpoints.map((started) => started.stop()));
  await rgw?.stop();
}, 30_000);

function config(overrides: Partial<PresignEndpointConfig> = {}, at: PresignEndpoint = endpoint): PresignEndpointConfig {
  return { bucketId: 'org-records-a', endpoint: at.url, bucket: 'records-a', auth: { kind: 'bearer', token: TOKEN }, ...overrides };
}

function transport(overrides: Partial<PresignEndpointConfig> = {}, options?: PresignEndpointTransportOptions, at: PresignEndpoint = endpoint): PresignEndpointTransport {
  return new PresignEndpointTransport(config(overrides, at), options);
}

function bytes(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  random(out);
  return out;
}

/** A share's key under a fresh (deterministic) record id, as the key policy wants. */
function shareKey(x = 1): string {
  return `tessera/${hex(bytes(16))}/${x}.tshare`;
}

/** The operations an endpoint was asked for, in order. */
function operations(at: PresignEndpoint, since = 0): string[] {
  return at.received.slice(since).map((request) => (JSON.parse(request.body) as { operation: string }).operation);
}

async function expectFailure(promise: Promise<unknown>, kind: FailureKind, code: TransferFailureCode): Promise<TransferError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a TransferError ${code}`).toBeInstanceOf(TransferError);
  const failure = error as TransferError;
  expect({ kind: failure.kind, code: failure.code }, failure.message).toEqual({ kind, code });
  expect(failure.message).not.toContain(TOKEN);
  expect(failure.message).not.toContain(rgw.users.owner.secretAccessKey);
  expect(failure.message).not.toMatch(/X-Amz-Signature|https?:\/\//);
  return failure;
}

describe('presign endpoint transport: every operation through the endpoint to Ceph RGW', () => {
  it('put, head, exact ranges (one signed GET for all of them), delete; deleting again succeeds', async () => {
    const t = transport();
    const key = shareKey(1);
    const body = bytes(100_003);
    await t.putObject(key, body, OCTETS);
    expect(await t.head(key)).toEqual({ size: body.length });
    const before = endpoint.received.length;
    for (const [offset, length] of [
      [0, 1],
      [0, body.length],
      [99_000, 5000],
      [body.length - 1, 1],
    ] as const) {
      expect(sameBytes(await t.getRange(key, offset, length), body.subarray(offset, offset + length)), `range ${offset}+${length}`).toBe(true);
    }
    expect((await t.getRange(key, body.length, 10)).length).toBe(0);
    expect(operations(endpoint, before)).toEqual(['get']);
    expect(await t.listObjects(key.slice(0, key.lastIndexOf('/') + 1))).toEqual([{ key, size: body.length }]);
    await t.deleteObject(key);
    expect(await t.head(key)).toBeNull();
    await t.deleteObject(key);
    await expectFailure(t.getRange(key, 0, 10), 'fatal', 'bucket.not-found');
    // The set-up screen's probe key (src/app/location-probe.ts) is signed too.
    const probe = `tessera/probe/${hex(bytes(16))}`;
    await t.putObject(probe, bytes(64), OCTETS);
    await t.deleteObject(probe);
  });

  it('multipart: create, parts (Content-MD5 bound by the endpoint), list parts, complete; abort leaves no upload', async () => {
    const t = transport({ bucket: 'records-b', bucketId: 'org-records-b' });
    const key = shareKey(2);
    const sizes = [5 * MiB, 12_345];
    const body = bytes(sizes[0]! + sizes[1]!);
    const uploadId = await t.createMultipart(key, OCTETS);
    expect(await t.listUploads(key)).toEqual([uploadId]);
    const etags = [await t.uploadPart(key, uploadId, 1, body.subarray(0, sizes[0])), await t.uploadPart(key, uploadId, 2, body.subarray(sizes[0]))];
    const parts = await t.listParts(key, uploadId);
    expect(parts).toEqual(sizes.map((size, index) => ({ partNumber: index + 1, etag: etags[index], size })));
    await t.completeMultipart(key, uploadId, parts, OCTETS);
    expect(await t.head(key)).toEqual({ size: body.length });
    expect(sameBytes(await t.getRange(key, 5 * MiB - 10, 20), body.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true);
    // A complete retried after its answer was lost finds no upload, and sees the object is whole.
    await t.completeMultipart(key, uploadId, parts, OCTETS);

    const dropped = shareKey(3);
    const droppedId = await t.createMultipart(dropped, OCTETS);
    await t.uploadPart(dropped, droppedId, 1, bytes(1000));
    await t.abortMultipart(dropped, droppedId);
    await t.abortMultipart(dropped, droppedId);
    expect(await t.listUploads(dropped)).toEqual([]);
    await expectFailure(t.listParts(dropped, droppedId), 'fatal', 'bucket.not-found');
    await t.deleteObject(key);
  });

  it('the endpoint binds Content-MD5: the storage refuses other bytes, and another digest breaks the signature', async () => {
    const key = shareKey(4);
    const body = bytes(1000);
    const other = bytes(1000);
    const md5 = (data: Uint8Array): string => Buffer.from(createHash('md5').update(data).digest()).toString('base64');
    const answer = await fetch(`${endpoint.url}/presign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ operation: 'put', bucket: 'records-a', key, contentType: OCTETS.contentType, contentMd5: md5(body), size: body.length, expiresSeconds: 60 }),
    });
    const signed = (await answer.json()) as { url: string; method: string; headers: Record<string, string> };
    expect(signed.headers).toEqual({ 'content-type': OCTETS.contentType, 'content-md5': md5(body) });
    const send = async (data: Uint8Array<ArrayBuffer>, headers: Record<string, string>): Promise<string> => {
      const response = await fetch(signed.url, { method: signed.method, headers, body: data });
      return `${response.status} ${/<Code>([^<]*)<\/Code>/.exec(await response.text())?.[1] ?? ''}`.trim();
    };
    expect(await send(other, signed.headers)).toBe('400 BadDigest');
    expect(await send(other, { ...signed.headers, 'content-md5': md5(other) })).toBe('403 SignatureDoesNotMatch');
    expect(await send(body, signed.headers)).toBe('200');
    await transport().deleteObject(key);
  });
});

describe('presign endpoint: what it refuses, and how each refusal is reported', () => {
  it('a wrong token → bucket.auth ("the organisation\'s sign-in was refused")', async () => {
    const failure = await expectFailure(transport({ auth: { kind: 'bearer', token: 'not-the-token' } }).head(shareKey()), 'fatal', 'bucket.auth');
    expect(failure.message).toMatch(/organisation's sign-in was refused/);
    expect(failure.message).toContain('401 unauthenticated');
  });

  it('a key outside the policy → bucket.permission, whatever the operation', async () => {
    const t = transport();
    for (const key of ['tessera/record-1/share-1.tshare', 'patients/jane-doe.dcm', `tessera/${'a'.repeat(32)}/256.tshare`, `tessera/${'A'.repeat(32)}/1.tshare`]) {
      const failure = await expectFailure(t.putObject(key, bytes(10), OCTETS), 'fatal', 'bucket.permission');
      expect(failure.message).toContain('key-refused');
      await expectFailure(t.getRange(key, 0, 1), 'fatal', 'bucket.permission');
      await expectFailure(t.deleteObject(key), 'fatal', 'bucket.permission');
    }
    await expectFailure(t.listObjects('patients/'), 'fatal', 'bucket.permission');
  });

  it('an expiry over its limit → bucket.permission; an unknown bucket → bucket.no-such-bucket', async () => {
    expect((await expectFailure(transport({}, { expiresSeconds: 3600 }).head(shareKey()), 'fatal', 'bucket.permission')).message).toContain('expiry-refused');
    await expectFailure(transport({ bucket: 'records-z' }).head(shareKey()), 'fatal', 'bucket.no-such-bucket');
  });

  it('the raw protocol: JSON errors, bad requests, CORS preflight only for the allowed origin', async () => {
    const cors = await startEndpoint({ allowOrigin: 'https://tessera.example.org' });
    const post = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${cors.url}/presign`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers }, body: JSON.stringify(body) });
    const key = shareKey();
    const missingMd5 = await post({ operation: 'put', bucket: 'records-a', key, contentType: 'application/octet-stream', size: 1 });
    expect([missingMd5.status, await missingMd5.json()]).toEqual([400, { error: { code: 'bad-request', message: 'contentMd5 is missing or malformed' } }]);
    const unknown = await post({ operation: 'copy', bucket: 'records-a', key });
    expect(unknown.status).toBe(400);
    const noToken = await post({ operation: 'head', bucket: 'records-a', key }, { authorization: '' });
    expect([noToken.status, ((await noToken.json()) as { error: { code: string } }).error.code]).toEqual([401, 'unauthenticated']);
    const good = await post({ operation: 'head', bucket: 'records-a', key }, { origin: 'https://tessera.example.org' });
    expect(good.headers.get('access-control-allow-origin')).toBe('https://tessera.example.org');
    expect(await good.json()).toMatchObject({ method: 'HEAD', headers: {}, url: expect.stringContaining('X-Amz-Expires=900') as unknown });
    const foreign = await post({ operation: 'head', bucket: 'records-a', key }, { origin: 'https://elsewhere.example' });
    expect([foreign.status, foreign.headers.get('access-control-allow-origin')]).toEqual([403, null]);
    const preflight = await fetch(`${cors.url}/presign`, {
      method: 'OPTIONS',
      headers: { origin: 'https://tessera.example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin'), preflight.headers.get('access-control-allow-headers')]).toEqual([
      204,
      'https://tessera.example.org',
      'authorization, content-type',
    ]);
    const foreignPreflight = await fetch(`${cors.url}/presign`, { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' } });
    expect(foreignPreflight.headers.get('access-control-allow-origin')).toBeNull();
    const big = await post({ operation: 'head', bucket: 'records-a', key, padding: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
  });

  it("the storage's own refusals, through the endpoint: a key without permission, a wrong secret", async () => {
    const other = await startEndpoint({}, rgw.users.other);
    const wrong = await startEndpoint({}, { ...rgw.users.owner, secretAccessKey: `${rgw.users.owner.secretAccessKey}x` });
    expect((await expectFailure(transport({}, {}, other).getRange(shareKey(), 0, 1), 'fatal', 'bucket.permission')).message).toContain('AccessDenied');
    expect((await expectFailure(transport({}, {}, wrong).putObject(shareKey(), bytes(10), OCTETS), 'fatal', 'bucket.auth')).message).toContain('SignatureDoesNotMatch');
  });

  it('a busy endpoint (503, Retry-After) → retry; an unreachable one → retry', async () => {
    const busy: Server = createServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '7' });
      response.end(JSON.stringify({ error: { code: 'unavailable', message: 'maintenance' } }));
    });
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(busy.address() as AddressInfo).port}`;
      const failure = await expectFailure(new PresignEndpointTransport(config({ endpoint: url })).head(shareKey()), 'retry', 'bucket.unavailable');
      expect(failure.retryAfterMs).toBe(7000);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
    await expectFailure(new PresignEndpointTransport(config({ endpoint: 'http://127.0.0.1:9' })).head(shareKey()), 'retry', 'bucket.unavailable');
  });
});

describe('presign endpoint: an expired URL is asked for again, once', () => {
  it('a kept GET URL that expired → resign; the fetcher drops it and the next attempt asks afresh; twice → fatal', async () => {
    const key = shareKey(5);
    const body = bytes(5000);
    await transport().putObject(key, body, OCTETS);
    // An endpoint whose clock runs 400 s late, signing 300 s URLs: each expired 100 s ago, though
    // the transport (which sees the endpoint's signing time) thinks it has 300 s left.
    let lagMs = 400_000;
    const late = await startEndpoint({ now: () => Date.now() - lagMs, maxExpiresSeconds: 300 });
    const t = transport({}, { expiresSeconds: 300 }, late);
    await expectFailure(t.getRange(key, 0, 10), 'resign', 'bucket.expired');
    // Kept, not asked again, until invalidateSignatures.
    await expectFailure(t.getRange(key, 0, 10), 'resign', 'bucket.expired');
    expect(operations(late)).toEqual(['get']);

    // The fetcher drops the kept URL and asks once more; the new one is expired too: fatal.
    const fetcher = new Fetcher({ random: () => 0 });
    await expect(fetcher.run(() => t.getRange(key, 0, 10), { resigner: t, what: 'download' })).rejects.toMatchObject({
      kind: 'fatal',
      code: 'bucket.expired',
      message: expect.stringContaining('again after signing afresh') as unknown,
    });
    expect(operations(late)).toEqual(['get', 'get']);
    // The endpoint's clock is right again: the kept (expired) URL fails once, the one asked afresh works.
    lagMs = 0;
    const got = await fetcher.run(() => t.getRange(key, 0, 10), { resigner: t, what: 'download' });
    expect(sameBytes(got, body.subarray(0, 10))).toBe(true);
    expect(operations(late)).toEqual(['get', 'get', 'get']);
    await transport().deleteObject(key);
  });
});

describe('presign endpoint: what it sees and what it says', () => {
  it('never received a byte of an object: every request was a small JSON object of protocol fields', () => {
    const fields = new Set(['operation', 'bucket', 'key', 'uploadId', 'partNumber', 'contentType', 'contentMd5', 'size', 'expiresSeconds', 'partNumberMarker', 'keyMarker', 'uploadIdMarker', 'prefix', 'continuationToken']);
    const all = endpoints.flatMap((started) => started.received);
    expect(all.length).toBeGreaterThan(40);
    // The one over-long request (the raw-protocol test's padding) was refused unread.
    expect(all.filter((request) => request.bodyBytes > 600).map((request) => [request.bodyBytes > 4096, request.body])).toEqual([[true, '']]);
    for (const request of all) {
      if (request.method !== 'POST' || request.body === '') continue;
      const json = JSON.parse(request.body) as Record<string, unknown>;
      for (const [name, value] of Object.entries(json)) {
        expect(fields.has(name), name).toBe(true);
        expect(typeof value === 'number' || (typeof value === 'string' && value.length <= 200), name).toBe(true);
      }
    }
    // Everything sent to all endpoints together is far less than one of the objects uploaded.
    expect(all.reduce((sum, request) => sum + request.bodyBytes, 0)).toBeLessThan(100_000);
  });

  it('never answered with the storage secret', () => {
    expect(answers.length).toBeGreaterThan(40);
    for (const answer of answers) {
      expect(answer).not.toContain(rgw.users.owner.secretAccessKey);
      expect(answer).not.toContain(rgw.users.other.secretAccessKey);
    }
  });
});
