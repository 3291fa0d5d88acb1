import { importRecordKey, streamNonce } from './aead.js';
import { equalBytes, fromHex } from './bytes.js';
import { ChunkRebuilder } from './chunks.js';
import { TesseraError, toTesseraError, type ErrorCode } from './errors.js';
import {
  HEADER_SIZE,
  bindingFromHeader,
  chunkCount,
  chunkLength,
  parseHeader,
  recordLength,
  recordOffset,
  shareSize,
} from './format.js';
import { MemorySink, bytesSource, type ByteSink, type ByteSource } from './io.js';
import { FINGERPRINT_BLOCK, FingerprintBuilder, StreamFingerprint, digestBlocks } from './fingerprint.js';
import { createLocalRecoverExecutor, type RecoverChunkResult, type RecoverContext } from './executor.js';
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

/**
 * Rebuilds the original from any k (or more) shares, streamed chunk by chunk into `sink`.
 *
 * Every chunk is authenticated (AES-GCM in `ssms`, a Shamir-shared AES-GCM tag in `shamir`) before
 * it is written. Chunks are rebuilt by an executor (`options.executor`; by default in this thread,
 * two at a time), several in flight, written in order. When a chunk does not verify, the other
 * k-subsets of the shares at hand are tried; the first that verifies is used from then on, and
 * every share inconsistent with it is named in `problems`. With exactly k shares and one altered there is no other subset: recovery refuses
 * (share.corrupt) — it never writes a wrong file. On failure the sink is aborted.
 */
export async function recover(shares: readonly ByteSource[], sink: ByteSink, options: RecoverOptions = {}): Promise<RecoverResult> {
  if (!Array.isArray(shares)) throw new TypeError('shares must be an array of ByteSource');
  try {
    return await recoverLeavingOut(shares, sink, options, new Set());
  } catch (error) {
    await sink.abort?.(error);
    throw error;
  }
}

/** How many conflicting claims to one x recovery resolves by leaving shares out, at most. */
const MAX_CONFLICTS = 3;

/**
 * Recovers from `shares` but those at the positions in `leftOut`. When two different shares claim
 * one x (share-format.md §7: a provider re-sealed a header with another share's x, or two splits'
 * shares were mixed with identical parameters), at most one of them is genuine, and refusing both
 * would let one provider block a recovery that k honest shares could make: so recovery is tried
 * without each of them in turn — first without the one whose key share disagrees with the other
 * shares, when there are enough others to tell — and the one left out is named (share.duplicate).
 * A conflict is found before anything is written, so a try that fails early leaves the sink
 * untouched; a try that fails after writing ends the recovery.
 */
async function recoverLeavingOut(shares: readonly ByteSource[], sink: ByteSink, options: RecoverOptions, leftOut: ReadonlySet<number>): Promise<RecoverResult> {
  try {
    return await recoverInto(shares, sink, options, leftOut);
  } catch (error) {
    if (!(error instanceof ConflictingShares) || leftOut.size >= MAX_CONFLICTS) throw error;
    let last: unknown = error;
    for (const out of error.tryWithout) {
      let written = false;
      const watched: ByteSink = {
        write: (bytes) => {
          written = true;
          return sink.write(bytes);
        },
        close: () => sink.close(),
        ...(sink.abort ? { abort: (reason?: unknown) => sink.abort!(reason) } : {}),
      };
      try {
        const result = await recoverLeavingOut(shares, watched, options, new Set([...leftOut, out.index]));
        const other = error.claimants.find((claimant) => claimant.index !== out.index)!;
        const problem: ShareProblem = {
          shareIndex: out.index,
          shareX: out.header.x,
          code: 'share.duplicate',
          message: `Share #${out.index + 1} claims x=${out.header.x}, as share #${other.index + 1} does, and does not fit the others: it was left out.`,
        };
        return { ...result, problems: [...result.problems, problem].sort((a, b) => a.shareIndex - b.shareIndex) };
      } catch (inner) {
        if (written) throw inner;
        last = inner;
      }
    }
    // Neither try rebuilt the file: the conflict is what to tell, unless a try was cancelled or broke.
    const known = toTesseraError(last);
    throw !known || known.code === 'job.aborted' ? last : error;
  }
}

/** Two different shares claim one x (thrown before anything is written; see recoverLeavingOut). */
class ConflictingShares extends TesseraError {
  constructor(
    readonly claimants: readonly Candidate[],
    /** The claimants in the order to try leaving them out. */
    readonly tryWithout: readonly Candidate[],
  ) {
    const [first, second] = claimants;
    super('share.duplicate', `Two different shares claim x=${first!.header.x} (#${first!.index + 1} and #${second!.index + 1}).`, { shareIndex: second!.index, shareX: second!.header.x });
  }
}

