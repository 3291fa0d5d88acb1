import { chunkTag, importRecordKey, openChunk, streamNonce } from './aead.js';
import { fromHex, equalBytes } from './bytes.js';
import { TesseraError, toTesseraError, type ErrorCode } from './errors.js';
import {
  HEADER_SIZE,
  TAG_SIZE,
  bindingFromHeader,
  chunkCount,
  chunkLength,
  parseHeader,
  recordLength,
  recordOffset,
  shareSize,
} from './format.js';
import { MemorySink, bytesSource, type ByteSink, type ByteSource } from './io.js';
import { alignedStride } from './protect.js';
import { getGfKernel } from './kernel.js';
import { ReedSolomon } from './reed-solomon.js';
import { evaluateAt } from './shamir.js';
import type { RecoverOptions, RecoverResult, ShareHeader, ShareProblem } from './types.js';

/** Beyond this many k-subsets tried for one chunk, recovery gives up rather than search forever. */
const MAX_SUBSETS_TRIED = 2000;

interface Candidate {
  readonly index: number;
  readonly source: ByteSource;
  readonly header: ShareHeader;
  readonly headerBytes: Uint8Array;
}

/** A verified rebuild of one chunk, and a way to check any other share's fragment against it. */
interface Rebuilt {
  readonly plaintext: Uint8Array;
  /** Whether `candidate`'s key share and fragment are what the verified data implies. */
  consistent(candidate: Candidate, fragment: Uint8Array): boolean;
}

/**
 * Rebuilds the original from any k (or more) shares, streamed chunk by chunk into `sink`.
 *
 * Every chunk is authenticated (AES-GCM in `ssms`, a Shamir-shared GMAC in `shamir`) before it is
 * written. When a chunk does not verify, the other k-subsets of the shares at hand are tried; the
 * first that verifies is used from then on, and every share inconsistent with it is named in
 * `problems`. With exactly k shares and one altered there is no other subset: recovery refuses
 * (share.corrupt) — it never writes a wrong file. On failure the sink is aborted.
 */
export async function recover(shares: readonly ByteSource[], sink: ByteSink, options: RecoverOptions = {}): Promise<RecoverResult> {
  if (!Array.isArray(shares)) throw new TypeError('shares must be an array of ByteSource');
  try {
    return await recoverInto(shares, sink, options);
  } catch (error) {
    await sink.abort?.(error);
    throw error;
  }
}

