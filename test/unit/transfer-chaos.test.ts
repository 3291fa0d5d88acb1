/**
 * End to end under random faults: uploads and downloads through the fault proxy in front of the
 * memory store (a test double: this tests the transfer layer's logic under faults, not any cloud).
 * Faults are drawn from a fixed seed; requests run concurrently, so which request gets which fault
 * can vary from run to run, but the invariants below must hold for every interleaving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/core/io.js';
import { openRemoteObject } from '../../src/storage/transfer/downloader.js';
import { Fetcher } from '../../src/storage/transfer/fetcher.js';
import { MemoryJournalStore, UploadJournal } from '../../src/storage/transfer/journal.js';
import { TransferSlots } from '../../src/storage/transfer/slots.js';
import { ObjectUploader, resumeUpload, sweepJournal, uploadSource, type SourceUpload } from '../../src/storage/transfer/uploader.js';
import { xorshift32 } from '../helpers/deterministic-random.js';
import { FaultProxy, type Fault } from '../servers/fault-proxy.js';
import { startMemoryObjectStore, type MemoryObjectStore } from '../servers/memory-object-store.js';
import { MemoryObjectTransport } from '../servers/memory-object-transport.js';
import { SMALL_LIMITS } from './transfer-test-kit.js';

const SEED = 0x7e55e7a;
const OBJECTS = 48;

/** Roughly one request in three gets a fault; stalls are rarer (each costs a stall timeout). */
function chaosPicker(seed: number): (method: string, path: string) => Fault | null {
  const next = xorshift32(seed);
  return () => {
    const draw = next() % 1000;
    if (draw < 60) return { kind: 'status', status: 500 };
    if (draw < 110) return { kind: 'slow-down' };
    if (draw < 150) return { kind: 'too-many', retryAfterSeconds: 0 };
    if (draw < 190) return { kind: 'reset', when: 'before-request' };
    if (draw < 240) return { kind: 'reset', when: 'before-headers' };
    if (draw < 270) return { kind: 'reset', when: 'after-headers' };
    if (draw < 300) return { kind: 'truncate', keep: (next() % 90) / 100 };
    if (draw < 310) return { kind: 'stall', when: 'after-headers' };
    if (draw < 318) return { kind: 'stall', when: 'before-headers' };
    if (draw < 340) return { kind: 'delay', ms: 2 };
    return null;
  };
}

