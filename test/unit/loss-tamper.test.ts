/**
 * Loss and tampering, exhaustively, at the level of core protect/recover (docs/security.md,
 * "Loss and tampering"). For every (k, n) with 2 ≤ k ≤ n ≤ 8 and both schemes, a file of three
 * chunks (the last one short) is split once, then:
 *
 *  - loss: for EVERY set of lost shares of size 0 … n − k, the rest (in a seeded shuffled order)
 *    rebuild the file byte for byte, with no share named;
 *  - tampering: every share is altered, one at a time, at a list of positions chosen to cover each
 *    part of it — every header field (magic, version, scheme, k, n, x, reserved, chunk size, size,
 *    split id, key share, header digest), the first, middle and last byte of every record (so the
 *    last chunk too), the bytes that hold the chunk's tag, the padding of `ssms` — plus seeded
 *    random positions, and its length (one byte short, the last record cut off, one byte too many).
 *    Each alteration XORs a seeded non-zero byte; a header alteration is also
 *    made a second time "re-sealed" (the header digest recomputed, as a malicious provider would),
 *    which only the binding of the header into every tag and the key-share check can catch.
 *    With k + 1 shares (the altered one and k others, seeded), recovery must rebuild the file byte
 *    for byte and name the altered share — by its position, with its x when its header can still
 *    be read — and no other; with exactly k (the altered one and k − 1 others) it must refuse
 *    with a TesseraError. A wrong file is never accepted.
 *
 * One re-sealed alteration gives the share the x of another share at hand: two different shares
 * then claim one x, and recovery tries without each of them (docs/share-format.md §7), so it too
 * is rebuilt from k + 1 with the altered share named (share.duplicate). This test found that case:
 * recovery used to refuse both claimants, letting one provider block a recovery from k + 1.
 *
 * The counts (sets of lost shares tried, alterations tried, outcomes by code) are printed at the
 * end; docs/security.md quotes them. Seeded throughout (SEED), so a failure replays.
 * LOSS_TAMPER_EVERY_BYTE=1 also changes every byte of every share, one at a time (a longer run).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HEADER_SIZE, TesseraError, protectBytes, recoverBytes, type ErrorCode, type Scheme } from '../../src/core/index.js';
import { sameBytes } from '../helpers/bytes.js';
import { deterministicRandom, xorshift32 } from '../helpers/deterministic-random.js';
import { subsetsOf } from '../helpers/subsets.js';

const SEED = 0x10557a3b;
const CHUNK = 32;
/** Three chunks, the last one short: 32 + 32 + 19 bytes. */
const SIZE = 2 * CHUNK + 19;
const TAG = 16;
const RANDOM_POSITIONS = 6;
/** LOSS_TAMPER_EVERY_BYTE=1: also change every byte of every share, one at a time (about 5 times longer). */
const EVERY_BYTE = process.env['LOSS_TAMPER_EVERY_BYTE'] === '1';
const MAX_N = 8;

/** Offset in the header of each field altered, by name (docs/share-format.md §3). */
const HEADER_FIELDS: readonly (readonly [string, number])[] = [
  ['magic', 0],
  ['magic (last byte)', 7],
  ['version', 8],
  ['scheme', 9],
  ['k', 10],
  ['n', 11],
  ['x', 12],
  ['reserved', 14],
  ['chunkSize', 19],
  ['size', 27],
  ['splitId', 28],
  ['splitId (last byte)', 43],
  ['keyShare', 44],
  ['keyShare (last byte)', 75],
  ['headerDigest', 76],
  ['headerDigest (last byte)', 107],
];

interface Alteration {
  /** Where, for a failure message: "header k", "chunk 3 tag", "random". */
  readonly where: string;
  readonly offset: number;
  /** Header digest recomputed after the change. */
  readonly resealed: boolean;
  /** A byte changed (default), the share cut short at `offset`, or a byte added at its end. */
  readonly kind?: 'cut' | 'append';
}

type Outcome = 'rebuilt, named' | `refused ${ErrorCode}`;

const tally = {
  lossSets: 0,
  alterations: 0,
  recoveries: 0,
  wrongFiles: 0,
  /** Outcome of each alteration, with k + 1 shares and with exactly k. */
  withSpare: new Map<Outcome, number>(),
  withExactlyK: new Map<Outcome, number>(),
  /** Codes a named share got, with k + 1. */
  named: new Map<ErrorCode, number>(),
};

function count<T>(map: Map<T, number>, key: T): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Record lengths of a share: one per chunk. */
function recordLengths(scheme: Scheme, k: number): number[] {
  const chunks = [CHUNK, CHUNK, SIZE - 2 * CHUNK];
  return chunks.map((length) => (scheme === 'shamir' ? length + TAG : Math.ceil((length + TAG) / k)));
}

