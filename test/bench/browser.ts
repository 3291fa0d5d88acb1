/**
 * The browser part of `npm run bench`: the app as it ships (a production build, served by
 * `vite preview` on 127.0.0.1), driven through its UI in headless Chromium, on files chosen from
 * disk and kept in the five demo clouds (OPFS).
 *
 * For each scheme it protects a file, recovers it with all five clouds on, then with two clouds off
 * (so ssms decodes), each timed from the click to the state that says it is done, as the page itself
 * saw it (performance.now() in the page). Every rebuild is checked: the SHA-256 the app shows for
 * the rebuilt file must be the input's, computed here. It measures ssms with 1 and with 2 workers
 * (`?workers=N`), the browser's own ceilings stage by stage in a worker of the same page
 * (ceilings-worker.ts), and finally profiles every thread's CPU time during a smaller protect and
 * recover, in a Chromium trace (cpu-profile.ts).
 *
 * Each group (scheme, workers) is run TIMED_RUNS + 1 times, each time in a Chromium of its own with
 * a fresh profile folder on disk (Playwright's usual contexts are off the record, and Chromium then
 * keeps OPFS in memory, which is neither what a user gets nor a fair memory figure):
 * - once watched: every 100 ms, the heaps of the page and of every worker (DevTools, browser-
 *   targets.ts) and the resident memory of Chromium's processes. That watching costs CPU on the
 *   same 2 cores (about 6 % of a 1 GiB protect, measured), so this run gives the memory figures
 *   and no time;
 * - TIMED_RUNS times unwatched: no DevTools session on the workers, only /proc read at the click
 *   and at the end (CPU time, page faults). Their median is the group's time.
 * Every run records the page's long tasks (Long Tasks API, proven live first). Before each click
 * the kernel writes out what earlier runs left in the page cache (`sync`), so no run pays for the
 * writes of the one before it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Locator, type Page } from 'playwright-core';
import { build } from 'vite';
import type { Scheme } from '../../src/core/index.js';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  clearLongTasks,
  longFrames,
  longTasks,
  openAppIn,
  watchLongTasks,
  type OpenApp,
} from '../browser/harness.js';
import { buildApp, root, serveApp, type ServedApp } from '../browser/serve-app.js';
import { fillProtectForm, switchCloud } from '../browser/ui.js';
import { writeRandomFile } from '../helpers/random-file.js';
import { BrowserTargets, countChromium, watchMemory, type MemoryPeak, type ProcessUse } from './browser-targets.js';
import type { CeilingReply, CeilingRequest, CeilingResult } from './ceilings-worker.js';
import { measureMachine, type MachineCost } from './machine.js';
import { FrameNamer, readTrace, scriptOf, selfTimesBetween, type SelfTime, type ThreadProfile } from './cpu-profile.js';
import { GiB, median, MiB, sizeLabel } from './measure.js';

/** Gitignored (test/.output/); the browser tests build into test/.output/dist, so both can coexist. */
const OUT_DIR = fileURLToPath(new URL('../.output/bench-dist', import.meta.url));
const CEILINGS_WORKER = fileURLToPath(new URL('./ceilings-worker.ts', import.meta.url));
/** Where the ceilings worker is served from, inside the build. */
const CEILINGS_WORKER_PATH = '/bench/ceilings-worker.js';
/** One operation on 1 GiB should take seconds; fail rather than hang. */
const LONG_WAIT_MS = 10 * 60_000;
const K = 3;
const N = 5;
/** Unwatched runs of each group; the group's time is their median. */
const TIMED_RUNS = 3;

/**
 * tsx compiles this file with esbuild's keepNames, which wraps named inner functions in a
 * `__name(fn, "name")` call; functions handed to page.evaluate are re-parsed in the page, where
 * that helper does not exist. Defined there as the identity before any script runs.
 */
const NAME_HELPER = 'globalThis.__name ??= (target) => target;';

export type Phase = 'protect' | 'recover' | 'recover-decoding';

