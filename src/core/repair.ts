/**
 * Rebuilds lost shares of a split from any k good ones, without a new split: the share at x' is
 * byte for byte the one protect wrote (docs/share-format.md §6.1, "the value a share at x' should
 * hold"), so it works with the shares still stored and a record survives as many losses as before.
 *
 * Every record of a new share is a linear combination, over GF(2^8), of k records that are known
 * to be good because they rebuilt an authenticated chunk (recover's `onChunk`):
 * - `shamir`: the Lagrange basis at x' of the k points (the polynomial through them, evaluated at x');
 * - `ssms`: row x'−1 of the Reed–Solomon generator times the inverse of the k rows at hand (decode
 *   the data fragments, encode fragment x'−1), which is the same for every chunk.
 * The key share at x' is the Lagrange evaluation of the k key shares. A single altered share cannot
 * slip in: the chunk it took part in would not authenticate, and recover would use another subset.
 */
import { TesseraError } from './errors.js';
import { HEADER_SIZE, chunkLength, encodeHeader, parseHeader, recordLength, recordOffset, shareSize } from './format.js';
import { gfInvertMatrix, gfMul } from './gf256.js';
import type { ByteSink, ByteSource } from './io.js';
import { getGfKernel } from './kernel.js';
import { recover } from './recover.js';
import { ReedSolomon } from './reed-solomon.js';
import { evaluateAt, lagrangeCoefficients } from './shamir.js';
import type { Progress, RecoverResult, Scheme, ShareHeader } from './types.js';

export interface RepairTarget {
  /** The x-coordinate of the share to rebuild, 1..n. */
  readonly x: number;
  readonly sink: ByteSink;
}

export interface RepairOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

export interface RepairResult extends RecoverResult {
  /** The x of every share rebuilt, as asked. */
  readonly repaired: readonly number[];
  /** Size of each rebuilt share in bytes. */
  readonly shareSize: number;
}

/** A sink that keeps nothing: repair needs recover's verification, not the original. */
const DISCARD: ByteSink = { write: () => Promise.resolve(), close: () => Promise.resolve() };

/**
 * Writes the shares at `targets[i].x` of the split the given shares belong to (k or more of them)
 * into `targets[i].sink`. The original is rebuilt and authenticated chunk by chunk on the way, but
 * never written anywhere. On failure every target sink is aborted.
 */
export async function repairShares(shares: readonly ByteSource[], targets: readonly RepairTarget[], options: RepairOptions = {}): Promise<RepairResult> {
  if (targets.length === 0) throw new RangeError('repairShares: no share to rebuild');
  const xs = targets.map((target) => target.x);
  if (xs.some((x) => !Number.isSafeInteger(x) || x < 1 || x > 255) || new Set(xs).size !== xs.length) {
    throw new RangeError(`repairShares: expected distinct x-coordinates from 1 to 255, got ${xs.join(', ')}`);
  }
  // Headers as far as they parse; recover reports the ones that do not, and never uses them.
  const headers = await Promise.all(
    shares.map(async (source) => parseHeader(await source.read(0, Math.min(source.size, HEADER_SIZE))).catch(() => undefined)),
  );
  const coefficients = new Map<string, Uint8Array>();
  let started = false;
  let written = 0;

  const writeHeaders = async (from: readonly ShareHeader[]): Promise<void> => {
    const { scheme, k, n, chunkSize, size, splitId, version } = from[0]!;
    const tooBig = xs.find((x) => x > n);
    if (tooBig !== undefined) throw new RangeError(`repairShares: this split has ${n} shares, so there is no share ${tooBig}`);
    for (const target of targets) {
      const keyShare = new Uint8Array(32);
      evaluateAt(from.map((h) => h.x), from.map((h) => h.keyShare), target.x, keyShare, 32);
      await target.sink.write(await encodeHeader({ version, scheme, k, n, x: target.x, chunkSize, size, splitId, keyShare }));
    }
    written = shareSize(scheme, k, n, size, chunkSize);
  };

  const onChunk = async ({ index, shares: used }: { readonly index: number; readonly shares: readonly number[] }): Promise<void> => {
    const from = used.map((position) => headers[position]!);
    const { scheme, k, n, chunkSize, size } = from[0]!;
    if (!started) {
      started = true;
      await writeHeaders(from);
    }
    const sourceXs = from.map((h) => h.x);
    const cacheKey = sourceXs.join(',');
    let matrix = coefficients.get(cacheKey);
    if (!matrix) {
      matrix = repairMatrix(scheme, k, n, sourceXs, xs);
      coefficients.set(cacheKey, matrix);
    }
    const length = recordLength(scheme, k, chunkLength(size, chunkSize, index));
    const offset = recordOffset(scheme, k, chunkSize, index);
    const records = await Promise.all(used.map((position) => shares[position]!.read(offset, length)));
    if (records.some((record) => record.length !== length)) {
      throw new TesseraError('share.truncated', `A share ended early while chunk ${index + 1} was being read again.`);
    }
    const outputs = targets.map(() => new Uint8Array(length));
    getGfKernel().matrixMultiply(matrix, targets.length, k, records, outputs, length);
    for (let t = 0; t < targets.length; t++) await targets[t]!.sink.write(outputs[t]!);
  };

  try {
    const result = await recover(shares, DISCARD, {
      onChunk,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    for (const target of targets) await target.sink.close();
    return { ...result, repaired: xs, shareSize: written };
  } catch (error) {
    await Promise.allSettled(targets.map((target) => target.sink.abort?.(error)));
    throw error;
  }
}

/**
 * Row-major (targets × k) matrix whose row t makes the record of share `targets[t]` from the records
 * of the shares at `sourceXs` (in that order).
 */
export function repairMatrix(scheme: Scheme, k: number, n: number, sourceXs: readonly number[], targetXs: readonly number[]): Uint8Array {
  const matrix = new Uint8Array(targetXs.length * k);
  if (scheme === 'shamir') {
    targetXs.forEach((x, t) => matrix.set(lagrangeCoefficients(sourceXs, x), t * k));
    return matrix;
  }
  // ssms: fragment r = G[r] · D and records = M · D, so fragment r = (G[r] · M⁻¹) · records.
  const code = new ReedSolomon(k, n);
  const selection = new Uint8Array(k * k);
  sourceXs.forEach((x, i) => selection.set(code.row(x - 1), i * k));
  const inverse = gfInvertMatrix(selection, k);
  targetXs.forEach((x, t) => {
    const row = code.row(x - 1);
    for (let j = 0; j < k; j++) {
      let sum = 0;
      for (let m = 0; m < k; m++) sum ^= gfMul(row[m]!, inverse[m * k + j]!);
      matrix[t * k + j] = sum;
    }
  });
  return matrix;
}
