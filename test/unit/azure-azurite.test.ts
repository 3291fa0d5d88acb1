/**
 * The Azure Blob transport against a real Azurite (test/servers/azurite.ts), in Node: every
 * operation, the SAS refusals Azurite really makes, and the TransferError each failure becomes.
 * Faults Azurite cannot make by itself (a body corrupted on the way, a busy front end, a dropped
 * connection) come from a small front (test/servers/azurite-front.ts) between the two.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AZURE_API_VERSION, AZURE_LIMITS, AzureBlobTransport, azureCorsRule, parseContainerSasUrl, redactSas } from '../../src/storage/azure/index.js';
import { blockId, parseBlockId } from '../../src/storage/azure/block-ids.js';
import { TransferError, type FailureKind, type TransferFailureCode } from '../../src/storage/transfer/transport.js';
import { isAbort } from '../../src/core/errors.js';
import { patternBytes } from '../helpers/deterministic-random.js';
import { sameBytes } from '../helpers/bytes.js';
import { startAzurite, type Azurite } from '../servers/azurite.js';
import { startAzuriteFront, type AzuriteFront } from '../servers/azurite-front.js';

const CONTENT_TYPE = 'application/vnd.tessera.share';
const HOUR = 3600_000;

let azurite: Azurite;
let front: AzuriteFront;
/** Every TransferError a test saw, checked at the end for a SAS signature. */
const seenErrors: TransferError[] = [];
/** Every signature handed out, to look for in those messages. */
const signatures = new Set<string>();

beforeAll(async () => {
  azurite = await startAzurite({ containers: ['cloud-a', 'cloud-b', 'cloud-c'] });
  front = await startAzuriteFront(azurite.endpoint);
});

afterAll(async () => {
  await front?.close();
  await azurite?.stop();
});

function sasUrl(...args: Parameters<Azurite['sasUrl']>): string {
  const url = azurite.sasUrl(...args);
  signatures.add(new URL(url).searchParams.get('sig')!);
  return url;
}

function transport(containerSasUrl: string, bucketId = 'azure-test'): AzureBlobTransport {
  return new AzureBlobTransport({ bucketId, containerSasUrl });
}

