import { assertInteger, assertThreshold } from './assert.js';
import { hex } from './bytes.js';
import { ChunkProtector, type PreparedChunk, type SplitSecrets } from './chunks.js';
import { TesseraError, toTesseraError } from './errors.js';
import {
  DEFAULT_CHUNK_SIZE,
  KEY_SIZE,
  MAX_CHUNKS,
  MAX_CHUNK_SIZE,
  SPLIT_ID_SIZE,
  bindingFromHeader,
  chunkCount,
  chunkLength,
  encodeHeader,
  shareSize,
} from './format.js';
import { FINGERPRINT_BLOCK, FingerprintBuilder, StreamFingerprint, digestBlocks } from './fingerprint.js';
import { MemorySink, bytesSource, type ByteSink, type ByteSource } from './io.js';
import { defaultRandom } from './random.js';
import { splitSecret } from './shamir.js';
import { SCHEMES, type ProtectOptions, type ProtectResult } from './types.js';

export interface SplitPlan {
  readonly secrets: SplitSecrets;
  /** The n share headers, in x order. */
  readonly headers: readonly Uint8Array[];
  readonly result: ProtectResult;
}

/**
 * Starts a split of a `size`-byte original: draws the split id and record key, Shamir-shares the
 * key and encodes the n headers. Randomness is consumed in the order docs/share-format.md §10 gives.
 */
export async function beginSplit(size: number, options: ProtectOptions): Promise<SplitPlan> {
  const { scheme, k, n } = options;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const random = options.random ?? defaultRandom;
  if (!SCHEMES.includes(scheme)) throw new RangeError(`scheme must be one of ${SCHEMES.join(', ')}, got ${String(scheme)}`);
  assertThreshold(k, n);
  assertInteger(chunkSize, 'chunkSize', 1, MAX_CHUNK_SIZE);
  assertInteger(size, 'size', 0, Number.MAX_SAFE_INTEGER);
  const chunks = chunkCount(size, chunkSize);
  if (chunks > MAX_CHUNKS) throw new RangeError(`a ${size}-byte file needs a chunk size of at least ${Math.ceil(size / MAX_CHUNKS)}`);
  // Executors digest whole blocks where they protect each chunk; other chunk sizes are digested by protect itself.
  const fingerprint = options.fingerprint === true && chunkSize % FINGERPRINT_BLOCK === 0;

  const splitId = new Uint8Array(SPLIT_ID_SIZE);
  random(splitId);
  const recordKey = new Uint8Array(KEY_SIZE);
  random(recordKey);
  const keyShares = splitSecret(recordKey, k, n, random);
  const splitIdHex = hex(splitId);
  const headers = await Promise.all(
    keyShares.map((keyShare, i) => encodeHeader({ version: 1, scheme, k, n, x: i + 1, chunkSize, size, splitId: splitIdHex, keyShare })),
  );
  return {
    secrets: { scheme, k, n, chunkSize, size, chunkCount: chunks, recordKey, splitId, binding: bindingFromHeader(headers[0]!), ...(fingerprint ? { fingerprintBlock: FINGERPRINT_BLOCK } : {}) },
    headers,
    result: { splitId: splitIdHex, scheme, k, n, chunkSize, size, shareSize: shareSize(scheme, k, n, size, chunkSize) },
  };
}

/**
 * Splits the bytes of `source` into n shares, streamed chunk by chunk into `sinks` (sinks[i] gets
 * the share at x = i + 1). Memory stays at a few chunks whatever the size of the source; the next
 * chunk is read while the current one is processed.
 *
 * On any failure every sink is aborted, so no partial share is left behind as if complete.
 */
