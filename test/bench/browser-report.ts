/** The "Browser (headless Chromium)" section of docs/benchmarks.md, from a BrowserReport. */
import os from 'node:os';
import { DEFAULT_CHUNK_SIZE, FINGERPRINT_BLOCK } from '../../src/core/index.js';
import type { BrowserReport, Phase, PhaseResult } from './browser.js';
import type { CeilingId, CeilingResult } from './ceilings-worker.js';
import { freshPageMicroseconds, type MachineCostId } from './machine.js';
import { BROWSER_SECTION_END, BROWSER_SECTION_START, table } from './markdown.js';
import { formatRate, formatRatio, machineLine, mebibytes, MiB, sizeLabel } from './measure.js';

const MEMORY_LIMIT = 256 * MiB;
const LONG_TASK_LIMIT_MS = 50;
const SCALING_TARGET = 1.7;
const PROTECT_TARGET = 300;
const RECOVER_TARGET = 400;

const PHASE_LABEL: Record<Phase, string> = {
  protect: 'protect',
  recover: 'recover, all five clouds on',
  'recover-decoding': 'recover, clouds A and D off (decoding)',
};

function passFail(pass: boolean): string {
  return pass ? 'pass' : '**FAIL**';
}

function longest(tasks: readonly number[]): number {
  return Math.max(0, ...tasks);
}

/** Minor page faults per MiB of input: about 256 per MiB means every byte went through fresh memory once. */
function faultsPerMiB(phase: PhaseResult): string {
  const perMiB = phase.use.minorFaults / (phase.size / MiB);
  return perMiB >= 10 ? Math.round(perMiB).toLocaleString('en-US') : perMiB.toFixed(1);
}

/**
 * What the 1 MiB comparison stages show, from the same run: the pipeline's sizes ÷ 1 MiB, for
 * AES-GCM encrypt and for SHA-256 digests.
 */
function comparisonParagraph(rateOf: (id: CeilingId) => number): string[] {
  const encrypt = rateOf('aes-gcm-encrypt') / rateOf('aes-gcm-encrypt-1mib');
  const digest = rateOf('fingerprint-blocks') / rateOf('digest-1mib');
  if (!Number.isFinite(encrypt) && !Number.isFinite(digest)) return [];
  return [
    `**${sizeLabel(DEFAULT_CHUNK_SIZE)} against 1 MiB.** The rows [aes-gcm-encrypt-1mib] and [digest-1mib] do the same WebCrypto work in 1 MiB calls, as the pipeline did before ` +
      `its chunks became ${sizeLabel(DEFAULT_CHUNK_SIZE)} and its fingerprint blocks ${sizeLabel(FINGERPRINT_BLOCK)}. WebCrypto in Chromium copies its input and allocates its output on every call; ` +
      'up to about 960 KiB that memory is recycled, past it every call maps fresh pages from the kernel (a minor page fault per 4 KiB page). ' +
      `In this run, ${sizeLabel(DEFAULT_CHUNK_SIZE)} chunks ÷ 1 MiB: ${formatRatio(encrypt)} for AES-GCM encrypt; ${sizeLabel(FINGERPRINT_BLOCK)} blocks ÷ 1 MiB: ${formatRatio(digest)} for digests.`,
    '',
  ];
}

function longTaskText(tasks: readonly number[]): string {
  return tasks.length === 0 ? 'none' : `${tasks.length}, longest ${longest(tasks).toFixed(0)} ms`;
}

/**
 * Stages each operation goes through for every chunk, at the pipeline's sizes (DEFAULT_CHUNK_SIZE
 * chunks, FINGERPRINT_BLOCK blocks): the share worker reads the file eight chunks at a time and
 * writes and reads shares through sync access handles (src/storage/opfs.ts), the chunk workers seal
 * or open, code and digest the fingerprint's blocks (src/core/fingerprint.ts). The 1 MiB comparison
 * stages are in no model: the pipeline no longer runs them. The last two rows are what the same
 * operations cost with the whole-file SHA-256 of records from before fingerprints.
 */
