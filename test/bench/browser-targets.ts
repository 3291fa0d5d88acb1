/**
 * What the browser benchmark reads from Chromium itself while the app works: the heap of the page
 * and of every worker it starts (DevTools protocol, Runtime.getHeapUsage on each target), and the
 * resident memory, CPU time and minor page faults of Chromium's processes (/proc).
 *
 * Workers are found with a browser-level DevTools session (Target.setDiscoverTargets) and attached
 * to without flattening, so that commands reach them through Target.sendMessageToTarget on that one
 * session: playwright-core exposes no per-worker session of its own. Nested workers and workers
 * started at any time are caught the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/** Runtime.getHeapUsage; the last two fields are reported by recent Chromium only. */
export interface HeapUsage {
  /** V8's JavaScript heap in use. */
  readonly usedSize: number;
  readonly totalSize: number;
  /** Blink's garbage-collected heap (Oilpan): DOM and other embedder objects. */
  readonly embedderHeapUsedSize?: number;
  /** ArrayBuffer backing stores (outside the V8 heap): where chunks of file data live. */
  readonly backingStorageSize?: number;
}

/** Everything a target's heap holds: V8 heap in use + Blink heap + ArrayBuffer backing stores. */
function heapBytes(usage: HeapUsage): number {
  return usage.usedSize + (usage.embedderHeapUsedSize ?? 0) + (usage.backingStorageSize ?? 0);
}

interface AttachedWorker {
  readonly sessionId: string;
  readonly url: string;
}

interface TargetInfo {
  readonly targetId: string;
  readonly type: string;
  readonly url: string;
}

/** A reply from a worker that does not come (it was terminated mid-call) counts as no sample. */
const REPLY_TIMEOUT_MS = 5_000;

export class BrowserTargets {
  private readonly workers = new Map<string, AttachedWorker>();
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  private constructor(
    private readonly browserSession: CDPSession,
    private readonly pageSession: CDPSession,
  ) {}

  /** Starts watching the workers of `page` (its context must have been launched by this process). */
  static async attach(context: BrowserContext, page: Page): Promise<BrowserTargets> {
    const browser = context.browser();
    if (!browser) throw new Error('BrowserTargets: the context has no browser to open a DevTools session on');
    const targets = new BrowserTargets(await browser.newBrowserCDPSession(), await context.newCDPSession(page));
    targets.listen();
    await targets.browserSession.send('Target.setDiscoverTargets', { discover: true });
    return targets;
  }

  private listen(): void {
    this.browserSession.on('Target.targetCreated', ({ targetInfo }: { targetInfo: TargetInfo }) => {
      if (targetInfo.type === 'worker' || targetInfo.type === 'shared_worker') void this.attachWorker(targetInfo);
    });
    this.browserSession.on('Target.targetDestroyed', ({ targetId }: { targetId: string }) => {
      this.workers.delete(targetId);
    });
    this.browserSession.on('Target.receivedMessageFromTarget', ({ message }: { message: string }) => {
      const reply = JSON.parse(message) as { id?: number; result?: unknown; error?: { message: string } };
      const waiting = reply.id === undefined ? undefined : this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id!);
      if (reply.error) waiting.reject(new Error(reply.error.message));
      else waiting.resolve(reply.result);
    });
  }

  private async attachWorker(target: TargetInfo): Promise<void> {
    try {
      const { sessionId } = (await this.browserSession.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })) as {
        sessionId: string;
      };
      this.workers.set(target.targetId, { sessionId, url: target.url });
    } catch {
      // The worker ended before it could be attached to: nothing to measure.
    }
  }

  /** One command to one worker, through the browser session. */
  private send<T>(sessionId: string, method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no reply from the worker within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.browserSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch((error: unknown) => {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  /** The page's heap and each live worker's, read at (nearly) the same moment. */
  async heaps(): Promise<{ page: HeapUsage; workers: HeapUsage[] }> {
    const [page, ...workers] = await Promise.all([
      this.pageSession.send('Runtime.getHeapUsage') as Promise<HeapUsage>,
      ...[...this.workers.values()].map((worker) => this.send<HeapUsage>(worker.sessionId, 'Runtime.getHeapUsage').catch(() => undefined)),
    ]);
    return { page: page!, workers: workers.filter((usage): usage is HeapUsage => usage !== undefined) };
  }

  async detach(): Promise<void> {
    await Promise.allSettled([this.browserSession.detach(), this.pageSession.detach()]);
  }
}

// ---------------------------------------------------------------------------------------------
// Resident memory of Chromium's processes, from /proc (Linux)

/** Chromium processes started by this Node process: its descendants whose name says so. */
function chromiumProcesses(rootPid: number = process.pid): number[] {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …"; comm may itself hold spaces and parentheses.
      const close = stat.lastIndexOf(')');
      const parent = Number(stat.slice(close + 2).split(' ')[1]);
      const pid = Number(entry);
      names.set(pid, stat.slice(stat.indexOf('(') + 1, close));
      children.set(parent, [...(children.get(parent) ?? []), pid]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (/chrom/i.test(names.get(pid) ?? '')) found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** What a process has used so far, from /proc/<pid>/stat. */
interface ProcessCounters {
  /** CPU time, user + system, seconds. */
  readonly cpuSeconds: number;
  /** The system part of it: time in the kernel (file writes and reads, page faults, messages between processes). */
  readonly systemSeconds: number;
  /** Minor page faults: pages the kernel handed over fresh (no disk read). */
  readonly minorFaults: number;
}

/**
 * CPU time and minor page faults of each process so far, by pid. A process's counts include its
 * threads that have ended (a job's chunk workers), so a difference over an operation is all the CPU
 * Chromium spent on it, and all the fresh pages it took, on every core.
 */
function countersByProcess(pids: readonly number[]): Map<number, ProcessCounters> {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const counters = new Map<number, ProcessCounters>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields of stat counted from the state (field 3) here: 10 is minflt, 14 and 15 utime and stime.
      counters.set(pid, { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond, systemSeconds: Number(fields[12]) / ticksPerSecond, minorFaults: Number(fields[7]) });
    } catch {
      // Gone.
    }
  }
  return counters;
}

/** Sum of VmRSS of the given processes, bytes (shared pages count once per process). */
function residentBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // Gone.
    }
  }
  return total;
}