describe('transfer under random faults (fixed seed)', () => {
  let store: MemoryObjectStore;
  let proxy: FaultProxy;
  let transport: MemoryObjectTransport;
  const random = xorshift32(SEED ^ 0x5555);
  const fetcher = new Fetcher({
    maxAttempts: 5,
    stallTimeoutMs: 150,
    random: () => random() / 2 ** 32,
    // Back-offs are policy, tested with a manual clock elsewhere; here they would only slow the run.
    sleep: () => Promise.resolve(),
  });
  const slots = new TransferSlots({ perBucket: 6, overall: 6 });
  const journal = new UploadJournal(new MemoryJournalStore());
  const sizes = Array.from({ length: OBJECTS }, () => random() % (32 * 1024));
  const data = sizes.map((size, index) => {
    const next = xorshift32(SEED + index);
    return Uint8Array.from({ length: size }, () => next() & 0xff);
  });
  const key = (index: number): string => `tessera/${index.toString(16).padStart(32, '0')}/1.tshare`;

  beforeAll(async () => {
    store = await startMemoryObjectStore({ minPartSize: 1024 });
    proxy = new FaultProxy();
    await proxy.start(store.url);
    transport = new MemoryObjectTransport(proxy.url, { bucketId: 'chaos', limits: SMALL_LIMITS });
  });
  afterAll(async () => {
    await proxy.stop();
    await store.stop();
  });

  it('every upload ends complete and exact, or failed, resumable and then resumed; nothing is left behind', { timeout: 30_000 }, async () => {
    proxy.chaos(chaosPicker(SEED));
    const outcomes: ('complete' | 'failed-clean' | 'failed-resumed')[] = [];

    const streamed = async (index: number): Promise<void> => {
      const sink = new ObjectUploader({ transport, key: key(index), fetcher, slots, journal, partSize: 2048, concurrency: 3, expectedSize: data[index]!.length });
      try {
        for (let offset = 0; offset < data[index]!.length; offset += 700) await sink.write(data[index]!.subarray(offset, offset + 700));
        await sink.close();
        outcomes[index] = 'complete';
      } catch {
        // What protect does on failure; if even the abort fails, the journal sweep below cleans up.
        await sink.abort().catch(() => undefined);
        outcomes[index] = 'failed-clean';
      }
    };

    const fromSource = async (index: number): Promise<void> => {
      const source = bytesSource(data[index]!);
      let upload: SourceUpload = uploadSource(source, { transport, key: key(index), fetcher, slots, journal, partSize: 2048, concurrency: 3 });
      for (let round = 0; ; round++) {
        try {
          await upload.finished;
          outcomes[index] = round === 0 ? 'complete' : 'failed-resumed';
          return;
        } catch (error) {
          const status = upload.status;
          expect(status.state, String(error)).toBe('failed');
          if (round > 20) throw error;
          const entry = await journal.get('chaos', key(index));
          upload =
            status.state === 'failed' && status.resumable && entry
              ? await resumeUpload(source, entry, transport, { fetcher, slots, journal, concurrency: 3 })
              : uploadSource(source, { transport, key: key(index), fetcher, slots, journal, partSize: 2048, concurrency: 3 });
        }
      }
    };

    await Promise.all(data.map((_, index) => (index % 2 === 0 ? streamed(index) : fromSource(index))));

    proxy.chaos(undefined);
    const swept = await sweepJournal(journal, () => transport, fetcher);
    expect(swept.failed).toEqual([]);
    expect(swept.resumable).toEqual([]);
    expect(await journal.entries()).toEqual([]);

    const faults = proxy.requests.filter((request) => request.fault !== null).length;
    console.log(`chaos: ${proxy.requests.length} requests, ${faults} faults; outcomes:`, count(outcomes));
    expect(faults).toBeGreaterThanOrEqual(200);
    expect([...store.uploads.values()].map((upload) => upload.key), 'multipart uploads left behind').toEqual([]);
    data.forEach((bytes, index) => {
      if (outcomes[index] === 'failed-clean') expect(store.objects.has(key(index)), `object ${index}`).toBe(false);
      else expect(store.objects.get(key(index)), `object ${index}`).toEqual(bytes);
    });
    expect(outcomes.filter((outcome) => outcome === undefined)).toEqual([]);
  });

  it('ranged, read-ahead downloads return exact bytes under the same faults', { timeout: 30_000 }, async () => {
    const stored = data.map((_, index) => index).filter((index) => store.objects.has(key(index)));
    for (const index of stored) store.objects.set(key(index), data[index]!); // the uploads are checked above
    proxy.chaos(chaosPicker(SEED + 1));
    let failedReads = 0;
    await Promise.all(
      stored.map(async (index) => {
        // Opening (a HEAD) can run out of retries too: a clear failure, and the caller asks again.
        const open = async (tries = 0): Promise<Awaited<ReturnType<typeof openRemoteObject>>> => {
          try {
            return await openRemoteObject(transport, key(index), { fetcher, slots, rangeSize: 1500, readAhead: 2 });
          } catch (error) {
            failedReads++;
            if (tries > 5) throw error;
            return open(tries + 1);
          }
        };
        const source = await open();
        expect(source.size).toBe(data[index]!.length);
        const out = new Uint8Array(source.size);
        for (let offset = 0; offset < source.size; offset += 1000) {
          for (let tries = 0; ; tries++) {
            try {
              out.set(await source.read(offset, 1000), offset);
              break;
            } catch (error) {
              // A read that ran out of retries is a clear failure; the next read asks again.
              failedReads++;
              if (tries > 5) throw error;
            }
          }
        }
        expect(out).toEqual(data[index]);
        await source.close?.();
      }),
    );
    proxy.chaos(undefined);
    console.log(`chaos downloads: ${stored.length} objects, ${failedReads} reads retried by the caller`);
  });
});

function count(values: readonly (string | undefined)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}
