/**
 * Real storage locations as plain data: the set-up form's values → a BucketDescriptor (checked by
 * the transports' own rules, secrets never in a message), the descriptor → the bucket and transport
 * that serve it (presets' limits and R2's one-request uploads respected), and the words a failed
 * Test shows.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adviceFor } from '../../src/app/location-probe.js';
import { descriptorFromForm, emptyForm, formFrom, locationId, locationSettings, type LocationFormValues } from '../../src/app/location-form.js';
import { parseSavedLocations } from '../../src/vault/catalog-record.js';
import { AZURE_LIMITS, AzureBlobTransport } from '../../src/storage/azure/index.js';
import { DemoBucket } from '../../src/storage/demo-bucket.js';
import {
  createBucket,
  DEMO_BUCKETS,
  transportFor,
  type AzureBucketDescriptor,
  type PresignEndpointBucketDescriptor,
  type S3BucketDescriptor,
} from '../../src/storage/index.js';
import { PresignEndpointTransport } from '../../src/storage/presign-endpoint/index.js';
import { RemoteBucket } from '../../src/storage/remote-bucket.js';
import { corsRuleFor, S3_LIMITS, S3_PRESETS, S3Transport } from '../../src/storage/s3/index.js';
import { Fetcher } from '../../src/storage/transfer/fetcher.js';
import { TRANSFER_FAILURE_CODES } from '../../src/storage/transfer/transport.js';
import { patternBytes } from '../helpers/deterministic-random.js';
import { expectCode } from '../helpers/errors.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SAS = 'https://tesseraacct.blob.core.windows.net/shares-1?sv=2021-08-06&sr=c&sp=rcwdl&se=2030-01-01T00:00:00Z&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';
const ORIGIN = 'https://tessera.example.org';

const ceph: S3BucketDescriptor = {
  kind: 's3',
  id: 's3:http://127.0.0.1:7480/cloud-a',
  label: 'Ceph A',
  online: true,
  provider: 'ceph',
  endpoint: 'http://127.0.0.1:7480',
  region: 'default',
  bucket: 'cloud-a',
  addressing: 'path',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: SECRET,
};
const TOKEN = 'org-token.EXAMPLE-1234567890';
const organisation: PresignEndpointBucketDescriptor = {
  kind: 'presign-endpoint',
  id: 'presign:https://presign.hospital.example/tessera/records-a',
  label: 'Hospital',
  online: true,
  endpoint: 'https://presign.hospital.example/tessera',
  bucket: 'records-a',
  token: TOKEN,
};
const azure: AzureBucketDescriptor = { kind: 'azure', id: 'azure:https://tesseraacct.blob.core.windows.net/shares-1', label: 'Azure 1', online: true, containerSasUrl: SAS };

function cephForm(overrides: Partial<LocationFormValues> = {}): LocationFormValues {
  return {
    ...emptyForm('s3'),
    provider: 'ceph',
    endpoint: 'http://127.0.0.1:7480/',
    region: 'default',
    bucket: 'cloud-a',
    addressing: 'path',
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: SECRET,
    ...overrides,
  };
}

describe('descriptor → bucket', () => {
  it('a demo descriptor gives a demo bucket; S3, Azure and signing-service descriptors give remote buckets with the same id and label', () => {
    expect(createBucket(DEMO_BUCKETS[0]!)).toBeInstanceOf(DemoBucket);
    for (const descriptor of [ceph, azure, organisation]) {
      const bucket = createBucket(descriptor);
      expect(bucket, descriptor.kind).toBeInstanceOf(RemoteBucket);
      expect([bucket.id, bucket.label]).toEqual([descriptor.id, descriptor.label]);
    }
  });

  it('the transports: S3 with S3 limits, Azure with Azure limits, bucket ids from the descriptor', () => {
    const s3 = transportFor(ceph);
    expect(s3).toBeInstanceOf(S3Transport);
    expect([s3.bucketId, s3.limits]).toEqual([ceph.id, S3_LIMITS]);
    const blob = transportFor(azure);
    expect(blob).toBeInstanceOf(AzureBlobTransport);
    expect([blob.bucketId, blob.limits]).toEqual([azure.id, AZURE_LIMITS]);
    const signed = transportFor(organisation);
    expect(signed).toBeInstanceOf(PresignEndpointTransport);
    expect([signed.bucketId, signed.limits]).toEqual([organisation.id, S3_LIMITS]);
  });

  it('R2 (no presigned multipart): one part at most, up to its single-request limit', () => {
    const r2 = transportFor({ ...ceph, provider: 'r2', endpoint: 'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com' });
    const limit = S3_PRESETS.r2.limits!.singlePutLimit!;
    expect(r2.limits).toMatchObject({ maxParts: 1, maxPartSize: limit, singlePutLimit: limit });
  });

  it('a switched-off remote location refuses every call with bucket.offline, before any request', async () => {
    for (const descriptor of [{ ...ceph, online: false }, { ...azure, online: false }, { ...organisation, online: false }]) {
      const bucket = createBucket(descriptor);
      await expectCode(bucket.openWriter('tessera/x/1.tshare'), 'bucket.offline');
      await expectCode(bucket.openReader('tessera/x/1.tshare'), 'bucket.offline');
      await expectCode(bucket.head('tessera/x/1.tshare'), 'bucket.offline');
      await expectCode(bucket.delete('tessera/x/1.tshare'), 'bucket.offline');
      await expectCode(bucket.list(), 'bucket.offline');
    }
  });

  it('descriptors are plain data: a structured clone (what a worker gets) is equal and works the same', () => {
    for (const descriptor of [ceph, azure, organisation, DEMO_BUCKETS[1]!]) {
      const copy = structuredClone(descriptor);
      expect(copy).toEqual(descriptor);
      expect(createBucket(copy).id).toBe(descriptor.id);
    }
  });
});

describe('the upload a share gets (expectedSize), against a recording S3 endpoint on 127.0.0.1', () => {
  let server: Server;
  let endpoint: string;
  const seen: { method: string; query: string; bytes: number }[] = [];

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let bytes = 0;
      request.on('data', (chunk: Buffer) => (bytes += chunk.length));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        seen.push({ method: request.method ?? '', query: [...url.searchParams.keys()].filter((name) => !name.startsWith('X-Amz-')).join('&'), bytes });
        if (request.method === 'PUT') response.writeHead(200, { ETag: '"e"' }).end();
        else response.writeHead(403, { 'Content-Type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const fetcher = new Fetcher({ maxAttempts: 1 });
  const size = 20 * 1024 * 1024 + 17;

  it('R2: a 20 MiB share goes in one PUT', async () => {
    seen.length = 0;
    const bucket = createBucket({ ...ceph, provider: 'r2', endpoint }, { fetcher });
    const sink = await bucket.openWriter('tessera/00112233445566778899aabbccddeeff/1.tshare', { contentType: 'application/octet-stream', expectedSize: size });
    const body = patternBytes(size, 3);
    for (let at = 0; at < size; at += 1024 * 1024) await sink.write(body.subarray(at, at + 1024 * 1024));
    await sink.close();
    expect(seen).toEqual([{ method: 'PUT', query: '', bytes: size }]);
  });

  it('Ceph: the same share starts a multipart upload (here refused: AccessDenied, bucket.failed)', async () => {
    seen.length = 0;
    const bucket = createBucket({ ...ceph, endpoint }, { fetcher });
    const sink = await bucket.openWriter('tessera/00112233445566778899aabbccddeeff/1.tshare', { contentType: 'application/octet-stream', expectedSize: size });
    const body = patternBytes(size, 4);
    const written = (async () => {
      for (let at = 0; at < size; at += 1024 * 1024) await sink.write(body.subarray(at, at + 1024 * 1024));
      await sink.close();
    })();
    const error = await expectCode(written, 'bucket.failed', /bucket\.permission/);
    expect(error.message).not.toContain(SECRET);
    expect(seen[0]).toMatchObject({ method: 'POST', query: 'uploads' });
  });
});

describe('a signing-service location, against a recording endpoint on 127.0.0.1', () => {
  let server: Server;
  let endpoint: string;
  const seen: { path: string; authorization: string | undefined; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        seen.push({ path: request.url ?? '', authorization: request.headers.authorization, body: JSON.parse(text) as unknown });
        // It repeats the token it was sent, as a careless service might: the app must not.
        response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unauthenticated', message: `token ${TOKEN} has expired` } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tessera`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks <endpoint>/presign for the configured bucket with the bearer token; a refused token is bucket.auth, without the token', async () => {
    const bucket = createBucket({ ...organisation, endpoint }, { fetcher: new Fetcher({ maxAttempts: 1 }) });
    const error = await expectCode(bucket.head('tessera/00112233445566778899aabbccddeeff/1.tshare'), 'bucket.failed', /bucket\.auth/);
    expect(error.message).not.toContain(TOKEN);
    expect(seen).toEqual([
      {
        path: '/tessera/presign',
        authorization: `Bearer ${TOKEN}`,
        body: { operation: 'head', key: 'tessera/00112233445566778899aabbccddeeff/1.tshare', bucket: 'records-a', expiresSeconds: 900 },
      },
    ]);
  });
});

describe('the set-up form → a descriptor', () => {
  it('Ceph with a custom endpoint: validated, the trailing slash dropped, named after the bucket, id from where it is', () => {
    const result = descriptorFromForm(cephForm());
    expect(result).toEqual({ ok: true, descriptor: { ...ceph, label: 'cloud-a' } });
    expect(locationId(ceph)).toBe(ceph.id);
  });

  it('a preset fills the endpoint and region; the same bucket gets the same id whatever it is called', () => {
    const result = descriptorFromForm({ ...emptyForm('s3'), label: 'Work', provider: 'wasabi', region: 'eu-central-1', bucket: 'my-shares', accessKeyId: 'KEY1', secretAccessKey: SECRET, addressing: 'virtual-hosted' });
    expect(result).toMatchObject({ ok: true, descriptor: { endpoint: 'https://s3.eu-central-1.wasabisys.com', region: 'eu-central-1', label: 'Work', id: 's3:https://s3.eu-central-1.wasabisys.com/my-shares' } });
  });

  it('Azure: the container SAS URL, named after the container', () => {
    expect(descriptorFromForm({ ...emptyForm('azure'), containerSasUrl: SAS })).toEqual({ ok: true, descriptor: { ...azure, label: 'shares-1' } });
  });

  it("an organisation's signing service: address (trailing slash dropped), bucket name, token; named after the bucket, id from where it is", () => {
    const values = { ...emptyForm('presign-endpoint'), endpoint: 'https://presign.hospital.example/tessera/', bucket: 'records-a', token: ` ${TOKEN} ` };
    expect(descriptorFromForm(values)).toEqual({ ok: true, descriptor: { ...organisation, label: 'records-a' } });
    expect(locationId(organisation)).toBe(organisation.id);
    expect(descriptorFromForm({ ...values, label: 'Elsewhere' })).toMatchObject({ ok: true, descriptor: { id: organisation.id, label: 'Elsewhere' } });
  });

  it("the signing service's wrong fields are named in its own words, and no message carries the token", () => {
    const form = (overrides: Partial<LocationFormValues>): LocationFormValues => ({
      ...emptyForm('presign-endpoint'),
      endpoint: 'https://presign.hospital.example/tessera',
      bucket: 'records-a',
      token: TOKEN,
      ...overrides,
    });
    const cases: [Partial<LocationFormValues>, string, RegExp][] = [
      [{ endpoint: 'http://presign.hospital.example' }, 'endpoint', /^Signing service address must use https/],
      [{ endpoint: 'presign.hospital.example' }, 'endpoint', /^Signing service address must be a URL/],
      [{ endpoint: 'https://presign.hospital.example/?bucket=x' }, 'endpoint', /^Signing service address must not have a query/],
      [{ bucket: 'records/a' }, 'bucket', /^Bucket name must be 1 to 128/],
      [{ token: `${TOKEN} and more` }, 'token', /^Access token must be 1 to 4096 characters/],
      [{ token: '' }, 'token', /^Access token: paste/],
    ];
    for (const [overrides, field, message] of cases) {
      const result = descriptorFromForm(form(overrides));
      expect(result, field).toMatchObject({ ok: false, field });
      const text = (result as { message: string }).message;
      expect(text, field).toMatch(message);
      expect(text).not.toContain(TOKEN);
    }
  });

  it('each wrong field is named, in the form’s words, and no message carries the secret', () => {
    const cases: [Partial<LocationFormValues>, string, RegExp][] = [
      [{ region: 'Not A Region' }, 'region', /^Region must be/],
      [{ bucket: 'B' }, 'bucket', /^Bucket must be/],
      [{ endpoint: 'ftp://example.org' }, 'endpoint', /^Endpoint must start with https/],
      [{ endpoint: 'http://storage.example.org' }, 'endpoint', /^Endpoint must use https/],
      [{ accessKeyId: 'has space' }, 'accessKeyId', /^Access key ID must be/],
      [{ secretAccessKey: `${SECRET} with spaces` }, 'secretAccessKey', /^Secret access key must be/],
      [{ secretAccessKey: '' }, 'secretAccessKey', /^Secret access key: give/],
      [{ provider: 'r2', endpoint: '', accountId: 'nope' }, 'accountId', /^Account ID: Cloudflare R2 needs/],
    ];
    for (const [overrides, field, message] of cases) {
      const result = descriptorFromForm(cephForm(overrides));
      expect(result, field).toMatchObject({ ok: false, field });
      const text = (result as { message: string }).message;
      expect(text, field).toMatch(message);
      expect(text).not.toContain(SECRET);
    }
    const sas = descriptorFromForm({ ...emptyForm('azure'), containerSasUrl: SAS.replace('sr=c', 'sr=b') });
    expect(sas).toMatchObject({ ok: false, field: 'containerSasUrl', message: expect.stringMatching(/^Container SAS URL is a SAS for one blob/) });
    expect((sas as { message: string }).message).not.toContain('c2VjcmV0');
  });

  it('editing: the secret is never put back in the form, and left empty it keeps the one given before', () => {
    expect(Object.values(formFrom(ceph))).not.toContain(SECRET);
    expect(Object.values(formFrom(azure))).not.toContain(SAS);
    expect(Object.values(formFrom(organisation))).not.toContain(TOKEN);
    expect(formFrom(organisation)).toMatchObject({ kind: 'presign-endpoint', endpoint: organisation.endpoint, bucket: organisation.bucket, token: '' });
    expect(descriptorFromForm({ ...formFrom(organisation) }, organisation)).toEqual({ ok: true, descriptor: organisation });
    expect(descriptorFromForm({ ...formFrom(ceph), label: 'Renamed' }, ceph)).toEqual({ ok: true, descriptor: { ...ceph, label: 'Renamed' } });
    expect(descriptorFromForm({ ...formFrom(azure) }, { ...azure, online: false })).toEqual({ ok: true, descriptor: { ...azure, online: false } });
  });
});

describe('what survives a reload', () => {
  it('each location’s settings, never its secret; they parse back, and their form asks for the secret again under the same id', () => {
    const saved = { version: 1 as const, locations: [ceph, azure, organisation].map(locationSettings) };
    for (const secret of [SECRET, 'c2VjcmV0', TOKEN]) expect(JSON.stringify(saved)).not.toContain(secret);
    expect(saved.locations[1]).toEqual({ kind: 'azure', id: azure.id, label: azure.label, online: true, containerUrl: 'https://tesseraacct.blob.core.windows.net/shares-1' });
    expect(parseSavedLocations(structuredClone(saved))).toEqual(saved);
    const [cephSettings, , organisationSettings] = saved.locations;
    expect(descriptorFromForm(formFrom(cephSettings!))).toMatchObject({ ok: false, field: 'secretAccessKey' });
    expect(descriptorFromForm({ ...formFrom(cephSettings!), secretAccessKey: SECRET })).toEqual({ ok: true, descriptor: ceph });
    expect(descriptorFromForm({ ...formFrom(organisationSettings!), token: TOKEN })).toEqual({ ok: true, descriptor: organisation });
  });
});

describe('what a failed Test says', () => {
  it('every transfer code has its own words; CORS comes with the rule for this origin', () => {
    for (const code of TRANSFER_FAILURE_CODES) {
      for (const location of [ceph, azure]) {
        const advice = adviceFor(location, { ok: false, step: 'write', code, detail: 'x' }, ORIGIN);
        expect(advice.title.length, code).toBeGreaterThan(10);
        expect(advice.action.length, code).toBeGreaterThan(10);
        expect(advice.corsRule !== undefined, code).toBe(code === 'bucket.cors');
      }
    }
    const s3 = adviceFor(ceph, { ok: false, step: 'write', code: 'bucket.cors', detail: '' }, ORIGIN);
    expect(s3.corsRule).toBe(corsRuleFor('ceph', ORIGIN));
    expect(s3.corsWhere).toContain('put-bucket-cors --bucket cloud-a');
    const blob = adviceFor(azure, { ok: false, step: 'write', code: 'bucket.cors', detail: '' }, ORIGIN);
    expect(blob.corsRule).toContain(`Allowed origins: ${ORIGIN}`);
    expect(blob.corsRule).toContain('Exposed headers: content-range, etag, x-ms-error-code, x-ms-request-id');
    expect(adviceFor(azure, { ok: false, step: 'write', code: 'bucket.expired', detail: '' }, ORIGIN).title).toMatch(/SAS URL has expired/);
  });
});
