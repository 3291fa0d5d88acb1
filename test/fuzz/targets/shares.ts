/**
 * The share decoder (docs/share-format.md §7): parseHeader and inspectShare on one mutated share,
 * and recover on a set of shares of which some are mutated, missing, repeated or of another file.
 * Seeds are real shares made by protectBytes (both schemes, several k/n, sizes 0 to a few hundred
 * bytes in several chunks). A mutation can also set one header field and recompute the header's
 * SHA-256, so that the checks behind the digest are reached too.
 *
 * Oracles: every refusal is a TesseraError with a known code, and leaves no output (a sink written
 * to is aborted); a recovery that succeeds gives back exactly the original; and when the damage is
 * only in the records of some shares while k untouched ones are given, recovery must succeed.
 */
import { createHash } from 'node:crypto';
import { ERROR_CODES, HEADER_SIZE, TesseraError, bytesSource, inspectShare, parseHeader, protectBytes, recover, type ByteSink, type Scheme } from '../../../src/core/index.js';
import { deterministicRandom } from '../../helpers/deterministic-random.js';
import { mutateBytes } from '../mutators.js';
import type { FuzzRandom } from '../random.js';
import { Finding, hexPreview, type FuzzCase, type FuzzTarget } from '../runner.js';

interface Record {
  readonly data: Uint8Array;
  readonly shares: readonly Uint8Array[];
  readonly splitId: string;
  readonly k: number;
}

const RECORDS: readonly { scheme: Scheme; k: number; n: number; size: number; chunkSize: number }[] = [
  { scheme: 'shamir', k: 2, n: 3, size: 0, chunkSize: 64 },
  { scheme: 'ssms', k: 2, n: 3, size: 200, chunkSize: 64 },
  { scheme: 'shamir', k: 3, n: 5, size: 130, chunkSize: 64 },
  { scheme: 'ssms', k: 3, n: 5, size: 300, chunkSize: 100 },
  { scheme: 'ssms', k: 2, n: 2, size: 1, chunkSize: 1 },
  { scheme: 'shamir', k: 2, n: 4, size: 65, chunkSize: 16 },
  { scheme: 'ssms', k: 4, n: 6, size: 97, chunkSize: 32 },
];

const KNOWN_CODES = new Set<string>(ERROR_CODES);

/** Header fields (offset, width) that sit behind the digest. */
const HEADER_FIELDS: readonly (readonly [number, number])[] = [[8, 1], [9, 1], [10, 1], [11, 1], [12, 1], [13, 1], [15, 1], [16, 4], [20, 8], [28, 16], [44, 32]];
const FIELD_VALUES = [0n, 1n, 2n, 3n, 4n, 5n, 0xffn, 0x100n, 0xffffn, 1n << 26n, (1n << 26n) + 1n, 0xffffffffn, (1n << 32n) + 1n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n];

/** Sets one header field (big-endian) and writes the header's SHA-256 again (§3). */
function setHeaderField(share: Uint8Array, random: FuzzRandom): Uint8Array {
  if (share.length < HEADER_SIZE) return share;
  const out = share.slice();
  const [offset, width] = random.pick(HEADER_FIELDS);
  if (width > 8) {
    out.set(random.bytes(width), offset);
  } else {
    let value = random.chance(0.8) ? random.pick(FIELD_VALUES) : BigInt(random.word());
    for (let i = width - 1; i >= 0; i--) {
      out[offset + i] = Number(value & 0xffn);
      value >>= 8n;
    }
  }
  out.set(createHash('sha256').update(out.subarray(0, 76)).digest(), 76);
  return out;
}

