/**
 * Repair: a lost share rebuilt from k others is byte for byte the share protect wrote, for every
 * choice of k shares and every lost x, in both schemes; a damaged share among k + 1 is named and
 * left out; with exactly k and one damaged, repair refuses and writes nothing.
 */
import { describe, expect, it } from 'vitest';
import { MemorySink, bytesSource, protectBytes, recoverBytes, repairShares, type ByteSink, type Scheme } from '../../src/core/index.js';
import { randomBytes, sameBytes } from '../helpers/bytes.js';
import { expectCode } from '../helpers/errors.js';
import { subsetsOf } from '../helpers/subsets.js';

const CHUNK = 4096;

/** A sink that records whether it was aborted. */
class WatchedSink extends MemorySink {
  aborted = false;
  abort(): Promise<void> {
    this.aborted = true;
    return Promise.resolve();
  }
}

describe.each(['ssms', 'shamir'] as const)('repairShares (%s)', (scheme: Scheme) => {
  it('rebuilds every share from every k others, identical to the original share', async () => {
    const data = randomBytes(3 * CHUNK + 123);
    const { shares } = await protectBytes(data, { scheme, k: 3, n: 5, chunkSize: CHUNK });
    for (const subset of subsetsOf(5, 3)) {
      const lost = [0, 1, 2, 3, 4].filter((i) => !subset.includes(i));
      const sinks = lost.map(() => new MemorySink());
      const result = await repairShares(
        subset.map((i) => bytesSource(shares[i]!)),
        lost.map((i, t) => ({ x: i + 1, sink: sinks[t]! })),
      );
      expect(result.repaired).toEqual(lost.map((i) => i + 1));
      lost.forEach((i, t) => expect(sameBytes(sinks[t]!.bytes(), shares[i]!), `share ${i + 1} from ${subset.map((j) => j + 1).join(',')}`).toBe(true));
      expect(result.shareSize).toBe(shares[0]!.length);
    }
  });

  it('a rebuilt share recovers the original together with the others', async () => {
    const data = randomBytes(2 * CHUNK);
    const { shares } = await protectBytes(data, { scheme, k: 2, n: 4, chunkSize: CHUNK });
    const sink = new MemorySink();
    await repairShares([bytesSource(shares[2]!), bytesSource(shares[3]!)], [{ x: 1, sink }]);
    const rebuilt = await recoverBytes([sink.bytes(), shares[1]!]);
    expect(sameBytes(rebuilt.data, data)).toBe(true);
  });

  it('an empty original', async () => {
    const { shares } = await protectBytes(new Uint8Array(0), { scheme, k: 2, n: 3 });
    const sink = new MemorySink();
    await repairShares([bytesSource(shares[0]!), bytesSource(shares[2]!)], [{ x: 2, sink }]);
    expect(sameBytes(sink.bytes(), shares[1]!)).toBe(true);
  });

  it('names a damaged share among k + 1 and rebuilds from the good ones', async () => {
    const data = randomBytes(2 * CHUNK + 7);
    const { shares } = await protectBytes(data, { scheme, k: 3, n: 5, chunkSize: CHUNK });
    const damaged = shares[1]!.slice();
    damaged[damaged.length - 10]! ^= 0x40;
    const sink = new MemorySink();
    const result = await repairShares([shares[0]!, damaged, shares[2]!, shares[3]!].map((s) => bytesSource(s)), [{ x: 5, sink }]);
    expect(sameBytes(sink.bytes(), shares[4]!)).toBe(true);
    expect(result.problems.map((problem) => [problem.shareX, problem.code])).toEqual([[2, 'share.corrupt']]);
  });

  it('with exactly k and one damaged, refuses and aborts what it was writing', async () => {
    const { shares } = await protectBytes(randomBytes(CHUNK), { scheme, k: 2, n: 3, chunkSize: CHUNK });
    const damaged = shares[0]!.slice();
    damaged[damaged.length - 1]! ^= 1;
    const sink = new WatchedSink();
    await expectCode(repairShares([bytesSource(damaged), bytesSource(shares[1]!)], [{ x: 3, sink: sink as ByteSink }]), 'share.corrupt');
    expect(sink.aborted).toBe(true);
  });

  it('refuses an x the split does not have, and duplicate or missing targets', async () => {
    const { shares } = await protectBytes(randomBytes(100), { scheme, k: 2, n: 3 });
    const sources = shares.map((s) => bytesSource(s));
    await expect(repairShares(sources, [{ x: 4, sink: new MemorySink() }])).rejects.toThrow(/has 3 shares, so there is no share 4/);
    await expect(repairShares(sources, [{ x: 1, sink: new MemorySink() }, { x: 1, sink: new MemorySink() }])).rejects.toThrow(RangeError);
    await expect(repairShares(sources, [])).rejects.toThrow(RangeError);
  });
});