/** The positions altered in share x (1-based) of a k-of-n split. */
function alterationsOf(scheme: Scheme, k: number, x: number, shareLength: number, random: () => number): Alteration[] {
  const out: Alteration[] = [];
  for (const [field, offset] of HEADER_FIELDS) {
    out.push({ where: `header ${field}`, offset, resealed: false });
    if (offset < 76) out.push({ where: `header ${field}, re-sealed`, offset, resealed: true });
  }
  const chunks = [CHUNK, CHUNK, SIZE - 2 * CHUNK];
  let start = HEADER_SIZE;
  recordLengths(scheme, k).forEach((length, index) => {
    const chunk = `chunk ${index + 1}${index === chunks.length - 1 ? ' (last)' : ''}`;
    out.push({ where: `${chunk} first byte`, offset: start, resealed: false });
    out.push({ where: `${chunk} middle`, offset: start + (length >> 1), resealed: false });
    out.push({ where: `${chunk} last byte`, offset: start + length - 1, resealed: false });
    const plain = chunks[index]!;
    if (scheme === 'shamir') {
      // Record = share of (chunk ‖ tag): the tag's share is the last 16 bytes.
      out.push({ where: `${chunk} tag (first byte)`, offset: start + plain, resealed: false });
      out.push({ where: `${chunk} tag (byte 9)`, offset: start + plain + 8, resealed: false });
    } else {
      // Fragment x − 1 of (ciphertext ‖ tag ‖ zero padding), cut in k pieces of `length` bytes; a
      // parity fragment mixes every data fragment at the same offset, so the offsets where the
      // last data fragment holds tag or padding bytes are altered in every share.
      const fragment = x - 1 < k ? x - 1 : k - 1;
      const base = fragment * length;
      for (let b = 0; b < length; b++) {
        const at = base + b;
        if (at === plain) out.push({ where: `${chunk} tag (first byte)`, offset: start + b, resealed: false });
        if (at === plain + TAG - 1) out.push({ where: `${chunk} tag (last byte)`, offset: start + b, resealed: false });
        if (at === plain + TAG) out.push({ where: `${chunk} padding`, offset: start + b, resealed: false });
      }
    }
    start += length;
  });
  expect(start).toBe(shareLength);
  for (let i = 0; i < RANDOM_POSITIONS; i++) out.push({ where: 'random', offset: random() % shareLength, resealed: false });
  if (EVERY_BYTE) for (let offset = 0; offset < shareLength; offset++) out.push({ where: `byte ${offset}`, offset, resealed: false });
  // Its length: one byte short, the last record gone, one byte too many.
  out.push({ where: 'cut by one byte', offset: shareLength - 1, resealed: false, kind: 'cut' });
  out.push({ where: 'last record cut off', offset: shareLength - recordLengths(scheme, k).at(-1)!, resealed: false, kind: 'cut' });
  out.push({ where: 'one byte appended', offset: shareLength, resealed: false, kind: 'append' });
  return out;
}

