/**
 * The machine under the browser, measured from Node in the same run as the browser figures: what
 * this machine's kernel charges for memory handed over fresh, and for writing the files a protect
 * and a recover must write (new files, on the disk that holds Chromium's profile). No browser
 * code can go below these: they are the floor the end-to-end targets stand on, and on a virtual
 * machine that hands freed memory back to its host they move from run to run, which is why they
 * are measured here rather than quoted.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CHUNK_SIZE } from '../../src/core/index.js';
import { MiB } from './measure.js';

export type MachineCostId = 'fresh-memory' | 'touched-memory' | 'shares-new' | 'output-new' | 'output-rewrite';

export interface MachineCost {
  readonly id: MachineCostId;
  readonly label: string;
  /** Bytes of input this stands for (for the files: the input whose shares or rebuild they are). */
  readonly inputBytes: number;
  readonly seconds: number;
  /** This process's system CPU time over the measurement (the kernel's work, on any core). */
  readonly systemSeconds: number;
  readonly megabytesPerSecond: number;
}

const PAGE = 4096;

function timed(run: () => void): { seconds: number; systemSeconds: number } {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, systemSeconds: process.cpuUsage(cpu).system / 1e6 };
}

function cost(id: MachineCostId, label: string, inputBytes: number, run: () => void): MachineCost {
  const { seconds, systemSeconds } = timed(run);
  return { id, label, inputBytes, seconds, systemSeconds, megabytesPerSecond: inputBytes / 1e6 / seconds };
}

function writeAll(descriptor: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(descriptor, bytes, done, bytes.length - done, position + done);
}

/**
 * Fresh memory against memory already touched (256 MiB each), then, for an input of `inputSize`
 * bytes: the n share files of an ssms k-of-n protect written together (one fragment of each per
 * chunk, as the share worker writes them), the rebuilt file written new, and the same file written
 * again over its own pages. Files go to `directory` and are removed before this returns.
 */
export function measureMachine(directory: string, inputSize: number, k: number, n: number): MachineCost[] {
  const results: MachineCost[] = [];
  const memory = 256 * MiB;
  let block: Uint8Array | undefined;
  results.push(
    cost('fresh-memory', `filling ${memory / MiB} MiB of fresh memory (a new ArrayBuffer, every 4 KiB page touched for the first time: a minor page fault each)`, memory, () => {
      block = new Uint8Array(memory);
      block.fill(1);
    }),
    cost('touched-memory', `filling the same ${memory / MiB} MiB again (pages already mapped)`, memory, () => block!.fill(2)),
  );
  block = undefined;

  const chunk = new Uint8Array(DEFAULT_CHUNK_SIZE).fill(7);
  const fragment = chunk.subarray(0, Math.ceil((DEFAULT_CHUNK_SIZE + 16) / k));
  const chunks = Math.ceil(inputSize / DEFAULT_CHUNK_SIZE);
  const shares = Array.from({ length: n }, (_, index) => join(directory, `machine-share-${index + 1}.bin`));
  const output = join(directory, 'machine-output.bin');
  try {
    results.push(
      cost('shares-new', `writing the ${n} share files of an ssms ${k}-of-${n} protect, new files, one ${fragment.length.toLocaleString('en-US')}-byte fragment each per ${DEFAULT_CHUNK_SIZE / 1024} KiB chunk`, inputSize, () => {
        const descriptors = shares.map((path) => openSync(path, 'w'));
        try {
          for (let index = 0; index < chunks; index++) for (const descriptor of descriptors) writeAll(descriptor, fragment, index * fragment.length);
        } finally {
          for (const descriptor of descriptors) closeSync(descriptor);
        }
      }),
    );
    const writeOutput = (): void => {
      const descriptor = openSync(output, 'r+');
      try {
        for (let at = 0; at < inputSize; at += chunk.length) writeAll(descriptor, chunk.subarray(0, Math.min(chunk.length, inputSize - at)), at);
      } finally {
        closeSync(descriptor);
      }
    };
    closeSync(openSync(output, 'w'));
    results.push(
      cost('output-new', `writing a rebuilt file, a new file, in ${DEFAULT_CHUNK_SIZE / 1024} KiB writes`, inputSize, writeOutput),
      cost('output-rewrite', 'writing the same file again over its own pages (already in the page cache)', inputSize, writeOutput),
    );
  } finally {
    for (const path of [...shares, output]) rmSync(path, { force: true });
  }
  return results;
}

/** Microseconds per 4 KiB page that fresh memory costs over memory already touched. */
export function freshPageMicroseconds(costs: readonly MachineCost[]): number {
  const fresh = costs.find((c) => c.id === 'fresh-memory');
  const touched = costs.find((c) => c.id === 'touched-memory');
  if (!fresh || !touched) return Number.NaN;
  return ((fresh.seconds - touched.seconds) / (fresh.inputBytes / PAGE)) * 1e6;
}