async function recoverInto(shares: readonly ByteSource[], sink: ByteSink, options: RecoverOptions): Promise<RecoverResult> {
  const problems = new Map<number, ShareProblem>();
  const report = (index: number, shareX: number | undefined, code: ErrorCode, message: string): void => {
    if (!problems.has(index)) problems.set(index, { shareIndex: index, shareX, code, message });
  };

  const candidates = await readHeaders(shares, report);
  const group = chooseGroup(candidates, report, problems);
  const { scheme, k, n, chunkSize, size, splitId } = group[0]!.header;
  const binding = bindingFromHeader(group[0]!.headerBytes);
  const noncePrefix = fromHex(splitId);
  const codec = scheme === 'ssms' ? new ReedSolomon(k, n) : undefined;
  const verifySpares = options.verifySpares ?? true;
  /** Unreadable shares: never asked again. */
  const gone = new Set<Candidate>();
  /**
   * Shares found to disagree with verified data. Damage is often local (a bad sector, one bad
   * part upload), so they stay usable for later chunks — every chunk is authenticated anyway —
   * but are tried last.
   */
  const damaged = new Set<Candidate>();
  const used = new Set<Candidate>();
  const keys = new Map<string, Promise<CryptoKey>>();

  // Systematic code: the data fragments (x ≤ k) need no decoding, so try them first.
  let active = group.slice(0, k);
  const chunks = chunkCount(size, chunkSize);

  for (let index = 0; index < chunks; index++) {
    if (options.signal?.aborted) throw new TesseraError('job.aborted', 'Recovery was cancelled.');
    const length = chunkLength(size, chunkSize, index);
    const fragmentLength = recordLength(scheme, k, length);
    const offset = recordOffset(scheme, k, chunkSize, index);
    const nonce = streamNonce(noncePrefix, index, index === chunks - 1);
    const fragments = new Map<Candidate, Uint8Array>();

    const fragmentOf = async (candidate: Candidate): Promise<Uint8Array | undefined> => {
      if (gone.has(candidate)) return undefined;
      let fragment = fragments.get(candidate);
      if (fragment) return fragment;
      try {
        fragment = aligned(await candidate.source.read(offset, fragmentLength));
      } catch (error) {
        const known = toTesseraError(error);
        gone.add(candidate);
        report(candidate.index, candidate.header.x, known?.code ?? 'share.unreadable', known?.detail ?? `Share x=${candidate.header.x} could not be read.`);
        return undefined;
      }
      if (fragment.length !== fragmentLength) {
        gone.add(candidate);
        report(candidate.index, candidate.header.x, 'share.truncated', `Share x=${candidate.header.x} ended early while it was being read.`);
        return undefined;
      }
      fragments.set(candidate, fragment);
      return fragment;
    };

    const tryRebuild = async (subset: readonly Candidate[]): Promise<Rebuilt | undefined> => {
      const parts: Uint8Array[] = [];
      for (const candidate of subset) {
        const fragment = await fragmentOf(candidate);
        if (!fragment) return undefined;
        parts.push(fragment);
      }
      const key = await keyFor(subset);
      return codec
        ? rebuildSsms(codec, subset, parts, key, nonce, binding, length, fragmentLength)
        : rebuildShamir(subset, parts, key, nonce, binding, length);
    };

    const keyFor = (subset: readonly Candidate[]): Promise<CryptoKey> => {
      const cacheKey = subset.map((c) => c.header.x).join(',');
      let key = keys.get(cacheKey);
      if (!key) {
        const recordKey = new Uint8Array(32);
        evaluateAt(subset.map((c) => c.header.x), subset.map((c) => c.header.keyShare), 0, recordKey, 32);
        key = importRecordKey(recordKey);
        keys.set(cacheKey, key);
      }
      return key;
    };

    let rebuilt = await tryRebuild(active);
    const usable = (): Candidate[] => [
      ...group.filter((c) => !gone.has(c) && !damaged.has(c)),
      ...group.filter((c) => !gone.has(c) && damaged.has(c)),
    ];
    const searched = !rebuilt;
    if (!rebuilt) {
      let tried = 0;
      for (const subset of combinations(usable(), k)) {
        if (sameMembers(subset, active)) continue;
        if (++tried > MAX_SUBSETS_TRIED) break;
        rebuilt = await tryRebuild(subset);
        if (rebuilt) {
          active = subset;
          break;
        }
      }
      if (!rebuilt) {
        const remaining = usable().length;
        if (remaining < k) {
          throw new TesseraError('share.too-few', `Only ${remaining} of the shares could be used, and ${k} are needed.${describe(problems)}`);
        }
        throw new TesseraError(
          'share.corrupt',
          remaining === k
            ? `These ${k} shares do not rebuild a verified file: at least one of them is damaged or was altered. Add one more share so Tessera can tell which.${describe(problems)}`
            : `No ${k} of these ${remaining} shares rebuild a verified file: more than ${remaining - k} of them are damaged or altered.${describe(problems)}`,
        );
      }
    }

    // Name every share that disagrees with the verified data: after a search always (so the
    // damaged one is reported), and on every chunk when asked to check spare shares.
    const others = usable().filter((c) => !active.includes(c) && !damaged.has(c));
    if (others.length > 0 && (verifySpares || searched)) {
      for (const candidate of others) {
        const fragment = await fragmentOf(candidate);
        if (fragment && !rebuilt.consistent(candidate, fragment)) {
          damaged.add(candidate);
          report(candidate.index, candidate.header.x, 'share.corrupt', `Share x=${candidate.header.x} is damaged or was altered (chunk ${index + 1} does not match the others).`);
        }
      }
    }

    for (const candidate of active) used.add(candidate);
    try {
      await sink.write(rebuilt.plaintext);
    } catch (error) {
      throw toTesseraError(error) ?? new TesseraError('output.failed', 'Writing the rebuilt file failed.', {}, { cause: error });
    }
    options.onProgress?.({ done: index * chunkSize + length, total: size });
  }

  await sink.close();
  return {
    splitId,
    scheme,
    k,
    n,
    size,
    usedShares: [...used].map((c) => c.header.x).sort((a, b) => a - b),
    problems: [...problems.values()].sort((a, b) => a.shareIndex - b.shareIndex),
  };
}