/** A sink that records what happened to it. */
class WatchedSink implements ByteSink {
  readonly parts: Uint8Array[] = [];
  closed = false;
  aborted = false;
  write(bytes: Uint8Array): Promise<void> {
    this.parts.push(bytes.slice());
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  abort(): Promise<void> {
    this.aborted = true;
    return Promise.resolve();
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts.flatMap((part) => [...part]));
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function codeOf(error: unknown): string {
  if (error instanceof TesseraError && KNOWN_CODES.has(error.code)) return error.code;
  throw error;
}

export const shareTarget: FuzzTarget = {
  name: 'share decoder',
  description: 'parseHeader, inspectShare and recover on mutated, missing, repeated and foreign shares',
  async setup() {
    const records: Record[] = [];
    for (const [index, plan] of RECORDS.entries()) {
      const bytes = new Uint8Array(plan.size);
      deterministicRandom(0xda7a + index)(bytes);
      const { result, shares } = await protectBytes(bytes, { ...plan, random: deterministicRandom(0x5eed + index) });
      records.push({ data: bytes, shares, splitId: result.splitId, k: plan.k });
    }
    const allShares = records.flatMap((record) => record.shares);

    return (random) => {
      const record = random.pick(records);
      const mode = random.below(10);
      const mutations: string[] = [];

      if (mode < 3) {
        // One share, alone: parseHeader on its first bytes, or inspectShare on all of it.
        const share = random.pick(record.shares);
        let bytes: Uint8Array;
        if (random.chance(0.35)) {
          bytes = setHeaderField(share, random);
          mutations.push('set a header field');
        } else {
          const mutated = mutateBytes(share, random, allShares);
          bytes = mutated.bytes;
          mutations.push(...mutated.names);
        }
        const inspect = mode === 2;
        return {
          mutations: `${inspect ? 'inspectShare' : 'parseHeader'}: ${mutations.join(', ')}`,
          preview: () => hexPreview(bytes, 140),
          async run() {
            try {
              if (inspect) {
                const inspection = await inspectShare(bytesSource(bytes));
                if (inspection.structureOk !== (inspection.expectedSize === bytes.length)) throw new Finding(`inspectShare: structureOk ${inspection.structureOk} for ${bytes.length} of ${inspection.expectedSize} bytes`);
                if (inspection.problem && !KNOWN_CODES.has(inspection.problem.code)) throw new Finding(`inspectShare: unknown code ${inspection.problem.code}`);
                return inspection.problem ? `accepted header, ${inspection.problem.code}` : 'accepted';
              }
              const header = await parseHeader(bytes.subarray(0, random.chance(0.5) ? HEADER_SIZE : bytes.length));
              const { k, n, x, chunkSize, size } = header;
              if (!(k >= 2 && n >= k && n <= 255 && x >= 1 && x <= n && chunkSize >= 1 && chunkSize <= 1 << 26 && Number.isSafeInteger(size) && size >= 0)) {
                throw new Finding(`parseHeader accepted an impossible header: ${JSON.stringify({ k, n, x, chunkSize, size })}`);
              }
              return 'accepted';
            } catch (error) {
              return codeOf(error);
            }
          },
        } satisfies FuzzCase;
      }

      // Recovery from a selection of shares.
      const order = record.shares.map((_, index) => index).sort(() => (random.chance(0.5) ? 1 : -1));
      const count = random.chance(0.8) ? random.between(Math.min(record.k, record.shares.length), record.shares.length) : random.between(1, record.shares.length);
      const chosen: { bytes: Uint8Array; x: number; intact: boolean; dataOnly: boolean }[] = order.slice(0, count).map((index) => ({ bytes: record.shares[index]!, x: index + 1, intact: true, dataOnly: true }));
      let foreign = false;
      let repeated = false;
      if (random.chance(0.1) && chosen.length > 0) {
        chosen.splice(random.below(chosen.length + 1), 0, { ...random.pick(chosen) });
        repeated = true;
        mutations.push('a share given twice');
      }
      if (random.chance(0.12)) {
        const other = random.pick(records);
        if (other !== record) {
          chosen.splice(random.below(chosen.length + 1), 0, { bytes: random.pick(other.shares), x: 0, intact: true, dataOnly: true });
          foreign = true;
          mutations.push('a share of another file');
        }
      }
      const damaged = random.chance(0.15) ? 0 : random.between(1, Math.min(3, chosen.length));
      for (let i = 0; i < damaged; i++) {
        const entry = random.pick(chosen);
        const how = random.below(10);
        if (how < 4 && entry.bytes.length > HEADER_SIZE) {
          // Records only, same length: the damage recovery must route around.
          const bytes = entry.bytes.slice();
          for (let flips = random.between(1, 6); flips > 0; flips--) bytes[random.between(HEADER_SIZE, bytes.length - 1)]! ^= 1 << random.below(8);
          entry.bytes = bytes;
          mutations.push('flip bits in the records');
        } else if (how < 6) {
          entry.bytes = setHeaderField(entry.bytes, random);
          entry.dataOnly = false;
          mutations.push('set a header field');
        } else {
          const mutated = mutateBytes(entry.bytes, random, allShares);
          entry.bytes = mutated.bytes;
          entry.dataOnly = false;
          mutations.push(...mutated.names);
        }
        entry.intact = false;
      }
      const intactXs = new Set(chosen.filter((entry) => entry.intact && entry.x > 0).map((entry) => entry.x));
      // Two copies of one share, one damaged and one not, are a legitimate share.duplicate refusal.
      const mustRecover = !foreign && !repeated && chosen.every((entry) => entry.dataOnly) && intactXs.size >= record.k;
      const inputs = chosen.map((entry) => entry.bytes);

      return {
        mutations: `recover ${inputs.length} of ${record.shares.length} (k=${record.k}): ${mutations.join(', ') || 'none'}`,
        preview: () => inputs.map((bytes, index) => `#${index + 1} ${hexPreview(bytes, 120)}`).join(' | '),
        async run() {
          const sink = new WatchedSink();
          try {
            const result = await recover(inputs.map(bytesSource), sink, { verifySpares: random.chance(0.8) });
            const original = records.find((candidate) => candidate.splitId === result.splitId);
            if (!original) throw new Finding(`recover rebuilt split ${result.splitId}, which no seed has`);
            if (!sink.closed || sink.aborted) throw new Finding('recover succeeded without closing its sink');
            if (!sameBytes(sink.bytes(), original.data)) throw new Finding(`recover gave a WRONG output (${sink.bytes().length} bytes, original ${original.data.length})`);
            for (const problem of result.problems) if (!KNOWN_CODES.has(problem.code)) throw new Finding(`recover reported unknown code ${problem.code}`);
            return result.problems.length > 0 ? 'accepted, named a bad share' : 'accepted';
          } catch (error) {
            if (error instanceof Finding) throw error;
            const code = codeOf(error);
            if (sink.parts.length > 0 && !sink.aborted) throw new Finding(`recover refused (${code}) after writing ${sink.parts.length} chunks, without aborting its sink`);
            if (sink.closed) throw new Finding(`recover refused (${code}) but closed its sink as complete`);
            if (mustRecover) throw new Finding(`recover refused (${code}) although ${intactXs.size} untouched shares (k = ${record.k}) were given and the damage was only in records: ${error instanceof Error ? error.message : ''}`);
            return code;
          }
        },
      } satisfies FuzzCase;
    };
  },
};
