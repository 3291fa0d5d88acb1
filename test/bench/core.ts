/**
 * Tessera's core protect / recover, in-memory source, discarding sinks: one configuration's split
 * and combine throughput. Used in-process for the peers' small inputs, and through core-child.ts in
 * a process of its own for the main table, so that no earlier measurement's heap or pools colour it.
 */
import { nodeCryptoBackend } from '../../src/cli/node-crypto.js';
import { MemorySink, bytesSource, protect, recover, setCryptoBackend, type Scheme } from '../../src/core/index.js';
import { sameBytes } from '../helpers/bytes.js';
import { DiscardSink } from './generated.js';
import { MiB, measure, type Measurement, type MeasureOptions } from './measure.js';

export interface CoreRow {
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  readonly size: number;
  readonly split: Measurement;
  /** From shares x = 1..k (for ssms: the data fragments, nothing to decode). */
  readonly combine: Measurement;
  /** ssms only: from the last k shares, so that k−1 (at most n−k) data fragments are decoded. */
  readonly combineDecoding?: Measurement;
}

/**
 * Core in Node runs as the command line runs it: AES-256-GCM and SHA-256 from node:crypto
 * (src/cli/node-crypto.ts), the same bytes as WebCrypto. Set for every process that imports this.
 */
setCryptoBackend(nodeCryptoBackend);

export async function measureCore(scheme: Scheme, k: number, n: number, input: Uint8Array): Promise<CoreRow> {
  const options = { scheme, k, n };
  const split = await measure(input.length, () => protect(bytesSource(input), discards(n), options), runsFor(input.length));

  const sinks = Array.from({ length: n }, () => new MemorySink());
  await protect(bytesSource(input), sinks, options);
  const shares = sinks.map((sink) => sink.bytes());
  const recoverFrom = (chosen: readonly Uint8Array[]) => async (iteration: number) => {
    if (iteration > 0) {
      await recover(chosen.map(bytesSource), new DiscardSink());
      return;
    }
    const output = new MemorySink();
    const result = await recover(chosen.map(bytesSource), output);
    check(sameBytes(output.bytes(), input), `${scheme} ${k}-of-${n} recover of ${input.length} bytes`);
    check(result.problems.length === 0, `${scheme} recover reported problems`);
  };
  const combine = await measure(input.length, recoverFrom(shares.slice(0, k)), runsFor(input.length));
  const combineDecoding =
    scheme === 'ssms' ? await measure(input.length, recoverFrom(shares.slice(n - k)), runsFor(input.length)) : undefined;
  return { scheme, k, n, size: input.length, split, combine, combineDecoding };
}

export function runsFor(size: number): MeasureOptions {
  if (size >= 32 * MiB) return { warmupRuns: 1, minSamples: 5, maxSamples: 7, budgetSeconds: 8 };
  return { warmupRuns: 3, minSamples: 9, maxSamples: 21, budgetSeconds: 2 };
}

function discards(n: number): DiscardSink[] {
  return Array.from({ length: n }, () => new DiscardSink());
}

export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`bench: wrong result: ${what}`);
}