async function alter(share: Uint8Array, alteration: Alteration, random: () => number): Promise<Uint8Array> {
  if (alteration.kind === 'cut') return share.slice(0, alteration.offset);
  if (alteration.kind === 'append') return Uint8Array.of(...share, random() & 0xff);
  const altered = share.slice();
  altered[alteration.offset]! ^= 1 + (random() % 255);
  if (alteration.resealed) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', altered.subarray(0, 76)));
    altered.set(digest, 76);
  }
  return altered;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random() % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` of the indices 0..n−1 other than `except`, seeded. */
function othersOf(n: number, except: number, count: number, random: () => number): number[] {
  return shuffled(
    Array.from({ length: n }, (_, i) => i).filter((i) => i !== except),
    random,
  ).slice(0, count);
}

async function attempt(shares: readonly Uint8Array[]): Promise<{ data: Uint8Array; problems: readonly { shareIndex: number; shareX: number | undefined; code: ErrorCode }[] } | TesseraError> {
  tally.recoveries++;
  try {
    const { data, result } = await recoverBytes(shares);
    return { data, problems: result.problems };
  } catch (error) {
    if (error instanceof TesseraError) return error;
    throw error;
  }
}

const grid: { scheme: Scheme; k: number; n: number }[] = [];
for (const scheme of ['shamir', 'ssms'] as const) {
  for (let n = 2; n <= MAX_N; n++) for (let k = 2; k <= n; k++) grid.push({ scheme, k, n });
}

describe.each(grid)('$scheme $k-of-$n', ({ scheme, k, n }) => {
  const seed = SEED ^ ((scheme === 'ssms' ? 0x100 : 0) | (k << 4) | n);
  const split = (async () => {
    const data = new Uint8Array(SIZE);
    deterministicRandom(seed)(data);
    const { shares } = await protectBytes(data, { scheme, k, n, chunkSize: CHUNK, random: deterministicRandom(seed + 1) });
    return { data, shares };
  })();

  it(`every set of up to ${n - k} lost shares: the rest rebuild the file`, { timeout: 20_000 }, async () => {
    const { data, shares } = await split;
    const random = xorshift32(seed + 2);
    for (let lost = 0; lost <= n - k; lost++) {
      for (const gone of subsetsOf(n, lost)) {
        const kept = shuffled(
          shares.map((share, index) => ({ share, index })).filter(({ index }) => !gone.includes(index)),
          random,
        );
        tally.lossSets++;
        const outcome = await attempt(kept.map(({ share }) => share));
        const label = `lost x = ${gone.map((i) => i + 1).join(',') || 'none'}`;
        expect(outcome, label).not.toBeInstanceOf(TesseraError);
        const { data: rebuilt, problems } = outcome as Exclude<typeof outcome, TesseraError>;
        expect(sameBytes(rebuilt, data), label).toBe(true);
        expect(problems, label).toEqual([]);
      }
    }
  });

  it('any one share altered anywhere: with k + 1 it is rebuilt and the altered share named; with exactly k, refused', { timeout: EVERY_BYTE ? 120_000 : 20_000 }, async () => {
    const { data, shares } = await split;
    const random = xorshift32(seed + 3);
    for (let victim = 0; victim < n; victim++) {
      const x = victim + 1;
      for (const alteration of alterationsOf(scheme, k, x, shares[victim]!.length, random)) {
        tally.alterations++;
        const altered = await alter(shares[victim]!, alteration, random);
        const label = `x = ${x}, ${alteration.where} (offset ${alteration.offset})`;
        const claimedX = altered[12]!;

        if (k < n) {
          const others = othersOf(n, victim, k, random);
          const at = random() % (k + 1);
          const given = others.map((i) => shares[i]!);
          given.splice(at, 0, altered);
          const outcome = await attempt(given);
          if (outcome instanceof TesseraError) {
            count(tally.withSpare, `refused ${outcome.code}`);
            expect.fail(`${label}, k + 1: refused (${outcome.code}: ${outcome.message}) instead of rebuilding`);
          } else {
            if (!sameBytes(outcome.data, data)) tally.wrongFiles++;
            expect(sameBytes(outcome.data, data), `${label}, k + 1: the rebuilt file`).toBe(true);
            expect(outcome.problems.map((p) => p.shareIndex), `${label}, k + 1: shares named`).toEqual([at]);
            const [problem] = outcome.problems;
            // x as the altered header claims it, or none when the header cannot be read.
            if (problem!.shareX !== undefined) expect([x, claimedX], label).toContain(problem!.shareX);
            if (!alteration.resealed && alteration.offset >= HEADER_SIZE) expect(problem!.shareX, label).toBe(x);
            count(tally.withSpare, 'rebuilt, named');
            count(tally.named, problem!.code);
          }
        }

        const others = othersOf(n, victim, k - 1, random);
        const given = others.map((i) => shares[i]!);
        given.splice(random() % k, 0, altered);
        const outcome = await attempt(given);
        if (!(outcome instanceof TesseraError)) {
          if (!sameBytes(outcome.data, data)) tally.wrongFiles++;
          expect.fail(`${label}, exactly k: rebuilt (${sameBytes(outcome.data, data) ? 'the right file' : 'A WRONG FILE'}) instead of refusing`);
        }
        count(tally.withExactlyK, `refused ${outcome.code}`);
        expect(['share.corrupt', 'share.too-few', 'share.mismatch', 'share.duplicate'], `${label}, exactly k: ${outcome.message}`).toContain(outcome.code);
        // A changed byte in the body can only be found by the tags: share.corrupt. A share of the
        // wrong length is set aside before, leaving too few.
        if (alteration.kind === undefined && alteration.offset >= HEADER_SIZE) expect(outcome.code, label).toBe('share.corrupt');
        if (alteration.kind !== undefined) expect(outcome.code, label).toBe('share.too-few');
      }
    }
  });
});

afterAll(() => {
  const show = (map: Map<string, number>): string => [...map].map(([key, value]) => `${key} ${value}`).join(', ');
  console.log(
    `loss-tamper: ${grid.length} splits (k-of-n, 2 ≤ k ≤ n ≤ ${MAX_N}, shamir and ssms, ${SIZE} bytes in 3 chunks); ` +
      `${tally.lossSets} sets of lost shares, all rebuilt; ${tally.alterations} alterations; ${tally.recoveries} recoveries; ` +
      `with k + 1: ${show(tally.withSpare)} (named as ${show(tally.named)}); with exactly k: ${show(tally.withExactlyK)}; wrong files: ${tally.wrongFiles}`,
  );
});
