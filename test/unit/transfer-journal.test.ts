import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/core/io.js';
import { Fetcher } from '../../src/storage/transfer/fetcher.js';
import { MemoryJournalStore, UploadJournal, journalId, parseJournalEntry, sourceFingerprint } from '../../src/storage/transfer/journal.js';
import { TransferError } from '../../src/storage/transfer/transport.js';
import { ObjectUploader, ResumeRefusedError, resumeUpload, sweepJournal, uploadSource } from '../../src/storage/transfer/uploader.js';
import { patternBytes } from '../helpers/deterministic-random.js';
import { InMemoryTransport, sequence, until } from './transfer-test-kit.js';

const quickFetcher = (): Fetcher => new Fetcher({ random: sequence(0), sleep: () => Promise.resolve(), maxAttempts: 2 });
const KEY = 'tessera/0123456789abcdef0123456789abcdef/2.tshare';

/** Uploads `data` with a journal until part `failAt` fails fatally: the tab "closes" there. */
async function interruptedUpload(data: Uint8Array, failAt: number): Promise<{ transport: InMemoryTransport; store: MemoryJournalStore }> {
  const transport = new InMemoryTransport('cloud-1');
  const store = new MemoryJournalStore();
  transport.beforePart = (partNumber) => {
    if (partNumber === failAt) throw new TransferError('fatal', 'bucket.permission', 'AccessDenied', 403);
  };
  const upload = uploadSource(bytesSource(data), { transport, key: KEY, journal: new UploadJournal(store), fetcher: quickFetcher(), partSize: 1024, concurrency: 1 });
  await expect(upload.finished).rejects.toThrow(/bucket\.permission/);
  expect(upload.status).toMatchObject({ state: 'failed', resumable: true });
  transport.beforePart = undefined;
  return { transport, store };
}

