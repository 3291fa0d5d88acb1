/**
 * Worker of the browser benchmark (bundled by test/bench/browser.ts into the served build as
 * /bench/ceilings-worker.js and started by the page): what the browser does with the same bytes
 * when no sharing is involved, stage by stage, in a dedicated worker like the share worker.
 *
 * Every stage works in the pipeline's own sizes, imported from the core: chunks of
 * DEFAULT_CHUNK_SIZE (768 KiB), fingerprint blocks of FINGERPRINT_BLOCK (256 KiB), one after the
 * other, the way protect and recover walk a file; its rate is in MB (10^6 bytes) **of input** per
 * second, so that the stages of one operation can be added up: a sequential pipeline of stages at
 * r1, r2, … MB/s runs at 1 / (1/r1 + 1/r2 + …). Two more stages do the same WebCrypto work in 1 MiB
 * calls, as the pipeline did before: WebCrypto in Chromium copies its input and allocates its
 * output, and past about 960 KiB that memory is mapped fresh from the kernel on every call.
 *
 * Typed with the DOM lib (tsconfig.node.json covers test/**); it only uses what workers have too.
 */
import { blobSource, blockSource, BufferPool, DEFAULT_CHUNK_SIZE, digestBlocks, FINGERPRINT_BLOCK, ReedSolomon, streamedBlobSource } from '../../src/core/index.js';
import { createSha256 } from '../../workers/sha256.js';
import { randomBytes } from '../helpers/bytes.js';

export interface CeilingRequest {
  /** Input bytes each stage goes through; each stage rounds it down to a whole number of its chunks or blocks. */
  readonly size: number;
  /** The benchmark's input file, chosen through a file input: read back with Blob.slice. */
  readonly file: File;
}

export interface CeilingResult {
  readonly id: CeilingId;
  readonly label: string;
  /** Seconds of each timed sample. */
  readonly seconds: readonly number[];
  /** Median rate, MB of input per second. */
  readonly megabytesPerSecond: number;
}

export type CeilingId =
  | 'memory-copy'
  | 'aes-gcm-encrypt'
  | 'aes-gcm-decrypt'
  | 'aes-gcm-encrypt-1mib'
  | 'digest-1mib'
  | 'sha256'
  | 'fingerprint-blocks'
  | 'rs-encode'
  | 'file-read'
  | 'file-read-slices'
  | 'opfs-write-shares'
  | 'opfs-read-shares'
  | 'opfs-write-output'
  | 'opfs-sync-write-shares'
  | 'opfs-sync-read-shares'
  | 'opfs-sync-write-output';

export type CeilingReply = { readonly ok: true; readonly results: CeilingResult[] } | { readonly ok: false; readonly error: string };

const KiB = 1024;
const MiB = 1024 * KiB;
/** The pipeline's chunk (src/core/format.ts) and fingerprint block (src/core/fingerprint.ts). */
const CHUNK = DEFAULT_CHUNK_SIZE;
const BLOCK = FINGERPRINT_BLOCK;
/** The share worker reads the chosen file this many chunks at a time (workers/share-jobs.ts, readableSource). */
const READ_CHUNKS = 8;
const K = 3;
const N = 5;
const TAG = 16;
/** ssms 3-of-5: each of the n fragments of a chunk holds a third of it and its tag (recordLength in src/core/format.ts). */
const FRAGMENT = Math.ceil((CHUNK + TAG) / K);
const SCRATCH = 'tessera-bench-ceilings';

/** FileSystemSyncAccessHandle (dedicated workers only; in TypeScript's WebWorker lib, not the DOM one). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  read(buffer: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}

function openSync(handle: FileSystemFileHandle): Promise<SyncAccessHandle> {
  return (handle as unknown as { createSyncAccessHandle(): Promise<SyncAccessHandle> }).createSyncAccessHandle();
}


/** "768 KiB", "1 MiB": the workers have no measure.ts (it needs Node). */
function sizeText(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes % KiB === 0 ? `${bytes / KiB} KiB` : `${bytes} bytes`;
}

const CHUNK_TEXT = sizeText(CHUNK);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Times `samples` runs of `run` (after one untimed warm-up run on up to 16 MiB). Both amounts are
 * rounded down to whole `unit`s (the stage's chunk or block), so every call works on a full one and
 * the rate counts exactly the bytes that went through.
 */
async function stage(
  id: CeilingId,
  label: string,
  unit: number,
  size: number,
  samples: number,
  run: (bytes: number) => Promise<void> | void,
): Promise<CeilingResult> {
  const bytes = Math.floor(size / unit) * unit;
  if (bytes === 0) throw new Error(`ceilings: ${id} needs at least ${unit} bytes, got ${size}`);
  const warmupBytes = Math.max(unit, Math.floor(Math.min(bytes, 16 * MiB) / unit) * unit);
  await run(warmupBytes);
  const seconds: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await run(bytes);
    seconds.push((performance.now() - start) / 1000);
  }
  return { id, label, seconds, megabytesPerSecond: bytes / 1e6 / median(seconds) };
}

