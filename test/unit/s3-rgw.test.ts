/**
 * The S3 transport against a real Ceph RADOS Gateway on 127.0.0.1 (test/servers/ceph-rgw.ts):
 * every operation, and every refusal RGW can be made to give, mapped to its TransferError. No
 * mock: RGW checks the presigned signatures, the expiry, the bound headers and Content-MD5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presignS3Request, S3Transport, type S3BucketConfig } from '../../src/storage/s3/index.js';
import { contentMd5, type S3TransportOptions } from '../../src/storage/s3/transport.js';
import { parseS3Error, s3ResponseError } from '../../src/storage/s3/errors.js';
import { TransferError, type FailureKind, type TransferFailureCode } from '../../src/storage/transfer/transport.js';
import { sameBytes } from '../helpers/bytes.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';

const MiB = 1024 * 1024;
let rgw: CephRgw;

beforeAll(async () => {
  rgw = await startCephRgw({ buckets: ['cloud-a', 'cloud-b', 'cloud-c'] });
  console.log(`Ceph RGW up in ${rgw.startMs} ms at ${rgw.endpoint}`);
}, 120_000);

afterAll(async () => {
  const started = performance.now();
  await rgw?.stop();
  console.log(`Ceph RGW stopped in ${Math.round(performance.now() - started)} ms`);
}, 30_000);

function config(overrides: Partial<S3BucketConfig> = {}): S3BucketConfig {
  return {
    bucketId: 'rgw-a',
    endpoint: rgw.endpoint,
    region: rgw.region,
    bucket: 'cloud-a',
    addressing: 'path',
    accessKeyId: rgw.users.owner.accessKeyId,
    secretAccessKey: rgw.users.owner.secretAccessKey,
    ...overrides,
  };
}

function transport(overrides: Partial<S3BucketConfig> = {}, options?: S3TransportOptions): S3Transport {
  return new S3Transport(config(overrides), options);
}

function bytes(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  deterministicRandom(seed)(out);
  return out;
}

/** Awaits a rejection that must be a TransferError of this kind and code, whose message never shows a secret. */
async function expectFailure(promise: Promise<unknown>, kind: FailureKind, code: TransferFailureCode): Promise<TransferError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a TransferError ${code}`).toBeInstanceOf(TransferError);
  const failure = error as TransferError;
  expect({ kind: failure.kind, code: failure.code }, failure.message).toEqual({ kind, code });
  expect(failure.message).toMatch(new RegExp(`^\\[${code.replace('.', '\\.')}\\] `));
  for (const user of [rgw.users.owner, rgw.users.other]) expect(failure.message).not.toContain(user.secretAccessKey);
  expect(failure.message).not.toMatch(/X-Amz-Signature|https?:\/\//);
  return failure;
}

/** ListMultipartUploads of a whole bucket, as its owner: the upload ids still open. */
async function openUploads(bucket: string): Promise<string[]> {
  const response = await rgw.ownerFetch(`/${bucket}?uploads`);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return [...text.matchAll(/<UploadId>([^<]*)<\/UploadId>/g)].map((m) => m[1]!);
}

describe('S3 transport against Ceph RGW: every operation', () => {
  it('puts, heads, reads ranges exactly, deletes (and deleting again succeeds)', async () => {
    const s3 = transport();
    const key = 'tessera/record-1/share-1.tshare';
    const body = bytes(100_003, 1);
    await s3.putObject(key, body, { contentType: 'application/octet-stream' });
    expect(await s3.head(key)).toEqual({ size: body.length });
    for (const [offset, length] of [
      [0, 1],
      [0, body.length],
      [1, 65_536],
      [99_000, 1003],
      [99_000, 5000], // runs past the end: fewer bytes, exactly the tail
      [body.length - 1, 1],
    ] as const) {
      const got = await s3.getRange(key, offset, length);
      expect(sameBytes(got, body.subarray(offset, offset + length)), `range ${offset}+${length}`).toBe(true);
    }
    expect((await s3.getRange(key, body.length, 10)).length).toBe(0);
    expect((await s3.getRange(key, 5, 0)).length).toBe(0);
    await s3.deleteObject(key);
    expect(await s3.head(key)).toBeNull();
    await s3.deleteObject(key);
  });

  it('an empty object', async () => {
    const s3 = transport();
    await s3.putObject('tessera/empty', new Uint8Array(0), { contentType: 'application/octet-stream' });
    expect(await s3.head('tessera/empty')).toEqual({ size: 0 });
    await s3.deleteObject('tessera/empty');
  });

  it('reports upload progress and honours an abort', async () => {
    const s3 = transport();
    const seen: number[] = [];
    await s3.putObject('tessera/progress', bytes(1000, 2), { contentType: 'application/octet-stream', onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(1000);
    const controller = new AbortController();
    controller.abort();
    const error = await s3.head('tessera/progress', { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    await s3.deleteObject('tessera/progress');
  });

  it('multipart: create, parts with Content-MD5, ListParts, complete (despite RGW\'s empty ETag), exact ranges across parts', async () => {
    const s3 = transport({ bucket: 'cloud-b', bucketId: 'rgw-b' });
    const key = 'tessera/record-2/share-2.tshare';
    const sizes = [5 * MiB, 5 * MiB, 123_457];
    const body = bytes(sizes.reduce((a, b) => a + b, 0), 3);
    const uploadId = await s3.createMultipart(key, { contentType: 'application/octet-stream' });
    expect(await s3.listUploads(key)).toEqual([uploadId]);
    const etags: string[] = [];
    let at = 0;
    for (const [index, size] of sizes.entries()) {
      etags.push(await s3.uploadPart(key, uploadId, index + 1, body.subarray(at, at + size)));
      at += size;
    }
    const parts = await s3.listParts(key, uploadId);
    expect(parts).toEqual(sizes.map((size, index) => ({ partNumber: index + 1, etag: etags[index], size })));
    await s3.completeMultipart(key, uploadId, parts, { contentType: 'application/octet-stream' });
    expect(await s3.head(key)).toEqual({ size: body.length });
    for (const [offset, length] of [
      [5 * MiB - 10, 20],
      [10 * MiB - 1, 2],
      [0, body.length],
    ] as const) {
      expect(sameBytes(await s3.getRange(key, offset, length), body.subarray(offset, offset + length)), `range ${offset}+${length}`).toBe(true);
    }
    expect(await s3.listUploads(key)).toEqual([]);
    // A complete retried after its answer was lost finds no upload, and sees the object is there.
    await s3.completeMultipart(key, uploadId, parts, { contentType: 'application/octet-stream' });
    await s3.deleteObject(key);
  });

  it('multipart: abort leaves nothing behind (ListMultipartUploads is empty); aborting again succeeds', async () => {
    const s3 = transport({ bucket: 'cloud-c', bucketId: 'rgw-c' });
    const key = 'tessera/record-3/share-3.tshare';
    const uploadId = await s3.createMultipart(key, { contentType: 'application/octet-stream' });
    await s3.uploadPart(key, uploadId, 1, bytes(5 * MiB, 4));
    await s3.uploadPart(key, uploadId, 2, bytes(1000, 5));
    expect((await s3.listParts(key, uploadId)).map((part) => part.partNumber)).toEqual([1, 2]);
    await s3.abortMultipart(key, uploadId);
    expect(await openUploads('cloud-c')).toEqual([]);
    expect(await s3.listUploads(key)).toEqual([]);
    await s3.abortMultipart(key, uploadId);
    expect(await s3.head(key)).toBeNull();
    await expectFailure(s3.listParts(key, uploadId), 'fatal', 'bucket.not-found');
    await expectFailure(s3.uploadPart(key, uploadId, 3, bytes(10, 6)), 'fatal', 'bucket.not-found');
  });

  it('multipart: a part under 5 MiB but the last is refused by RGW at completion', async () => {
    // The transport checks sizes itself; RGW's own check is seen by listing what it holds.
    const s3 = transport();
    const key = 'tessera/small-parts';
    const uploadId = await s3.createMultipart(key, { contentType: 'application/octet-stream' });
    const parts = [
      { partNumber: 1, etag: await s3.uploadPart(key, uploadId, 1, bytes(1000, 7)), size: 1000 },
      { partNumber: 2, etag: await s3.uploadPart(key, uploadId, 2, bytes(1000, 8)), size: 1000 },
    ];
    await expect(s3.completeMultipart(key, uploadId, parts, { contentType: 'application/octet-stream' })).rejects.toThrow(RangeError);
    const small = new S3Transport(config(), { limits: { minPartSize: 1 } });
    const failure = await expectFailure(small.completeMultipart(key, uploadId, parts, { contentType: 'application/octet-stream' }), 'fatal', 'bucket.failed');
    expect(failure.message).toContain('EntityTooSmall');
    await s3.abortMultipart(key, uploadId);
  });

  it('lists objects under a prefix', async () => {
    const s3 = transport({ bucket: 'cloud-c', bucketId: 'rgw-c' });
    await s3.putObject('tessera/list/a', bytes(3, 9), { contentType: 'application/octet-stream' });
    await s3.putObject('tessera/list/b', bytes(5, 10), { contentType: 'application/octet-stream' });
    expect(await s3.listObjects('tessera/list/')).toEqual([
      { key: 'tessera/list/a', size: 3 },
      { key: 'tessera/list/b', size: 5 },
    ]);
    await s3.deleteObject('tessera/list/a');
    await s3.deleteObject('tessera/list/b');
  });
});

describe('S3 transport against Ceph RGW: what RGW refuses, and how it is reported', () => {
  const key = 'tessera/refusals/share.tshare';
  const body = bytes(4096, 11);

  beforeAll(async () => {
    await transport().putObject(key, body, { contentType: 'application/octet-stream' });
  });

  async function send(url: URL, init: RequestInit): Promise<TransferError> {
    const response = await fetch(url, init);
    const text = await response.text();
    expect(response.ok, text).toBe(false);
    return s3ResponseError('test', response.status, parseS3Error(text), response.headers);
  }

  it('a tampered URL (another key, a longer expiry, another part number) → bucket.auth', async () => {
    const url = await presignS3Request(config(), { method: 'GET', key, expiresSeconds: 60 });
    const otherKey = new URL(url.href.replace('share.tshare', 'other.tshare'));
    expect((await send(otherKey, {})).code).toBe('bucket.auth');
    const longer = new URL(url.href);
    longer.searchParams.set('X-Amz-Expires', '604800');
    expect((await send(longer, {})).code).toBe('bucket.auth');
    const signature = new URL(url.href);
    signature.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    const failure = await send(signature, {});
    expect({ kind: failure.kind, code: failure.code }).toEqual({ kind: 'fatal', code: 'bucket.auth' });

    const uploadId = await transport().createMultipart('tessera/refusals/parts', { contentType: 'application/octet-stream' });
    const part = bytes(100, 12);
    const partUrl = await presignS3Request(config(), {
      method: 'PUT',
      key: 'tessera/refusals/parts',
      query: { partNumber: '1', uploadId },
      signedHeaders: { 'content-md5': contentMd5(part) },
      expiresSeconds: 60,
    });
    partUrl.searchParams.set('partNumber', '2');
    expect((await send(partUrl, { method: 'PUT', body: part, headers: { 'content-md5': contentMd5(part) } })).code).toBe('bucket.auth');
    await transport().abortMultipart('tessera/refusals/parts', uploadId);
  });

  it('a wrong secret or an unknown access key → bucket.auth, and the secret appears nowhere', async () => {
    const wrongSecret = `${rgw.users.owner.secretAccessKey}x`;
    const failure = await expectFailure(transport({ secretAccessKey: wrongSecret }).getRange(key, 0, 10), 'fatal', 'bucket.auth');
    expect(failure.message).toContain('SignatureDoesNotMatch');
    expect(failure.message).not.toContain(wrongSecret);
    await expectFailure(transport({ secretAccessKey: wrongSecret }).putObject(key, body, { contentType: 'application/octet-stream' }), 'fatal', 'bucket.auth');
    const unknown = await expectFailure(transport({ accessKeyId: 'NOSUCHACCESSKEY' }).getRange(key, 0, 10), 'fatal', 'bucket.auth');
    expect(unknown.message).toContain('InvalidAccessKeyId');
    await expectFailure(transport({ secretAccessKey: wrongSecret }).head(key), 'fatal', 'bucket.auth');
  });

  it("another user's valid key, with no permission on the bucket → bucket.permission", async () => {
    const other = { accessKeyId: rgw.users.other.accessKeyId, secretAccessKey: rgw.users.other.secretAccessKey };
    const failure = await expectFailure(transport(other).getRange(key, 0, 10), 'fatal', 'bucket.permission');
    expect(failure.message).toContain('AccessDenied');
    await expectFailure(transport(other).putObject('tessera/refusals/intruder', body, { contentType: 'application/octet-stream' }), 'fatal', 'bucket.permission');
    await expectFailure(transport(other).head(key), 'fatal', 'bucket.permission');
    await expectFailure(transport(other).createMultipart('tessera/refusals/intruder', { contentType: 'application/octet-stream' }), 'fatal', 'bucket.permission');
    await expectFailure(transport(other).deleteObject(key), 'fatal', 'bucket.permission');
    expect(await transport().head(key)).toEqual({ size: body.length });
  });

  it('an expired URL (signed 3 minutes ago, valid 1 minute) → resign, bucket.expired', async () => {
    // RGW answers a bare 403 AccessDenied; the answer's Date against the signing clock tells why.
    const past = transport({}, { expiresSeconds: 60, now: () => Date.now() - 3 * 60_000 });
    await expectFailure(past.getRange(key, 0, 10), 'resign', 'bucket.expired');
    await expectFailure(past.putObject(key, body, { contentType: 'application/octet-stream' }), 'resign', 'bucket.expired');
    await expectFailure(past.head(key), 'resign', 'bucket.expired');
  });

  it("a device clock 2 hours behind → bucket.clock-skew, and the message says by how much", async () => {
    const behind = transport({}, { now: () => Date.now() - 2 * 3600_000 });
    const failure = await expectFailure(behind.getRange(key, 0, 10), 'fatal', 'bucket.clock-skew');
    expect(failure.message).toContain('2 hours behind');
    await expectFailure(behind.uploadPart(key, 'no-such-upload', 1, body), 'fatal', 'bucket.clock-skew');
  });

  it('a PUT whose Content-Type differs from the bound one → bucket.auth; nothing is written', async () => {
    const target = 'tessera/refusals/typed';
    const url = await presignS3Request(config(), {
      method: 'PUT',
      key: target,
      signedHeaders: { 'content-type': 'application/octet-stream', 'content-md5': contentMd5(body) },
      expiresSeconds: 60,
    });
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-md5;content-type;host');
    const failure = await send(url, { method: 'PUT', body, headers: { 'content-type': 'text/html', 'content-md5': contentMd5(body) } });
    expect(failure.code).toBe('bucket.auth');
    const withoutMd5 = await send(url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(withoutMd5.code).toBe('bucket.auth');
    expect(await transport().head(target)).toBeNull();
  });

  it('a body that does not match its Content-MD5 → BadDigest → bucket.integrity; nothing is written', async () => {
    const target = 'tessera/refusals/digest';
    const claimed = contentMd5(bytes(body.length, 99));
    const url = await presignS3Request(config(), {
      method: 'PUT',
      key: target,
      signedHeaders: { 'content-type': 'application/octet-stream', 'content-md5': claimed },
      expiresSeconds: 60,
    });
    const failure = await send(url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream', 'content-md5': claimed } });
    expect({ kind: failure.kind, code: failure.code }).toEqual({ kind: 'fatal', code: 'bucket.integrity' });
    expect(failure.message).toContain('BadDigest');
    expect(await transport().head(target)).toBeNull();
  });

  it('a bucket that does not exist → bucket.no-such-bucket (also for HEAD, whose answer has no body)', async () => {
    const missing = transport({ bucket: 'no-such-cloud' });
    await expectFailure(missing.putObject(key, body, { contentType: 'application/octet-stream' }), 'fatal', 'bucket.no-such-bucket');
    await expectFailure(missing.getRange(key, 0, 1), 'fatal', 'bucket.no-such-bucket');
    await expectFailure(missing.head(key), 'fatal', 'bucket.no-such-bucket');
    await expectFailure(missing.createMultipart(key, { contentType: 'application/octet-stream' }), 'fatal', 'bucket.no-such-bucket');
  });

  it('a missing object: head is null, a read is bucket.not-found, a delete succeeds', async () => {
    const s3 = transport();
    expect(await s3.head('tessera/refusals/none')).toBeNull();
    await expectFailure(s3.getRange('tessera/refusals/none', 0, 1), 'fatal', 'bucket.not-found');
    await s3.deleteObject('tessera/refusals/none');
  });

  it('a server that is not there → retry, bucket.unavailable', async () => {
    await rgw.ownerFetch('/'); // the gateway itself is up; a port with nothing behind it is not
    const closed = transport({ endpoint: 'http://127.0.0.1:9' });
    await expectFailure(closed.head(key), 'retry', 'bucket.unavailable');
  });
});