async function recoverInto(shares: readonly ByteSource[], sink: ByteSink, options: RecoverOptions, leftOut: ReadonlySet<number>): Promise<RecoverResult> {
  const problems = new Map<number, ShareProblem>();
  const report = (index: number, shareX: number | undefined, code: ErrorCode, message: string): void => {
    if (!problems.has(index)) problems.set(index, { shareIndex: index, shareX, code, message });
  };

  const candidates = (await readHeaders(shares, report)).filter((candidate) => !leftOut.has(candidate.index));
  const group = chooseGroup(candidates, report, problems);
  const { scheme, k, n, chunkSize, size, splitId } = group[0]!.header;
  const chunks = chunkCount(size, chunkSize);
  // Executors digest whole blocks where they rebuild each chunk; other chunk sizes are digested here, in order.
  const block = options.fingerprintBlock ?? FINGERPRINT_BLOCK;
  const wantFingerprint = options.fingerprint === true && chunkSize % block === 0;
  const streamed = options.fingerprint === true && !wantFingerprint ? new StreamFingerprint(size, block) : undefined;
  const fingerprint = wantFingerprint ? new FingerprintBuilder(size, block) : undefined;
  const context: RecoverContext = {
    scheme,
    k,
    n,
    chunkSize,
    size,
    chunkCount: chunks,
    splitId: fromHex(splitId),
    binding: bindingFromHeader(group[0]!.headerBytes),
    ...(wantFingerprint ? { fingerprintBlock: block } : {}),
  };
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
  const usable = (): Candidate[] => [
    ...group.filter((c) => !gone.has(c) && !damaged.has(c)),
    ...group.filter((c) => !gone.has(c) && damaged.has(c)),
  ];
  const markDamaged = (candidate: Candidate, index: number): void => {
    damaged.add(candidate);
    report(candidate.index, candidate.header.x, 'share.corrupt', `Share x=${candidate.header.x} is damaged or was altered (chunk ${index + 1} does not match the others).`);
  };

  const recordKeys = new Map<string, Uint8Array>();
  const recordKeyFor = (subset: readonly Candidate[]): Uint8Array => {
    const cacheKey = subset.map((c) => c.header.x).join(',');
    let key = recordKeys.get(cacheKey);
    if (!key) {
      key = new Uint8Array(32);
      evaluateAt(subset.map((c) => c.header.x), subset.map((c) => c.header.keyShare), 0, key, 32);
      recordKeys.set(cacheKey, key);
    }
    return key;
  };

  /** Records read so far, per chunk still in flight; each is read once. */
  const records = new Map<number, Map<Candidate, Promise<Uint8Array | undefined>>>();
  const recordOf = (candidate: Candidate, index: number): Promise<Uint8Array | undefined> => {
    if (gone.has(candidate)) return Promise.resolve(undefined);
    let perChunk = records.get(index);
    if (!perChunk) records.set(index, (perChunk = new Map()));
    let record = perChunk.get(candidate);
    if (!record) {
      record = readRecord(candidate, index);
      perChunk.set(candidate, record);
    }
    return record;
  };
  const readRecord = async (candidate: Candidate, index: number): Promise<Uint8Array | undefined> => {
    const length = recordLength(scheme, k, chunkLength(size, chunkSize, index));
    let record: Uint8Array;
    try {
      record = await candidate.source.read(recordOffset(scheme, k, chunkSize, index), length);
    } catch (error) {
      const known = toTesseraError(error);
      gone.add(candidate);
      report(candidate.index, candidate.header.x, known?.code ?? 'share.unreadable', known?.detail ?? `Share x=${candidate.header.x} could not be read.`);
      return undefined;
    }
    if (record.length !== length) {
      gone.add(candidate);
      report(candidate.index, candidate.header.x, 'share.truncated', `Share x=${candidate.header.x} ended early while it was being read.`);
      return undefined;
    }
    return record;
  };

  const executor = await (options.executor ?? ((c: RecoverContext) => Promise.resolve(createLocalRecoverExecutor(c))))(context);
  try {
    // Systematic code: the data fragments (x ≤ k) need no decoding, so try them first.
    let active: readonly Candidate[] = group.slice(0, k);

    /** A chunk sent to the executor with the subset in use when it was sent. */
    interface Flight {
      readonly index: number;
      readonly subset: readonly Candidate[];
      readonly spares: readonly Candidate[];
      /** undefined: a record could not be read; rejected: the executor failed. */
      readonly result: Promise<RecoverChunkResult | undefined>;
    }
    const send = (index: number): Flight => {
      const subset = active;
      const spares = verifySpares ? usable().filter((c) => !subset.includes(c) && !damaged.has(c)) : [];
      const result = (async () => {
        const fragments = await Promise.all(subset.map((c) => recordOf(c, index)));
        if (fragments.some((f) => f === undefined)) return undefined;
        const spareRecords = await Promise.all(spares.map(async (c) => ({ x: c.header.x, fragment: await recordOf(c, index) })));
        return executor.rebuildChunk({
          index,
          xs: subset.map((c) => c.header.x),
          recordKey: recordKeyFor(subset),
          fragments: fragments as Uint8Array[],
          spares: spareRecords.filter((s): s is { x: number; fragment: Uint8Array } => s.fragment !== undefined),
        });
      })();
      result.catch(() => undefined); // awaited in turn; this only keeps an early failure from going unhandled
      return { index, subset, spares, result };
    };

    const inFlight: Flight[] = [];
    let sent = 0;
    const topUp = (): void => {
      while (sent < chunks && inFlight.length < Math.max(1, executor.window)) inFlight.push(send(sent++));
    };
    topUp();
    const fallback = new ChunkRebuilder(scheme, k, n, chunkSize, context.binding);

    for (let index = 0; index < chunks; index++) {
      if (options.signal?.aborted) throw new TesseraError('job.aborted', 'Recovery was cancelled.');
      const flight = inFlight.shift()!;
      topUp();
      const outcome = await flight.result.catch(() => undefined);
      let plaintext = outcome?.plaintext;
      let rebuiltFrom = flight.subset;
      if (plaintext) {
        for (const spare of flight.spares) {
          const bad = outcome!.inconsistent.includes(spare.header.x) || !keyShareConsistent(flight.subset, spare);
          if (bad && (await recordOf(spare, index)) !== undefined) markDamaged(spare, index);
        }
        for (const candidate of flight.subset) used.add(candidate);
      } else {
        // The subset did not rebuild this chunk: search the others here, name the damaged ones.
        // The executor may have taken the records it was given: read this chunk's records afresh.
        records.delete(index);
        const skip = outcome && outcome.plaintext === undefined ? flight.subset : undefined;
        const found = await searchChunk(index, skip);
        plaintext = found.plaintext;
        active = found.subset;
        rebuiltFrom = found.subset;
        for (const candidate of found.subset) used.add(candidate);
      }
      // Digested before the sink may reuse the bytes (WebCrypto copies them as it is called).
      const digests = fingerprint ? (plaintext === outcome?.plaintext && outcome.digests ? outcome.digests : digestBlocks(plaintext, block)) : undefined;
      streamed?.update(plaintext);
      try {
        await sink.write(plaintext);
      } catch (error) {
        throw toTesseraError(error) ?? new TesseraError('output.failed', 'Writing the rebuilt file failed.', {}, { cause: error });
      }
      records.delete(index);
      if (fingerprint) fingerprint.add(index * (chunkSize / block), await digests!);
      if (plaintext === outcome?.plaintext) executor.release?.(plaintext);
      await options.onChunk?.({ index, shares: rebuiltFrom.map((c) => c.index) });
      options.onProgress?.({ done: Math.min(size, (index + 1) * chunkSize), total: size });
    }

    /** Tries every k-subset of the usable shares (but `skip`) on one chunk; the first that authenticates wins. */
    async function searchChunk(index: number, skip: readonly Candidate[] | undefined): Promise<{ plaintext: Uint8Array; subset: readonly Candidate[] }> {
      const length = chunkLength(size, chunkSize, index);
      const nonce = streamNonce(context.splitId, index, index === chunks - 1);
      let tried = 0;
      for (const subset of combinations(usable(), k)) {
        if (skip && sameMembers(subset, skip)) continue;
        if (++tried > MAX_SUBSETS_TRIED) break;
        const fragments = await Promise.all(subset.map((c) => recordOf(c, index)));
        if (fragments.some((f) => f === undefined)) continue;
        const key = await importRecordKey(recordKeyFor(subset));
        const rebuilt = await fallback.rebuild(subset.map((c) => c.header.x), fragments as Uint8Array[], key, nonce, length);
        if (!rebuilt) continue;
        for (const other of usable().filter((c) => !subset.includes(c) && !damaged.has(c))) {
          const record = await recordOf(other, index);
          if (record && !(rebuilt.consistent(other.header.x, record) && keyShareConsistent(subset, other))) markDamaged(other, index);
        }
        return { plaintext: rebuilt.plaintext, subset };
      }
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
    fallback.dispose();
  } finally {
    await executor.close();
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
    ...(fingerprint || streamed ? { fingerprint: await (fingerprint ?? streamed)!.value() } : {}),
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
    if (twin && !equalBytes(twin.headerBytes, candidate.headerBytes)) {
      // Different shares with one x: at most one is genuine (recoverLeavingOut tries without each).
      // One share per x (the first given of each): two others claiming one x too would make the
      // interpolation below divide by zero (a RangeError out of recover; found by test/fuzz).
      const others = group.filter((other, at) => other.header.x !== candidate.header.x && group.findIndex((first) => first.header.x === other.header.x) === at);
      // Its key share on the polynomial through k others (when there are k others to tell by).
      const fits = (claimant: Candidate): boolean => others.length < k || keyShareConsistent(others.slice(0, k), claimant);
      const [a, b] = [twin, candidate];
      throw new ConflictingShares([a, b], fits(a) && !fits(b) ? [b, a] : fits(b) && !fits(a) ? [a, b] : [b, a]);
    }
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

/** In-memory convenience for small inputs: rebuilds from share arrays. */
export async function recoverBytes(
  shares: readonly Uint8Array[],
  options: RecoverOptions = {},
): Promise<{ readonly result: RecoverResult; readonly data: Uint8Array }> {
  const sink = new MemorySink();
  const result = await recover(shares.map(bytesSource), sink, options);
  return { result, data: sink.bytes() };
}