export interface PhaseResult {
  readonly scheme: Scheme;
  readonly size: number;
  /** Compute workers per job, asked for with ?workers=N. */
  readonly workers: number;
  readonly phase: Phase;
  /** Click to done, as timed in the page: the median of the timed runs. */
  readonly seconds: number;
  /** MB (10^6 bytes) of the original file per second, in that median run. */
  readonly megabytesPerSecond: number;
  /** Click to done in each timed run, in the order they ran. */
  readonly runSeconds: readonly number[];
  /** What Chromium's processes used in the median timed run. */
  readonly use: ProcessUse;
  /** From the watched run (not timed). */
  readonly memory: MemoryPeak;
  /** Durations (ms) of the main-thread long tasks during the operation, in every run. */
  readonly longTasks: readonly number[];
  /** The frames over 50 ms in the same runs, with the scripts that ran in them, named. */
  readonly longFrames: readonly NamedLongFrame[];
  /** "Rebuilt from shares …" as the app says it (recoveries only). */
  readonly usedShares?: string;
}

/** A long animation frame (harness.ts LongFrame) with its scripts named after the app's sources. */
export interface NamedLongFrame {
  /** When it started, from the click (negative: before it, e.g. the click's own frame). */
  readonly afterClickMs: number;
  readonly duration: number;
  readonly blockingDuration: number;
  readonly renderMs: number;
  readonly styleAndLayoutMs: number;
  /** Longest first. */
  readonly scripts: readonly { readonly name: string; readonly invoker: string; readonly duration: number; readonly forcedStyleAndLayoutMs: number }[];
}

/** The threads of one kind during a profiled operation (e.g. the chunk workers), summed. */
export interface ProfiledRole {
  readonly role: string;
  readonly threads: number;
  /** Seconds not idle, summed over the threads, between the click and the done state. */
  readonly busySeconds: number;
  /** Self time per function (idle left out), summed over the threads. */
  readonly entries: readonly SelfTime[];
}

export interface ProfiledPhase {
  readonly phase: Phase;
  /** Click to done, with the profiler running. */
  readonly seconds: number;
  readonly roles: readonly ProfiledRole[];
}

export interface BrowserReport {
  readonly quick: boolean;
  /** Unwatched runs per group, whose median is each figure. */
  readonly timedRuns: number;
  readonly chromium: string;
  readonly startedAt: Date;
  readonly elapsedSeconds: number;
  readonly loadAtStart: number;
  readonly loadAtEnd: number;
  readonly ssmsSize: number;
  readonly ceilingSize: number;
  readonly ceilings: readonly CeilingResult[];
  readonly phases: readonly PhaseResult[];
  /** The machine under the browser (machine.ts), measured after the runs. */
  readonly machine: readonly MachineCost[];
  readonly profileSize: number;
  readonly profile: readonly ProfiledPhase[];
}

export interface BrowserBenchOptions {
  readonly quick: boolean;
  readonly progress: (text: string) => void;
}

interface InputFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  /** Its fingerprint, computed here: what the app must show for it. */
  readonly fingerprint: string;
}

interface Session {
  readonly app: OpenApp;
  /** Only in a watched session: the DevTools view of the page's and workers' heaps. */
  readonly targets: BrowserTargets | undefined;
  /** Chromium's version, e.g. "156.0.8078.79". */
  readonly chromium: string;
}

