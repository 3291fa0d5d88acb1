/**
 * One target's run in a worker thread, for the long mode (cli.ts): the main thread watches
 * `current` (the number of the input being run) and ends this worker if it stops moving, which is
 * how a loop that never returns is caught and the run goes on from the next input.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTarget, type TargetFigures } from './runner.js';
import { TARGETS } from './targets/index.js';

interface Job {
  readonly target: string;
  readonly seed: number;
  readonly seconds: number;
  readonly deadlineMs: number;
  readonly startAt: number;
  readonly current: SharedArrayBuffer;
}

const job = workerData as Job;
const target = TARGETS.find((candidate) => candidate.name === job.target);
if (!target) throw new Error(`no fuzz target "${job.target}"`);
const current = new Int32Array(job.current);
Atomics.store(current, 0, -1);
const make = await target.setup();
const post = (kind: 'snapshot' | 'done', figures: TargetFigures): void => parentPort!.postMessage({ kind, figures: { ...figures, outcomes: [...figures.outcomes] } });
const figures = await runTarget(target, { seed: job.seed, seconds: job.seconds, deadlineMs: job.deadlineMs, startAt: job.startAt, current, onSnapshot: (soFar) => post('snapshot', soFar) }, make);
post('done', figures);