const MODELS: readonly { label: string; stages: readonly CeilingId[]; compareWith?: Phase }[] = [
  { label: 'ssms 3-of-5 protect', stages: ['file-read', 'fingerprint-blocks', 'aes-gcm-encrypt', 'rs-encode', 'opfs-sync-write-shares'], compareWith: 'protect' },
  { label: 'ssms 3-of-5 recover, all five on', stages: ['opfs-sync-read-shares', 'aes-gcm-decrypt', 'fingerprint-blocks', 'opfs-sync-write-output'], compareWith: 'recover' },
  { label: 'protect, with a whole-file SHA-256 instead (before fingerprints)', stages: ['file-read', 'sha256', 'aes-gcm-encrypt', 'rs-encode', 'opfs-sync-write-shares'] },
  { label: 'recover, with a whole-file SHA-256 instead (before fingerprints)', stages: ['opfs-sync-read-shares', 'aes-gcm-decrypt', 'sha256', 'opfs-sync-write-output'] },
];

/**
 * What the CPU time of the 2-worker ssms runs says about the targets: an operation that costs C
 * CPU-seconds per GiB on this machine cannot go faster than cores / C GiB/s here, however its
 * work is spread.
 */
function cpuBudget(report: BrowserReport, cores: number): string[] {
  const rows = (['protect', 'recover'] as const).flatMap((phase) => {
    const run = report.phases.find((p) => p.scheme === 'ssms' && p.workers === 2 && p.phase === phase);
    if (!run || run.use.cpuSeconds <= 0) return [];
    const perGiB = (run.use.cpuSeconds / run.size) * 2 ** 30;
    const bound = (cores / perGiB) * (2 ** 30 / 1e6);
    return [[`ssms 3-of-5 ${phase}, 2 workers`, `${perGiB.toFixed(1)} s`, `${(run.use.cpuSeconds / run.seconds).toFixed(2)} of ${cores}`, formatRate(bound), formatRate(run.megabytesPerSecond)]];
  });
  if (rows.length === 0) return [];
  return [
    `**CPU budget.** Every Chromium process's CPU time over the median timed run (/proc), per GiB of input: the work an operation costs. With ${cores} cores, an operation that costs C CPU-seconds per GiB cannot beat ${cores} / C GiB/s, however it spreads the work.`,
    '',
    ...table(['operation', 'CPU-seconds per GiB', 'cores busy (average)', `bound on ${cores} cores, MB/s`, 'measured MB/s'], rows, [1, 2, 3, 4]),
    '',
  ];
}

/**
 * The machine under the browser (machine.ts): what the kernel alone takes for the fresh memory and
 * the new files the operations need, and what that leaves of the end-to-end targets.
 */
function machineSection(report: BrowserReport): string[] {
  if (report.machine.length === 0) return [];
  const of = (id: MachineCostId) => report.machine.find((c) => c.id === id);
  const shares = of('shares-new');
  const output = of('output-new');
  const rewrite = of('output-rewrite');
  const lines = [
    '### The machine under the browser',
    '',
    `Measured from Node after the runs above, on the disk that holds Chromium's profile (test/bench/machine.ts): plain \`write()\` calls, no browser, no crypto. ` +
      'System CPU is the kernel\'s work. Each figure is one run.',
    '',
    ...table(
      ['operation', 'MB/s of input', 'seconds', 'system CPU'],
      report.machine.map((c) => [`${c.label} [${c.id}]`, formatRate(c.megabytesPerSecond), c.seconds.toFixed(2), `${c.systemSeconds.toFixed(2)} s`]),
      [1, 2, 3],
    ),
    '',
  ];
  const micro = freshPageMicroseconds(report.machine);
  if (shares && output && rewrite) {
    lines.push(
      `This virtual machine hands memory its guest frees back to the host (virtio-balloon free page reporting), and the host maps it again, zeroed, the first time the guest touches it: ` +
        `here ${micro.toFixed(1)} µs for every 4 KiB page of fresh memory. A new file's pages are fresh memory too (the page cache), so writing one costs what writing over cached pages does not: ` +
        `${formatRate(output.megabytesPerSecond)} MB/s for the rebuilt file written new against ${formatRate(rewrite.megabytesPerSecond)} MB/s over its own pages. ` +
        `How much is fresh depends on what was freed just before (the share files here came after the runs' own files were deleted, the rebuilt file after them), so these figures move from run to run.`,
      '',
      `**What that leaves.** A recover must write the rebuilt file, new: here the kernel alone took ${output.seconds.toFixed(2)} s for ${sizeLabel(output.inputBytes)} ` +
        `(no recover of that size could beat ${formatRate(output.megabytesPerSecond)} MB/s while one thread writes it; target: ${RECOVER_TARGET}). ` +
        `A protect into the five demo clouds must write ${(report.ssmsSize * (5 / 3) / 2 ** 30).toFixed(2)} GiB of new share files: ${shares.seconds.toFixed(2)} s here ` +
        `(a bound of ${formatRate(shares.megabytesPerSecond)} MB/s; target: ${PROTECT_TARGET}). These were measured after the runs, in pages the runs had just freed, and flatter the runs' own state: ` +
        `the runs table gives, for each run, the time Chromium spent in the kernel. On a machine that keeps its memory mapped, both come far closer to the rewrite.`,
      '',
    );
  }
  return lines;
}

