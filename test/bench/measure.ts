/** Timing for the benchmark: medians of repeated runs, throughput in MB/s of input (MB = 10^6 bytes). */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

const MB = 1_000_000;
export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/**
 * A full garbage collection between runs, so that one run does not pay for the previous one's
 * garbage. `npm run bench` starts plain tsx, hence the flag is switched on from inside.
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

export interface Measurement {
  /** Runs timed together in each sample (more than 1 for runs too short to time alone). */
  readonly runsPerSample: number;
  /** Seconds per run of each sample, in order. */
  readonly seconds: readonly number[];
  /** Median throughput, MB (10^6 bytes) of input per second. */
  readonly megabytesPerSecond: number;
}

export interface MeasureOptions {
  /** Untimed runs first (JIT warm-up; also where results are checked). Default 1. */
  readonly warmupRuns?: number;
  readonly minSamples?: number;
  readonly maxSamples?: number;
  /** Stop adding samples beyond minSamples once this much time went into timed ones. */
  readonly budgetSeconds?: number;
  /**
   * A sample lasts at least this long: short runs are repeated within one sample, so that a
   * scheduler time slice lost to another process is averaged out rather than doubling one run.
   */
  readonly minSampleSeconds?: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Runs `run` (`warmupRuns` untimed, then between minSamples and maxSamples timed samples, within
 * the budget) and reports the median time per run. `run` receives the run number (0 for the first
 * warm-up) so that it can verify its result once.
 */
export async function measure(bytes: number, run: (iteration: number) => unknown, options: MeasureOptions = {}): Promise<Measurement> {
  const { warmupRuns = 1, minSamples = 3, maxSamples = 7, budgetSeconds = 3, minSampleSeconds = 0.05 } = options;
  let iteration = 0;
  let lastRunSeconds = Infinity;
  for (; iteration < warmupRuns; iteration++) {
    const start = performance.now();
    await run(iteration);
    lastRunSeconds = (performance.now() - start) / 1000;
  }
  const runsPerSample = Math.max(1, Math.ceil(minSampleSeconds / lastRunSeconds));
  const seconds: number[] = [];
  let spent = 0;
  while (seconds.length < maxSamples && (seconds.length < minSamples || spent < budgetSeconds)) {
    collectGarbage();
    const start = performance.now();
    for (let i = 0; i < runsPerSample; i++) await run(iteration++);
    const elapsed = (performance.now() - start) / 1000;
    seconds.push(elapsed / runsPerSample);
    spent += elapsed;
  }
  return { runsPerSample, seconds, megabytesPerSecond: bytes / MB / median(seconds) };
}

/** "64 MiB", "16 KiB" */
export function sizeLabel(bytes: number): string {
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(2)} MiB`;
  return `${bytes} B`;
}

/** "256 MiB", rounded to whole mebibytes: memory figures. */
export function mebibytes(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

/** The CPU's model name, as the OS gives it. */
export function cpuModel(): string {
  return os.cpus()[0]?.model.trim() ?? 'unknown CPU';
}

/** What the report says of the machine: "<CPU>, 2 logical cores, 8 GiB; linux 6.1.0-…". */
export function machineLine(): string {
  return `${cpuModel()}, ${os.cpus().length} logical cores, ${(os.totalmem() / GiB).toFixed(0)} GiB; ${os.platform()} ${os.release()}`;
}

/** Throughput with a precision that suits its size: 0.081, 1.52, 61.3, 1234. */
export function formatRate(megabytesPerSecond: number): string {
  if (megabytesPerSecond >= 100) return megabytesPerSecond.toFixed(0);
  if (megabytesPerSecond >= 10) return megabytesPerSecond.toFixed(1);
  if (megabytesPerSecond >= 1) return megabytesPerSecond.toFixed(2);
  return megabytesPerSecond.toPrecision(2);
}

export function formatRatio(ratio: number): string {
  if (ratio >= 100) return `${ratio.toFixed(0)}×`;
  if (ratio >= 10) return `${ratio.toFixed(1)}×`;
  return `${ratio.toFixed(2)}×`;
}