function wrongResult(what: string): Error {
  return new Error(`bench: wrong result: ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Inputs

async function inputFile(directory: string, name: string, size: number): Promise<InputFile> {
  const path = join(directory, name);
  return { path, name, size, fingerprint: (await writeRandomFile(path, size)).fingerprint };
}

// ---------------------------------------------------------------------------------------------
// Build, serve, launch

async function buildForBench(): Promise<void> {
  await buildApp(OUT_DIR, { sourcemap: 'hidden' });
  // The ceilings worker, bundled on its own next to the app (same target, same minifier as the app).
  await build({
    configFile: false,
    root,
    mode: 'production',
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir: join(OUT_DIR, 'bench'),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: 'hidden',
      lib: { entry: CEILINGS_WORKER, formats: ['es'], fileName: () => 'ceilings-worker.js' },
    },
  });
}

/**
 * Runs `work` in the app, opened with `?workers=N` (when given) in a Chromium of its own whose
 * profile folder (and with it OPFS: the demo clouds' shares) is removed afterwards.
 */
async function withApp<T>(
  served: ServedApp,
  workDirectory: string,
  workers: number | undefined,
  watched: boolean,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const profile = await mkdtemp(join(workDirectory, 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  try {
    await context.addInitScript({ content: NAME_HELPER });
    const app = await openAppIn(context, served.baseUrl, workers === undefined ? {} : { path: `?workers=${workers}` });
    // The persistent context opens with a blank page of its own; the app is in a second one.
    for (const page of context.pages()) if (page !== app.page) await page.close();
    // A first visit installs the service worker, which fetches and checks every file of the build
    // (src/pwa/sw.ts): work of its own, on the same 2 cores, that a returning user no longer has.
    // Runs start once it controls the page, that is once it is installed.
    await app.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    const targets = watched ? await BrowserTargets.attach(context, app.page) : undefined;
    try {
      await watchLongTasks(app.page);
      const result = await work({ app, targets, chromium: context.browser()?.version() ?? 'unknown' });
      const trouble = [...app.pageErrors, ...app.consoleErrors, ...app.foreignRequests.map((url) => `request to ${url}`)];
      if (trouble.length > 0) throw new Error(`bench: the page reported trouble:\n${trouble.join('\n')}`);
      return result;
    } finally {
      await targets?.detach();
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Driving the UI

type DoneState = { readonly kind: 'protect' | 'recover'; readonly name: string };

/**
 * Arms a stopwatch in the page: it starts at the next click (capture phase, before the app sees
 * it) and stops when the page first shows the done state: the file's card (protect) or a verdict
 * in it (recover); or an error. A MutationObserver watches, so nothing polls the page meanwhile
 * (Playwright's waitFor would, every animation frame, on the main thread being measured).
 */
async function armStopwatch(page: Page, done: DoneState): Promise<void> {
  await page.evaluate((state) => {
    const watch = { clickAt: -1, doneAt: -1, alert: '', settled: Promise.resolve() };
    let settle = (): void => undefined;
    watch.settled = new Promise<void>((resolve) => (settle = resolve));
    (window as unknown as { benchStopwatch: typeof watch }).benchStopwatch = watch;
    const isDone = (): boolean => {
      const card = [...document.querySelectorAll('article')].find((article) => article.querySelector('h3')?.textContent?.trim() === state.name);
      if (!card) return false;
      return state.kind === 'protect' || card.querySelector('[data-testid="verdict"]') !== null;
    };
    document.addEventListener(
      'click',
      () => {
        watch.clickAt = performance.now();
        performance.mark('tessera-bench-click');
      },
      { capture: true, once: true },
    );
    const observer = new MutationObserver(() => {
      if (watch.clickAt < 0) return;
      const alert = document.querySelector('[role="alert"]');
      if (alert) {
        watch.alert = alert.textContent?.replace(/\s+/g, ' ').trim() || 'an error';
      } else if (isDone()) {
        watch.doneAt = performance.now();
        performance.mark('tessera-bench-done');
      } else {
        return;
      }
      observer.disconnect();
      settle();
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  }, done);
}

/** Waits until the stopwatch stopped; the seconds from click to done. */
async function readStopwatch(page: Page): Promise<{ seconds: number; clickAt: number }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: nothing happened within ${LONG_WAIT_MS / 1000} s of the click`)), LONG_WAIT_MS);
  });
  try {
    await Promise.race([page.evaluate(() => (window as unknown as { benchStopwatch: { settled: Promise<void> } }).benchStopwatch.settled), timeout]);
  } finally {
    clearTimeout(timer);
  }
  const { clickAt, doneAt, alert } = await page.evaluate(() => {
    const { clickAt, doneAt, alert } = (window as unknown as { benchStopwatch: { clickAt: number; doneAt: number; alert: string } }).benchStopwatch;
    return { clickAt, doneAt, alert };
  });
  if (alert) throw new Error(`bench: the app reported an error: ${alert}`);
  if (clickAt < 0 || doneAt < clickAt) throw new Error(`bench: the page's stopwatch did not run (click ${clickAt}, done ${doneAt})`);
  return { seconds: (doneAt - clickAt) / 1000, clickAt };
}

