/**
 * Child process of the benchmark: protects a generated input of the given size (never held in
 * memory) into n discarding sinks and prints, as one JSON line, its peak resident memory. Run alone
 * so that nothing else in the process inflates the peak:
 *
 *   node --import tsx test/bench/peak-memory.ts ssms 1073741824 3 5
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { nodeCryptoBackend } from '../../src/cli/node-crypto.js';
import { protect, SCHEMES, setCryptoBackend, type Scheme } from '../../src/core/index.js';
import { DiscardSink, generatedSource } from './generated.js';

// As the command line runs core in Node (test/bench/core.ts).
setCryptoBackend(nodeCryptoBackend);

export interface PeakMemoryReport {
  readonly scheme: Scheme;
  readonly size: number;
  readonly seconds: number;
  /** Resident memory before protect started (Node, tsx and core loaded). */
  readonly baselineRssBytes: number;
  /** Peak resident memory of the whole process (VmHWM, or maxRSS where /proc is missing). */
  readonly peakRssBytes: number;
  /** Bytes the first sink received: one whole share. */
  readonly shareBytes: number;
}

/** Bytes of a "VmXXX:  1234 kB" line of /proc/self/status; undefined off Linux. */
function procStatus(field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const [schemeArgument = 'ssms', sizeArgument = String(2 ** 30), kArgument = '3', nArgument = '5'] = process.argv.slice(2);
const scheme = SCHEMES.find((candidate) => candidate === schemeArgument);
if (!scheme) throw new RangeError(`scheme must be one of ${SCHEMES.join(', ')}, got ${schemeArgument}`);
const size = Number(sizeArgument);
const k = Number(kArgument);
const n = Number(nArgument);

const baselineRssBytes = procStatus('VmRSS') ?? process.memoryUsage().rss;
const sinks = Array.from({ length: n }, () => new DiscardSink());
const start = performance.now();
await protect(generatedSource(size), sinks, { scheme, k, n });
const seconds = (performance.now() - start) / 1000;

const report: PeakMemoryReport = {
  scheme,
  size,
  seconds,
  baselineRssBytes,
  peakRssBytes: procStatus('VmHWM') ?? process.resourceUsage().maxRSS * 1024,
  shareBytes: sinks[0]!.bytes,
};
console.log(JSON.stringify(report));
