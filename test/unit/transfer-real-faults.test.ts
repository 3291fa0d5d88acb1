/**
 * Faults against the real servers: the fault proxy (test/servers/fault-proxy.ts) on 127.0.0.1 in
 * front of Ceph RGW (S3Transport) and of Azurite (AzureBlobTransport), with the real uploader
 * (`uploadSource`, `resumeUpload`, and `ObjectUploader` through `RemoteBucket`) and the real
 * downloader. Each case runs on both servers at once. After every case the object is read straight
 * from the server (not through the proxy) and compared byte for byte, and the server is asked what
 * unfinished uploads it still holds: S3's ListMultipartUploads, Azure's uncommitted blocks.
 *
 * Made to run quickly: RGW takes parts of 64 KiB (`rgw multipart min part size`, S3's minimum is
 * 5 MiB), the fetcher backs off for tens of milliseconds rather than seconds and calls an attempt
 * stalled after 1.5 s without progress. The policy itself (full jitter, caps, give-up times) is
 * tested with a hand-driven clock in transfer-fetcher.test.ts; here the clock is real, so that a
 * Retry-After is really waited for. Expired URLs and wrong clocks are tested against the same
 * servers in s3-rgw.test.ts and azure-azurite.test.ts, wrong CORS in the browser tests.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/core/io.js';
import { AzureBlobTransport } from '../../src/storage/azure/index.js';
import { parseBlockId } from '../../src/storage/azure/block-ids.js';
import { RemoteBucket, transferCodeOf } from '../../src/storage/remote-bucket.js';
import { S3Transport } from '../../src/storage/s3/index.js';
import { openRemoteObject } from '../../src/storage/transfer/downloader.js';
import type { ExtendedTransport } from '../../src/storage/transfer/extensions.js';
import { Fetcher, type RetryEvent } from '../../src/storage/transfer/fetcher.js';
import { MemoryJournalStore, UploadJournal, parseJournalEntry, type UploadJournalEntry } from '../../src/storage/transfer/journal.js';
import { TransferSlots } from '../../src/storage/transfer/slots.js';
import { TransferError } from '../../src/storage/transfer/transport.js';
import { resumeUpload, sweepJournal, uploadSource, type SourceUpload, type UploadStatus } from '../../src/storage/transfer/uploader.js';
import { sameBytes } from '../helpers/bytes.js';
import { deterministicRandom, xorshift32 } from '../helpers/deterministic-random.js';
import { startAzurite, type Azurite } from '../servers/azurite.js';
import { startCephRgw, type CephRgw } from '../servers/ceph-rgw.js';
import { FaultProxy, type Fault, type RecordedRequest } from '../servers/fault-proxy.js';

const KiB = 1024;
/** Part size of every multipart upload here (RGW is told to accept it). */
const PART = 64 * KiB;
const STALL_MS = 1500;
const BUCKET = 'faults';
const SEED = 0x5eed_fa17;

/** A journal store that lets a test act the moment the uploader records a part. */
class WatchedJournalStore extends MemoryJournalStore {
  onPut: ((value: unknown) => void) | undefined;

  override put(id: string, value: unknown): Promise<void> {
    this.onPut?.(value);
    return super.put(id, value);
  }
}

/** One server behind its proxy, and what the cases need to drive and inspect it. */
interface Server {
  readonly name: 'Ceph RGW' | 'Azurite';
  readonly proxy: FaultProxy;
  /** Through the proxy: what the uploader and downloader use. */
  readonly transport: ExtendedTransport;
  /** Straight to the server: what it really holds. */
  readonly direct: ExtendedTransport;
  readonly fetcher: Fetcher;
  /** Every retry `fetcher` made since the case began. */
  readonly retries: RetryEvent[];
  readonly journalStore: WatchedJournalStore;
  readonly journal: UploadJournal;
  readonly bucket: RemoteBucket;
  /** The server's own answer when it is busy: S3's 503 SlowDown, Azure's 503 ServerBusy. */
  readonly busy: Fault;
  /** The request that sends part `partNumber` (any part when undefined). */
  part(partNumber?: number): { readonly method: string; readonly path: RegExp };
  partNumberOf(path: string): number | undefined;
  /** The request that completes a multipart upload. */
  readonly complete: { readonly method: string; readonly path: RegExp };
  /** A single PUT of a whole object. */
  readonly singlePut: { readonly method: string; readonly path: RegExp };
  /** A ranged read. */
  readonly read: { readonly method: string; readonly path: RegExp };
  /** Unfinished uploads the server holds for `key`: S3 upload ids, Azure uncommitted block ids. */
  leftovers(key: string): Promise<string[]>;
  /** The server process goes away (its port stops answering) … */
  goAway(): Promise<void>;
  /** … and comes back with what it held. */
  comeBack(): Promise<void>;
}