async function measure({ size, file }: CeilingRequest): Promise<CeilingResult[]> {
  const results: CeilingResult[] = [];
  const plain = randomBytes(CHUNK);
  const plain1MiB = randomBytes(MiB);

  // Memory copy, 64 MiB blocks (as the Node part measures it): the machine's bandwidth, not a stage.
  {
    const block = 64 * MiB;
    const source = randomBytes(block);
    const target = new Uint8Array(block);
    results.push(
      await stage('memory-copy', 'memory copy (Uint8Array.set, 64 MiB blocks)', block, Math.max(size, 4 * block), 5, (bytes) => {
        for (let done = 0; done < bytes; done += block) target.set(source);
      }),
    );
  }

  const key = await crypto.subtle.importKey('raw', randomBytes(32), 'AES-GCM', false, ['encrypt', 'decrypt']);
  let counter = 0;
  const nonce = (): Uint8Array<ArrayBuffer> => {
    const iv = new Uint8Array(12);
    new DataView(iv.buffer).setUint32(8, counter++);
    return iv;
  };
  results.push(
    await stage('aes-gcm-encrypt', `AES-256-GCM encrypt (crypto.subtle, ${CHUNK_TEXT} chunks, one at a time)`, CHUNK, size, 3, async (bytes) => {
      for (let done = 0; done < bytes; done += CHUNK) await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce() }, key, plain);
    }),
  );
  results.push(
    await stage('aes-gcm-encrypt-1mib', 'AES-256-GCM encrypt in 1 MiB calls (crypto.subtle, one at a time): the chunk size the pipeline had before', MiB, size, 3, async (bytes) => {
      for (let done = 0; done < bytes; done += MiB) await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce() }, key, plain1MiB);
    }),
  );
  {
    const iv = nonce();
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain));
    results.push(
      await stage('aes-gcm-decrypt', `AES-256-GCM decrypt (crypto.subtle, ${CHUNK_TEXT} chunks, one at a time)`, CHUNK, size, 3, async (bytes) => {
        for (let done = 0; done < bytes; done += CHUNK) await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed);
      }),
    );
  }

  results.push(
    await stage('sha256', `SHA-256 of one stream (createSha256() of workers/sha256.ts, WebAssembly; ${CHUNK_TEXT} updates): records from before fingerprints`, CHUNK, size, 3, (bytes) => {
      const hasher = createSha256();
      for (let done = 0; done < bytes; done += CHUNK) hasher.update(plain);
      hasher.digest();
    }),
  );
  results.push(
    await stage(
      'fingerprint-blocks',
      `fingerprint blocks: SHA-256 of each ${sizeText(BLOCK)} block (digestBlocks of src/core/fingerprint.ts on each ${CHUNK_TEXT} chunk, crypto.subtle.digest), as the chunk workers digest them`,
      CHUNK,
      size,
      3,
      async (bytes) => {
        for (let done = 0; done < bytes; done += CHUNK) await digestBlocks(plain, BLOCK);
      },
    ),
  );
  results.push(
    await stage('digest-1mib', 'SHA-256 of 1 MiB blocks (crypto.subtle.digest, one at a time): the fingerprint block the pipeline had before', MiB, size, 3, async (bytes) => {
      for (let done = 0; done < bytes; done += MiB) await crypto.subtle.digest('SHA-256', plain1MiB);
    }),
  );

  {
    const codec = new ReedSolomon(K, N);
    const data = Array.from({ length: K }, (_, i) => {
      const fragment = new Uint8Array(FRAGMENT);
      fragment.set(plain.subarray(i * FRAGMENT, (i + 1) * FRAGMENT));
      return fragment;
    });
    results.push(
      await stage('rs-encode', `Reed–Solomon encode 3 → 2 parity fragments (core ReedSolomon.encode, per ${CHUNK_TEXT} chunk)`, CHUNK, size, 3, (bytes) => {
        for (let done = 0; done < bytes; done += CHUNK) codec.encode(data);
      }),
    );
  }

  // As the share worker reads the chosen file (workers/share-jobs.ts, readableSource): the core's
  // streamedBlobSource, the File's stream read with a BYOB reader into pooled buffers, each handed
  // back once used (as the chunk workers hand them back); then the way it read before, in slices.
  results.push(
    await stage(
      'file-read',
      `reading the chosen file as the share worker does (File.stream() with a BYOB reader, straight into recycled ${CHUNK_TEXT} buffers, in order: streamedBlobSource)`,
      CHUNK,
      Math.min(size, file.size),
      1,
      async (bytes) => {
        const pool = new BufferPool();
        const source = streamedBlobSource(file, pool, blobSource(file));
        for (let at = 0; at < bytes; at += CHUNK) pool.give((await source.read(at, CHUNK)).buffer);
        await source.close!();
      },
    ),
    await stage(
      'file-read-slices',
      `reading the chosen file in slices, as the share worker did before (File.slice(${sizeText(READ_CHUNKS * CHUNK)}).arrayBuffer() through blockSource, each ${CHUNK_TEXT} chunk copied out with .slice(), in order)`,
      CHUNK,
      Math.min(size, file.size),
      1,
      async (bytes) => {
        const source = blockSource(blobSource(file), READ_CHUNKS * CHUNK);
        for (let at = 0; at < bytes; at += CHUNK) await source.read(at, CHUNK);
      },
    ),
  );

  // OPFS, in a scratch folder removed at the end: the shares' pattern (n files, one fragment each per
  // chunk, written together and awaited together), then reading k of them back, then one output file.
  const fragmentText = `${FRAGMENT.toLocaleString('en-US')}-byte fragment (⌈(${CHUNK_TEXT} + ${TAG}) / ${K}⌉)`;
  const root = await navigator.storage.getDirectory();
  const scratch = await root.getDirectoryHandle(SCRATCH, { create: true });
  try {
    const fragment = randomBytes(FRAGMENT);
    let round = 0;
    results.push(
      await stage('opfs-write-shares', `OPFS write, as ssms 3-of-5 protect: ${N} files, one ${fragmentText} each per ${CHUNK_TEXT} chunk, written together`, CHUNK, size, 1, async (bytes) => {
        const writables = await Promise.all(
          Array.from({ length: N }, async (_, i) => (await scratch.getFileHandle(`share-${round}-${i}`, { create: true })).createWritable()),
        );
        for (let done = 0; done < bytes; done += CHUNK) await Promise.all(writables.map((writable) => writable.write(fragment)));
        await Promise.all(writables.map((writable) => writable.close()));
        round++;
      }),
    );
    const shares = await Promise.all(
      Array.from({ length: K }, async (_, i) => (await scratch.getFileHandle(`share-${round - 1}-${i}`)).getFile()),
    );
    results.push(
      await stage('opfs-read-shares', `OPFS read, as recover: ${K} share files, one ${fragmentText} slice each per ${CHUNK_TEXT} chunk, read together`, CHUNK, size, 1, async (bytes) => {
        for (let done = 0, at = 0; done < bytes; done += CHUNK, at += FRAGMENT) {
          await Promise.all(shares.map((share) => share.slice(at, at + FRAGMENT).arrayBuffer()));
        }
      }),
    );
    results.push(
      await stage('opfs-write-output', `OPFS write of a rebuilt file (one file, ${CHUNK_TEXT} writes)`, CHUNK, size, 1, async (bytes) => {
        const writable = await (await scratch.getFileHandle(`output-${round++}`, { create: true })).createWritable();
        for (let done = 0; done < bytes; done += CHUNK) await writable.write(plain);
        await writable.close();
      }),
    );
    // The same patterns through FileSystemSyncAccessHandle, as the share worker writes and reads
    // (src/storage/opfs.ts): into new files, closed without a flush, as the demo clouds and rebuilt
    // files are (relaxed durability).
    results.push(
      await stage('opfs-sync-write-output', `OPFS write of a rebuilt file through createSyncAccessHandle() (one new file, ${CHUNK_TEXT} writes, closed without a flush as the app's rebuilt files are)`, CHUNK, size, 1, async (bytes) => {
        const handle = await openSync(await scratch.getFileHandle(`sync-output-${round++}`, { create: true }));
        for (let done = 0; done < bytes; done += CHUNK) handle.write(plain, { at: done });
        handle.close();
      }),
    );
    results.push(
      await stage('opfs-sync-write-shares', `OPFS write through createSyncAccessHandle(): ${N} new files, one ${fragmentText} each per ${CHUNK_TEXT} chunk, closed without a flush as the demo clouds' shares are`, CHUNK, size, 1, async (bytes) => {
        const handles = await Promise.all(
          Array.from({ length: N }, async (_, i) => openSync(await scratch.getFileHandle(`sync-${round}-${i}`, { create: true }))),
        );
        for (let done = 0, at = 0; done < bytes; done += CHUNK, at += FRAGMENT) for (const handle of handles) handle.write(fragment, { at });
        for (const handle of handles) handle.close();
        round++;
      }),
    );
    {
      const handles = await Promise.all(Array.from({ length: K }, async (_, i) => openSync(await scratch.getFileHandle(`sync-${round - 1}-${i}`))));
      const buffer = new Uint8Array(FRAGMENT);
      try {
        results.push(
          await stage('opfs-sync-read-shares', `OPFS read through createSyncAccessHandle(): ${K} share files, one ${fragmentText} read each per ${CHUNK_TEXT} chunk`, CHUNK, size, 1, (bytes) => {
            for (let done = 0, at = 0; done < bytes; done += CHUNK, at += FRAGMENT) for (const handle of handles) handle.read(buffer, { at });
          }),
        );
      } finally {
        for (const handle of handles) handle.close();
      }
    }
  } finally {
    await root.removeEntry(SCRATCH, { recursive: true });
  }
  return results;
}

self.onmessage = (event: MessageEvent<CeilingRequest>) => {
  measure(event.data).then(
    (results) => postMessage({ ok: true, results } satisfies CeilingReply),
    (error: unknown) => postMessage({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } satisfies CeilingReply),
  );
};