/** What Chromium's processes used over one span, on all cores together (/proc). */
export interface ProcessUse {
  /** CPU time, user + system, seconds (a process that ended within the span is left out). */
  readonly cpuSeconds: number;
  /** The part of cpuSeconds spent in the kernel. */
  readonly systemSeconds: number;
  /** Minor page faults over the same span. */
  readonly minorFaults: number;
}

/**
 * Starts counting what Chromium's processes use; `stop` returns it. Two reads of /proc and nothing
 * in between, so a timed run pays nothing for it.
 */
export function countChromium(): { stop(): ProcessUse } {
  const atStart = countersByProcess(chromiumProcesses());
  return {
    stop() {
      let cpuSeconds = 0;
      let systemSeconds = 0;
      let minorFaults = 0;
      for (const [pid, now] of countersByProcess(chromiumProcesses())) {
        const before = atStart.get(pid);
        cpuSeconds += now.cpuSeconds - (before?.cpuSeconds ?? 0);
        systemSeconds += now.systemSeconds - (before?.systemSeconds ?? 0);
        minorFaults += now.minorFaults - (before?.minorFaults ?? 0);
      }
      return { cpuSeconds, systemSeconds, minorFaults };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Sampling during one operation

export interface MemoryPeak extends ProcessUse {
  readonly samples: number;
  /** Largest page heap + Σ worker heaps (heapBytes) seen in one sample. */
  readonly peakTabBytes: number;
  /** The page's and the workers' shares of that sample. */
  readonly pageBytesAtPeak: number;
  readonly workerBytesAtPeak: number;
  /** That sample split by kind, summed over page and workers: V8 heap, Blink heap, ArrayBuffer backing stores. */
  readonly v8BytesAtPeak: number;
  readonly blinkBytesAtPeak: number;
  readonly arrayBufferBytesAtPeak: number;
  /** Most workers alive in one sample. */
  readonly maxWorkers: number;
  /** Σ VmRSS of Chromium's processes in the first sample (before the click) and at most. */
  readonly rssBaselineBytes: number;
  readonly rssPeakBytes: number;
  // ProcessUse: from the first sample to the last; the sampling's own DevTools calls are counted.
}

export interface MemoryWatch {
  stop(): Promise<MemoryPeak>;
}

/** Samples every `intervalMs` until stopped; the first sample is taken before this returns. */
export async function watchMemory(targets: BrowserTargets, intervalMs = 100): Promise<MemoryWatch> {
  let pids = chromiumProcesses();
  let samples = 0;
  let peakTabBytes = 0;
  let pageBytesAtPeak = 0;
  let workerBytesAtPeak = 0;
  let v8BytesAtPeak = 0;
  let blinkBytesAtPeak = 0;
  let arrayBufferBytesAtPeak = 0;
  let maxWorkers = 0;
  let rssBaselineBytes = 0;
  let rssPeakBytes = 0;
  const use = countChromium();

  const sampleOnce = async (): Promise<void> => {
    // The process list changes rarely (a new renderer, a utility process): refreshed once a second.
    if (samples > 0 && samples % Math.max(1, Math.round(1000 / intervalMs)) === 0) pids = chromiumProcesses();
    const rss = residentBytes(pids);
    const { page, workers } = await targets.heaps();
    const pageBytes = heapBytes(page);
    const workerBytes = workers.reduce((sum, usage) => sum + heapBytes(usage), 0);
    if (samples === 0) rssBaselineBytes = rss;
    samples++;
    rssPeakBytes = Math.max(rssPeakBytes, rss);
    maxWorkers = Math.max(maxWorkers, workers.length);
    if (pageBytes + workerBytes > peakTabBytes) {
      const all = [page, ...workers];
      peakTabBytes = pageBytes + workerBytes;
      pageBytesAtPeak = pageBytes;
      workerBytesAtPeak = workerBytes;
      v8BytesAtPeak = all.reduce((sum, usage) => sum + usage.usedSize, 0);
      blinkBytesAtPeak = all.reduce((sum, usage) => sum + (usage.embedderHeapUsedSize ?? 0), 0);
      arrayBufferBytesAtPeak = all.reduce((sum, usage) => sum + (usage.backingStorageSize ?? 0), 0);
    }
  };

  await sampleOnce();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      await sampleOnce();
      const rest = intervalMs - (performance.now() - started);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await sampleOnce();
      return {
        ...use.stop(),
        samples,
        peakTabBytes,
        pageBytesAtPeak,
        workerBytesAtPeak,
        v8BytesAtPeak,
        blinkBytesAtPeak,
        arrayBufferBytesAtPeak,
        maxWorkers,
        rssBaselineBytes,
        rssPeakBytes,
      };
    },
  };
}