/** One run of one operation. */
interface Timed {
  readonly seconds: number;
  readonly use: ProcessUse;
  /** In a watched session only. */
  readonly memory: MemoryPeak | undefined;
  readonly longTasks: readonly number[];
  readonly longFrames: readonly NamedLongFrame[];
  /** "Rebuilt from shares …" as the app says it (recoveries only). */
  readonly usedShares?: string;
}

/** The page's long frames since the last clearLongTasks, their scripts named through the build's source maps. */
async function namedLongFrames(page: Page, clickAt: number): Promise<NamedLongFrame[]> {
  const namer = new FrameNamer(new URL(page.url()).origin, OUT_DIR);
  return (await longFrames(page)).map((frame) => ({
    afterClickMs: frame.startTime - clickAt,
    duration: frame.duration,
    blockingDuration: frame.blockingDuration,
    renderMs: frame.renderMs,
    styleAndLayoutMs: frame.styleAndLayoutMs,
    scripts: frame.scripts
      .map((script) => ({
        name: namer.nameAtOffset(script.sourceURL, script.sourceCharPosition, script.sourceFunctionName),
        invoker: script.invoker,
        duration: script.duration,
        forcedStyleAndLayoutMs: script.forcedStyleAndLayoutMs,
      }))
      .sort((a, b) => b.duration - a.duration),
  }));
}

/**
 * Clicks `button` and waits for the done state (or an error shown by the app), with CPU time, long
 * tasks, and in a watched session memory. First the kernel writes out what is waiting in the page
 * cache (the input file, the runs before), so that this run does not pay for it.
 */
async function timedClick(session: Session, state: DoneState, button: Locator): Promise<Timed> {
  const { page } = session.app;
  await clearLongTasks(page);
  await armStopwatch(page, state);
  execFileSync('sync');
  const memory = session.targets ? await watchMemory(session.targets) : undefined;
  const use = countChromium();
  let watch: { seconds: number; clickAt: number };
  let peak: MemoryPeak | undefined;
  try {
    await button.click();
    watch = await readStopwatch(page);
  } finally {
    peak = await memory?.stop();
  }
  const used = use.stop();
  return { seconds: watch.seconds, use: used, memory: peak, longTasks: await longTasks(page), longFrames: await namedLongFrames(page, watch.clickAt) };
}

/** One phase of a group: its timed runs (time: their median; CPU: the median run's) and its watched run (memory). */
function result(scheme: Scheme, input: InputFile, workers: number, phase: Phase, timed: readonly Timed[], watched: Timed): PhaseResult {
  if (timed.length === 0 || !watched.memory) throw new Error('bench: a phase needs timed runs and a watched run');
  const seconds = median(timed.map((run) => run.seconds));
  // With an even count the median falls between two runs: the CPU figures are the nearer one's.
  const middle = timed.reduce((best, run) => (Math.abs(run.seconds - seconds) < Math.abs(best.seconds - seconds) ? run : best));
  const all = [...timed, watched];
  return {
    scheme,
    size: input.size,
    workers,
    phase,
    seconds,
    megabytesPerSecond: input.size / 1e6 / seconds,
    runSeconds: timed.map((run) => run.seconds),
    use: middle.use,
    memory: watched.memory,
    longTasks: all.flatMap((run) => run.longTasks),
    longFrames: all.flatMap((run) => run.longFrames),
    ...(watched.usedShares === undefined ? {} : { usedShares: watched.usedShares }),
  };
}