let rgw: CephRgw;
let azurite: Azurite;
let servers: Server[];
/** Every proxy started, stopped at the end even if the other server failed to start. */
const proxies: FaultProxy[] = [];
const slots = new TransferSlots({ perBucket: 4, overall: 8 });
let keyCount = 0;

/** A fresh key in the form the app uses (`tessera/<32 hex>/<x>.tshare`). */
function newKey(): string {
  keyCount++;
  return `tessera/${(SEED + keyCount).toString(16).padStart(32, '0')}/1.tshare`;
}

function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  deterministicRandom(seed)(out);
  return out;
}

function fetcherFor(retries: RetryEvent[], seed: number, maxAttempts = 6): Fetcher {
  const random = xorshift32(seed);
  return new Fetcher({
    maxAttempts,
    baseDelayMs: 20,
    maxDelayMs: 200,
    stallTimeoutMs: STALL_MS,
    random: () => random() / 2 ** 32,
    onRetry: (event) => retries.push(event),
  });
}

function makeServer(fields: Omit<Server, 'fetcher' | 'retries' | 'journalStore' | 'journal' | 'bucket'>, seed: number): Server {
  const retries: RetryEvent[] = [];
  const fetcher = fetcherFor(retries, seed);
  const journalStore = new WatchedJournalStore();
  const journal = new UploadJournal(journalStore);
  const bucket = new RemoteBucket({ label: fields.name, transport: fields.transport, fetcher, slots, journal, partSize: PART });
  return { ...fields, retries, fetcher, journalStore, journal, bucket };
}

async function startRgwServer(): Promise<Server> {
  rgw = await startCephRgw({ buckets: [BUCKET], multipartMinPartSize: PART });
  const proxy = new FaultProxy();
  proxies.push(proxy);
  // SigV4 signs the Host header: RGW must see the proxy's, which the URL was signed for.
  await proxy.start(rgw.endpoint, { preserveHost: true });
  const config = (endpoint: string) => ({ bucketId: 'rgw-faults', endpoint, region: rgw.region, bucket: BUCKET, addressing: 'path' as const, ...rgw.users.owner });
  const limits = { limits: { minPartSize: PART } };
  return makeServer(
    {
      name: 'Ceph RGW',
      proxy,
      transport: new S3Transport(config(proxy.url), limits),
      direct: new S3Transport(config(rgw.endpoint), limits),
      busy: { kind: 'slow-down' },
      part: (partNumber) => ({ method: 'PUT', path: new RegExp(`[?&]partNumber=${partNumber ?? '\\d+'}&`) }),
      partNumberOf: (path) => {
        const match = /[?&]partNumber=(\d+)/.exec(path);
        return match ? Number(match[1]) : undefined;
      },
      complete: { method: 'POST', path: /[?&]uploadId=/ },
      singlePut: { method: 'PUT', path: /^\/faults\/tessera\/[^?]*\?(?!.*uploadId=)/ },
      read: { method: 'GET', path: /^\/faults\/tessera\/[^?]*\?(?!.*uploadId=)/ },
      leftovers: async (key) => {
        const response = await rgw.ownerFetch(`/${BUCKET}?uploads`);
        const text = await response.text();
        if (response.status !== 200) throw new Error(`ListMultipartUploads: HTTP ${response.status} ${text}`);
        return [...text.matchAll(/<Upload>(.*?)<\/Upload>/g)]
          .filter((match) => /<Key>([^<]*)<\/Key>/.exec(match[1]!)?.[1] === key)
          .map((match) => /<UploadId>([^<]*)<\/UploadId>/.exec(match[1]!)![1]!);
      },
      goAway: () => rgw.killGateway(),
      comeBack: () => rgw.startGateway(),
    },
    SEED,
  );
}

