import { chunkTag, importRecordKey, sealChunk, streamNonce } from './aead.js';
import { hex } from './bytes.js';
import { assertInteger, assertThreshold } from './assert.js';
import { TesseraError, toTesseraError } from './errors.js';
import {
  DEFAULT_CHUNK_SIZE,
  KEY_SIZE,
  MAX_CHUNKS,
  MAX_CHUNK_SIZE,
  SPLIT_ID_SIZE,
  TAG_SIZE,
  bindingFromHeader,
  chunkCount,
  chunkLength,
  encodeHeader,
  recordLength,
  shareSize,
} from './format.js';
import { MemorySink, bytesSource, type ByteSink, type ByteSource } from './io.js';
import { defaultRandom } from './random.js';
import { ReedSolomon } from './reed-solomon.js';
import { randomCoefficientRows, splitInto, splitSecret, xsUpTo } from './shamir.js';
import { SCHEMES, type ProtectOptions, type ProtectResult } from './types.js';

/** Rounds up to a multiple of 4, so every fragment view starts word-aligned for the kernel. */
export const alignedStride = (length: number): number => (length + 3) & ~3;

/**
 * Splits the bytes of `source` into n shares, streamed chunk by chunk into `sinks` (sinks[i] gets
 * the share at x = i + 1). Memory stays at a few chunks whatever the size of the source.
 *
 * Order in which `random` is consumed (so known-answer vectors can be reproduced elsewhere):
 * split id (16 bytes), record key (32), the key's Shamir coefficients ((k−1)·32), then for scheme
 * `shamir` the chunk coefficients ((k−1)·(L+16) per chunk, coefficient 1 for every byte first).
 *
 * On any failure every sink is aborted, so no partial share is left behind as if complete.
 */
export async function protect(source: ByteSource, sinks: readonly ByteSink[], options: ProtectOptions): Promise<ProtectResult> {
  const { scheme, k, n } = options;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const random = options.random ?? defaultRandom;
  if (!SCHEMES.includes(scheme)) throw new RangeError(`scheme must be one of ${SCHEMES.join(', ')}, got ${String(scheme)}`);
  assertThreshold(k, n);
  assertInteger(chunkSize, 'chunkSize', 1, MAX_CHUNK_SIZE);
  if (typeof source?.read !== 'function') throw new TypeError('source must be a ByteSource');
  assertInteger(source.size, 'source.size', 0, Number.MAX_SAFE_INTEGER);
  if (!Array.isArray(sinks) || sinks.length !== n) throw new RangeError(`expected ${n} sinks, got ${Array.isArray(sinks) ? sinks.length : typeof sinks}`);
  const size = source.size;
  const chunks = chunkCount(size, chunkSize);
  if (chunks > MAX_CHUNKS) throw new RangeError(`a ${size}-byte file needs a chunk size of at least ${Math.ceil(size / MAX_CHUNKS)}`);

  try {
    const splitIdBytes = new Uint8Array(SPLIT_ID_SIZE);
    random(splitIdBytes);
    const recordKey = new Uint8Array(KEY_SIZE);
    random(recordKey);
    const keyShares = splitSecret(recordKey, k, n, random);
    const splitId = hex(splitIdBytes);
    const headers = await Promise.all(
      keyShares.map((keyShare, i) => encodeHeader({ version: 1, scheme, k, n, x: i + 1, chunkSize, size, splitId, keyShare })),
    );
    const key = await importRecordKey(recordKey);
    recordKey.fill(0);
    const binding = bindingFromHeader(headers[0]!);
    await writeAll(sinks, headers);

    const xs = xsUpTo(n);
    const codec = scheme === 'ssms' ? new ReedSolomon(k, n) : undefined;
    for (let index = 0; index < chunks; index++) {
      if (options.signal?.aborted) throw new TesseraError('job.aborted', 'Protecting was cancelled.');
      const length = chunkLength(size, chunkSize, index);
      const plain = await readChunk(source, index * chunkSize, length);
      const nonce = streamNonce(splitIdBytes, index, index === chunks - 1);
      const fragments =
        codec === undefined
          ? await shamirChunk(key, nonce, binding, plain, k, xs, random)
          : await ssmsChunk(key, nonce, binding, plain, codec);
      await writeAll(sinks, fragments);
      options.onProgress?.({ done: index * chunkSize + length, total: size });
    }
    await Promise.all(sinks.map((sink) => sink.close()));
    return { splitId, scheme, k, n, chunkSize, size, shareSize: shareSize(scheme, k, n, size, chunkSize) };
  } catch (error) {
    await Promise.allSettled(sinks.map((sink) => sink.abort?.(error)));
    throw error;
  }
}

/**
 * Scheme `shamir`: the chunk and its authentication tag are Shamir-shared together, so each share
 * is information-theoretically independent of the data, and a rebuild is authenticated.
 */
async function shamirChunk(
  key: CryptoKey,
  nonce: Uint8Array<ArrayBuffer>,
  binding: Uint8Array,
  plain: Uint8Array,
  k: number,
  xs: readonly number[],
  random: (out: Uint8Array) => void,
): Promise<Uint8Array[]> {
  const length = plain.length;
  const secretLength = length + TAG_SIZE;
  const stride = alignedStride(secretLength);
  const secret = new Uint8Array(stride);
  secret.set(plain, 0);
  secret.set(await chunkTag(key, nonce, binding, plain), length);
  const coefficients = randomCoefficientRows(k, secretLength, random);
  const block = new Uint8Array(xs.length * stride);
  const outputs = xs.map((_, i) => block.subarray(i * stride, i * stride + secretLength));
  splitInto(secret, secretLength, xs, coefficients, outputs);
  for (const row of coefficients) row.fill(0);
  secret.fill(0);
  return outputs;
}

/**
 * Scheme `ssms` (Krawczyk, "Secret sharing made short", CRYPTO '93): AES-256-GCM the chunk, cut the
 * ciphertext ‖ tag into k zero-padded data fragments, add n−k Reed–Solomon parity fragments.
 */
async function ssmsChunk(
  key: CryptoKey,
  nonce: Uint8Array<ArrayBuffer>,
  binding: Uint8Array,
  plain: Uint8Array,
  codec: ReedSolomon,
): Promise<Uint8Array[]> {
  const sealed = await sealChunk(key, nonce, binding, plain);
  const fragmentLength = recordLength('ssms', codec.k, plain.length);
  const stride = alignedStride(fragmentLength);
  const block = new Uint8Array(codec.n * stride);
  const fragments = Array.from({ length: codec.n }, (_, i) => block.subarray(i * stride, i * stride + fragmentLength));
  for (let j = 0; j < codec.k; j++) fragments[j]!.set(sealed.subarray(j * fragmentLength, (j + 1) * fragmentLength));
  codec.encodeInto(fragments.slice(0, codec.k), fragments.slice(codec.k), fragmentLength);
  return fragments;
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