/** Chooses the file, sets scheme and 3-of-5, and times Protect. Returns the file's card. */
async function protectPhase(session: Session, input: InputFile, scheme: Scheme): Promise<{ timed: Timed; card: Locator }> {
  const { page } = session.app;
  await fillProtectForm(page, input, { scheme, k: K, n: N });
  const card = page.getByRole('article', { name: input.name });
  const timed = await timedClick(session, { kind: 'protect', name: input.name }, page.getByRole('button', { name: 'Protect', exact: true }));
  const rows = await card.getByRole('row').count();
  if (rows !== N + 1) throw wrongResult(`the card of ${input.name} lists ${rows - 1} shares, expected ${N}`);
  return { timed, card };
}

/** Times Recover and checks the rebuilt file's SHA-256; then closes the result (deleting the file). */
async function recoverPhase(session: Session, input: InputFile, scheme: Scheme, card: Locator, phase: Phase): Promise<Timed> {
  const verdict = card.getByTestId('verdict');
  const timed = await timedClick(session, { kind: 'recover', name: input.name }, card.getByRole('button', { name: 'Recover', exact: true }));
  const shown = {
    verdict: (await verdict.innerText()).trim(),
    original: (await card.getByTestId('sha-original').innerText()).trim(),
    rebuilt: (await card.getByTestId('sha-rebuilt').innerText()).trim(),
  };
  if (!/^\W*Identical/.test(shown.verdict)) throw wrongResult(`${scheme} ${phase} of ${input.name}: the app says "${shown.verdict}"`);
  if (shown.original !== input.fingerprint) throw wrongResult(`${scheme}: the app recorded fingerprint ${shown.original} for the input, which is ${input.fingerprint}`);
  if (shown.rebuilt !== input.fingerprint) throw wrongResult(`${scheme} ${phase}: rebuilt fingerprint ${shown.rebuilt}, input ${input.fingerprint}`);
  const usedShares = (await card.getByText(/^Rebuilt from shares/).innerText()).trim();
  await card.getByRole('button', { name: 'Close' }).click();
  await verdict.waitFor({ state: 'detached' });
  return { ...timed, usedShares };
}

async function switchCloudsOff(page: Page, names: readonly string[]): Promise<void> {
  for (const name of names) await switchCloud(page, name, false);
  await page.getByText(`${N - names.length} of ${N} clouds are switched on.`).waitFor();
}

/**
 * A group: protect, recover with all clouds on, and (unless `decoding` is false) with clouds A and
 * D off, each time in a fresh Chromium: once watched for memory, then TIMED_RUNS unwatched for time.
 */
async function runScheme(
  served: ServedApp,
  workDirectory: string,
  input: InputFile,
  scheme: Scheme,
  workers: number,
  decoding: boolean,
): Promise<PhaseResult[]> {
  const runOnce = (watched: boolean): Promise<Map<Phase, Timed>> =>
    withApp(served, workDirectory, workers, watched, async (session) => {
      const protect = await protectPhase(session, input, scheme);
      const runs = new Map<Phase, Timed>([['protect', protect.timed]]);
      runs.set('recover', await recoverPhase(session, input, scheme, protect.card, 'recover'));
      if (decoding) {
        await switchCloudsOff(session.app.page, ['Demo cloud A', 'Demo cloud D']);
        const decoded = await recoverPhase(session, input, scheme, protect.card, 'recover-decoding');
        if (decoded.usedShares !== 'Rebuilt from shares 2, 3, 5.') throw wrongResult(`with clouds A and D off: "${decoded.usedShares}"`);
        runs.set('recover-decoding', decoded);
      }
      return runs;
    });
  const watched = await runOnce(true);
  const timed: Map<Phase, Timed>[] = [];
  for (let run = 0; run < TIMED_RUNS; run++) timed.push(await runOnce(false));
  return [...watched].map(([phase, watchedRun]) => result(scheme, input, workers, phase, timed.map((runs) => runs.get(phase)!), watchedRun));
}

// ---------------------------------------------------------------------------------------------
// Ceilings and profile