/** Awaits `promise`, which must reject with a TransferError of that kind and code; returns it. */
async function expectTransferError(promise: Promise<unknown>, kind: FailureKind, code: TransferFailureCode, status?: number): Promise<TransferError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a TransferError ${kind} ${code}`).toBeInstanceOf(TransferError);
  const transferError = error as TransferError;
  seenErrors.push(transferError);
  expect({ kind: transferError.kind, code: transferError.code }).toEqual({ kind, code });
  expect(transferError.message.startsWith(`[${code}] `)).toBe(true);
  if (status !== undefined) expect(transferError.status).toBe(status);
  return transferError;
}

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Azure transport on Azurite: single objects', () => {
  it('puts, heads, reads and deletes an object, with the content type and Content-MD5 stored', async () => {
    const azure = transport(sasUrl('cloud-a'));
    const body = patternBytes(100_003);
    const key = 'tessera/0123456789abcdef/1.tshare';
    await azure.putObject(key, body, { contentType: CONTENT_TYPE });
    expect(await azure.head(key)).toEqual({ size: body.length });
    expect(sameBytes(await azure.getRange(key, 0, body.length), body)).toBe(true);

    const properties = await azurite.adminFetch(`/cloud-a/${key}`, { method: 'HEAD' });
    expect(properties.headers.get('content-type')).toBe(CONTENT_TYPE);
    expect(properties.headers.get('content-md5')).toMatch(/^[A-Za-z0-9+/]{22}==$/);

    await azure.deleteObject(key);
    expect(await azure.head(key)).toBeNull();
    await azure.deleteObject(key); // a missing object: done already
  });

  it('keeps keys with spaces, non-ASCII, "+", "%", "&", "?" and "#" apart and intact, and lists them', async () => {
    const azure = transport(sasUrl('cloud-a'));
    const keys = ['odd/a b+c.tshare', 'odd/ü ø/ß.tshare', 'odd/100%&x=1?y#z', 'odd/a%20b'];
    for (const [index, key] of keys.entries()) await azure.putObject(key, new Uint8Array([index]), { contentType: CONTENT_TYPE });
    for (const [index, key] of keys.entries()) expect([...(await azure.getRange(key, 0, 10))]).toEqual([index]);
    const listing = await (await azurite.adminFetch('/cloud-a?restype=container&comp=list&prefix=odd/')).text();
    expect([...listing.matchAll(/<Name>([^<]*)<\/Name>/g)].map((match) => match[1]).sort()).toEqual(
      ['odd/100%&amp;x=1?y#z', 'odd/a b+c.tshare', 'odd/a%20b', 'odd/ü ø/ß.tshare'].sort(),
    );
    expect(await azure.listObjects('odd/')).toEqual(
      ['odd/100%&x=1?y#z', 'odd/a b+c.tshare', 'odd/a%20b', 'odd/ü ø/ß.tshare'].sort().map((key) => ({ key, size: 1 })),
    );
    expect(await azure.listObjects('odd/ü')).toEqual([{ key: 'odd/ü ø/ß.tshare', size: 1 }]);
    expect(await azure.listObjects('nothing-here/')).toEqual([]);
    await expectTransferError(transport(sasUrl('cloud-a', { permissions: 'rcwd' })).listObjects('odd/'), 'fatal', 'bucket.permission', 403);
  });

  it('puts an empty object and reads nothing from it', async () => {
    const azure = transport(sasUrl('cloud-a'));
    await azure.putObject('empty.tshare', new Uint8Array(0), { contentType: CONTENT_TYPE });
    expect(await azure.head('empty.tshare')).toEqual({ size: 0 });
    expect(await azure.getRange('empty.tshare', 0, 10)).toEqual(new Uint8Array(0));
  });

  it('reads exactly the range asked, fewer bytes only at the end, none past it', async () => {
    const azure = transport(sasUrl('cloud-b'));
    const size = 1_048_583;
    const body = patternBytes(size, 3);
    await azure.putObject('ranges.tshare', body, { contentType: CONTENT_TYPE });
    const cases: [offset: number, length: number][] = [
      [0, 1],
      [0, size],
      [1, size - 1],
      [size - 1, 1],
      [12_345, 654_321],
      [size - 10, 100],
      [0, size + 1],
      [size, 10],
      [size + 5, 10],
      [7, 0],
    ];
    for (const [offset, length] of cases) {
      const got = await azure.getRange('ranges.tshare', offset, length);
      const want = body.subarray(Math.min(offset, size), Math.min(size, offset + length));
      expect(sameBytes(got, want), `range ${offset}+${length}: ${got.length} bytes, want ${want.length}`).toBe(true);
    }
  });

  it('reports progress of a put as the bytes go (at the end, where fetch cannot tell sooner)', async () => {
    const azure = transport(sasUrl('cloud-a'));
    const progress: number[] = [];
    await azure.putObject('progress.tshare', patternBytes(70_000), { contentType: CONTENT_TYPE, onProgress: (sent) => progress.push(sent) });
    expect(progress.at(-1)).toBe(70_000);
  });

  it('sends the x-ms-version it names, which Azurite accepts without --skipApiVersionCheck', () => {
    expect(AZURE_API_VERSION).toBe('2019-12-12');
    expect(AZURE_LIMITS).toEqual({ singlePutLimit: 5000 * 2 ** 20, minPartSize: 1, maxPartSize: 4000 * 2 ** 20, maxParts: 50_000 });
  });
});

describe('Azure transport on Azurite: blocks', () => {
  it('uploads blocks, lists them to resume from a fresh transport, commits them in order and reads the blob back', async () => {
    const url = sasUrl('cloud-c');
    const key = 'tessera/blocks/1.tshare';
    const parts = [patternBytes(256 * 1024, 1), patternBytes(256 * 1024, 2), patternBytes(1000, 3)];
    const first = transport(url);
    const uploadId = await first.createMultipart(key, { contentType: CONTENT_TYPE });
    expect(uploadId).toMatch(/^[0-9a-f]{16}$/);
    expect(await first.listParts(key, uploadId)).toEqual([]);

    const id1 = await first.uploadPart(key, uploadId, 1, parts[0]!);
    const id3 = await first.uploadPart(key, uploadId, 3, parts[2]!);
    // Uncommitted blocks are not an object yet.
    expect(await first.head(key)).toBeNull();

    // After a reload: a new transport, the upload id from the journal.
    const resumed = transport(url);
    expect(await resumed.listParts(key, uploadId)).toEqual([
      { partNumber: 1, etag: id1, size: parts[0]!.length },
      { partNumber: 3, etag: id3, size: parts[2]!.length },
    ]);
    const id2 = await resumed.uploadPart(key, uploadId, 2, parts[1]!);
    // Sending a part again (a retry whose answer was lost) replaces it: still three parts.
    expect(await resumed.uploadPart(key, uploadId, 2, parts[1]!)).toBe(id2);

    // Blocks of another upload of the same key are not ours.
    const other = await resumed.createMultipart(key, { contentType: CONTENT_TYPE });
    await resumed.uploadPart(key, other, 1, patternBytes(10, 9));

    const listed = await resumed.listParts(key, uploadId);
    expect(listed.map((part) => part.partNumber)).toEqual([1, 2, 3]);
    await resumed.completeMultipart(key, uploadId, listed, { contentType: CONTENT_TYPE });

    const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      whole.set(part, at);
      at += part.length;
    }
    expect(await resumed.head(key)).toEqual({ size: whole.length });
    expect(sameBytes(await resumed.getRange(key, 0, whole.length), whole)).toBe(true);
    expect(sameBytes(await resumed.getRange(key, 262_140, 10), whole.subarray(262_140, 262_150))).toBe(true);
    const properties = await azurite.adminFetch(`/cloud-c/${key}`, { method: 'HEAD' });
    expect(properties.headers.get('content-type')).toBe(CONTENT_TYPE);

    // Completing again after an answer that never arrived commits the same blob again.
    expect((await resumed.listParts(key, uploadId)).map((part) => part.partNumber)).toEqual([1, 2, 3]);
    await resumed.completeMultipart(key, uploadId, listed, { contentType: CONTENT_TYPE });
    expect(await resumed.head(key)).toEqual({ size: whole.length });
  });

  it('aborts by doing nothing: it succeeds, with or without blocks, and nothing becomes readable', async () => {
    const azure = transport(sasUrl('cloud-c'));
    const key = 'tessera/aborted/1.tshare';
    const uploadId = await azure.createMultipart(key, { contentType: CONTENT_TYPE });
    await azure.abortMultipart(key, uploadId);
    await azure.uploadPart(key, uploadId, 1, patternBytes(1000));
    await azure.abortMultipart(key, uploadId);
    await azure.abortMultipart(key, uploadId);
    expect(await azure.head(key)).toBeNull();
    await expectTransferError(azure.getRange(key, 0, 10), 'fatal', 'bucket.not-found', 404);
  });

  it('refuses to commit a block the service does not hold', async () => {
    const azure = transport(sasUrl('cloud-c'));
    const key = 'tessera/missing-block/1.tshare';
    const uploadId = await azure.createMultipart(key, { contentType: CONTENT_TYPE });
    await azure.uploadPart(key, uploadId, 1, patternBytes(10));
    const parts = [
      { partNumber: 1, etag: blockId(uploadId, 1), size: 10 },
      { partNumber: 2, etag: blockId(uploadId, 2), size: 10 },
    ];
    const error = await expectTransferError(azure.completeMultipart(key, uploadId, parts, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.failed', 400);
    expect(error.message).toMatch(/InvalidBlockList/);
  });

  it('makes block ids of one length for every part number, and reads them back', () => {
    const uploadId = '0123456789abcdef';
    const lengths = new Set<number>();
    for (const partNumber of [1, 2, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 49_999, 50_000]) {
      const id = blockId(uploadId, partNumber);
      lengths.add(id.length);
      expect(parseBlockId(id)).toEqual({ uploadId, partNumber });
    }
    expect([...lengths]).toEqual([40]);
    expect(parseBlockId(btoa('someone-else-0001'))).toBeUndefined();
    expect(parseBlockId('not base64!')).toBeUndefined();
  });
});

describe('Azure transport on Azurite: refusals', () => {
  const body = patternBytes(1000);

  it('an expired SAS: re-sign (bucket.expired) for every operation', async () => {
    const azure = transport(sasUrl('cloud-a', { startsAt: new Date(Date.now() - 2 * HOUR), expiresAt: new Date(Date.now() - HOUR) }));
    await expectTransferError(azure.putObject('k', body, { contentType: CONTENT_TYPE }), 'resign', 'bucket.expired', 403);
    await expectTransferError(azure.uploadPart('k', '0123456789abcdef', 1, body), 'resign', 'bucket.expired', 403);
    await expectTransferError(azure.listParts('k', '0123456789abcdef'), 'resign', 'bucket.expired', 403);
    await expectTransferError(azure.getRange('k', 0, 1), 'resign', 'bucket.expired', 403);
    await expectTransferError(azure.head('k'), 'resign', 'bucket.expired', 403);
    await expectTransferError(azure.deleteObject('k'), 'resign', 'bucket.expired', 403);
    const noStart = transport(sasUrl('cloud-a', { expiresAt: new Date(Date.now() - 60_000) }));
    const error = await expectTransferError(noStart.putObject('k', body, { contentType: CONTENT_TYPE }), 'resign', 'bucket.expired', 403);
    expect(error.message).toMatch(/the SAS expired at \d{4}-/);
  });

  it('a SAS not valid yet: bucket.auth, saying from when', async () => {
    const startsAt = new Date(Date.now() + HOUR);
    const azure = transport(sasUrl('cloud-a', { startsAt, expiresAt: new Date(Date.now() + 2 * HOUR) }));
    const error = await expectTransferError(azure.putObject('k', body, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.auth', 403);
    expect(error.message).toContain(`not valid before ${startsAt.toISOString().replace(/\.\d{3}Z$/, '.000Z')}`);
    await expectTransferError(azure.head('k'), 'fatal', 'bucket.auth', 403);
  });

  it('a tampered signature, another container\'s SAS, an edited permission: bucket.auth', async () => {
    const good = sasUrl('cloud-a');
    const signature = new URL(good).searchParams.get('sig')!;
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const tampered = good.replace(`sig=${encodeURIComponent(signature)}`, `sig=${encodeURIComponent(flipped)}`);
    expect(tampered).not.toBe(good);
    signatures.add(flipped);
    const readOnly = sasUrl('cloud-a', { permissions: 'r' });
    const widened = readOnly.replace('sp=r&', 'sp=rcwdl&');
    expect(widened).not.toBe(readOnly);
    const otherContainers = sasUrl('cloud-a', { signedFor: 'cloud-b' });
    for (const url of [tampered, widened, otherContainers]) {
      const azure = transport(url);
      await expectTransferError(azure.putObject('k', body, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.auth', 403);
      await expectTransferError(azure.getRange('k', 0, 1), 'fatal', 'bucket.auth', 403);
      await expectTransferError(azure.head('k'), 'fatal', 'bucket.auth', 403);
    }
  });

  it('a read-only SAS cannot write or delete, a write-only one cannot read: bucket.permission', async () => {
    const writer = transport(sasUrl('cloud-a'));
    await writer.putObject('readable.tshare', body, { contentType: CONTENT_TYPE });

    const reader = transport(sasUrl('cloud-a', { permissions: 'r' }));
    expect(await reader.head('readable.tshare')).toEqual({ size: body.length });
    expect(sameBytes(await reader.getRange('readable.tshare', 0, body.length), body)).toBe(true);
    const error = await expectTransferError(reader.putObject('k', body, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.permission', 403);
    expect(error.message).toContain('it grants "r", this needs c or w');
    await expectTransferError(reader.uploadPart('k', '0123456789abcdef', 1, body), 'fatal', 'bucket.permission', 403);
    await expectTransferError(
      reader.completeMultipart('k', '0123456789abcdef', [{ partNumber: 1, etag: blockId('0123456789abcdef', 1), size: 1000 }], { contentType: CONTENT_TYPE }),
      'fatal',
      'bucket.permission',
      403,
    );
    await expectTransferError(reader.deleteObject('readable.tshare'), 'fatal', 'bucket.permission', 403);

    const blindWriter = transport(sasUrl('cloud-a', { permissions: 'cw' }));
    await blindWriter.putObject('blind.tshare', body, { contentType: CONTENT_TYPE });
    await expectTransferError(blindWriter.getRange('blind.tshare', 0, 1), 'fatal', 'bucket.permission', 403);
    await expectTransferError(blindWriter.listParts('blind.tshare', '0123456789abcdef'), 'fatal', 'bucket.permission', 403);
    await expectTransferError(blindWriter.head('blind.tshare'), 'fatal', 'bucket.permission', 403);
  });

  it('a container that does not exist: bucket.no-such-bucket, also for head, delete and listParts', async () => {
    const azure = transport(sasUrl('no-such-container'));
    await expectTransferError(azure.putObject('k', body, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.no-such-bucket', 404);
    await expectTransferError(azure.uploadPart('k', '0123456789abcdef', 1, body), 'fatal', 'bucket.no-such-bucket', 404);
    await expectTransferError(azure.listParts('k', '0123456789abcdef'), 'fatal', 'bucket.no-such-bucket', 404);
    await expectTransferError(azure.getRange('k', 0, 1), 'fatal', 'bucket.no-such-bucket', 404);
    await expectTransferError(azure.head('k'), 'fatal', 'bucket.no-such-bucket', 404);
    await expectTransferError(azure.deleteObject('k'), 'fatal', 'bucket.no-such-bucket', 404);
  });

  it('a missing object: head null, delete done, read bucket.not-found', async () => {
    const azure = transport(sasUrl('cloud-b'));
    expect(await azure.head('never-written')).toBeNull();
    await azure.deleteObject('never-written');
    await expectTransferError(azure.getRange('never-written', 0, 1), 'fatal', 'bucket.not-found', 404);
    expect(await azure.listParts('never-written', '0123456789abcdef')).toEqual([]);
  });

  it('bytes changed on the way (Azurite computes the MD5 and disagrees): bucket.integrity, nothing stored', async () => {
    const url = front.viaFront(sasUrl('cloud-b'));
    const azure = transport(url);
    front.mode = { kind: 'corrupt-body' };
    try {
      const error = await expectTransferError(azure.putObject('corrupted.tshare', body, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.integrity', 400);
      expect(error.message).toContain('Md5Mismatch');
      await expectTransferError(azure.uploadPart('corrupted.tshare', '0123456789abcdef', 1, body), 'fatal', 'bucket.integrity', 400);
      // Azurite does not check Content-MD5 on Put Block List (Azure does); the damaged XML is refused anyway.
      const list = await expectTransferError(
        azure.completeMultipart('corrupted.tshare', '0123456789abcdef', [{ partNumber: 1, etag: blockId('0123456789abcdef', 1), size: 1000 }], {
          contentType: CONTENT_TYPE,
        }),
        'fatal',
        'bucket.failed',
        400,
      );
      expect(list.message).toContain('HTTP 400');
    } finally {
      front.mode = { kind: 'pass' };
    }
    expect(await azure.head('corrupted.tshare')).toBeNull();
    expect(await azure.listParts('corrupted.tshare', '0123456789abcdef')).toEqual([]);
  });

  it('503 ServerBusy, 500 OperationTimedOut / InternalError, 429: retry (bucket.unavailable), with Retry-After', async () => {
    const azure = transport(front.viaFront(sasUrl('cloud-b')));
    try {
      front.mode = { kind: 'answer', status: 503, code: 'ServerBusy', headers: { 'retry-after': '7' } };
      const busy = await expectTransferError(azure.putObject('k', body, { contentType: CONTENT_TYPE }), 'retry', 'bucket.unavailable', 503);
      expect((busy as TransferError & { retryAfterMs?: number }).retryAfterMs).toBe(7000);
      await expectTransferError(azure.head('k'), 'retry', 'bucket.unavailable', 503);
      front.mode = { kind: 'answer', status: 500, code: 'OperationTimedOut' };
      await expectTransferError(azure.uploadPart('k', '0123456789abcdef', 1, body), 'retry', 'bucket.unavailable', 500);
      front.mode = { kind: 'answer', status: 500, code: 'InternalError' };
      await expectTransferError(azure.getRange('k', 0, 1), 'retry', 'bucket.unavailable', 500);
      front.mode = { kind: 'answer', status: 429, code: 'TooManyRequests' };
      await expectTransferError(azure.deleteObject('k'), 'retry', 'bucket.unavailable', 429);
      front.mode = { kind: 'answer', status: 400, code: 'InvalidHeaderValue' };
      await expectTransferError(azure.putObject('k', body, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.failed', 400);
    } finally {
      front.mode = { kind: 'pass' };
    }
  });

  it("Azure's own reasons for refusing a SAS (AuthenticationErrorDetail, which Azurite does not send) are read", async () => {
    // Shaped like Azure's answers: "Signed expiry time […] must be after signed start time […]" for
    // an expired SAS without st, "Signature not valid in the specified time frame" with st.
    const serviceNow = Date.parse('Thu, 25 Jun 2026 01:31:57 GMT');
    const url = front.viaFront(sasUrl('cloud-b'));
    const at = (now: number): AzureBlobTransport => new AzureBlobTransport({ bucketId: 'azure-test', containerSasUrl: url, now: () => now });
    const refuse = (authenticationDetail: string): void => {
      front.mode = { kind: 'answer', status: 403, code: 'AuthenticationFailed', authenticationDetail };
    };
    try {
      refuse('Signed expiry time [Thu, 25 Jun 2026 00:31:00 GMT] must be after signed start time [Thu, 25 Jun 2026 01:31:57 GMT]');
      const expired = await expectTransferError(at(serviceNow).putObject('k', body, { contentType: CONTENT_TYPE }), 'resign', 'bucket.expired', 403);
      expect(expired.message).toContain('expired at 2026-06-25T00:31:00.000Z');
      const skewed = await expectTransferError(at(serviceNow - 2 * HOUR).getRange('k', 0, 1), 'resign', 'bucket.expired', 403);
      expect(skewed.message).toContain("the service's clock says 2026-06-25T01:31:57.000Z");

      refuse('Signature not valid in the specified time frame: Start [Thu, 25 Jun 2026 01:00:00 GMT] - Expiry [Thu, 25 Jun 2026 01:30:00 GMT] - Current [Thu, 25 Jun 2026 01:31:57 GMT]');
      await expectTransferError(at(serviceNow).getRange('k', 0, 1), 'resign', 'bucket.expired', 403);

      refuse('Signature not valid in the specified time frame: Start [Thu, 25 Jun 2026 02:00:00 GMT] - Expiry [Thu, 25 Jun 2026 03:00:00 GMT] - Current [Thu, 25 Jun 2026 01:31:57 GMT]');
      await expectTransferError(at(serviceNow).putObject('k', body, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.auth', 403);
      const clock = await expectTransferError(at(serviceNow + HOUR).putObject('k', body, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.clock-skew', 403);
      expect(clock.message).toContain("set this device's clock right");

      refuse('Signature did not match. String to sign used was rcwdl\n\n2026-06-25T03:00:00Z\n/blob/devstoreaccount1/cloud-b\n\n\n\n2021-08-06\nc\n\n\n\n\n\n\n');
      await expectTransferError(at(serviceNow).putObject('k', body, { contentType: CONTENT_TYPE }), 'fatal', 'bucket.auth', 403);
    } finally {
      front.mode = { kind: 'pass' };
    }
  });

  it('no answer at all (connection reset, nothing listening): retry, status 0', async () => {
    const azure = transport(front.viaFront(sasUrl('cloud-b')));
    front.mode = { kind: 'reset' };
    try {
      await expectTransferError(azure.putObject('k', body, { contentType: CONTENT_TYPE }), 'retry', 'bucket.unavailable', 0);
      await expectTransferError(azure.getRange('k', 0, 1), 'retry', 'bucket.unavailable', 0);
    } finally {
      front.mode = { kind: 'pass' };
    }
    const port = await closedPort();
    const nowhere = transport(sasUrl('cloud-b').replace(new URL(azurite.endpoint).host, `127.0.0.1:${port}`));
    await expectTransferError(nowhere.head('k'), 'retry', 'bucket.unavailable', 0);
  });

  it('cancelling is an AbortError, not a TransferError', async () => {
    const azure = transport(sasUrl('cloud-b'));
    const controller = new AbortController();
    controller.abort();
    for (const call of [
      () => azure.putObject('k', body, { contentType: CONTENT_TYPE, signal: controller.signal }),
      () => azure.getRange('k', 0, 1, { signal: controller.signal }),
      () => azure.createMultipart('k', { contentType: CONTENT_TYPE, signal: controller.signal }),
    ]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAbort(error)).toBe(true);
      expect(error).not.toBeInstanceOf(TransferError);
    }
  });

  it('never shows a SAS signature in an error message', () => {
    expect(seenErrors.length).toBeGreaterThan(40);
    for (const error of seenErrors) {
      expect(error.message).not.toMatch(/sig=(?!REDACTED)/i);
      for (const signature of signatures) {
        expect(error.message).not.toContain(signature);
        expect(error.message).not.toContain(encodeURIComponent(signature));
      }
    }
  });
});

describe('Azure transport: arguments', () => {
  const url = 'https://example.blob.core.windows.net/shares?sv=2022-11-02&sr=c&sp=rcwdl&se=2030-01-01T00:00:00Z&sig=c2VjcmV0';

  it('reads a container SAS URL and refuses what is not one, never echoing the signature', () => {
    expect(parseContainerSasUrl(url)).toEqual({
      containerUrl: 'https://example.blob.core.windows.net/shares',
      query: 'sv=2022-11-02&sr=c&sp=rcwdl&se=2030-01-01T00:00:00Z&sig=c2VjcmV0',
      scope: 'container',
      permissions: 'rcwdl',
      policy: undefined,
      startsAt: undefined,
      expiresAt: Date.UTC(2030, 0, 1),
    });
    expect(parseContainerSasUrl('https://example.blob.core.windows.net/shares/?sv=2022-11-02&ss=b&srt=sco&sp=rwdlc&se=2030-01-01&sig=x').scope).toBe('account');
    expect(parseContainerSasUrl('https://example.blob.core.windows.net/shares?sv=2022-11-02&sr=c&si=tessera&sig=x').policy).toBe('tessera');
    const bad: [unknown, ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor][] = [
      [42, TypeError],
      ['not a url', RangeError],
      ['ftp://example.org/c?sv=1&sr=c&sig=x', RangeError],
      ['http://example.blob.core.windows.net/shares?sv=2022-11-02&sr=c&sig=c2VjcmV0', RangeError],
      ['https://example.blob.core.windows.net/shares?sv=2022-11-02&sr=c', RangeError],
      ['https://example.blob.core.windows.net/shares/blob?sv=2022-11-02&sr=b&sig=c2VjcmV0', RangeError],
      ['https://example.blob.core.windows.net/shares?sv=2022-11-02&ss=q&srt=o&sig=c2VjcmV0', RangeError],
      ['https://example.blob.core.windows.net/?sv=2022-11-02&sr=c&sig=c2VjcmV0', RangeError],
      ['https://example.blob.core.windows.net/shares?sv=2022-11-02&sr=c&se=soon&sig=c2VjcmV0', RangeError],
    ];
    for (const [input, type] of bad) {
      expect(() => parseContainerSasUrl(input as string)).toThrow(type);
      try {
        parseContainerSasUrl(input as string);
      } catch (error) {
        expect((error as Error).message).not.toContain('c2VjcmV0');
      }
    }
    expect(parseContainerSasUrl('http://127.0.0.1:10000/devstoreaccount1/c?sv=1&sr=c&sig=x').containerUrl).toBe('http://127.0.0.1:10000/devstoreaccount1/c');
  });

  it('redacts signatures, percent-encoded or not', () => {
    expect(redactSas(`GET ${url} failed`)).toBe(url.replace('sig=c2VjcmV0', 'sig=REDACTED').replace(/^/, 'GET ') + ' failed');
    expect(redactSas('x?a=1&sig=ab%2Bcd%3D&b=2')).toBe('x?a=1&sig=REDACTED&b=2');
    expect(redactSas('sig%3Dab%2Bcd')).toBe('sig%3DREDACTED');
  });

  it('validates keys, part numbers, upload ids, bodies and content types', async () => {
    const azure = new AzureBlobTransport({ bucketId: 'b', containerSasUrl: url });
    const contentType = { contentType: CONTENT_TYPE };
    const rejects = async (promise: Promise<unknown>, type: TypeErrorConstructor | RangeErrorConstructor): Promise<void> => {
      await expect(promise).rejects.toThrow(type);
    };
    await rejects(azure.head(42 as unknown as string), TypeError);
    for (const key of ['', '/lead', 'trail/', 'a//b', 'a/../b', './a', 'x'.repeat(1025), 'tab\there', 'back\\slash']) {
      await rejects(azure.head(key), RangeError);
    }
    await rejects(azure.putObject('k', 'text' as unknown as Uint8Array, contentType), TypeError);
    await rejects(azure.putObject('k', new Uint8Array(1), { contentType: '' }), RangeError);
    await rejects(azure.putObject('k', new Uint8Array(1), { contentType: 'a\r\nx-injected: 1' }), RangeError);
    await rejects(azure.uploadPart('k', 'ABCDEF0123456789', 1, new Uint8Array(1)), RangeError);
    await rejects(azure.uploadPart('k', '0123456789abcdef', 0, new Uint8Array(1)), RangeError);
    await rejects(azure.uploadPart('k', '0123456789abcdef', 50_001, new Uint8Array(1)), RangeError);
    await rejects(azure.uploadPart('k', '0123456789abcdef', 1.5, new Uint8Array(1)), TypeError);
    await rejects(azure.uploadPart('k', '0123456789abcdef', 1, new Uint8Array(0)), RangeError);
    await rejects(azure.getRange('k', -1, 1), RangeError);
    await rejects(azure.getRange('k', 0, Number.NaN), TypeError);
    const uploadId = '0123456789abcdef';
    await rejects(azure.completeMultipart('k', uploadId, [], contentType), RangeError);
    await rejects(azure.completeMultipart('k', uploadId, [{ partNumber: 1, etag: 'other', size: 1 }], contentType), RangeError);
    const one = { partNumber: 1, etag: blockId(uploadId, 1), size: 1 };
    const two = { partNumber: 2, etag: blockId(uploadId, 2), size: 1 };
    await rejects(azure.completeMultipart('k', uploadId, [two, one], contentType), RangeError);
    await rejects(azure.completeMultipart('k', uploadId, [one, one], contentType), RangeError);
    expect(() => new AzureBlobTransport({ bucketId: '', containerSasUrl: url })).toThrow(TypeError);
  });

  it('gives the CORS rule for an origin, and refuses what is not an origin', () => {
    expect(azureCorsRule('https://tessera.example.org')).toEqual({
      allowedOrigins: ['https://tessera.example.org'],
      allowedMethods: ['GET', 'HEAD', 'PUT', 'DELETE'],
      allowedHeaders: ['content-md5', 'x-ms-blob-content-type', 'x-ms-blob-type', 'x-ms-range', 'x-ms-version'],
      exposedHeaders: ['content-range', 'etag', 'x-ms-error-code', 'x-ms-request-id'],
      maxAgeInSeconds: 3600,
    });
    expect(() => azureCorsRule('https://tessera.example.org/')).toThrow(RangeError);
    expect(() => azureCorsRule('*')).toThrow(RangeError);
  });
});
