/**
 * The origin guard (src/storage/allowed-origins.ts): a transport sends requests only to its own
 * location's origin; a signed URL anywhere else is refused with bucket.origin-refused before
 * anything is sent, and the fetcher does not retry it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertAllowedOrigin, azureContainerOrigin, s3BucketOrigin } from '../../src/storage/allowed-origins.js';
import { S3Transport, type S3RequestSigner } from '../../src/storage/s3/transport.js';
import { Fetcher } from '../../src/storage/transfer/fetcher.js';
import { TransferError, TRANSFER_FAILURE_CODES } from '../../src/storage/transfer/transport.js';

const realFetch = globalThis.fetch;
/** Every URL the code under test asked fetch for. */
let sent: string[] = [];

beforeEach(() => {
  sent = [];
  globalThis.fetch = async (input) => {
    sent.push(input instanceof Request ? input.url : String(input));
    return new Response('', { status: 200, headers: { etag: '"0"' } });
  };
});

afterEach(() => {
  globalThis.fetch = realFetch;
});

const S3 = { bucketId: 's3:https://s3.example.org/shares', endpoint: 'https://s3.example.org', region: 'eu-west-1', bucket: 'shares', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const KEY = 'tessera/0123456789abcdef0123456789abcdef/1.tshare';
const BODY = new Uint8Array([1, 2, 3]);

/** A signer that answers every request with a URL of `origin` (as a compromised or mistaken one could). */
function signerTo(origin: string): S3RequestSigner {
  return {
    sign: async (request) => ({ url: new URL(`${origin}/shares/${request.key ?? ''}?X-Amz-Signature=00`), headers: request.signedHeaders ?? {}, signedAt: Date.now(), expiresSeconds: 900, clockOffsetMs: 0 }),
    invalidate: () => undefined,
    clockSkewAdvice: 'the clock',
    secrets: [],
  };
}

async function refusal(promise: Promise<unknown>): Promise<TransferError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TransferError);
  return error as TransferError;
}

describe('origins of a location', () => {
  it('an S3 bucket: the endpoint with path addressing, bucket.host with virtual-hosted; an Azure container: its own', () => {
    expect(s3BucketOrigin({ ...S3, addressing: 'path' })).toBe('https://s3.example.org');
    expect(s3BucketOrigin({ ...S3, endpoint: 'https://s3.example.org:8443/base', addressing: 'virtual-hosted' })).toBe('https://shares.s3.example.org:8443');
    expect(s3BucketOrigin({ ...S3, endpoint: 'http://127.0.0.1:7480', addressing: 'path' })).toBe('http://127.0.0.1:7480');
    expect(azureContainerOrigin('https://acct.blob.core.windows.net/shares')).toBe('https://acct.blob.core.windows.net');
  });

  it('assertAllowedOrigin compares whole origins: scheme, host and port', () => {
    const allowed = ['https://s3.example.org'];
    expect(() => assertAllowedOrigin(new URL('https://s3.example.org/b/k?sig=1'), allowed, 'upload')).not.toThrow();
    for (const url of ['http://s3.example.org/b/k', 'https://s3.example.org:444/b/k', 'https://s3.example.org.evil.example/b/k', 'https://evil.example/s3.example.org']) {
      expect(() => assertAllowedOrigin(new URL(url), allowed, 'upload'), url).toThrow(TransferError);
    }
  });

  it('the refusal is fatal, has its own code, and names the origin but never a path or a query', () => {
    expect(TRANSFER_FAILURE_CODES).toContain('bucket.origin-refused');
    let error: unknown;
    try {
      assertAllowedOrigin(new URL('https://evil.example/path/secret?X-Amz-Signature=abc'), ['https://s3.example.org'], 'upload');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TransferError);
    expect((error as TransferError).kind).toBe('fatal');
    expect((error as TransferError).code).toBe('bucket.origin-refused');
    expect((error as TransferError).message).toContain('https://evil.example');
    expect((error as TransferError).message).not.toMatch(/secret|Signature|abc/);
  });
});

describe('the S3 transport', () => {
  it('signing here: every request of an upload, a read and a delete goes to the bucket origin (path and virtual-hosted)', async () => {
    for (const [addressing, origin] of [
      ['path', 'https://s3.example.org'],
      ['virtual-hosted', 'https://shares.s3.example.org'],
    ] as const) {
      sent = [];
      const transport = new S3Transport({ ...S3, addressing });
      await transport.putObject(KEY, BODY, { contentType: 'application/octet-stream' });
      await transport.getRange(KEY, 0, 3);
      await transport.deleteObject(KEY);
      expect(sent.length, addressing).toBe(3);
      for (const url of sent) expect(new URL(url).origin, addressing).toBe(origin);
    }
  });

  it('a signer whose URL points elsewhere: bucket.origin-refused, nothing sent, and the fetcher does not retry', async () => {
    const transport = new S3Transport({ bucketId: 'presign:https://presign.example.org/a' }, { signer: signerTo('https://evil.example'), allowedOrigins: ['https://s3.example.org'] });
    let attempts = 0;
    const error = await refusal(
      new Fetcher({ sleep: async () => undefined }).run(() => {
        attempts++;
        return transport.putObject(KEY, BODY, { contentType: 'application/octet-stream' });
      }),
    );
    expect(error.code).toBe('bucket.origin-refused');
    expect(error.kind).toBe('fatal');
    expect(attempts).toBe(1);
    expect((await refusal(transport.getRange(KEY, 0, 3))).code).toBe('bucket.origin-refused');
    expect((await refusal(transport.head(KEY))).code).toBe('bucket.origin-refused');
    expect(sent).toEqual([]);
  });

  it("the same signer's URL on an allowed origin is sent", async () => {
    const transport = new S3Transport({ bucketId: 'presign:https://presign.example.org/a' }, { signer: signerTo('https://s3.example.org'), allowedOrigins: ['https://s3.example.org'] });
    await transport.putObject(KEY, BODY, { contentType: 'application/octet-stream' });
    expect(sent.map((url) => new URL(url).origin)).toEqual(['https://s3.example.org']);
  });
});