export async function protect(source: ByteSource, sinks: readonly ByteSink[], options: ProtectOptions): Promise<ProtectResult> {
  if (typeof source?.read !== 'function') throw new TypeError('source must be a ByteSource');
  assertInteger(source.size, 'source.size', 0, Number.MAX_SAFE_INTEGER);
  const plan = await beginSplit(source.size, options);
  const { n, chunkSize, size, chunkCount: chunks } = plan.secrets;
  if (!Array.isArray(sinks) || sinks.length !== n) throw new RangeError(`expected ${n} sinks, got ${Array.isArray(sinks) ? sinks.length : typeof sinks}`);

  // Chunks that are not whole blocks: fingerprinted here, front to back. Reads are asked for in
  // order but may complete out of it, so each chunk is taken in only after the one before.
  const streamed = options.fingerprint === true && !plan.secrets.fingerprintBlock ? new StreamFingerprint(size) : undefined;
  let inOrder: Promise<unknown> = Promise.resolve();
  const readPlain = (index: number): Promise<Uint8Array> => {
    const read = readChunk(source, index * chunkSize, chunkLength(size, chunkSize, index));
    if (!streamed) return read;
    const taken = inOrder.then(() => read).then((plain) => {
      streamed.update(plain);
      return plain;
    });
    inOrder = taken.catch(() => undefined);
    return taken;
  };
  const fingerprint = plan.secrets.fingerprintBlock ? new FingerprintBuilder(size) : undefined;
  const blocksPerChunk = chunkSize / FINGERPRINT_BLOCK;
  const afterChunk = async (index: number, records: readonly Uint8Array[], length: number, digests?: Uint8Array | Promise<Uint8Array>): Promise<void> => {
    if (fingerprint) fingerprint.add(index * blocksPerChunk, await digests!);
    await writeAll(sinks, records);
    options.onProgress?.({ done: index * chunkSize + length, total: size });
  };
  const checkAborted = (): void => {
    if (options.signal?.aborted) throw new TesseraError('job.aborted', 'Protecting was cancelled.');
  };
  try {
    await writeAll(sinks, plan.headers);
    if (options.executor) {
      // Chunks go to the executor `window` at a time, and are written in order as they come back.
      const executor = await options.executor(plan.secrets);
      try {
        const inFlight: Promise<{ records: readonly Uint8Array[]; digests?: Uint8Array; length: number }>[] = [];
        let sent = 0;
        const topUp = (): void => {
          while (sent < chunks && inFlight.length < Math.max(1, executor.window)) {
            const index = sent++;
            const done = readPlain(index).then(async (plain) => ({ ...(await executor.protectChunk(index, plain)), length: plain.length }));
            done.catch(() => undefined); // awaited in turn; this only keeps an early failure from going unhandled
            inFlight.push(done);
          }
        };
        topUp();
        for (let index = 0; index < chunks; index++) {
          checkAborted();
          const { records, digests, length } = await inFlight.shift()!;
          topUp();
          if (fingerprint && !digests) throw new TypeError('the executor returned no block digests for a fingerprint');
          await afterChunk(index, records, length, digests);
          executor.release?.(records);
        }
      } finally {
        await executor.close();
      }
    } else {
      // Here: chunk i + 1 is read and sent through AES-GCM while chunk i is split and written, in
      // buffers reused from chunk to chunk (they overlap where WebCrypto has a thread of its own).
      const protector = await ChunkProtector.create(plan.secrets, options.random);
      const digests = new Map<number, Promise<Uint8Array>>();
      const prepare = (index: number): Promise<PreparedChunk> => {
        const promise = readPlain(index).then((plain) => {
          if (fingerprint) digests.set(index, digestBlocks(plain));
          return protector.prepare(index, plain);
        });
        promise.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
        return promise;
      };
      let next = prepare(0);
      for (let index = 0; index < chunks; index++) {
        checkAborted();
        const prepared = await next;
        if (index + 1 < chunks) next = prepare(index + 1);
        const chunkDigests = digests.get(index);
        digests.delete(index);
        await afterChunk(index, protector.finish(prepared), prepared.plain.length, chunkDigests);
      }
      protector.dispose();
    }
    plan.secrets.recordKey.fill(0);
    await Promise.all(sinks.map((sink) => sink.close()));
    const digest = fingerprint ?? streamed;
    return digest ? { ...plan.result, fingerprint: await digest.value() } : plan.result;
  } catch (error) {
    plan.secrets.recordKey.fill(0);
    await Promise.allSettled(sinks.map((sink) => sink.abort?.(error)));
    throw error;
  }
}

async function readChunk(source: ByteSource, offset: number, length: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await source.read(offset, length);
  } catch (error) {
    throw toTesseraError(error) ?? new TesseraError('input.unreadable', `Reading the file failed at byte ${offset}.`, {}, { cause: error });
  }
  if (bytes.length !== length) {
    throw new TesseraError('input.unreadable', `The file ended early: expected ${length} bytes at ${offset}, got ${bytes.length}. Was it changed while being protected?`);
  }
  return bytes;
}

async function writeAll(sinks: readonly ByteSink[], parts: readonly Uint8Array[]): Promise<void> {
  try {
    await Promise.all(sinks.map((sink, i) => sink.write(parts[i]!)));
  } catch (error) {
    throw toTesseraError(error) ?? new TesseraError('output.failed', 'Writing a share failed.', {}, { cause: error });
  }
}

/** In-memory convenience for small inputs (tests, key material): all n shares as arrays. */
export async function protectBytes(
  data: Uint8Array,
  options: ProtectOptions,
): Promise<{ readonly result: ProtectResult; readonly shares: Uint8Array[] }> {
  const sinks = Array.from({ length: options.n }, () => new MemorySink());
  const result = await protect(bytesSource(data), sinks, options);
  return { result, shares: sinks.map((sink) => sink.bytes()) };
}
