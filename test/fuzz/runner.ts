/**
 * Runs a fuzz target: input after input, each made from its own seed (random.ts), each under a
 * deadline. What counts:
 * - a crash: the input made the code under test throw something that is not its documented error
 *   (or an oracle check failed: a wrong output, an output for a refused input — a Finding);
 * - a hang: the input took longer than the deadline (a promise that never settles is cut off at
 *   the deadline; synchronous work is measured, and the long mode's watchdog, cli.ts, also catches
 *   a loop that never returns);
 * - every outcome's label (an error code, or what was accepted), counted.
 */
import { FuzzRandom, inputSeed } from './random.js';

/** An oracle's verdict that the code under test misbehaved without throwing the wrong thing. */
export class Finding extends Error {
  override readonly name = 'Finding';
}

export interface FuzzCase {
  /** The mutations applied, for the report. */
  readonly mutations: string;
  /** Runs the input; resolves to its outcome's label (an error code, or `accepted…`). Throws on a crash or a Finding. */
  run(): Promise<string>;
  /** The input, shortened, for the report (hex for bytes). */
  preview(): string;
}

export interface FuzzTarget {
  readonly name: string;
  /** What it feeds and to what, one line. */
  readonly description: string;
  /** Builds the seeds once; returns the maker of one input from its randomness. */
  setup(): Promise<(random: FuzzRandom) => FuzzCase>;
}

export interface Failure {
  readonly kind: 'crash' | 'hang';
  readonly index: number;
  readonly seed: number;
  readonly mutations: string;
  readonly error: string;
  readonly input: string;
  readonly ms: number;
}

export interface TargetFigures {
  readonly target: string;
  inputs: number;
  crashes: number;
  hangs: number;
  /** Outcome label → inputs. */
  readonly outcomes: Map<string, number>;
  ms: number;
  slowestMs: number;
  /** The first failures, with what reproduces them. */
  readonly failures: Failure[];
}

export interface RunOptions {
  readonly seed: number;
  /** Stop after this many inputs… */
  readonly inputs?: number;
  /** …or after this long, whichever comes first. */
  readonly seconds?: number;
  /** Per input. */
  readonly deadlineMs: number;
  /** First input number (the long mode restarts after a hang from the next one). */
  readonly startAt?: number;
  /** Written with the number of the input being run, for a watchdog in another thread. */
  readonly current?: Int32Array;
  /** Failures kept in full (all are counted). */
  readonly keep?: number;
  /** Called every 500 inputs with the figures so far (the long mode keeps them if the worker must be ended). */
  readonly onSnapshot?: (figures: TargetFigures) => void;
}

const DEADLINE = Symbol('deadline');

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 400);
  return `thrown ${typeof error}: ${String(error)}`.slice(0, 400);
}

/** Whether an outcome label is an error code (`share.corrupt`, `bucket.auth`…) rather than an accepted input. */
export function isErrorCode(label: string): boolean {
  return /^[a-z]+\.[a-z-]+$/.test(label);
}

/** The distinct error codes in a run's outcome labels (a label may carry several: `accepted: bundle, share.too-few`). */
export function errorCodesSeen(outcomes: ReadonlyMap<string, number>): string[] {
  return [...new Set([...outcomes.keys()].flatMap((label) => label.match(/\b[a-z]+\.[a-z-]+\b/g) ?? []))].sort();
}

export async function runTarget(target: FuzzTarget, options: RunOptions, make?: (random: FuzzRandom) => FuzzCase): Promise<TargetFigures> {
  const maker = make ?? (await target.setup());
  const figures: TargetFigures = { target: target.name, inputs: 0, crashes: 0, hangs: 0, outcomes: new Map(), ms: 0, slowestMs: 0, failures: [] };
  const started = performance.now();
  const stopAt = options.seconds !== undefined ? started + options.seconds * 1000 : Infinity;
  const last = options.inputs !== undefined ? (options.startAt ?? 0) + options.inputs : Infinity;
  const keep = options.keep ?? 20;
  for (let index = options.startAt ?? 0; index < last && performance.now() < stopAt; index++) {
    if (options.current) Atomics.store(options.current, 0, index);
    const seed = inputSeed(options.seed, target.name, index);
    const fuzzCase = maker(new FuzzRandom(seed));
    const begun = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failure: { kind: 'crash' | 'hang'; error: string } | undefined;
    try {
      const outcome = await Promise.race([
        fuzzCase.run(),
        new Promise<typeof DEADLINE>((resolve) => (timer = setTimeout(() => resolve(DEADLINE), options.deadlineMs))),
      ]);
      if (outcome === DEADLINE) failure = { kind: 'hang', error: `no answer within ${options.deadlineMs} ms` };
      else figures.outcomes.set(outcome, (figures.outcomes.get(outcome) ?? 0) + 1);
    } catch (error) {
      failure = { kind: 'crash', error: describeError(error) };
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - begun;
    if (!failure && ms > options.deadlineMs) failure = { kind: 'hang', error: `took ${ms.toFixed(0)} ms (deadline ${options.deadlineMs} ms)` };
    figures.slowestMs = Math.max(figures.slowestMs, ms);
    figures.inputs++;
    if (failure) {
      if (failure.kind === 'crash') figures.crashes++;
      else figures.hangs++;
      if (figures.failures.length < keep) figures.failures.push({ ...failure, index, seed, mutations: fuzzCase.mutations, input: fuzzCase.preview(), ms });
    }
    if (figures.inputs % 500 === 0) options.onSnapshot?.({ ...figures, ms: performance.now() - started });
  }
  figures.ms = performance.now() - started;
  return figures;
}

/** The first bytes of an input as hex, with its length. */
export function hexPreview(bytes: Uint8Array, most = 96): string {
  const shown = Array.from(bytes.subarray(0, most), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${bytes.length} bytes: ${shown}${bytes.length > most ? '…' : ''}`;
}

/** The first characters of a text input, JSON-quoted, with its length. */
export function textPreview(text: string, most = 300): string {
  return `${text.length} chars: ${JSON.stringify(text.slice(0, most))}${text.length > most ? '…' : ''}`;
}

/** The table of figures, as docs/fuzzing.md shows it. */
export function figuresTable(all: readonly TargetFigures[]): string {
  const rows = all.map((figures) => {
    const codes = errorCodesSeen(figures.outcomes);
    return `| ${figures.target} | ${figures.inputs} | ${figures.crashes} | ${figures.hangs} | ${codes.length} | ${(figures.ms / 1000).toFixed(1)} | ${figures.slowestMs.toFixed(0)} |`;
  });
  return ['| target | inputs | crashes | hangs | distinct error codes | time (s) | slowest input (ms) |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}