async function measureCeilings(
  served: ServedApp,
  workDirectory: string,
  input: InputFile,
  size: number,
): Promise<{ ceilings: CeilingResult[]; chromium: string }> {
  return withApp(served, workDirectory, undefined, false, async ({ app, chromium: version }) => {
    const { page } = app;
    await page.evaluate(() => {
      const picker = document.createElement('input');
      picker.type = 'file';
      picker.id = 'bench-ceilings-file';
      picker.hidden = true;
      document.body.append(picker);
    });
    await page.locator('#bench-ceilings-file').setInputFiles(input.path);
    const reply = await page.evaluate(
      async ({ url, size: bytes }) => {
        const file = (document.getElementById('bench-ceilings-file') as HTMLInputElement).files![0]!;
        const worker = new Worker(url, { type: 'module', name: 'tessera-bench-ceilings' });
        try {
          return await new Promise<CeilingReply>((resolve, reject) => {
            worker.onmessage = (event: MessageEvent<CeilingReply>) => resolve(event.data);
            worker.onerror = (event) => reject(new Error(`ceilings worker: ${event.message}`));
            worker.postMessage({ size: bytes, file } satisfies CeilingRequest);
          });
        } finally {
          worker.terminate();
        }
      },
      { url: CEILINGS_WORKER_PATH, size },
    );
    if (!reply.ok) throw new Error(`bench: the ceilings worker failed: ${reply.error}`);
    return { ceilings: reply.results, chromium: version };
  });
}

/** What a thread is, from the script it spends its time in. */
function roleOf(script: string, threadName: string): string {
  if (/\/chunk-worker[-.]/.test(script)) return 'chunk workers';
  if (/\/hash-worker[-.]/.test(script)) return 'hash worker (the file\'s SHA-256)';
  if (/\/share-worker[-.]/.test(script)) return "share worker (the job's coordinator)";
  if (threadName === 'CrRendererMain') return 'page main thread';
  return `${threadName} (${script})`;
}

/**
 * ssms protect, recover and recover with decoding again, each inside a Chromium trace with the V8
 * sampling profiler on every thread (so chunk workers that end with their job are in it too).
 */
async function profileSsms(served: ServedApp, workDirectory: string, input: InputFile, workers: number): Promise<ProfiledPhase[]> {
  const namer = new FrameNamer(new URL(served.baseUrl).origin, OUT_DIR);
  return withApp(served, workDirectory, workers, false, async (session) => {
    const browser = session.app.context.browser();
    if (!browser) throw new Error('bench: no browser to trace');
    const profiled: ProfiledPhase[] = [];
    const traced = async (phase: Phase, run: () => Promise<Timed>): Promise<void> => {
      await browser.startTracing(undefined, { categories: ['disabled-by-default-v8.cpu_profiler', 'blink.user_timing'] });
      let timed: Timed;
      try {
        timed = await run();
      } catch (error) {
        await browser.stopTracing().catch(() => undefined);
        throw error;
      }
      const trace = (await browser.stopTracing()).toString('utf8');
      const { threads, marks } = readTrace(trace);
      const start = marks.get('tessera-bench-click');
      const end = marks.get('tessera-bench-done');
      if (start === undefined || end === undefined) throw new Error('bench: the trace lacks the click and done marks');
      const roles = new Map<string, { threads: number; busy: number; entries: Map<string, number> }>();
      // Only the app's renderer process, the one that runs the app's scripts (others are Chromium's own UI).
      const origin = new URL(served.baseUrl).origin;
      const runsApp = (thread: ThreadProfile): boolean => [...thread.frames.values()].some((frame) => frame.url?.startsWith(origin));
      const appProcesses = new Set(threads.filter(runsApp).map((thread) => thread.pid));
      for (const thread of threads.filter((candidate) => appProcesses.has(candidate.pid))) {
        const { busy, entries } = selfTimesBetween(thread, start, end, (frame) => namer.name(frame));
        if (busy === 0) continue;
        const role = roleOf(scriptOf(thread), thread.threadName);
        const total = roles.get(role) ?? { threads: 0, busy: 0, entries: new Map<string, number>() };
        total.threads++;
        total.busy += busy;
        for (const entry of entries) total.entries.set(entry.name, (total.entries.get(entry.name) ?? 0) + entry.seconds);
        roles.set(role, total);
      }
      profiled.push({
        phase,
        seconds: timed.seconds,
        roles: [...roles].map(([role, total]) => ({
          role,
          threads: total.threads,
          busySeconds: total.busy,
          entries: [...total.entries].map(([name, seconds]) => ({ name, seconds })).sort((a, b) => b.seconds - a.seconds),
        })),
      });
    };
    let card: Locator | undefined;
    await traced('protect', async () => {
      const protect = await protectPhase(session, input, 'ssms');
      card = protect.card;
      return protect.timed;
    });
    await traced('recover', () => recoverPhase(session, input, 'ssms', card!, 'recover'));
    await switchCloudsOff(session.app.page, ['Demo cloud A', 'Demo cloud D']);
    await traced('recover-decoding', () => recoverPhase(session, input, 'ssms', card!, 'recover-decoding'));
    return profiled;
  });
}