/**
 * For every run with a main-thread task over 50 ms: the page's frames over 50 ms in that run (Long
 * Animation Frames API), each with the scripts that ran longest in it.
 */
function longFrameLines(report: BrowserReport): string[] {
  const runs = report.phases.filter((p) => p.longTasks.length > 0);
  if (runs.length === 0) return [];
  const lines = [
    '**What ran in the long tasks.** Chromium\'s Long Animation Frames API names the scripts of every frame of the page over 50 ms; their functions are named here through the build\'s source maps. ' +
      '"Blocking" is the part that held up input (each task\'s time over 50 ms, plus rendering). A frame whose scripts add up to far less than its length was mostly waiting for the CPU: the page\'s thread shares 2 cores with the workers and the browser.',
    '',
  ];
  for (const run of runs) {
    const frames = run.longFrames.filter((frame) => frame.duration > LONG_TASK_LIMIT_MS);
    const where = `${run.scheme} ${sizeLabel(run.size)}, ${run.workers} worker${run.workers > 1 ? 's' : ''}, ${PHASE_LABEL[run.phase]}`;
    if (frames.length === 0) {
      lines.push(`- ${where}: long tasks of ${run.longTasks.map((d) => `${d.toFixed(0)} ms`).join(', ')}; no frame over 50 ms was reported with them.`);
      continue;
    }
    for (const frame of frames) {
      const scripts = frame.scripts.slice(0, 3).map((script) => `\`${script.name}\` from ${script.invoker || 'an unnamed invoker'}, ${script.duration.toFixed(0)} ms`);
      const scriptTotal = frame.scripts.reduce((sum, script) => sum + script.duration, 0);
      lines.push(
        `- ${where}: ${(frame.afterClickMs / 1000).toFixed(2)} s after the click (the median run took ${run.seconds.toFixed(2)} s), a ${frame.duration.toFixed(0)} ms frame (blocking ${frame.blockingDuration.toFixed(0)} ms; scripts ${scriptTotal.toFixed(0)} ms in all, style and layout ${frame.styleAndLayoutMs.toFixed(0)} ms, rendering ${frame.renderMs.toFixed(0)} ms)` +
          (scripts.length > 0 ? `: ${scripts.join('; ')}` : ': no script named'),
      );
    }
  }
  lines.push('');
  return lines;
}

