/**
 * The link payload of "Send to a colleague" (src/storage/share-links.ts): encode and decode round
 * trips, each refusal with its class and code against a shared list of bad payloads, messages that
 * never repeat a URL, which shares a link may carry and why the others cannot, and SigV4 signing
 * with an exact expiry.
 */
import { describe, expect, it } from 'vitest';
import type { BucketDescriptor } from '../../src/storage/index.js';
import {
  MAX_LINK_SECONDS,
  MAX_PAYLOAD_LENGTH,
  RECEIVE_ROUTE,
  ShareLinkError,
  decodeShareLink,
  encodeShareLink,
  payloadFromHash,
  planShareLink,
  shareLinkUrl,
  signLinkShares,
  type ShareLinkErrorCode,
  type ShareLinkPayload,
} from '../../src/storage/share-links.js';

const RECORD = '0123456789abcdef0123456789abcdef';
const SIGNATURE = 'f'.repeat(64);

function url(x: number, host = 'https://s3.eu-west-1.amazonaws.com'): string {
  return `${host}/bucket-${x}/tessera/${RECORD}/${x}.tshare?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20250101%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIGNATURE}`;
}

const good: ShareLinkPayload = {
  version: 1,
  scheme: 'ssms',
  k: 2,
  n: 3,
  size: 5 * 1024 * 1024,
  splitId: 'fedcba9876543210fedcba9876543210',
  sha256: 'a'.repeat(64),
  expiresAt: 1_750_000_000,
  shares: [1, 2, 3].map((x) => ({ x, url: url(x) })),
};

/** The wire form (docs/share-links.md), to build payloads that encode would refuse to write. */
function wire(fields: Record<string, unknown>): string {
  const base = { v: 1, s: 'ssms', k: 2, n: 3, z: 1000, i: good.splitId, h: good.sha256, e: good.expiresAt, u: [[1, url(1)], [2, url(2)]] };
  const json = JSON.stringify({ ...base, ...fields });
  return Buffer.from(json, 'utf8').toString('base64url');
}