// ---------------------------------------------------------------------------------------------

export async function measureBrowser({ quick, progress }: BrowserBenchOptions): Promise<BrowserReport> {
  const started = Date.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  const ssmsSize = quick ? 64 * MiB : 1 * GiB;
  const shamirSize = quick ? 16 * MiB : 256 * MiB;
  const ceilingSize = quick ? 64 * MiB : 256 * MiB;
  const profileSize = shamirSize;

  progress('browser: building the app (production, hidden source maps) and the ceilings worker');
  await buildForBench();
  const served = await serveApp(OUT_DIR);
  const workDirectory = await mkdtemp(join(os.tmpdir(), 'tessera-bench-'));
  try {
    progress(`browser: writing inputs of ${sizeLabel(ssmsSize)} and ${sizeLabel(shamirSize)} to ${workDirectory}`);
    const large = await inputFile(workDirectory, `scan-${sizeLabel(ssmsSize).replace(' ', '')}.bin`, ssmsSize);
    const small = await inputFile(workDirectory, `scan-${sizeLabel(shamirSize).replace(' ', '')}.bin`, shamirSize);

    progress(`browser: ceilings in a worker of the page, ${sizeLabel(ceilingSize)} per stage`);
    const { ceilings, chromium: chromiumVersion } = await measureCeilings(served, workDirectory, large, ceilingSize);

    const phases: PhaseResult[] = [];
    for (const workers of [1, 2]) {
      progress(`browser: ssms ${K}-of-${N}, ${sizeLabel(ssmsSize)}, ${workers} worker${workers > 1 ? 's' : ''}: protect, recover${workers === 2 ? ', recover with clouds A and D off' : ''}; 1 watched run, ${TIMED_RUNS} timed`);
      phases.push(...(await runScheme(served, workDirectory, large, 'ssms', workers, workers === 2)));
    }
    progress(`browser: shamir ${K}-of-${N}, ${sizeLabel(shamirSize)}, 2 workers: protect, recover, recover with clouds A and D off; 1 watched run, ${TIMED_RUNS} timed`);
    phases.push(...(await runScheme(served, workDirectory, small, 'shamir', 2, true)));

    progress(`browser: the machine under it (Node): fresh memory, and writing the files of a ${sizeLabel(ssmsSize)} protect and recover`);
    const machine = measureMachine(workDirectory, ssmsSize, K, N);

    progress(`browser: CPU profile of every thread (Chromium trace), ssms ${sizeLabel(profileSize)}`);
    const profile = await profileSsms(served, workDirectory, small, 2);

    return {
      quick,
      timedRuns: TIMED_RUNS,
      chromium: chromiumVersion,
      startedAt: new Date(started),
      elapsedSeconds: (Date.now() - started) / 1000,
      loadAtStart,
      loadAtEnd: os.loadavg()[0] ?? 0,
      ssmsSize,
      ceilingSize,
      ceilings,
      phases,
      machine,
      profileSize,
      profile,
    };
  } finally {
    await served.close();
    await rm(workDirectory, { recursive: true, force: true });
  }
}