async function rebuildShamir(
  subset: readonly Candidate[],
  parts: readonly Uint8Array[],
  key: CryptoKey,
  nonce: Uint8Array<ArrayBuffer>,
  binding: Uint8Array,
  length: number,
): Promise<Rebuilt | undefined> {
  const secretLength = length + TAG_SIZE;
  const xs = subset.map((c) => c.header.x);
  const secret = new Uint8Array(alignedStride(secretLength));
  evaluateAt(xs, parts, 0, secret, secretLength);
  const plaintext = secret.subarray(0, length);
  const tag = await chunkTag(key, nonce, binding, plaintext);
  if (!equalBytes(tag, secret.subarray(length, secretLength))) return undefined;
  return {
    plaintext,
    consistent(candidate, fragment) {
      const expected = new Uint8Array(alignedStride(secretLength));
      evaluateAt(xs, parts, candidate.header.x, expected, secretLength);
      return equalBytes(expected.subarray(0, secretLength), fragment) && keyShareConsistent(subset, candidate);
    },
  };
}

async function rebuildSsms(
  codec: ReedSolomon,
  subset: readonly Candidate[],
  parts: readonly Uint8Array[],
  key: CryptoKey,
  nonce: Uint8Array<ArrayBuffer>,
  binding: Uint8Array,
  length: number,
  fragmentLength: number,
): Promise<Rebuilt | undefined> {
  const k = codec.k;
  const indices = subset.map((c) => c.header.x - 1);
  let dataFragments: readonly Uint8Array[] = parts;
  if (!indices.every((index, j) => index === j)) {
    const stride = alignedStride(fragmentLength);
    const block = new Uint8Array(k * stride);
    dataFragments = Array.from({ length: k }, (_, j) => block.subarray(j * stride, j * stride + fragmentLength));
    codec.decodeInto(indices, parts, dataFragments, fragmentLength);
  }
  const data = new Uint8Array(k * fragmentLength);
  dataFragments.forEach((fragment, j) => data.set(fragment, j * fragmentLength));
  // The zero padding after ciphertext ‖ tag is part of the data fragments: a flipped bit there
  // must be refused too, and GCM does not cover it.
  const sealedLength = length + TAG_SIZE;
  for (let i = sealedLength; i < data.length; i++) if (data[i] !== 0) return undefined;
  const plaintext = await openChunk(key, nonce, binding, data.subarray(0, sealedLength));
  if (!plaintext) return undefined;
  return {
    plaintext,
    consistent(candidate, fragment) {
      const expected = new Uint8Array(alignedStride(fragmentLength));
      const row = codec.row(candidate.header.x - 1);
      getGfKernel().matrixMultiply(row, 1, k, dataFragments, [expected], fragmentLength);
      return equalBytes(expected.subarray(0, fragmentLength), fragment) && keyShareConsistent(subset, candidate);
    },
  };
}

function keyShareConsistent(subset: readonly Candidate[], candidate: Candidate): boolean {
  const expected = new Uint8Array(32);
  evaluateAt(subset.map((c) => c.header.x), subset.map((c) => c.header.keyShare), candidate.header.x, expected, 32);
  return equalBytes(expected, candidate.header.keyShare);
}

async function readHeaders(
  shares: readonly ByteSource[],
  report: (index: number, x: number | undefined, code: ErrorCode, message: string) => void,
): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  await Promise.all(
    shares.map(async (source, index) => {
      try {
        if (typeof source?.read !== 'function' || !Number.isSafeInteger(source.size)) {
          throw new TypeError(`shares[${index}] must be a ByteSource`);
        }
        let headerBytes: Uint8Array;
        try {
          headerBytes = await source.read(0, Math.min(source.size, HEADER_SIZE));
        } catch (error) {
          throw toTesseraError(error) ?? new TesseraError('share.unreadable', `Share #${index + 1} could not be read.`, { shareIndex: index }, { cause: error });
        }
        const header = await parseHeader(headerBytes, index);
        const expected = shareSize(header.scheme, header.k, header.n, header.size, header.chunkSize);
        if (source.size < expected) {
          throw new TesseraError('share.truncated', `Share x=${header.x} is cut short: ${source.size} of ${expected} bytes.`, { shareIndex: index, shareX: header.x });
        }
        if (source.size > expected) {
          throw new TesseraError('share.corrupt', `Share x=${header.x} has ${source.size - expected} bytes more than its header says.`, { shareIndex: index, shareX: header.x });
        }
        candidates.push({ index, source, header, headerBytes: headerBytes.slice(0, HEADER_SIZE) });
      } catch (error) {
        const known = toTesseraError(error);
        if (!known) throw error;
        report(index, known.shareX, known.code, known.detail);
      }
    }),
  );
  return candidates.sort((a, b) => a.header.x - b.header.x || a.index - b.index);
}