function expectLinkError(action: () => unknown, code: ShareLinkErrorCode): ShareLinkError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ShareLinkError ${code}`).toBeInstanceOf(ShareLinkError);
  const error = caught as ShareLinkError;
  expect(error.code).toBe(code);
  expect(error.message.startsWith(`[${code}] `)).toBe(true);
  // A message never repeats an address or its signature.
  expect(error.message).not.toContain(SIGNATURE);
  expect(error.message).not.toMatch(/X-Amz|amazonaws|127\.0\.0\.1|example\.org|alert|passwd|#more|pass@/);
  return error;
}

describe('encodeShareLink / decodeShareLink', () => {
  it('round trips a payload, with and without the optional file name and folder mark', () => {
    for (const payload of [good, { ...good, fileName: 'CT chest, 2025 – Jane’s copy.dcm' }, { ...good, scheme: 'shamir' as const, folder: true as const, fileName: 'CD export.tar' }]) {
      const encoded = encodeShareLink(payload);
      expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeShareLink(encoded)).toEqual(payload);
    }
  });

  it('carries the fingerprint as `p`, and still reads a link from before fingerprints with its SHA-256 as `h`', () => {
    const { sha256: _sha256, ...rest } = good;
    const current: ShareLinkPayload = { ...rest, fingerprint: `256k:${'b'.repeat(64)}` };
    const encoded = encodeShareLink(current);
    const json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(json['p']).toBe(`256k:${'b'.repeat(64)}`);
    // A fingerprint made with 1 MiB blocks (2026-11-21) is plain hex, and still read.
    const oneMiB: ShareLinkPayload = { ...rest, fingerprint: 'b'.repeat(64) };
    expect(decodeShareLink(encodeShareLink(oneMiB))).toEqual(oneMiB);
    expect(json).not.toHaveProperty('h');
    expect(decodeShareLink(encoded)).toEqual(current);
    expect(decodeShareLink(wire({}))).toMatchObject({ sha256: good.sha256 });
    expect(decodeShareLink(wire({})).fingerprint).toBeUndefined();
    expectLinkError(() => decodeShareLink(wire({ h: undefined })), 'link.malformed');
    expectLinkError(() => decodeShareLink(wire({ h: undefined, p: 'x'.repeat(64) })), 'link.malformed');
  });

  it('leaves out what was not given: no file name unless the sender ticked it', () => {
    const json = Buffer.from(encodeShareLink(good), 'base64url').toString('utf8');
    expect(JSON.parse(json)).toEqual({
      v: 1,
      s: 'ssms',
      k: 2,
      n: 3,
      z: good.size,
      i: good.splitId,
      h: good.sha256,
      e: good.expiresAt,
      u: good.shares.map((share) => [share.x, share.url]),
    });
  });

  it('keeps a payload of k + 1 real-length presigned URLs far under the limit', () => {
    expect(encodeShareLink(good).length).toBeLessThan(2500);
  });

  it('takes loopback http (a test server on this computer) like https', () => {
    const local = { ...good, shares: [1, 2].map((x) => ({ x, url: url(x, 'http://127.0.0.1:7480') })) };
    expect(decodeShareLink(encodeShareLink(local))).toEqual(local);
  });

  const refusals: readonly [string, string, ShareLinkErrorCode][] = [
    ['a newer format version', wire({ v: 2 }), 'link.version'],
    ['no version', wire({ v: undefined }), 'link.version'],
    ['fewer URLs than k', wire({ k: 3, u: [[1, url(1)], [2, url(2)]] }), 'link.too-few-shares'],
    ['no URL at all', wire({ u: [] }), 'link.too-few-shares'],
    ['an ftp URL', wire({ u: [[1, url(1)], [2, 'ftp://example.org/share']] }), 'link.bad-url'],
    ['a javascript: URL', wire({ u: [[1, 'javascript:alert(1)'], [2, url(2)]] }), 'link.bad-url'],
    ['a data: URL', wire({ u: [[1, 'data:application/octet-stream;base64,AAAA'], [2, url(2)]] }), 'link.bad-url'],
    ['plain http to another computer', wire({ u: [[1, url(1, 'http://s3.example.org')], [2, url(2)]] }), 'link.bad-url'],
    ['a URL with a user name and password', wire({ u: [[1, 'https://user:pass@s3.example.org/b/k'], [2, url(2)]] }), 'link.bad-url'],
    ['a URL with a fragment', wire({ u: [[1, `${url(1)}#more`], [2, url(2)]] }), 'link.bad-url'],
    ['a URL that is not text', wire({ u: [[1, 42], [2, url(2)]] }), 'link.bad-url'],
    ['a share number twice', wire({ u: [[1, url(1)], [1, url(1)]] }), 'link.malformed'],
    ['a share number above n', wire({ u: [[1, url(1)], [4, url(4)]] }), 'link.malformed'],
    ['k above n', wire({ k: 4 }), 'link.malformed'],
    ['k of 1', wire({ k: 1 }), 'link.malformed'],
    ['an unknown scheme', wire({ s: 'xor' }), 'link.malformed'],
    ['a negative size', wire({ z: -1 }), 'link.malformed'],
    ['a split id of the wrong length', wire({ i: 'abcd' }), 'link.malformed'],
    ['a fingerprint in capitals', wire({ h: 'A'.repeat(64) }), 'link.malformed'],
    ['no expiry', wire({ e: undefined }), 'link.malformed'],
    ['a file name with a path', wire({ f: '../../etc/passwd' }), 'link.malformed'],
    ['a file name with a control character', wire({ f: 'a\u0007b' }), 'link.malformed'],
    ['an empty file name', wire({ f: '' }), 'link.malformed'],
    ['a folder mark other than 1', wire({ d: true }), 'link.malformed'],
    ['a list of shares that is not a list', wire({ u: { 1: url(1) } }), 'link.malformed'],
    ['not JSON', Buffer.from('not json').toString('base64url'), 'link.malformed'],
    ['JSON that is not an object', Buffer.from('[1,2,3]').toString('base64url'), 'link.malformed'],
    ['characters outside base64url', `${encodeShareLink(good)}+/`, 'link.malformed'],
    ['a payload cut short', encodeShareLink(good).slice(0, 101), 'link.malformed'],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url'), 'link.malformed'],
    ['an empty payload', '', 'link.malformed'],
    ['a payload over the limit', 'A'.repeat(MAX_PAYLOAD_LENGTH + 1), 'link.too-long'],
  ];

  it.each(refusals)('decode refuses %s', (_name, encoded, code) => {
    expectLinkError(() => decodeShareLink(encoded), code);
  });

  it('encode refuses what decode would', () => {
    expectLinkError(() => encodeShareLink({ ...good, version: 2 as unknown as 1 }), 'link.version');
    expectLinkError(() => encodeShareLink({ ...good, shares: good.shares.slice(0, 1) }), 'link.too-few-shares');
    expectLinkError(() => encodeShareLink({ ...good, shares: [{ x: 1, url: 'file:///etc/passwd' }, ...good.shares.slice(1)] }), 'link.bad-url');
    expectLinkError(() => encodeShareLink({ ...good, shares: [...good.shares].reverse() }), 'link.malformed');
    expectLinkError(() => encodeShareLink({ ...good, fileName: 'a/b' }), 'link.malformed');
  });

  it('refuses to make a link too long to travel intact', () => {
    const n = 40;
    const shares = Array.from({ length: n }, (_, index) => ({ x: index + 1, url: url(index + 1) }));
    expectLinkError(() => encodeShareLink({ ...good, k: 20, n, shares }), 'link.too-long');
  });
});

