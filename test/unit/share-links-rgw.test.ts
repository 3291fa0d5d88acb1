/**
 * Links to colleagues against a real Ceph RADOS Gateway on 127.0.0.1, per provider: an S3 bucket
 * signed here with the owner's key, and a bucket an organisation signs for through the reference
 * presign endpoint (test/servers/presign-endpoint.mjs). The presigned GET URLs a link carries read
 * the share exactly through openLinkedShare (src/storage/share-link-source.ts), with nothing but
 * the URL; the endpoint refuses a lifetime over its limit, and says so; an expired URL is really
 * refused by RGW, and reported as expired without a request; a missing share is bucket.not-found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex } from '../../src/core/bytes.js';
import type { PresignEndpointBucketDescriptor, S3BucketDescriptor } from '../../src/storage/index.js';
import { createS3Transport } from '../../src/storage/s3/index.js';
import { presignS3Request } from '../../src/storage/s3/presign.js';
import { openLinkedShare } from '../../src/storage/share-link-source.js';
import { planShareLink, signLinkShares } from '../../src/storage/share-links.js';
import { Fetcher } from '../../src/storage/transfer/fetcher.js';
import { TransferError, type TransferFailureCode } from '../../src/storage/transfer/transport.js';
import { sameBytes } from '../helpers/bytes.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { startPresignEndpoint, type PresignEndpoint } from '../servers/presign-endpoint.mjs';

const MiB = 1024 * 1024;
const TOKEN = 'tessera-link-test-token-0123456789';
const random = deterministicRandom(0x11c5);
/** One attempt each: a test of what a failure is, not of the retries. */
const once = new Fetcher({ maxAttempts: 1 });

let rgw: CephRgw;
let endpoint: PresignEndpoint;
let s3: S3BucketDescriptor;
let organisation: PresignEndpointBucketDescriptor;
const recordId = hex(bytes(16));
const key = `tessera/${recordId}/1.tshare`;
const share = bytes(3 * MiB + 12_345);

function bytes(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  random(out);
  return out;
}

beforeAll(async () => {
  rgw = await startCephRgw({ buckets: ['link-a', 'org-a'] });
  const { accessKeyId, secretAccessKey } = rgw.users.owner;
  endpoint = await startPresignEndpoint({
    s3: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId, secretAccessKey, buckets: { 'records-a': 'org-a' } },
    token: TOKEN,
    maxExpiresSeconds: 900,
  });
  const config = { endpoint: rgw.endpoint, region: rgw.region, addressing: 'path' as const, accessKeyId, secretAccessKey };
  s3 = { kind: 's3', id: `s3:${rgw.endpoint}/link-a`, label: 'Ceph A', online: true, provider: 'ceph', bucket: 'link-a', ...config };
  organisation = { kind: 'presign-endpoint', id: `presign:${endpoint.url}/records-a`, label: 'Org A', online: true, endpoint: endpoint.url, bucket: 'records-a', token: TOKEN };
  for (const bucket of ['link-a', 'org-a']) {
    await createS3Transport({ bucketId: bucket, bucket, ...config }).putObject(key, share, { contentType: 'application/octet-stream' });
  }
}, 120_000);

afterAll(async () => {
  await endpoint?.stop();
  await rgw?.stop();
}, 30_000);