async function startAzuriteServer(): Promise<Server> {
  azurite = await startAzurite({ containers: [BUCKET], onDisk: true });
  const proxy = new FaultProxy();
  proxies.push(proxy);
  await proxy.start(azurite.endpoint);
  const sasUrl = azurite.sasUrl(BUCKET, { expiresAt: new Date(Date.now() + 2 * 3600_000) });
  const viaProxy = `${proxy.url}${new URL(sasUrl).pathname}${new URL(sasUrl).search}`;
  const serverBusy = '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>';
  return makeServer(
    {
      name: 'Azurite',
      proxy,
      transport: new AzureBlobTransport({ bucketId: 'azurite-faults', containerSasUrl: viaProxy }),
      direct: new AzureBlobTransport({ bucketId: 'azurite-faults', containerSasUrl: sasUrl }),
      busy: { kind: 'status', status: 503, headers: { 'content-type': 'application/xml', 'x-ms-error-code': 'ServerBusy' }, body: serverBusy },
      // A block id is base64 of `tessera-<16 hex>-<5 digits>`: its last four characters encode the
      // last three digits (block-ids.ts).
      part: (partNumber) => ({
        method: 'PUT',
        path: partNumber === undefined ? /[?&]comp=block&/ : new RegExp(`[?&]comp=block&blockid=[^&]*${btoa(String(partNumber).padStart(5, '0').slice(2))}&`),
      }),
      partNumberOf: (path) => {
        const match = /[?&]blockid=([^&]+)/.exec(path);
        return match ? parseBlockId(decodeURIComponent(match[1]!))?.partNumber : undefined;
      },
      complete: { method: 'PUT', path: /[?&]comp=blocklist&/ },
      singlePut: { method: 'PUT', path: /^\/devstoreaccount1\/faults\/tessera\/[^?]*\?(?!comp=)/ },
      read: { method: 'GET', path: /^\/devstoreaccount1\/faults\/tessera\/[^?]*\?(?!comp=)/ },
      leftovers: async (key) => {
        const response = await azurite.adminFetch(`/${BUCKET}/${key}?comp=blocklist&blocklisttype=uncommitted`);
        const text = await response.text();
        if (response.status === 404 && response.headers.get('x-ms-error-code') === 'BlobNotFound') return [];
        if (response.status !== 200) throw new Error(`Get Block List: HTTP ${response.status} ${text}`);
        return [...text.matchAll(/<Name>([^<]*)<\/Name>/g)].map((match) => match[1]!);
      },
      goAway: () => azurite.halt(),
      comeBack: () => azurite.restart(),
    },
    SEED + 1,
  );
}

beforeAll(async () => {
  servers = await Promise.all([startRgwServer(), startAzuriteServer()]);
  console.log(`Ceph RGW up in ${rgw.startMs} ms`);
}, 120_000);

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  await Promise.all([rgw?.stop(), azurite?.stop()]);
}, 30_000);

beforeEach(() => {
  for (const server of servers) {
    server.proxy.clear();
    server.proxy.requests.length = 0;
    server.retries.length = 0;
    server.journalStore.onPut = undefined;
  }
});

/** Runs a case on both servers at once; a failure names the server. */
async function onBoth(run: (server: Server) => Promise<void>): Promise<void> {
  const outcomes = await Promise.allSettled(servers.map(run));
  const failures = outcomes.flatMap((outcome, index) => (outcome.status === 'rejected' ? [`${servers[index]!.name}: ${String((outcome.reason as Error)?.stack ?? outcome.reason)}`] : []));
  if (failures.length > 0) throw new Error(failures.join('\n\n'));
}

function upload(server: Server, key: string, data: Uint8Array, concurrency = 3): SourceUpload {
  return uploadSource(bytesSource(data), { transport: server.transport, key, fetcher: server.fetcher, slots, journal: server.journal, partSize: PART, concurrency });
}

/** The object as the server holds it, read straight from it: exactly `data`. */
async function expectStored(server: Server, key: string, data: Uint8Array): Promise<void> {
  expect(await server.direct.head(key), `${server.name}: size of ${key}`).toEqual({ size: data.length });
  const back = data.length === 0 ? new Uint8Array(0) : await server.direct.getRange(key, 0, data.length);
  expect(sameBytes(back, data), `${server.name}: the bytes of ${key}`).toBe(true);
}

/** Exactly one object under the key's record, no unfinished upload, no journal entry. */
async function expectNothingLeft(server: Server, key: string): Promise<void> {
  expect(await server.leftovers(key), `${server.name}: unfinished uploads of ${key}`).toEqual([]);
  const record = key.slice(0, key.lastIndexOf('/') + 1);
  expect((await server.direct.listObjects!(record)).map((object) => object.key), `${server.name}: objects under ${record}`).toEqual([key]);
  expect(await server.journal.get(server.transport.bucketId, key), `${server.name}: journal entry of ${key}`).toBeUndefined();
}

