/**
 * How an object is cut into parts, within a store's limits (transport.ts TransferLimits): every part
 * but the last at least `minPartSize` (S3: 5 MiB), at most `maxPartSize`, at most `maxParts` parts
 * (S3: 10,000). Bigger parts mean fewer requests but more memory (the uploader holds up to
 * concurrency + 1 of them) and more to send again after a failure.
 */
import type { TransferLimits } from './transport.js';

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

export interface PartPlan {
  /** Size of the first part (of every part but the last, when `growEvery` is null). */
  readonly partSize: number;
  /**
   * For an object of unknown size: the part size doubles after every `growEvery` parts (capped at
   * maxPartSize), so that ten growth steps reach the part limit only beyond several TiB. null when
   * the size is known and every part (but the last) has `partSize` bytes.
   */
  readonly growEvery: number | null;
}

/**
 * The plan for an object of `size` bytes (undefined: not known in advance). With a known size the
 * part size is the preferred one unless the object needs bigger parts to fit in `maxParts`.
 */
export function planParts(size: number | undefined, limits: TransferLimits, preferred = DEFAULT_PART_SIZE): PartPlan {
  checkLimits(limits);
  if (!Number.isSafeInteger(preferred) || preferred < 1) throw new RangeError(`part size: expected a positive integer, got ${preferred}`);
  const base = Math.min(limits.maxPartSize, Math.max(limits.minPartSize, preferred));
  if (size === undefined) return { partSize: base, growEvery: Math.max(1, Math.floor(limits.maxParts / 10)) };
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`object size: expected a non-negative integer, got ${size}`);
  const partSize = Math.max(base, Math.ceil(size / limits.maxParts));
  if (partSize > limits.maxPartSize) {
    throw new RangeError(`object size: ${size} bytes is more than this store takes (${limits.maxParts} parts of at most ${limits.maxPartSize} bytes)`);
  }
  return { partSize, growEvery: null };
}

/** Size of part `partNumber` (1-based) under `plan`, before the object's end cuts the last one short. */
export function partSizeAt(plan: PartPlan, limits: TransferLimits, partNumber: number): number {
  if (plan.growEvery === null) return plan.partSize;
  const doublings = Math.min(40, Math.floor((partNumber - 1) / plan.growEvery));
  return Math.min(limits.maxPartSize, plan.partSize * 2 ** doublings);
}

/** Number of parts of a `size`-byte object under a fixed-size plan (at least 1: an empty object is one empty part). */
export function partCount(size: number, plan: PartPlan): number {
  return Math.max(1, Math.ceil(size / plan.partSize));
}

function checkLimits(limits: TransferLimits): void {
  for (const name of ['singlePutLimit', 'minPartSize', 'maxPartSize', 'maxParts'] as const) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < (name === 'singlePutLimit' ? 0 : 1)) {
      throw new RangeError(`transfer limits: ${name} must be a positive integer, got ${value}`);
    }
  }
  if (limits.minPartSize > limits.maxPartSize) {
    throw new RangeError(`transfer limits: minPartSize ${limits.minPartSize} is more than maxPartSize ${limits.maxPartSize}`);
  }
}