describe('the link as an address', () => {
  it('puts the payload after #/receive/ on the app’s own address, dropping its query and fragment', () => {
    const encoded = encodeShareLink(good);
    const link = shareLinkUrl('https://tessera.example.org/app/?workers=2#/somewhere', encoded);
    expect(link).toBe(`https://tessera.example.org/app/${RECEIVE_ROUTE}${encoded}`);
    const parsed = new URL(link);
    // What a browser would request for it: the fragment is not part of it.
    expect(parsed.href.replace(parsed.hash, '')).toBe('https://tessera.example.org/app/');
    expect(payloadFromHash(parsed.hash)).toBe(encoded);
  });

  it('finds no payload in another fragment', () => {
    expect(payloadFromHash('')).toBeUndefined();
    expect(payloadFromHash('#/elsewhere')).toBeUndefined();
    expect(payloadFromHash('#receive/abc')).toBeUndefined();
  });
});

describe('planShareLink', () => {
  const s3 = (id: string, online = true): BucketDescriptor => ({
    kind: 's3',
    id,
    label: id,
    online,
    provider: 'ceph',
    endpoint: 'http://127.0.0.1:7480',
    region: 'us-east-1',
    bucket: id.split('/').pop()!,
    addressing: 'path',
    accessKeyId: 'AKID',
    secretAccessKey: 'secret',
  });
  const buckets: BucketDescriptor[] = [
    s3('s3:http://127.0.0.1:7480/a'),
    s3('s3:http://127.0.0.1:7480/b'),
    s3('s3:http://127.0.0.1:7480/c', false),
    { kind: 'azure', id: 'azure:https://acct.blob.core.windows.net/d', label: 'Azure D', online: true, containerSasUrl: 'https://acct.blob.core.windows.net/d?sv=x&sr=c&sig=y' },
    { kind: 'demo', id: 'demo-a', label: 'Demo cloud A', online: true },
    { kind: 'presign-endpoint', id: 'presign:https://sign.example.org/records-f', label: 'Org F', online: true, endpoint: 'https://sign.example.org', bucket: 'records-f', token: 'token' },
  ];
  const share = (x: number, bucketId: string, state?: 'pending') => ({ x, bucketId, key: `tessera/${RECORD}/${x}.tshare`, ...(state ? { state } : {}) });

  it('signs stored shares in S3 buckets and buckets an organisation signs for; says why every other share is left out', () => {
    const shares = [
      share(7, 'presign:https://sign.example.org/records-f'),
      share(1, 's3:http://127.0.0.1:7480/a'),
      share(2, 's3:http://127.0.0.1:7480/b', 'pending'),
      share(3, 's3:http://127.0.0.1:7480/c'),
      share(4, 'azure:https://acct.blob.core.windows.net/d'),
      share(5, 'demo-a'),
      share(6, 's3:http://127.0.0.1:7480/gone'),
      share(8, 'demo-b'),
    ];
    const plan = planShareLink(shares, buckets, 3);
    expect(plan.signable.map(({ x, descriptor }) => [x, descriptor.kind])).toEqual([
      [1, 's3'],
      [7, 'presign-endpoint'],
    ]);
    expect(plan.leftOut).toEqual([
      { x: 2, bucketId: 's3:http://127.0.0.1:7480/b', reason: 'pending' },
      { x: 3, bucketId: 's3:http://127.0.0.1:7480/c', reason: 'switched-off' },
      { x: 4, bucketId: 'azure:https://acct.blob.core.windows.net/d', reason: 'azure' },
      { x: 5, bucketId: 'demo-a', reason: 'demo' },
      { x: 6, bucketId: 's3:http://127.0.0.1:7480/gone', reason: 'not-set-up' },
      { x: 8, bucketId: 'demo-b', reason: 'demo' },
    ]);
  });

  it('signs no more shares than asked (k + 1)', () => {
    const plan = planShareLink([1, 2, 3].map((x) => share(x, `s3:http://127.0.0.1:7480/${'ab'[x % 2]}`)), buckets, 2);
    expect(plan.signable.map((entry) => entry.x)).toEqual([1, 2]);
    expect(plan.leftOut).toEqual([]);
  });
});