export function browserSection(report: BrowserReport): string[] {
  const find = (scheme: string, workers: number, phase: Phase): PhaseResult | undefined =>
    report.phases.find((p) => p.scheme === scheme && p.workers === workers && p.phase === phase);
  const ceiling = (id: CeilingId): CeilingResult | undefined => report.ceilings.find((c) => c.id === id);
  const rateOf = (id: CeilingId): number => ceiling(id)?.megabytesPerSecond ?? Number.NaN;

  const protect2 = find('ssms', 2, 'protect');
  const protect1 = find('ssms', 1, 'protect');
  const recover2 = find('ssms', 2, 'recover');
  const recover1 = find('ssms', 1, 'recover');
  const decoding2 = find('ssms', 2, 'recover-decoding');
  const encrypt = rateOf('aes-gcm-encrypt');
  const decrypt = rateOf('aes-gcm-decrypt');
  const size = sizeLabel(report.ssmsSize);

  const memoryPeak = report.phases.reduce<PhaseResult | undefined>(
    (worst, p) => (worst === undefined || p.memory.peakTabBytes > worst.memory.peakTabBytes ? p : worst),
    undefined,
  );
  const tasksOf = (kind: 'protect' | 'recover'): number[] =>
    report.phases.filter((p) => (kind === 'protect' ? p.phase === 'protect' : p.phase !== 'protect')).flatMap((p) => p.longTasks);

  const throughputRow = (label: string, phase: PhaseResult | undefined, target: number, ceilingLabel: string, ceilingRate: number): string[] => {
    const rate = phase?.megabytesPerSecond ?? Number.NaN;
    return [
      label,
      `≥ ${target} MB/s`,
      phase ? `${formatRate(rate)} MB/s (${phase.seconds.toFixed(1)} s)` : '–',
      passFail(rate >= target),
      `${ceilingLabel}: ${formatRate(ceilingRate)} MB/s`,
      formatRatio(rate / ceilingRate),
    ];
  };
  // Two workers can at best double the throughput, and only with two cores to run on.
  const cores = os.cpus().length;
  const ideal = Math.min(2, cores);
  const scalingRow = (label: string, two: PhaseResult | undefined, one: PhaseResult | undefined): string[] => {
    const ratio = two && one ? two.megabytesPerSecond / one.megabytesPerSecond : Number.NaN;
    return [
      label,
      `≥ ${SCALING_TARGET}×`,
      `${formatRatio(ratio)} (${formatRate(two?.megabytesPerSecond ?? Number.NaN)} ÷ ${formatRate(one?.megabytesPerSecond ?? Number.NaN)} MB/s)`,
      passFail(ratio >= SCALING_TARGET),
      `${cores} logical core${cores > 1 ? 's' : ''}: ${ideal}×`,
      formatRatio(ratio / ideal),
    ];
  };
  const longTaskRow = (kind: 'protect' | 'recover'): string[] => {
    const tasks = tasksOf(kind);
    return [
      `no main-thread task over ${LONG_TASK_LIMIT_MS} ms during ${kind} (every run below)`,
      `≤ ${LONG_TASK_LIMIT_MS} ms`,
      tasks.length === 0 ? 'none over 50 ms' : `${tasks.length} over 50 ms, longest ${longest(tasks).toFixed(0)} ms`,
      passFail(tasks.length === 0 || longest(tasks) <= LONG_TASK_LIMIT_MS),
      `the limit, ${LONG_TASK_LIMIT_MS} ms`,
      tasks.length === 0 ? '< 1×' : formatRatio(longest(tasks) / LONG_TASK_LIMIT_MS),
    ];
  };

  const targetRows: string[][] = [
    throughputRow(`ssms 3-of-5 protect, ${size} into five demo clouds, end to end, 2 workers`, protect2, PROTECT_TARGET, 'AES-256-GCM encrypt, one thread', encrypt),
    throughputRow(`ssms 3-of-5 recover, ${size}, all five clouds on, 2 workers`, recover2, RECOVER_TARGET, 'AES-256-GCM decrypt, one thread', decrypt),
    throughputRow(`ssms 3-of-5 recover, ${size}, clouds A and D off (decoding), 2 workers`, decoding2, RECOVER_TARGET, 'AES-256-GCM decrypt, one thread', decrypt),
    [
      'tab memory: page + every worker, heap + ArrayBuffers, peak over every run below',
      `≤ ${mebibytes(MEMORY_LIMIT)}`,
      memoryPeak
        ? `${mebibytes(memoryPeak.memory.peakTabBytes)} (${memoryPeak.scheme} ${sizeLabel(memoryPeak.size)} ${memoryPeak.phase}, ${memoryPeak.workers} worker${memoryPeak.workers > 1 ? 's' : ''})`
        : '–',
      passFail((memoryPeak?.memory.peakTabBytes ?? Infinity) <= MEMORY_LIMIT),
      `the limit, ${mebibytes(MEMORY_LIMIT)}`,
      formatRatio((memoryPeak?.memory.peakTabBytes ?? Number.NaN) / MEMORY_LIMIT),
    ],
    scalingRow(`protect throughput, 2 workers ÷ 1 worker (ssms ${size})`, protect2, protect1),
    scalingRow(`recover throughput, 2 workers ÷ 1 worker (ssms ${size}, all five on)`, recover2, recover1),
    longTaskRow('protect'),
    longTaskRow('recover'),
  ];

  const runRows = report.phases.map((p) => [
    p.scheme,
    sizeLabel(p.size),
    String(p.workers),
    PHASE_LABEL[p.phase],
    p.seconds.toFixed(2),
    p.runSeconds.map((seconds) => seconds.toFixed(2)).join(', '),
    formatRate(p.megabytesPerSecond),
    mebibytes(p.memory.peakTabBytes),
    `${mebibytes(p.memory.pageBytesAtPeak)} / ${mebibytes(p.memory.workerBytesAtPeak)} (${p.memory.maxWorkers})`,
    `${mebibytes(p.memory.v8BytesAtPeak)} / ${mebibytes(p.memory.blinkBytesAtPeak)} / ${mebibytes(p.memory.arrayBufferBytesAtPeak)}`,
    `${mebibytes(p.memory.rssBaselineBytes)} → ${mebibytes(p.memory.rssPeakBytes)}`,
    `${p.use.cpuSeconds.toFixed(1)} s (${(p.use.cpuSeconds / p.seconds).toFixed(2)} cores); ${((p.use.cpuSeconds / p.size) * 2 ** 30).toFixed(1)} s per GiB, ${((p.use.systemSeconds / p.size) * 2 ** 30).toFixed(1)} of it in the kernel`,
    faultsPerMiB(p),
    longTaskText(p.longTasks),
  ]);

  const modelRows = MODELS.map((model) => {
    const rates = model.stages.map(rateOf);
    const predicted = 1 / rates.reduce((sum, rate) => sum + 1 / rate, 0);
    const stages = model.stages.map((id) => `${id} ${formatRate(rateOf(id))}`).join(' + ');
    if (model.compareWith === undefined) return [model.label, stages, formatRate(predicted), '–', '–'];
    const measured1 = find('ssms', 1, model.compareWith)?.megabytesPerSecond ?? Number.NaN;
    const measured2 = find('ssms', 2, model.compareWith)?.megabytesPerSecond ?? Number.NaN;
    return [
      model.label,
      stages,
      formatRate(predicted),
      `${formatRate(measured1)} / ${formatRate(measured2)}`,
      `${formatRatio(measured1 / predicted)} / ${formatRatio(measured2 / predicted)}`,
    ];
  });

  // The profile: each kind of thread's busy time, then its largest functions, per operation.
  const roles = [...new Set(report.profile.flatMap((phase) => phase.roles.map((role) => role.role)))];
  const busyRows = roles.map((role) => [
    role,
    ...report.profile.map((phase) => {
      const found = phase.roles.find((candidate) => candidate.role === role);
      if (!found) return '–';
      const perThread = found.busySeconds / found.threads / phase.seconds;
      return `${(100 * perThread).toFixed(0)} %${found.threads > 1 ? ` each (${found.threads} threads)` : ''}`;
    }),
  ]);
  const functionRows: string[][] = [];
  for (const role of roles) {
    const names = new Set<string>();
    for (const phase of report.profile) {
      for (const entry of phase.roles.find((candidate) => candidate.role === role)?.entries.slice(0, 5) ?? []) names.add(entry.name);
    }
    for (const name of names) {
      functionRows.push([
        role,
        `\`${name}\``,
        ...report.profile.map((phase) => {
          const seconds = phase.roles.find((candidate) => candidate.role === role)?.entries.find((entry) => entry.name === name)?.seconds ?? 0;
          return `${((100 * seconds) / phase.seconds).toFixed(1)} %`;
        }),
      ]);
    }
  }
  const phaseHeaders = report.profile.map((phase) => `${PHASE_LABEL[phase.phase]} (${phase.seconds.toFixed(2)} s)`);

  const when = report.startedAt.toISOString().slice(0, 16).replace('T', ' ');
  return [
    BROWSER_SECTION_START,
    '## Browser (headless Chromium)',
    '',
    `Generated by \`npm run bench\` (browser part: test/bench/browser.ts; \`BENCH_ONLY=browser npm run bench\` runs it alone) on ${when} UTC in ${Math.round(report.elapsedSeconds)} s` +
      `${report.quick ? ', QUICK MODE (smaller inputs)' : ''}.`,
    '',
    `- Machine: ${machineLine()}; Chromium ${report.chromium} (headless, /usr/bin/chromium)`,
    `- Load average (1 min) at the start ${report.loadAtStart.toFixed(1)}, at the end ${report.loadAtEnd.toFixed(1)}: other work shared the cores. ` +
      `Each time is the **median of ${report.timedRuns} runs**, each in a Chromium of its own; compare figures of the same run, and expect ±15 % between runs of the benchmark.`,
    '- The app as it ships (production build, `vite preview` on 127.0.0.1), driven through its UI only: the file is chosen with the file input (Chromium reads it from disk), 3-of-5 is set, **Protect** clicked; then **Recover**. ' +
      'Time runs from the click to the moment the page shows the result (the file\'s card, or the verdict), both read from `performance.now()` in the page. ' +
      'Before each click the kernel writes out what the runs before left in the page cache (`sync`), so that no run pays for the writes of another.',
    `- Each group (scheme, workers) runs ${report.timedRuns + 1} times. Once **watched**, for the memory figures: every 100 ms the benchmark reads the heaps of the page and of each worker through DevTools, ` +
      'which costs CPU on the same cores (about 6 % of a 1 GiB protect, measured), so that run is not timed. Then ' +
      `${report.timedRuns} times **timed**, with no DevTools session on the workers and /proc read only at the click and at the end (CPU time, page faults); the long tasks are those of every run.`,
    '- Every rebuild is checked: the app must say "Identical" and show, for the rebuilt file, the fingerprint (docs/fingerprint.md) computed in Node from the input; the card must say which shares were used (2, 3, 5 with clouds A and D off). A wrong rebuild stops the benchmark.',
    '- Each run has a Chromium of its own with a fresh profile folder **on disk**, so OPFS (the five demo clouds and the rebuilt file) is on disk as for a user. (In Playwright\'s usual off-the-record contexts, Chromium keeps OPFS in memory.) Runs start once the service worker controls the page: on a first visit it fetches and checks every file of the build, work a returning user no longer has. `?workers=N` in the address sets the chunk workers each job may use (src/jobs/index.ts → workers/share-jobs.ts; 1 keeps every chunk in the job\'s own worker): ' +
      'with 1, the job\'s worker does all the work; with 2, it reads and writes while two chunk workers encrypt, code and digest the fingerprint\'s blocks.',
    '',
    '### Targets',
    '',
    ...table(['target', 'required', 'measured', 'result', 'ceiling (measured in the browser, same run)', 'measured ÷ ceiling'], targetRows, [2, 5]),
    '',
    ...cpuBudget(report, cores),
    ...machineSection(report),
    '### Runs',
    '',
    'Tab memory (from the watched run) is the peak, over samples every 100 ms, of the page\'s heap plus the heaps of all its workers, each read from Chromium with `Runtime.getHeapUsage` ' +
      '(DevTools protocol, on the page and on every worker target, attached as they start): V8 heap in use + Blink heap + **ArrayBuffer backing stores** ' +
      '(chunks of file data live there, outside the V8 heap). "page / workers" is that peak sample split by target, with the most workers alive at once; ' +
      '"V8 / Blink / ArrayBuffers" the same sample split by kind (`usedSize`, `embedderHeapUsedSize`, `backingStorageSize`; WebAssembly memories count as ArrayBuffers, ' +
      'and a buffer counts until it is collected). Chromium RSS is the sum of VmRSS over every Chromium process this benchmark started (/proc), ' +
      'just before the click and at most during the run; shared pages count once per process, so it overstates. Long tasks: main-thread tasks over 50 ms ' +
      '(PerformanceObserver of type `longtask`, shown to see a deliberate 80 ms task before any run). ' +
      'Chromium CPU (from the median timed run) is the CPU time (user + system, /proc) every Chromium process of the run used from the click to the end, on all cores together: ' +
      '"cores" is that ÷ the seconds, and per GiB it is the work the operation costs, whatever the number of cores; "in the kernel" is its system part ' +
      '(writing and reading files, page faults, messages between processes). ' +
      'Page faults per input MiB are the minor page faults of the same processes over the same time (/proc, `minflt`), ÷ the input\'s MiB: ' +
      `a minor page fault is a page of memory handed over fresh by the kernel (${freshPageMicroseconds(report.machine).toFixed(1)} µs each in this run: "The machine under the browser" above), so a pipeline that reuses its buffers shows few.`,
    '',
    ...table(
      ['scheme', 'input', 'workers', 'operation', 'seconds (median)', 'seconds, each timed run', 'MB/s', 'tab memory peak', 'page / workers (workers alive)', 'V8 / Blink / ArrayBuffers', 'Chromium RSS before → peak', 'Chromium CPU', 'page faults per input MiB', 'long tasks > 50 ms'],
      runRows,
      [4, 6, 7, 12],
    ),
    '',
    ...longFrameLines(report),
    '### Ceilings in the browser, stage by stage',
    '',
    `Measured in a dedicated worker of the same page (test/bench/ceilings-worker.ts, bundled like the app), ${sizeLabel(report.ceilingSize)} per stage (rounded down to whole chunks), ` +
      `at the pipeline's sizes: ${sizeLabel(DEFAULT_CHUNK_SIZE)} chunks (DEFAULT_CHUNK_SIZE) and ${sizeLabel(FINGERPRINT_BLOCK)} fingerprint blocks (FINGERPRINT_BLOCK), one after the other as the share worker walks a file, ` +
      'the file read through its stream into recycled buffers as the share worker reads it; ' +
      `rates in MB/s **of input** (for the OPFS stages: the bytes that one ${sizeLabel(DEFAULT_CHUNK_SIZE)} chunk of input makes, e.g. five fragments of ⌈(${sizeLabel(DEFAULT_CHUNK_SIZE)} + 16) / 3⌉ bytes). ` +
      'Median of 3 samples (5 for memory copy; 1 for the I/O stages).',
    '',
    ...table(
      ['stage', 'MB/s of input', 'samples (s)'],
      report.ceilings.map((c) => [`${c.label} [${c.id}]`, formatRate(c.megabytesPerSecond), c.seconds.map((s) => s.toFixed(2)).join(', ')]),
      [1],
    ),
    '',
    ...comparisonParagraph(rateOf),
    'With one worker, the share worker runs these stages one after the other for each chunk, so an operation cannot beat 1 / Σ (1 / stage rate): ' +
      'measured ÷ that bound near 1× means the stages themselves are the limit, well below 1× that time goes elsewhere (waiting, copies, messages, garbage collection). ' +
      'With two or more, chunks are encrypted, coded and their fingerprint blocks digested in chunk workers while the share worker reads and writes, so the bound can be beaten; by how much is what the pool buys.',
    '',
    ...table(['operation', 'stages (MB/s)', 'sequential bound MB/s', `measured MB/s, 1 / 2 workers`, 'measured ÷ bound, 1 / 2 workers'], modelRows, [2, 3, 4]),
    '',
    `### Where the time goes (CPU profile, ssms 3-of-5, ${sizeLabel(report.profileSize)}, 2 workers)`,
    '',
    'A separate run, not timed above, inside a Chromium trace with the V8 sampling profiler on every thread (category `disabled-by-default-v8.cpu_profiler`; ' +
      'workers that end with their job are in it too), cut to the click-to-done window with two `performance.mark` calls. ' +
      'Functions are named through the build\'s hidden source maps. WebCrypto runs on the calling thread in this Chromium: AES-GCM shows as self time of the function that ' +
      'calls `crypto.subtle` (`sealChunk`, `openChunk`). A thread that is not busy is idle: waiting for a file or OPFS read, an OPFS write or a message. ' +
      'Functions of a WebAssembly module without a name section show as `wasm-function[i]`, told apart by module.',
    '',
    'Busy share of the operation\'s time, per thread:',
    '',
    ...table(['thread', ...phaseHeaders], busyRows, phaseHeaders.map((_, i) => i + 1)),
    '',
    'Largest self times (each kind of thread\'s five largest per operation), as a share of the operation\'s time, summed over that kind\'s threads:',
    '',
    ...table(['thread', 'function', ...phaseHeaders], functionRows, phaseHeaders.map((_, i) => i + 2)),
    '',
    BROWSER_SECTION_END,
  ];
}