/**
 * Shares of one split agree on every common header field. The largest such group is used; shares
 * of other files or of another split of the same file are reported as share.mismatch.
 */
function chooseGroup(
  candidates: readonly Candidate[],
  report: (index: number, x: number | undefined, code: ErrorCode, message: string) => void,
  problems: ReadonlyMap<number, ShareProblem>,
): Candidate[] {
  const groups = new Map<string, Candidate[]>();
  // Groups are formed in the order the shares were given, so a tie goes to the group whose first
  // share came first.
  for (const candidate of [...candidates].sort((a, b) => a.index - b.index)) {
    const { splitId, scheme, k, n, chunkSize, size } = candidate.header;
    const key = [splitId, scheme, k, n, chunkSize, size].join('|');
    groups.set(key, [...(groups.get(key) ?? []), candidate]);
  }
  const ranked = [...groups.values()].sort((a, b) => b.length - a.length);
  const group = ranked[0]?.sort((a, b) => a.header.x - b.header.x);
  if (!group) {
    const only = [...problems.values()];
    if (only.length === 1) throw new TesseraError(only[0]!.code, only[0]!.message, { shareIndex: only[0]!.shareIndex, ...(only[0]!.shareX ? { shareX: only[0]!.shareX } : {}) });
    throw new TesseraError('share.too-few', `None of the ${only.length} files given is a usable share.${describe(problems)}`);
  }
  const k = group[0]!.header.k;
  for (const other of ranked.slice(1)) {
    for (const candidate of other) {
      report(candidate.index, candidate.header.x, 'share.mismatch', `Share #${candidate.index + 1} belongs to a different protected file (record ${candidate.header.splitId.slice(0, 8)}…).`);
    }
  }
  const seen = new Map<number, Candidate>();
  for (const candidate of group) {
    const twin = seen.get(candidate.header.x);
    if (twin) {
      throw new TesseraError(
        'share.duplicate',
        `Share x=${candidate.header.x} was given twice (#${twin.index + 1} and #${candidate.index + 1}).`,
        { shareIndex: candidate.index, shareX: candidate.header.x },
      );
    }
    seen.set(candidate.header.x, candidate);
  }
  if (group.length < k) {
    if (ranked.length > 1) {
      throw new TesseraError('share.mismatch', `These shares belong to ${ranked.length} different protected files; at most ${group.length} belong together and ${k} are needed.`);
    }
    throw new TesseraError('share.too-few', `${group.length} usable share${group.length === 1 ? '' : 's'}, and ${k} are needed to rebuild this file.${describe(problems)}`);
  }
  return group;
}

function describe(problems: ReadonlyMap<number, ShareProblem>): string {
  if (problems.size === 0) return '';
  return ' Left out: ' + [...problems.values()].map((p) => `#${p.shareIndex + 1} (${p.code})`).join(', ') + '.';
}

function* combinations<T>(items: readonly T[], size: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === size) {
    yield [...prefix];
    return;
  }
  for (let i = start; i <= items.length - (size - prefix.length); i++) {
    prefix.push(items[i]!);
    yield* combinations(items, size, i + 1, prefix);
    prefix.pop();
  }
}

function sameMembers<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

/** The kernel's word path needs 4-byte alignment; sources may hand back views at any offset. */
function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
}

/** In-memory convenience for small inputs: rebuilds from share arrays. */
export async function recoverBytes(
  shares: readonly Uint8Array[],
  options: RecoverOptions = {},
): Promise<{ readonly result: RecoverResult; readonly data: Uint8Array }> {
  const sink = new MemorySink();
  const result = await recover(shares.map(bytesSource), sink, options);
  return { result, data: sink.bytes() };
}
