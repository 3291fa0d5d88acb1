/**
 * SigV4 presigning: AWS's published vectors, a second implementation written here from the
 * specification (node:crypto) for the URLs Tessera makes, the checks on what a person types in,
 * and the mapping of S3's error answers. Nothing here talks to a server (s3-rgw.test.ts does).
 */
import { createHash, createHmac } from 'node:crypto';
import { AwsV4Signer } from 'aws4fetch';
import { describe, expect, it } from 'vitest';
import {
  configFromPreset,
  corsRuleFor,
  lifecycleRuleFor,
  presignS3Request,
  S3_PRESETS,
  S3_PROVIDERS,
  S3Transport,
  validateS3Config,
  type S3BucketConfig,
} from '../../src/storage/s3/index.js';
import { contentMd5 } from '../../src/storage/s3/transport.js';
import { parseS3Error, s3ResponseError } from '../../src/storage/s3/errors.js';
import type { FailureKind, TransferFailureCode } from '../../src/storage/transfer/transport.js';

/**
 * AWS, Amazon S3 API Reference, "Authenticating Requests: Using Query Parameters (AWS Signature
 * Version 4)", section "An Example": a presigned GET of examplebucket/test.txt, valid 86400 s from
 * 20130524T000000Z, us-east-1, with AWS's example credentials. The canonical request and the
 * signature below are the page's.
 */
const AWS_PRESIGNED_GET = {
  config: {
    bucketId: 'example',
    endpoint: 'https://s3.amazonaws.com',
    region: 'us-east-1',
    bucket: 'examplebucket',
    addressing: 'virtual-hosted',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  } satisfies S3BucketConfig,
  date: new Date('2013-05-24T00:00:00Z'),
  expiresSeconds: 86400,
  canonicalRequest: [
    'GET',
    '/test.txt',
    'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host',
    'host:examplebucket.s3.amazonaws.com',
    '',
    'host',
    'UNSIGNED-PAYLOAD',
  ].join('\n'),
  signature: 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
};

/**
 * AWS, IAM User Guide / General Reference, "Signature Version 4 signing process", the worked
 * example "GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08" at 20150830T123600Z
 * with AKIDEXAMPLE: its canonical request signs `content-type`, which is what `allHeaders` makes
 * aws4fetch do (it leaves content-type out otherwise).
 */
const AWS_IAM_LIST_USERS = {
  url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08',
  contentType: 'application/x-www-form-urlencoded; charset=utf-8',
  datetime: '20150830T123600Z',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  canonicalRequestHash: 'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
  signature: '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
};