function isPart(server: Server, request: RecordedRequest): boolean {
  const part = server.part();
  return request.method === part.method && part.path.test(request.path);
}

function retryCodes(server: Server): string[] {
  return server.retries.map((event) => event.error.code);
}

describe('faults against Ceph RGW and Azurite, through the fault proxy', () => {
  it('500 and busy bursts (503 SlowDown, ServerBusy) on create, parts and completion are retried; the object is exact and no upload is left', { timeout: 30_000 }, async () => {
    await onBoth(async (server) => {
      const key = newKey();
      const data = bytes(5 * PART + 777, 1);
      const { proxy } = server;
      const error: Fault = { kind: 'status', status: 500 };
      const bursts = [
        // Azure has no create request: an upload id is only the prefix of its block ids.
        ...(server.name === 'Ceph RGW' ? [{ method: 'POST', path: /[?&]uploads=/, fault: error, times: 2 }] : []),
        { ...server.part(), fault: server.busy, times: 3 },
        { ...server.part(4), fault: error, times: 2 },
        { ...server.complete, fault: error, times: 1 },
        { ...server.complete, fault: server.busy, times: 1 },
      ];
      const rules = bursts.map((burst) => proxy.inject(burst));
      const sending = upload(server, key, data);
      await sending.finished;
      expect(sending.status.state).toBe('done');
      expect(rules.map((rule) => rule.hits), 'faults injected').toEqual(bursts.map((burst) => burst.times));
      // Each one retried, and nothing else.
      expect(retryCodes(server)).toEqual(bursts.flatMap((burst) => Array<string>(burst.times).fill('bucket.unavailable')));
      await expectStored(server, key, data);
      await expectNothingLeft(server, key);

      // A small object goes in one PUT, through RemoteBucket's streaming writer: its bursts too.
      const small = newKey();
      const smallData = bytes(PART - 1, 2);
      const single = proxy.inject({ ...server.singlePut, fault: server.busy, times: 2 });
      const singleError = proxy.inject({ ...server.singlePut, fault: error, times: 1 });
      const writer = await server.bucket.openWriter(small, { expectedSize: smallData.length });
      await writer.write(smallData.subarray(0, 1000));
      await writer.write(smallData.subarray(1000));
      await writer.close();
      expect([single.hits, singleError.hits]).toEqual([2, 1]);
      await expectStored(server, small, smallData);
      await expectNothingLeft(server, small);
    });
  });

  it('429 with Retry-After: the retry waits at least that long', { timeout: 30_000 }, async () => {
    await onBoth(async (server) => {
      const key = newKey();
      const data = bytes(3 * PART, 3);
      const tooMany = server.proxy.inject({ ...server.part(2), fault: { kind: 'too-many', retryAfterSeconds: 1 } });
      const sending = upload(server, key, data, 1);
      await sending.finished;
      expect(tooMany.hits).toBe(1);
      const refused = server.proxy.requests.find((request) => request.fault === 'too-many')!;
      const part = server.partNumberOf(refused.path);
      const again = server.proxy.requests.find((request) => request.at > refused.at && isPart(server, request) && server.partNumberOf(request.path) === part)!;
      expect(again.status, 'the retried part was taken').toBeLessThan(300);
      expect(again.at - refused.at, 'ms between the 429 and the retry').toBeGreaterThanOrEqual(1000);
      expect(server.retries.map((event) => [event.error.code, event.error.status, event.delayMs >= 1000])).toEqual([['bucket.unavailable', 429, true]]);
      await expectStored(server, key, data);
      await expectNothingLeft(server, key);
    });
  });

  it('a stalled answer (headers then nothing, or nothing at all) is aborted by the stall watchdog and retried; upload and download exact', { timeout: 30_000 }, async () => {
    await onBoth(async (server) => {
      const key = newKey();
      const data = bytes(4 * PART + 5, 4);
      const { proxy } = server;
      // The server stores the part, then completes the upload; neither answer comes. (Stalled after
      // their headers, Azure's answers here would still be whole: they have no body.)
      const part = proxy.inject({ ...server.part(2), fault: { kind: 'stall', when: 'before-headers' } });
      const completion = proxy.inject({ ...server.complete, fault: { kind: 'stall', when: 'before-headers' } });
      const started = performance.now();
      const sending = upload(server, key, data);
      await sending.finished;
      expect([part.hits, completion.hits]).toEqual([1, 1]);
      expect(retryCodes(server)).toEqual(['bucket.stalled', 'bucket.stalled']);
      expect(performance.now() - started).toBeGreaterThanOrEqual(2 * STALL_MS);
      await expectStored(server, key, data);
      await expectNothingLeft(server, key);

      server.retries.length = 0;
      const readStalls = [
        proxy.inject({ ...server.read, fault: { kind: 'stall', when: 'after-headers' } }),
        proxy.inject({ ...server.read, skip: 1, fault: { kind: 'stall', when: 'before-headers' } }),
      ];
      const source = await openRemoteObject(server.transport, key, { fetcher: server.fetcher, slots, rangeSize: 100 * KiB, readAhead: 1 });
      const back = await source.read(0, source.size);
      await source.close?.();
      expect(readStalls.map((rule) => rule.hits)).toEqual([1, 1]);
      expect(retryCodes(server)).toEqual(['bucket.stalled', 'bucket.stalled']);
      expect(sameBytes(back, data)).toBe(true);
    });
  });

  it('connections reset before the request reaches the server are retried; the object is exact, no upload left', { timeout: 30_000 }, async () => {
    await onBoth(async (server) => {
      const key = newKey();
      const data = bytes(4 * PART + 9, 5);
      const { proxy } = server;
      const reset: Fault = { kind: 'reset', when: 'before-request' };
      const resets = [
        ...(server.name === 'Ceph RGW' ? [{ method: 'POST', path: /[?&]uploads=/, fault: reset, times: 1 }] : []),
        { ...server.part(), fault: reset, times: 3 },
        { ...server.complete, fault: reset, times: 1 },
      ];
      const rules = resets.map((rule) => proxy.inject(rule));
      const sending = upload(server, key, data);
      await sending.finished;
      expect(rules.map((rule) => rule.hits), 'faults injected').toEqual(resets.map((rule) => rule.times));
      expect(retryCodes(server)).toEqual(resets.flatMap((rule) => Array<string>(rule.times).fill('bucket.unavailable')));
      await expectStored(server, key, data);
      await expectNothingLeft(server, key);
    });
  });

  it('connections reset after the server did the work (the answer to create, a part, the completion or a PUT lost): exact object, no duplicate, no upload left', { timeout: 30_000 }, async () => {
    await onBoth(async (server) => {
      const key = newKey();
      const data = bytes(3 * PART + 11, 6);
      const { proxy } = server;
      const lost: Fault = { kind: 'reset', when: 'before-headers' };
      const rules = [
        // S3: the first create succeeds on the server, its answer is lost; the retry creates a second upload.
        ...(server.name === 'Ceph RGW' ? [proxy.inject({ method: 'POST', path: /[?&]uploads=/, fault: lost })] : []),
        proxy.inject({ ...server.part(3), fault: lost }),
        proxy.inject({ ...server.complete, fault: lost }),
      ];
      const sending = upload(server, key, data);
      await sending.finished;
      expect(rules.map((rule) => rule.hits), 'faults injected').toEqual(rules.map(() => 1));
      await expectStored(server, key, data);
      await expectNothingLeft(server, key);
      if (server.name === 'Azurite') {
        // Committed once, each block once: the second Put Block List committed the same blocks.
        const list = await (await azurite.adminFetch(`/${BUCKET}/${key}?comp=blocklist&blocklisttype=committed`)).text();
        expect([...list.matchAll(/<Name>([^<]*)<\/Name>/g)].map((match) => parseBlockId(match[1]!)?.partNumber)).toEqual([1, 2, 3, 4]);
      }

      const small = newKey();
      const smallData = bytes(1000, 7);
      const put = proxy.inject({ ...server.singlePut, fault: lost });
      const writer = await server.bucket.openWriter(small, { expectedSize: smallData.length });
      await writer.write(smallData);
      await writer.close();
      expect(put.hits).toBe(1);
      await expectStored(server, small, smallData);
      await expectNothingLeft(server, small);
    });
  });

  it('truncated bodies and resets in the middle of ranged GETs are retried; the download is exact', { timeout: 30_000 }, async () => {
    await onBoth(async (server) => {
      const key = newKey();
      const data = bytes(7 * PART + 123, 8);
      await upload(server, key, data).finished;
      const { proxy } = server;
      const rules = [
        proxy.inject({ ...server.read, fault: { kind: 'truncate', keep: 0.3 } }),
        proxy.inject({ ...server.read, skip: 1, fault: { kind: 'truncate', keep: 0 } }),
        proxy.inject({ ...server.read, skip: 2, fault: { kind: 'truncate', keep: 0.99 } }),
        proxy.inject({ ...server.read, skip: 3, fault: { kind: 'reset', when: 'after-headers' } }),
      ];
      const source = await openRemoteObject(server.transport, key, { fetcher: server.fetcher, slots, rangeSize: 80 * KiB, readAhead: 2 });
      const back = new Uint8Array(source.size);
      for (let offset = 0; offset < source.size; offset += 50 * KiB) back.set(await source.read(offset, 50 * KiB), offset);
      await source.close?.();
      expect(rules.map((rule) => rule.hits)).toEqual([1, 1, 1, 1]);
      expect(retryCodes(server)).toEqual(['bucket.unavailable', 'bucket.unavailable', 'bucket.unavailable', 'bucket.unavailable']);
      expect(sameBytes(back, data)).toBe(true);
    });
  });

  it('a server killed in the middle of a multipart upload: the upload fails as resumable with a retryable code, the journal keeps it; once the server is back, resumeUpload sends only the missing parts', { timeout: 60_000 }, async () => {
    await onBoth(async (server) => {
      const key = newKey();
      const data = bytes(10 * PART + 321, 9);
      const source = bytesSource(data);
      const { proxy } = server;
      let gone: Promise<void> | undefined;
      // The moment the journal holds three parts, the server goes: the proxy drops every
      // connection at once while the process is stopped, then stands in front of a closed port.
      server.journalStore.onPut = (value) => {
        const entry = parseJournalEntry(value);
        if (gone === undefined && entry?.key === key && entry.parts.length >= 3) {
          proxy.inject({ fault: { kind: 'reset', when: 'before-request' }, times: Infinity });
          gone = server.goAway().then(() => proxy.clear());
        }
      };
      let back = false;
      try {
        const first = uploadSource(source, { transport: server.transport, key, fetcher: server.fetcher, slots, journal: server.journal, partSize: PART, concurrency: 2 });
        const failure = await first.finished.then(
          () => undefined,
          (error: unknown) => error,
        );
        server.journalStore.onPut = undefined;
        expect(gone, 'the server was stopped').toBeDefined();
        await gone;
        expect(failure).toBeInstanceOf(TransferError);
        expect({ kind: (failure as TransferError).kind, code: transferCodeOf(failure) }).toEqual({ kind: 'retry', code: 'bucket.unavailable' });
        expect((failure as Error).message).toMatch(/gave up after \d+ attempts/);
        expect(first.status).toMatchObject({ state: 'failed', resumable: true });
        const entry = await server.journal.get(server.transport.bucketId, key);
        expect(entry?.source, 'a resumable journal entry').not.toBeNull();
        expect(entry!.uploadId).not.toBeNull();
        expect(entry!.parts.length).toBeGreaterThanOrEqual(3);

        // Resuming while the server is still away fails the same way, and changes nothing: the entry
        // stays, as it was, for the next try.
        const tooEarly = await resumeUpload(source, entry!, server.transport, { fetcher: server.fetcher, slots, journal: server.journal, concurrency: 2 });
        const early = await tooEarly.finished.then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(transferCodeOf(early), String(early)).toBe('bucket.unavailable');
        expect(tooEarly.status).toMatchObject({ state: 'failed', resumable: true });
        expect(await server.journal.get(server.transport.bucketId, key), 'the journal entry after a resume that could not reach the server').toEqual(entry);

        await server.comeBack();
        back = true;
        // What the server holds now is what resuming must not send again.
        const held = (await server.direct.listParts(key, entry!.uploadId!)).map((part) => part.partNumber);
        expect(held.length).toBeGreaterThanOrEqual(3);
        const resumedAt = server.proxy.requests.length;
        const resumed = await resumeUpload(source, entry!, server.transport, { fetcher: server.fetcher, slots, journal: server.journal, concurrency: 2 });
        await resumed.finished;
        expect(resumed.status.state).toBe('done');
        const sent = server.proxy.requests
          .slice(resumedAt)
          .filter((request) => isPart(server, request))
          .map((request) => server.partNumberOf(request.path)!)
          .sort((a, b) => a - b);
        const all = Array.from({ length: 11 }, (_, index) => index + 1);
        expect(sent, `parts sent after resuming (the server held ${held.join(', ')})`).toEqual(all.filter((number) => !held.includes(number)));
        await expectStored(server, key, data);
        await expectNothingLeft(server, key);
      } finally {
        // Whatever failed, the next cases need the server.
        if (gone !== undefined && !back) await gone.catch(() => undefined).then(() => server.comeBack());
      }
    });
  });

  it('a resume cancelled before the server answered drops the upload and its journal entry', { timeout: 30_000 }, async () => {
    await onBoth(async (server) => {
      const key = newKey();
      const data = bytes(4 * PART, 10);
      const source = bytesSource(data);
      const { proxy } = server;
      // Parts 1 and 2 go through; then every part is cut off until the upload gives up.
      proxy.inject({ ...server.part(), skip: 2, times: Infinity, fault: { kind: 'reset', when: 'before-request' } });
      const first = upload(server, key, data, 1);
      await first.finished.catch(() => undefined);
      expect(first.status).toMatchObject({ state: 'failed', resumable: true });
      const entry = (await server.journal.get(server.transport.bucketId, key))!;
      expect(entry.parts.map((part) => part.partNumber)).toEqual([1, 2]);

      proxy.clear();
      proxy.inject({ times: Infinity, fault: { kind: 'reset', when: 'before-request' } });
      const resumed = await resumeUpload(source, entry, server.transport, { fetcher: server.fetcher, slots, journal: server.journal });
      await resumed.finished.catch(() => undefined);
      expect(resumed.status).toMatchObject({ state: 'failed', resumable: true });
      proxy.clear();
      await resumed.cancel();
      expect(resumed.status).toMatchObject({ state: 'failed', resumable: false });
      expect(await server.journal.get(server.transport.bucketId, key)).toBeUndefined();
      expect(await server.direct.head(key)).toBeNull();
      // Azure has nothing to abort: uncommitted blocks are dropped by the service after a week.
      if (server.name === 'Ceph RGW') expect(await server.leftovers(key)).toEqual([]);
    });
  });
});

