/**
 * The long fuzzing run (`npm run fuzz`), for nightly-style runs: every target for its share of
 * FUZZ_SECONDS, each in a worker thread under a watchdog, then a table of the figures. Exit code 1
 * when anything crashed or hung.
 *
 *   FUZZ_SECONDS=300        total time, split evenly between the targets (default 300)
 *   FUZZ_SEED=123           the run's seed (default 0x7e55e4a1); a failure is replayed from it
 *   FUZZ_TARGETS=kit,link   only targets whose name contains one of these
 *   FUZZ_DEADLINE_MS=5000   an input taking longer is a hang (default 5000)
 *   FUZZ_REPLAY="share decoder:123"   runs that one input in this thread and prints what it did
 */
import { Worker } from 'node:worker_threads';
import { FuzzRandom, inputSeed } from './random.js';
import { figuresTable, isErrorCode, type Failure, type TargetFigures } from './runner.js';
import { TARGETS } from './targets/index.js';

const seconds = Number(process.env['FUZZ_SECONDS'] ?? 300);
const seed = Number(process.env['FUZZ_SEED'] ?? 0x7e55e4a1) >>> 0;
const deadlineMs = Number(process.env['FUZZ_DEADLINE_MS'] ?? 5000);
const filter = process.env['FUZZ_TARGETS']?.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean);
/** A worker whose input number has not moved for this long is stuck in a loop: ended, and the input counted as a hang. */
const WATCHDOG_MS = Math.max(2 * deadlineMs, 10_000);

if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isFinite(deadlineMs) || deadlineMs <= 0) {
  console.error('FUZZ_SECONDS and FUZZ_DEADLINE_MS must be positive numbers');
  process.exit(2);
}

const replay = process.env['FUZZ_REPLAY'];
if (replay !== undefined) {
  const at = replay.lastIndexOf(':');
  const target = TARGETS.find((candidate) => candidate.name === replay.slice(0, at));
  if (!target) throw new Error(`FUZZ_REPLAY: no target "${replay.slice(0, at)}"; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  const index = Number(replay.slice(at + 1));
  const fuzzCase = (await target.setup())(new FuzzRandom(inputSeed(seed, target.name, index)));
  console.log(`${target.name} input ${index} (seed ${seed}): ${fuzzCase.mutations}\n${fuzzCase.preview()}`);
  const started = performance.now();
  console.log(`→ ${await fuzzCase.run()} in ${(performance.now() - started).toFixed(1)} ms`);
  process.exit(0);
}

const targets = TARGETS.filter((target) => !filter || filter.some((part) => target.name.toLowerCase().includes(part)));
const perTarget = seconds / targets.length;

/** A worker thread does not inherit tsx's loader: it registers it, then loads worker.ts. */
const WORKER_BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); })`;

type Posted = Omit<TargetFigures, 'outcomes'> & { outcomes: [string, number][] };

/** Runs a target in workers until its time is up, restarting after a hang from the next input. */
async function runInWorkers(name: string): Promise<TargetFigures> {
  const total: TargetFigures = { target: name, inputs: 0, crashes: 0, hangs: 0, outcomes: new Map(), ms: 0, slowestMs: 0, failures: [] };
  const started = performance.now();
  let startAt = 0;
  while (performance.now() - started < perTarget * 1000) {
    const left = perTarget - (performance.now() - started) / 1000;
    const current = new SharedArrayBuffer(4);
    const view = new Int32Array(current);
    Atomics.store(view, 0, -1);
    const worker = new Worker(WORKER_BOOT, { eval: true, workerData: { target: name, seed, seconds: left, deadlineMs, startAt, current } });
    /** The worker's figures so far: what a worker ended by the watchdog had found stays counted. */
    let snapshot: Posted | undefined;
    const result = await new Promise<Posted | { stuck: number } | { error: string }>((resolve) => {
      let seen = -1;
      let since = performance.now();
      const timer = setInterval(() => {
        const now = Atomics.load(view, 0);
        if (now !== seen) {
          seen = now;
          since = performance.now();
        } else if (now >= 0 && performance.now() - since > WATCHDOG_MS) {
          clearInterval(timer);
          void worker.terminate();
          resolve({ stuck: now });
        }
      }, 250);
      worker.on('message', (message: { kind: 'snapshot' | 'done'; figures: Posted }) => {
        if (message.kind === 'snapshot') {
          snapshot = message.figures;
          return;
        }
        clearInterval(timer);
        resolve(message.figures);
      });
      worker.once('error', (error) => (clearInterval(timer), resolve({ error: `${error.name}: ${error.message}` })));
    });
    await worker.terminate();
    const add = (figures: Posted): void => {
      total.crashes += figures.crashes;
      total.hangs += figures.hangs;
      total.slowestMs = Math.max(total.slowestMs, figures.slowestMs);
      total.failures.push(...figures.failures);
      for (const [label, count] of figures.outcomes) total.outcomes.set(label, (total.outcomes.get(label) ?? 0) + count);
    };
    if ('stuck' in result) {
      if (snapshot) add(snapshot);
      total.inputs += result.stuck - startAt + 1;
      total.hangs++;
      total.failures.push({ kind: 'hang', index: result.stuck, seed: inputSeed(seed, name, result.stuck), mutations: '', error: `no progress for ${WATCHDOG_MS} ms (the worker was ended)`, input: '', ms: WATCHDOG_MS });
      total.slowestMs = Math.max(total.slowestMs, WATCHDOG_MS);
      startAt = result.stuck + 1;
      continue;
    }
    if ('error' in result) {
      // Something escaped the runner itself (an uncaught exception in the code under test): a crash.
      total.crashes++;
      total.failures.push({ kind: 'crash', index: -1, seed, mutations: '', error: result.error, input: '', ms: 0 });
      break;
    }
    total.inputs += result.inputs;
    add(result);
    break;
  }
  total.ms = performance.now() - started;
  return total;
}

console.log(`fuzz: ${targets.length} targets, ${seconds} s in all, seed ${seed}, deadline ${deadlineMs} ms per input`);
const all: TargetFigures[] = [];
for (const target of targets) {
  const figures = await runInWorkers(target.name);
  all.push(figures);
  console.log(`  ${target.name}: ${figures.inputs} inputs, ${figures.crashes} crashes, ${figures.hangs} hangs`);
}
console.log(`\n${figuresTable(all)}\n`);
for (const figures of all) {
  const codes = [...figures.outcomes.entries()].filter(([label]) => isErrorCode(label)).sort();
  console.log(`${figures.target} error codes: ${codes.map(([code, count]) => `${code} ${count}`).join(', ')}`);
  const accepted = [...figures.outcomes.entries()].filter(([label]) => !isErrorCode(label)).sort();
  console.log(`${figures.target} other outcomes: ${accepted.map(([label, count]) => `${label} ${count}`).join(', ')}`);
}
const failures: Failure[] = all.flatMap((figures) => figures.failures.map((failure) => ({ ...failure, mutations: `${figures.target}: ${failure.mutations}` })));
for (const failure of failures.slice(0, 30)) {
  console.log(`\n${failure.kind.toUpperCase()} ${failure.mutations} — input ${failure.index} (replay: FUZZ_SEED=${seed} FUZZ_REPLAY="${failure.mutations.split(':')[0]}:${failure.index}")\n  ${failure.error}\n  ${failure.input}`);
}
process.exit(failures.length > 0 ? 1 : 0);