/** RFC 3986 encoding as SigV4 wants it: everything but A–Z a–z 0–9 - _ . ~ as %XX. */
function uriEncode(text: string): string {
  return [...new TextEncoder().encode(text)]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * A second SigV4 query-string implementation, from the specification alone: the canonical request
 * of a presigned URL (without its X-Amz-Signature) and the signature over it.
 */
function referenceCanonicalRequest(method: string, url: URL, headers: Readonly<Record<string, string>>): string {
  const path = decodeURIComponent(url.pathname).split('/').map(uriEncode).join('/');
  const query = [...url.searchParams]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const all: Record<string, string> = { host: url.host, ...headers };
  const names = Object.keys(all).sort();
  return [method, path, query, ...names.map((name) => `${name}:${all[name]!.trim()}`), '', names.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
}

function referenceSignature(canonicalRequest: string, secret: string, datetime: string, region: string): string {
  const scope = `${datetime.slice(0, 8)}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', datetime, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(datetime.slice(0, 8)).digest();
  for (const part of [region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

const LOCAL: S3BucketConfig = {
  bucketId: 'local',
  endpoint: 'http://127.0.0.1:7480',
  region: 'us-east-1',
  bucket: 'cloud-a',
  addressing: 'path',
  accessKeyId: 'OWNERACCESSKEY0001',
  secretAccessKey: 'ownerSecretKey0123456789abcdef',
};

describe('SigV4 presigning: AWS known-answer vectors', () => {
  it('reproduces the documented presigned GET (examplebucket/test.txt), parameter for parameter', async () => {
    const url = await presignS3Request(AWS_PRESIGNED_GET.config, {
      method: 'GET',
      key: 'test.txt',
      expiresSeconds: AWS_PRESIGNED_GET.expiresSeconds,
      date: AWS_PRESIGNED_GET.date,
    });
    expect(url.origin + url.pathname).toBe('https://examplebucket.s3.amazonaws.com/test.txt');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request',
      'X-Amz-Date': '20130524T000000Z',
      'X-Amz-Expires': '86400',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': AWS_PRESIGNED_GET.signature,
    });
  });

  it('the reference implementation reproduces the documented canonical request and signature', async () => {
    const url = await presignS3Request(AWS_PRESIGNED_GET.config, { method: 'GET', key: 'test.txt', expiresSeconds: 86400, date: AWS_PRESIGNED_GET.date });
    const canonical = referenceCanonicalRequest('GET', url, {});
    expect(canonical).toBe(AWS_PRESIGNED_GET.canonicalRequest);
    expect(referenceSignature(canonical, AWS_PRESIGNED_GET.config.secretAccessKey, '20130524T000000Z', 'us-east-1')).toBe(AWS_PRESIGNED_GET.signature);
  });

  it('aws4fetch, configured as the presigner configures it (allHeaders), signs content-type as AWS documents', async () => {
    const signer = new AwsV4Signer({
      method: 'GET',
      url: AWS_IAM_LIST_USERS.url,
      headers: { 'content-type': AWS_IAM_LIST_USERS.contentType },
      accessKeyId: AWS_IAM_LIST_USERS.accessKeyId,
      secretAccessKey: AWS_IAM_LIST_USERS.secretAccessKey,
      service: 'iam',
      region: 'us-east-1',
      datetime: AWS_IAM_LIST_USERS.datetime,
      allHeaders: true,
    });
    expect(createHash('sha256').update(await signer.canonicalString()).digest('hex')).toBe(AWS_IAM_LIST_USERS.canonicalRequestHash);
    expect(signer.signedHeaders).toBe('content-type;host;x-amz-date');
    expect(await signer.signature()).toBe(AWS_IAM_LIST_USERS.signature);
  });
});

describe('SigV4 presigning: what Tessera binds, against the reference implementation', () => {
  const date = new Date('2026-03-01T12:34:56Z');
  const body = new TextEncoder().encode('a share, as bytes');

  it('PutObject binds content-type and content-md5 into the canonical request', async () => {
    const headers = { 'content-type': 'application/octet-stream', 'content-md5': contentMd5(body) };
    const url = await presignS3Request(LOCAL, { method: 'PUT', key: 'tessera/rec/1.tshare', signedHeaders: headers, expiresSeconds: 900, date });
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-md5;content-type;host');
    const canonical = referenceCanonicalRequest('PUT', url, headers);
    expect(canonical.split('\n').slice(3, 6)).toEqual([`content-md5:${headers['content-md5']}`, 'content-type:application/octet-stream', 'host:127.0.0.1:7480']);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(referenceSignature(canonical, LOCAL.secretAccessKey, '20260301T123456Z', 'us-east-1'));
    // Another type or another digest is another signature.
    const other = await presignS3Request(LOCAL, { method: 'PUT', key: 'tessera/rec/1.tshare', signedHeaders: { ...headers, 'content-type': 'text/html' }, expiresSeconds: 900, date });
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(url.searchParams.get('X-Amz-Signature'));
  });

  it('UploadPart binds partNumber, uploadId and content-md5; keys and ids are encoded as SigV4 wants', async () => {
    const headers = { 'content-md5': contentMd5(body) };
    const key = 'tessera/a b+c!(d)*/ü.tshare';
    const query = { partNumber: '7', uploadId: '2~VRwLYz/ItrQq+7BEMAq5=' };
    const url = await presignS3Request(LOCAL, { method: 'PUT', key, query, signedHeaders: headers, expiresSeconds: 900, date });
    expect(url.pathname).toBe('/cloud-a/tessera/a%20b%2Bc%21%28d%29%2A/%C3%BC.tshare');
    expect(url.searchParams.get('uploadId')).toBe(query.uploadId);
    const canonical = referenceCanonicalRequest('PUT', url, headers);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(referenceSignature(canonical, LOCAL.secretAccessKey, '20260301T123456Z', 'us-east-1'));
  });

  it('path and virtual-hosted addressing, with a base path on the endpoint', async () => {
    const virtual = await presignS3Request({ ...LOCAL, endpoint: 'https://s3.eu-west-1.amazonaws.com', addressing: 'virtual-hosted' }, { method: 'GET', key: 'k', expiresSeconds: 60, date });
    expect(virtual.origin + virtual.pathname).toBe('https://cloud-a.s3.eu-west-1.amazonaws.com/k');
    const based = await presignS3Request({ ...LOCAL, endpoint: 'https://gateway.example.org/s3/' }, { method: 'GET', key: 'k', expiresSeconds: 60, date });
    expect(based.origin + based.pathname).toBe('https://gateway.example.org/s3/cloud-a/k');
    const bucketLevel = await presignS3Request(LOCAL, { method: 'GET', key: undefined, query: { uploads: '' }, expiresSeconds: 60, date });
    expect(bucketLevel.pathname).toBe('/cloud-a/');
    expect(bucketLevel.searchParams.get('uploads')).toBe('');
  });

  it('the URL carries the access key id and a signature, never the secret', async () => {
    const url = await presignS3Request(LOCAL, { method: 'GET', key: 'k', expiresSeconds: 60 });
    expect(url.href).not.toContain(LOCAL.secretAccessKey);
    expect(url.href).not.toContain(encodeURIComponent(LOCAL.secretAccessKey));
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^OWNERACCESSKEY0001\/\d{8}\/us-east-1\/s3\/aws4_request$/);
  });
});

describe('validation: keys, regions, expiry, endpoints, buckets — and secrets never in messages', () => {
  const secret = 'Sup3r/Secret+Value-never-shown';
  const config = { ...LOCAL, secretAccessKey: secret };
  const presign = (overrides: Partial<S3BucketConfig>, key: unknown = 'k', expiresSeconds: unknown = 60): Promise<URL> =>
    presignS3Request({ ...config, ...overrides }, { method: 'GET', key: key as string, expiresSeconds: expiresSeconds as number });

  async function expectRejection(promise: Promise<unknown>, type: typeof TypeError | typeof RangeError, message: RegExp): Promise<void> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, String(message)).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(secret);
  }

  it('object keys', async () => {
    for (const bad of ['', '/lead', 'trail/', 'a//b', 'a/./b', 'a/../b', '..', 'a\u0000b', 'line\nfeed', 'x'.repeat(1025), 'é'.repeat(513)]) {
      await expectRejection(presign({}, bad), RangeError, /^key /);
    }
    for (const bad of [undefined, null, 5, {}]) if (bad !== undefined) await expectRejection(presign({}, bad), TypeError, /^key must be a string/);
    for (const good of ['a', 'tessera/0123/1.tshare', 'x'.repeat(1024), 'a b/ü/…']) await presign({}, good);
  });

  it('regions', async () => {
    for (const bad of ['', 'EU-WEST-1', 'us east 1', '-us', 'us-', 'a'.repeat(40), 'eu_west']) await expectRejection(presign({ region: bad }), RangeError, /^region /);
    for (const good of ['us-east-1', 'auto', 'us-west-004', 'default']) await presign({ region: good });
  });

  it('expiry: 1 s to 7 days, whole seconds', async () => {
    for (const bad of [0, -1, 604_801, 10 ** 9]) await expectRejection(presign({}, 'k', bad), RangeError, /^expiresSeconds must be between 1 and 604800/);
    for (const bad of [1.5, Number.NaN, '60']) await expectRejection(presign({}, 'k', bad), TypeError, /^expiresSeconds must be an integer/);
    expect((await presign({}, 'k', 604_800)).searchParams.get('X-Amz-Expires')).toBe('604800');
    expect(() => new S3Transport(config, { expiresSeconds: 604_801 })).toThrow(RangeError);
  });

  it('endpoints: https, or http on this computer only; no credentials, query or fragment', async () => {
    await expectRejection(presign({ endpoint: 'not a url' }), RangeError, /^endpoint must be a URL/);
    await expectRejection(presign({ endpoint: 'ftp://s3.example.org' }), RangeError, /^endpoint must start with https/);
    await expectRejection(presign({ endpoint: 'http://s3.example.org' }), RangeError, /^endpoint must use https/);
    await expectRejection(presign({ endpoint: `https://user:${encodeURIComponent(secret)}@s3.example.org` }), RangeError, /user name or password/);
    await expectRejection(presign({ endpoint: 'https://s3.example.org/?x=1' }), RangeError, /query/);
    for (const good of ['https://s3.example.org', 'http://127.0.0.1:9000', 'http://localhost:9000']) await presign({ endpoint: good });
    // Plain http only where the Content Security Policy lets the app connect (src/storage/plain-http.ts).
    for (const refused of ['http://[::1]:9000', 'http://127.0.0.2:9000']) await expectRejection(presign({ endpoint: refused }), RangeError, /127\.0\.0\.1 or localhost/);
  });

  it('buckets, and what virtual-hosted addressing cannot take', async () => {
    for (const bad of ['ab', 'Upper', '-lead', 'trail-', 'a..b', 'a b']) await expectRejection(presign({ bucket: bad }), RangeError, /^bucket /);
    await expectRejection(presign({ endpoint: 'https://s3.amazonaws.com', addressing: 'virtual-hosted', bucket: 'my.dotted.bucket' }), RangeError, /dots/);
    await expectRejection(presign({ addressing: 'virtual-hosted', bucket: 'under_score' }), RangeError, /host name/);
    await expectRejection(presign({ addressing: 'sideways' as 'path' }), RangeError, /^addressing /);
  });

  it('keys themselves: the secret is described, never shown', async () => {
    for (const bad of ['', 'has space', 'x'.repeat(257), 'tab\there']) {
      const error = (() => {
        try {
          validateS3Config({ ...LOCAL, secretAccessKey: bad });
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(RangeError);
      expect(error!.message).toBe('secretAccessKey must be 1 to 256 printable characters without spaces');
    }
    expect(() => validateS3Config({ ...LOCAL, accessKeyId: 'has/slash' })).toThrow(/^accessKeyId /);
    expect(() => validateS3Config({ ...LOCAL, secretAccessKey: 5 as unknown as string })).toThrow(TypeError);
  });

  it('an error answer that quotes the secret has it redacted', () => {
    const xml = `<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code><Message>key ${secret} did not sign</Message></Error>`;
    const error = s3ResponseError('upload', 403, parseS3Error(xml), undefined, { redact: [secret] });
    expect(error.code).toBe('bucket.auth');
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain('[redacted]');
  });
});

describe("S3's error answers → TransferError kind and code", () => {
  const xml = (code: string, message = '', extra = ''): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>4442587FB7D0A2F9</RequestId></Error>`;
  const cases: readonly (readonly [string, number, string | undefined, FailureKind, TransferFailureCode])[] = [
    ['503 SlowDown', 503, xml('SlowDown', 'Please reduce your request rate.'), 'retry', 'bucket.unavailable'],
    ['500 InternalError', 500, xml('InternalError'), 'retry', 'bucket.unavailable'],
    ['502 without a body', 502, undefined, 'retry', 'bucket.unavailable'],
    ['429', 429, undefined, 'retry', 'bucket.unavailable'],
    ['400 RequestTimeout', 400, xml('RequestTimeout', 'Your socket connection to the server was not read from or written to within the timeout period.'), 'retry', 'bucket.unavailable'],
    ['400 ExpiredToken', 400, xml('ExpiredToken', 'The provided token has expired.'), 'resign', 'bucket.expired'],
    ['403 AccessDenied, Request has expired (AWS)', 403, xml('AccessDenied', 'Request has expired'), 'resign', 'bucket.expired'],
    ['403 SignatureDoesNotMatch', 403, xml('SignatureDoesNotMatch'), 'fatal', 'bucket.auth'],
    ['403 InvalidAccessKeyId', 403, xml('InvalidAccessKeyId'), 'fatal', 'bucket.auth'],
    ['400 AuthorizationQueryParametersError', 400, xml('AuthorizationQueryParametersError', 'X-Amz-Expires must be less than a week (in seconds) that is; 604800'), 'fatal', 'bucket.auth'],
    ['403 AccessDenied', 403, xml('AccessDenied', 'Access Denied'), 'fatal', 'bucket.permission'],
    ['403 without a body', 403, undefined, 'fatal', 'bucket.permission'],
    ['403 RequestTimeTooSkewed', 403, xml('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.'), 'fatal', 'bucket.clock-skew'],
    ['404 NoSuchBucket', 404, xml('NoSuchBucket'), 'fatal', 'bucket.no-such-bucket'],
    ['301 PermanentRedirect', 301, xml('PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.', '<Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint>'), 'fatal', 'bucket.no-such-bucket'],
    ['301 without a body (HEAD)', 301, undefined, 'fatal', 'bucket.no-such-bucket'],
    ['400 AuthorizationHeaderMalformed, wrong region', 400, xml('AuthorizationHeaderMalformed', "the region 'us-east-1' is wrong; expecting 'eu-west-1'", '<Region>eu-west-1</Region>'), 'fatal', 'bucket.no-such-bucket'],
    ['400 BadDigest', 400, xml('BadDigest', 'The Content-MD5 you specified did not match what we received.'), 'fatal', 'bucket.integrity'],
    ['400 InvalidDigest', 400, xml('InvalidDigest', 'The Content-MD5 you specified is not valid.'), 'fatal', 'bucket.integrity'],
    ['404 NoSuchKey', 404, xml('NoSuchKey'), 'fatal', 'bucket.not-found'],
    ['404 NoSuchUpload', 404, xml('NoSuchUpload'), 'fatal', 'bucket.not-found'],
    ['400 EntityTooSmall', 400, xml('EntityTooSmall'), 'fatal', 'bucket.failed'],
    ['400 with HTML', 400, '<html><body>Bad Request</body></html>', 'fatal', 'bucket.failed'],
  ];
  for (const [label, status, body, kind, code] of cases) {
    it(label, () => {
      const error = s3ResponseError('upload part 3', status, body === undefined ? undefined : parseS3Error(body), undefined);
      expect({ kind: error.kind, code: error.code, status: error.status }).toEqual({ kind, code, status });
      expect(error.message.startsWith(`[${code}] upload part 3: `)).toBe(true);
    });
  }

  it('Retry-After (seconds or a date) is passed on for a retry', () => {
    const seconds = s3ResponseError('x', 503, parseS3Error(xml('SlowDown')), new Headers({ 'retry-after': '7' }));
    expect(seconds.retryAfterMs).toBe(7000);
    const date = new Date(Date.now() + 60_000).toUTCString();
    const byDate = s3ResponseError('x', 503, undefined, new Headers({ 'retry-after': date }));
    expect(byDate.retryAfterMs).toBeGreaterThan(55_000);
    expect(s3ResponseError('x', 403, undefined, new Headers({ 'retry-after': '7' })).retryAfterMs).toBeUndefined();
  });

  it('a bare 403 is read by the answer\'s Date: an expired URL, or a clock far off', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const headers = new Headers({ date: new Date(now).toUTCString() });
    const expired = s3ResponseError('x', 403, parseS3Error(xml('AccessDenied')), headers, { signing: { signedAt: now - 120_000, expiresSeconds: 60, receivedAt: now } });
    expect([expired.kind, expired.code]).toEqual(['resign', 'bucket.expired']);
    const behind = s3ResponseError('x', 403, parseS3Error(xml('AccessDenied')), headers, { signing: { signedAt: now - 3 * 3600_000, expiresSeconds: 900, receivedAt: now - 3 * 3600_000 } });
    expect([behind.kind, behind.code]).toEqual(['fatal', 'bucket.clock-skew']);
    expect(behind.message).toContain('3 hours behind');
    const fine = s3ResponseError('x', 403, parseS3Error(xml('AccessDenied')), headers, { signing: { signedAt: now - 1000, expiresSeconds: 900, receivedAt: now } });
    expect([fine.kind, fine.code]).toEqual(['fatal', 'bucket.permission']);
  });

  it('parses entities and nothing else; a document that is not an Error gives nothing', () => {
    expect(parseS3Error(xml('AccessDenied', 'a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#x27; &unknown;'))?.message).toBe('a <b> & "c" \'d\' &unknown;');
    expect(parseS3Error('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "boom">]><Error><Code>&a;</Code></Error>')).toBeUndefined();
    expect(parseS3Error('<ListBucketResult><Code>AccessDenied</Code></ListBucketResult>')).toBeUndefined();
    expect(parseS3Error('')).toBeUndefined();
  });
});

describe('presets', () => {
  it('every provider gives a valid configuration, and its CORS rule exposes ETag for the app\'s origin', () => {
    for (const provider of S3_PROVIDERS) {
      const preset = S3_PRESETS[provider];
      const config = configFromPreset(provider, {
        bucketId: provider,
        bucket: 'tessera-shares',
        accessKeyId: 'AKIAEXAMPLEKEY',
        secretAccessKey: 'secretExample',
        accountId: '0123456789abcdef0123456789abcdef',
        endpoint: preset.endpointPattern === undefined ? 'https://storage.example.org' : undefined,
      });
      expect(config.region).toBe(preset.defaultRegion);
      expect(config.addressing).toBe(preset.addressing);
      const rule = corsRuleFor(provider, 'https://tessera.example.org');
      expect(rule).toContain('ETag');
      expect(rule).toContain('https://tessera.example.org');
      expect(rule).toContain('content-md5');
      // Where presigned multipart works, a lifecycle rule drops unfinished uploads of Tessera's keys after a day.
      const lifecycle = lifecycleRuleFor(provider);
      if (preset.presignedMultipart) {
        expect(JSON.parse(lifecycle!)).toEqual({
          Rules: [{ ID: 'tessera-abort-unfinished-uploads', Status: 'Enabled', Filter: { Prefix: 'tessera/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
        });
      } else {
        expect(lifecycle).toBeUndefined();
      }
    }
    expect(configFromPreset('aws', { bucketId: 'a', bucket: 'b-1', accessKeyId: 'A', secretAccessKey: 's', region: 'eu-west-1' }).endpoint).toBe('https://s3.eu-west-1.amazonaws.com');
    expect(configFromPreset('r2', { bucketId: 'a', bucket: 'b-1', accessKeyId: 'A', secretAccessKey: 's', accountId: '0123456789abcdef0123456789abcdef' }).endpoint).toBe(
      'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com',
    );
    expect(() => configFromPreset('r2', { bucketId: 'a', bucket: 'b-1', accessKeyId: 'A', secretAccessKey: 's' })).toThrow(/accountId/);
    expect(() => configFromPreset('minio', { bucketId: 'a', bucket: 'b-1', accessKeyId: 'A', secretAccessKey: 's' })).toThrow(/endpoint/);
    expect(() => configFromPreset('ceph', { bucketId: 'a', bucket: 'b-1', accessKeyId: 'A', secretAccessKey: 's', endpoint: 'https://rgw.example.org', addressing: 'virtual-hosted' })).toThrow(
      /addressing/,
    );
  });
});