async function expectFailure(promise: Promise<unknown>, code: TransferFailureCode): Promise<TransferError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a TransferError ${code}`).toBeInstanceOf(TransferError);
  const failure = error as TransferError;
  expect(failure.code, failure.message).toBe(code);
  expect(failure.message).not.toMatch(/X-Amz-Signature|https?:\/\//);
  expect(failure.message).not.toContain(TOKEN);
  return failure;
}

async function readAll(url: string, expiresAt: number): Promise<Uint8Array> {
  const source = await openLinkedShare({ x: 1, url, size: share.length, expiresAt, fetcher: once });
  expect(source.size).toBe(share.length);
  const parts = [await source.read(0, 2 * MiB), await source.read(2 * MiB, share.length - 2 * MiB)];
  expect(sameBytes(await source.read(share.length - 10, 10), share.subarray(share.length - 10))).toBe(true);
  await source.close?.();
  const out = new Uint8Array(share.length);
  out.set(parts[0]!, 0);
  out.set(parts[1]!, 2 * MiB);
  return out;
}

describe('a link’s URLs, per provider', () => {
  it('S3 signed here: a GET URL valid for a week reads the share exactly, with nothing but the URL', async () => {
    const plan = planShareLink([{ x: 1, bucketId: s3.id, key }], [s3], 2);
    const signed = await signLinkShares(plan, 7 * 24 * 3600);
    expect(signed.expiresAt - Date.now()).toBeGreaterThan(7 * 24 * 3600 * 1000 - 5000);
    const url = signed.shares[0]!.url;
    expect(url).not.toContain(rgw.users.owner.secretAccessKey);
    expect(sameBytes(await readAll(url, signed.expiresAt), share)).toBe(true);
    // The URL is for reading only: the same address cannot write.
    expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(403);
  });

  it('an organisation’s presign endpoint: it signs within its limit, and the URL reads the share', async () => {
    const plan = planShareLink([{ x: 1, bucketId: organisation.id, key }], [organisation], 2);
    const before = Date.now();
    const signed = await signLinkShares(plan, 600);
    expect(signed.expiresAt).toBeGreaterThanOrEqual(before + 600_000 - 2000);
    expect(signed.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000 + 2000);
    expect(sameBytes(await readAll(signed.shares[0]!.url, signed.expiresAt), share)).toBe(true);
  });

  it('an organisation’s presign endpoint refuses a lifetime over its limit, and the refusal names it', async () => {
    const plan = planShareLink([{ x: 1, bucketId: organisation.id, key }], [organisation], 2);
    const failure = await expectFailure(signLinkShares(plan, 3600), 'bucket.permission');
    expect(failure.message).toMatch(/expiry-refused/);
  });
});

describe('what a link cannot do', () => {
  it('an expired URL: RGW refuses it, and the link says expired without asking', async () => {
    const signedAt = Date.now() - 2 * 3600_000;
    const url = (await presignS3Request({ bucketId: s3.id, ...s3 }, { method: 'GET', key, expiresSeconds: 3600, date: new Date(signedAt) })).href;
    expect((await fetch(url, { headers: { range: 'bytes=0-0' } })).status).toBe(403);
    const requests: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      requests.push(String(input));
      return realFetch(input, init);
    };
    try {
      await expectFailure(openLinkedShare({ x: 1, url, size: share.length, expiresAt: signedAt + 3600_000, fetcher: once }), 'bucket.expired');
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(requests).toEqual([]);
  });

  it('a URL that expired although the link’s time had not come (a sender’s clock ahead): the refusal is final, not retried', async () => {
    const url = (await presignS3Request({ bucketId: s3.id, ...s3 }, { method: 'GET', key, expiresSeconds: 1, date: new Date(Date.now() - 3600_000) })).href;
    const failure = await expectFailure(openLinkedShare({ x: 1, url, size: share.length, expiresAt: Date.now() + 3600_000, fetcher: new Fetcher({ maxAttempts: 3, baseDelayMs: 1 }) }), 'bucket.permission');
    expect(failure.kind).toBe('fatal');
  });

  it('a share that is gone from its bucket is bucket.not-found', async () => {
    const plan = planShareLink([{ x: 2, bucketId: s3.id, key: `tessera/${recordId}/2.tshare` }], [s3], 2);
    const signed = await signLinkShares(plan, 600);
    await expectFailure(openLinkedShare({ x: 2, url: signed.shares[0]!.url, size: share.length, expiresAt: signed.expiresAt, fetcher: once }), 'bucket.not-found');
  });
});