describe('signLinkShares', () => {
  const descriptor = {
    kind: 's3' as const,
    id: 's3:https://s3.eu-west-1.amazonaws.com/shares-a',
    label: 'A',
    online: true,
    provider: 'aws' as const,
    endpoint: 'https://s3.eu-west-1.amazonaws.com',
    region: 'eu-west-1',
    bucket: 'shares-a',
    addressing: 'path' as const,
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  };
  const plan = { signable: [1, 2].map((x) => ({ x, key: `tessera/${RECORD}/${x}.tshare`, descriptor })), leftOut: [] };

  it('presigns a GET per share, dated to the second, and the link expires exactly then', async () => {
    const now = Date.UTC(2025, 5, 3, 12, 0, 0, 750);
    const signed = await signLinkShares(plan, 3600, { now: () => now });
    expect(signed.expiresAt).toBe(Date.UTC(2025, 5, 3, 13, 0, 0));
    expect(signed.shares.map((share) => share.x)).toEqual([1, 2]);
    for (const share of signed.shares) {
      const address = new URL(share.url);
      expect(address.pathname).toBe(`/shares-a/tessera/${RECORD}/${share.x}.tshare`);
      expect(address.searchParams.get('X-Amz-Date')).toBe('20250603T120000Z');
      expect(address.searchParams.get('X-Amz-Expires')).toBe('3600');
      expect(address.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
      expect(share.url).not.toContain(descriptor.secretAccessKey);
      expect(share.url).not.toContain(encodeURIComponent(descriptor.secretAccessKey));
    }
  });

  it('refuses a lifetime over 7 days or under a second', async () => {
    await expect(signLinkShares(plan, MAX_LINK_SECONDS + 1)).rejects.toThrow(RangeError);
    await expect(signLinkShares(plan, 0)).rejects.toThrow(RangeError);
    await expect(signLinkShares(plan, MAX_LINK_SECONDS)).resolves.toBeDefined();
  });
});