/** About one request in three gets a fault; stalls are rarer (each costs STALL_MS). */
function chaosPicker(seed: number, busy: Fault): (method: string, path: string) => Fault | null {
  const next = xorshift32(seed);
  return () => {
    const draw = next() % 1000;
    if (draw < 60) return { kind: 'status', status: 500 };
    if (draw < 110) return busy;
    if (draw < 140) return { kind: 'too-many', retryAfterSeconds: 0 };
    if (draw < 180) return { kind: 'reset', when: 'before-request' };
    if (draw < 230) return { kind: 'reset', when: 'before-headers' };
    if (draw < 260) return { kind: 'reset', when: 'after-headers' };
    if (draw < 290) return { kind: 'truncate', keep: (next() % 90) / 100 };
    if (draw < 298) return { kind: 'stall', when: 'after-headers' };
    if (draw < 304) return { kind: 'stall', when: 'before-headers' };
    if (draw < 320) return { kind: 'delay', ms: 5 };
    return null;
  };
}

describe('a seeded random campaign against both servers', () => {
  const OPERATIONS = 40;
  const ROUNDS = 12;

  it(`${OPERATIONS} uploads and downloads of random sizes under a random fault mix: each ends exact, or failed-resumable and then resumed; no corrupted read; no upload left`, { timeout: 120_000 }, async () => {
    const draw = xorshift32(SEED);
    // Two attempts (the app makes 8), so that operations do run out of retries and are resumed.
    const campaign = servers.map((server, index) => {
      const retries: RetryEvent[] = [];
      const fetcher = fetcherFor(retries, SEED + 10 + index, 2);
      const bucket = new RemoteBucket({ label: server.name, transport: server.transport, fetcher, slots, journal: server.journal, partSize: PART });
      return { server, fetcher, bucket };
    });
    const operations = Array.from({ length: OPERATIONS }, (_, index) => ({
      index,
      ...campaign[index % 2]!,
      key: newKey(),
      data: bytes(index < 2 ? 0 : draw() % (10 * PART), SEED + index),
      streamed: draw() % 3 === 0,
      chunk: 1 + (draw() % (3 * PART)),
    }));
    const tally = { exactFirstTime: 0, resumed: 0, sentAgain: 0, readsRetried: 0, corruptedReads: 0 };

    const uploadOne = async (op: (typeof operations)[number]): Promise<void> => {
      const { server, fetcher, bucket, key, data } = op;
      const source = bytesSource(data);
      let resumable = false;
      for (let round = 1; ; round++) {
        expect(round, `${server.name} ${key}: rounds`).toBeLessThanOrEqual(ROUNDS);
        if (op.streamed) {
          const writer = await bucket.openWriter(key, { expectedSize: data.length });
          try {
            for (let offset = 0; offset < data.length; offset += op.chunk) await writer.write(data.subarray(offset, offset + op.chunk));
            await writer.close();
          } catch (error) {
            expect(transferCodeOf(error), String(error)).toBeDefined();
            // What protect does: drop everything; if even that fails, the sweep below finishes it.
            await writer.abort?.().catch(() => undefined);
            tally.sentAgain++;
            continue;
          }
        } else {
          const entry: UploadJournalEntry | undefined = resumable ? await server.journal.get(server.transport.bucketId, key) : undefined;
          if (resumable) expect(entry?.source, `${server.name} ${key}: the journal keeps a resumable upload`).toBeTruthy();
          const sending: SourceUpload = entry
            ? await resumeUpload(source, entry, server.transport, { fetcher, slots, journal: server.journal, concurrency: 3 })
            : uploadSource(source, { transport: server.transport, key, fetcher, slots, journal: server.journal, partSize: PART, concurrency: 3 });
          const error = await sending.finished.then(
            () => undefined,
            (e: unknown) => e,
          );
          if (error !== undefined) {
            const status: UploadStatus = sending.status;
            expect(status.state, String(error)).toBe('failed');
            expect(transferCodeOf(error), String(error)).toBeDefined();
            resumable = status.state === 'failed' && status.resumable;
            if (resumable) tally.resumed++;
            else tally.sentAgain++;
            continue;
          }
        }
        if (round === 1) tally.exactFirstTime++;
        return;
      }
    };

    const downloadOne = async (op: (typeof operations)[number]): Promise<void> => {
      const { server, fetcher, key, data } = op;
      const retried = async <T>(what: () => Promise<T>): Promise<T> => {
        for (let round = 1; ; round++) {
          try {
            return await what();
          } catch (error) {
            // Out of retries: a clear failure, and the caller asks again.
            expect(transferCodeOf(error), String(error)).toBeDefined();
            expect(round, `${server.name} ${key}: reads`).toBeLessThan(ROUNDS);
            tally.readsRetried++;
          }
        }
      };
      const source = await retried(() => openRemoteObject(server.transport, key, { fetcher, slots, rangeSize: 96 * KiB, readAhead: 2 }));
      expect(source.size).toBe(data.length);
      for (let offset = 0; offset < data.length; offset += op.chunk) {
        const got = await retried(() => source.read(offset, op.chunk));
        if (!sameBytes(got, data.subarray(offset, offset + op.chunk))) tally.corruptedReads++;
      }
      await source.close?.();
    };

    for (const [index, server] of servers.entries()) server.proxy.chaos(chaosPicker(SEED + 100 + index, server.busy));
    const queue = [...operations];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let op = queue.shift(); op !== undefined; op = queue.shift()) {
          await uploadOne(op);
          // What the server holds is checked with no fault in between: straight, not through the proxy.
          await expectStored(op.server, op.key, op.data);
          await downloadOne(op);
        }
      }),
    );
    for (const server of servers) server.proxy.chaos(undefined);

    // Streamed uploads whose clean-up failed under faults left clean-up-only entries: the sweep of
    // the next start finishes them.
    for (const server of servers) {
      const swept = await sweepJournal(server.journal, () => server.transport, server.fetcher);
      expect(swept.failed, `${server.name}: sweep failures`).toEqual([]);
      expect(swept.resumable, `${server.name}: resumable entries left`).toEqual([]);
      expect(await server.journal.entries(), `${server.name}: journal`).toEqual([]);
    }
    for (const op of operations) {
      await expectStored(op.server, op.key, op.data);
      expect(await op.server.leftovers(op.key), `${op.server.name}: unfinished uploads of ${op.key}`).toEqual([]);
    }
    // And the whole bucket, as S3 lists it: nothing unfinished at all.
    expect(await rgw.ownerFetch(`/${BUCKET}?uploads`).then((response) => response.text())).not.toMatch(/<Upload>/);

    const faults = servers.map((server) => server.proxy.requests.filter((request) => request.fault !== null).length);
    console.log(
      `campaign: ${servers.map((server, index) => `${server.name} ${server.proxy.requests.length} requests, ${faults[index]} faults`).join('; ')};`,
      tally,
    );
    expect(tally.corruptedReads).toBe(0);
    expect(tally.exactFirstTime + tally.resumed + tally.sentAgain).toBeGreaterThanOrEqual(OPERATIONS);
    expect(tally.resumed, 'operations that ran out of retries and were resumed').toBeGreaterThanOrEqual(1);
    for (const count of faults) expect(count).toBeGreaterThanOrEqual(50);
  });
});