describe('journal: resume after a reload', () => {
  it('a new uploader with the same journal sends only the missing parts, and the object is exact', async () => {
    const data = patternBytes(10 * 1024 + 500);
    const { transport, store } = await interruptedUpload(data, 5);
    expect(transport.uploads.size).toBe(1); // kept for resuming

    const journal = new UploadJournal(store); // after the reload
    const [entry, ...others] = await journal.entries();
    expect(others).toEqual([]);
    expect(entry!.parts.map((part) => part.partNumber)).toEqual([1, 2, 3, 4]);
    transport.partCalls.length = 0;
    const upload = await resumeUpload(bytesSource(data), entry!, transport, { journal, fetcher: quickFetcher() });
    await upload.finished;
    expect(transport.partCalls.sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(transport.objects.get(KEY)).toEqual(data);
    expect(transport.uploads.size).toBe(0);
    expect(await journal.entries()).toEqual([]);
  });

  it('re-sends a journaled part the store does not have, and keeps one the journal missed', async () => {
    const data = patternBytes(8 * 1024);
    const { transport, store } = await interruptedUpload(data, 6);
    const journal = new UploadJournal(store);
    const entry = (await journal.entries())[0]!;
    const upload = [...transport.uploads.values()][0]!;
    upload.parts.delete(2); // the store lost part 2
    // Part 6 reached the store but the tab closed before the journal was written.
    upload.parts.set(6, data.slice(5 * 1024, 6 * 1024));
    transport.partCalls.length = 0;
    await (await resumeUpload(bytesSource(data), entry, transport, { journal, fetcher: quickFetcher() })).finished;
    expect(transport.partCalls.sort((a, b) => a - b)).toEqual([2, 7, 8]);
    expect(transport.objects.get(KEY)).toEqual(data);
  });

  it('starts over when the store no longer knows the upload', async () => {
    const data = patternBytes(6 * 1024 + 1);
    const { transport, store } = await interruptedUpload(data, 3);
    transport.uploads.clear(); // expired by a lifecycle rule, say
    const journal = new UploadJournal(store);
    transport.partCalls.length = 0;
    await (await resumeUpload(bytesSource(data), (await journal.entries())[0]!, transport, { journal, fetcher: quickFetcher() })).finished;
    expect(transport.partCalls.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(transport.objects.get(KEY)).toEqual(data);
    expect(await journal.entries()).toEqual([]);
  });

  it('refuses a different source: other bytes of the same size, another size, another bucket', async () => {
    const data = patternBytes(6 * 1024);
    const { transport, store } = await interruptedUpload(data, 3);
    const journal = new UploadJournal(store);
    const entry = (await journal.entries())[0]!;
    const otherSplit = patternBytes(6 * 1024, 1); // same length, other bytes: another split's share
    const refusal = (promise: Promise<unknown>): Promise<ResumeRefusedError> => promise.then(() => Promise.reject(new Error('resumed')), (error: unknown) => error as ResumeRefusedError);
    const wrongBytes = await refusal(resumeUpload(bytesSource(otherSplit), entry, transport, { journal }));
    expect(wrongBytes).toBeInstanceOf(ResumeRefusedError);
    expect(wrongBytes.reason).toBe('fingerprint');
    expect((await refusal(resumeUpload(bytesSource(data.subarray(1)), entry, transport, { journal }))).reason).toBe('size');
    expect((await refusal(resumeUpload(bytesSource(data), entry, new InMemoryTransport('cloud-2'), { journal }))).reason).toBe('other-bucket');
    // Only the tail changed: the fingerprint still sees it.
    const tailChanged = data.slice();
    tailChanged[tailChanged.length - 1] = tailChanged.at(-1)! ^ 1;
    expect((await refusal(resumeUpload(bytesSource(tailChanged), entry, transport, { journal }))).reason).toBe('fingerprint');
    expect(transport.objects.size).toBe(0);
    expect(await journal.entries()).toHaveLength(1); // still there for the right source
  });

  it('a caller-given fingerprint (e.g. the staged share\'s SHA-256) replaces the sampled one', async () => {
    const transport = new InMemoryTransport('cloud-1');
    const store = new MemoryJournalStore();
    transport.beforePart = (partNumber) => {
      if (partNumber === 2) throw new TransferError('fatal', 'bucket.permission', 'AccessDenied', 403);
    };
    const data = patternBytes(4 * 1024);
    const upload = uploadSource(bytesSource(data), { transport, key: KEY, journal: new UploadJournal(store), fetcher: quickFetcher(), partSize: 1024, fingerprint: 'sha256:abc', sourceRef: 'staged/7f.tshare' });
    await expect(upload.finished).rejects.toThrow();
    transport.beforePart = undefined;
    const journal = new UploadJournal(store);
    const entry = (await journal.entries())[0]!;
    expect(entry.source).toEqual({ fingerprint: 'sha256:abc', ref: 'staged/7f.tshare' });
    await expect(resumeUpload(bytesSource(data), entry, transport, { journal, fingerprint: 'sha256:def' })).rejects.toBeInstanceOf(ResumeRefusedError);
    await (await resumeUpload(bytesSource(data), entry, transport, { journal, fingerprint: 'sha256:abc' })).finished;
    expect(transport.objects.get(KEY)).toEqual(data);
  });
});

describe('journal: streamed uploads after a reload', () => {
  it('are never resumed, only aborted by the sweep, leaving no upload in the store', async () => {
    const transport = new InMemoryTransport('cloud-1');
    const store = new MemoryJournalStore();
    const sink = new ObjectUploader({ transport, key: KEY, journal: new UploadJournal(store), fetcher: quickFetcher(), partSize: 1024 });
    await sink.write(patternBytes(3000));
    await until(() => [...transport.uploads.values()].some((upload) => upload.parts.size === 2));
    // The tab closes: the sink is simply dropped.
    const journal = new UploadJournal(store);
    const entry = (await journal.entries())[0]!;
    expect(entry.source).toBeNull();
    await expect(resumeUpload(bytesSource(patternBytes(3000)), entry, transport)).rejects.toMatchObject({ reason: 'not-resumable' });
    const swept = await sweepJournal(journal, (id) => (id === 'cloud-1' ? transport : undefined), quickFetcher());
    expect(swept.aborted).toHaveLength(1);
    expect(swept.resumable).toEqual([]);
    expect(transport.uploads.size).toBe(0);
    expect(await journal.entries()).toEqual([]);
  });

  it('the sweep aborts an upload whose create answer never came (listed by key)', async () => {
    const transport = new InMemoryTransport('cloud-1');
    const journal = new UploadJournal(new MemoryJournalStore());
    await transport.createMultipart(KEY);
    await journal.save({ bucketId: 'cloud-1', key: KEY, uploadId: null, contentType: 'application/octet-stream', partSize: 1024, totalSize: null, source: null, parts: [], startedAt: 1 });
    await sweepJournal(journal, () => transport, quickFetcher());
    expect(transport.uploads.size).toBe(0);
  });
});

describe('journal entries', () => {
  it('hold only the upload\'s mechanics: no file name, nothing about a patient', async () => {
    const store = new MemoryJournalStore();
    const data = patternBytes(3 * 1024);
    const transport = new InMemoryTransport('cloud-1');
    transport.beforePart = (n) => {
      if (n === 3) throw new TransferError('fatal', 'bucket.permission', 'AccessDenied', 403);
    };
    await uploadSource(bytesSource(data), { transport, key: KEY, journal: new UploadJournal(store), fetcher: quickFetcher(), partSize: 1024 }).finished.catch(() => undefined);
    const raw = (await store.get(journalId('cloud-1', KEY))) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(['bucketId', 'contentType', 'key', 'partSize', 'parts', 'source', 'startedAt', 'totalSize', 'updatedAt', 'uploadId', 'version']);
    expect(raw.source).toEqual({ fingerprint: await sourceFingerprint(bytesSource(data)), ref: null });
    expect(raw.version).toBe(1);
  });

  it('are validated when read back: damaged or newer entries are skipped', async () => {
    const good = { version: 1, bucketId: 'b', key: 'k', uploadId: 'u', contentType: 'x', partSize: 1024, totalSize: 10, source: { fingerprint: 'f', ref: null }, parts: [{ partNumber: 1, etag: '"e"', size: 5 }], startedAt: 1, updatedAt: 2 };
    expect(parseJournalEntry(good)).toEqual(good);
    for (const bad of [
      null,
      'text',
      { ...good, version: 2 },
      { ...good, key: '' },
      { ...good, partSize: 0 },
      { ...good, parts: [{ partNumber: 0, etag: 'e', size: 1 }] },
      { ...good, parts: [{ partNumber: 1, etag: 5, size: 1 }] },
      { ...good, source: { fingerprint: 1, ref: null } },
      { ...good, totalSize: null },
      { ...good, uploadId: 7 },
    ]) {
      expect(parseJournalEntry(bad)).toBeUndefined();
    }
    const store = new MemoryJournalStore();
    await store.put('a', good);
    await store.put('b', { ...good, version: 99 });
    expect(await new UploadJournal(store).entries()).toEqual([good]);
  });
});
