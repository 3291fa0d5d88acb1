/**
 * Where the CLI's words go: results on stdout, errors, warnings and progress on stderr. Kept behind
 * an interface so that a command never touches `process` directly.
 */
import type { Progress } from '../core/index.js';

export interface Terminal {
  /** One line of result, on stdout. */
  out(line: string): void;
  /** One line of error, warning or advice, on stderr. */
  err(line: string): void;
  /** Whether stderr is a terminal, where a progress line that rewrites itself makes sense. */
  readonly errIsTTY: boolean;
  /** Replaces the current progress line on stderr (`''` clears it). Only call when errIsTTY. */
  status(text: string): void;
}

export function processTerminal(): Terminal {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    errIsTTY: process.stderr.isTTY,
    status: (text) => void process.stderr.write(`\r\x1b[K${text}`),
  };
}

/** 3145728 → "3,145,728", independent of the locale. */
export function formatCount(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Binary units, because file managers show file sizes in them: 3145728 → "3.0 MiB". */
function formatSize(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = '';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** "3,145,728 bytes (3.0 MiB)" */
export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${formatCount(bytes)} bytes` : `${formatCount(bytes)} bytes (${formatSize(bytes)})`;
}

/** Below this, an operation finishes before a progress line would be worth reading. */
const PROGRESS_THRESHOLD = 16 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 100;

interface ProgressLine {
  readonly onProgress: ((progress: Progress) => void) | undefined;
  /** Clears the line, so that what follows starts on a clean line. */
  finish(): void;
}

/** A self-rewriting "protecting  42% (1.2 GiB of 2.9 GiB)" line on stderr, for large inputs on a TTY. */
export function progressLine(terminal: Terminal, label: string, total: number): ProgressLine {
  if (!terminal.errIsTTY || total < PROGRESS_THRESHOLD) return { onProgress: undefined, finish: () => undefined };
  let lastShown = 0;
  let shown = false;
  return {
    onProgress({ done, total: all }) {
      const now = Date.now();
      if (now - lastShown < PROGRESS_INTERVAL_MS && done < all) return;
      lastShown = now;
      shown = true;
      const percent = all === 0 ? 100 : Math.floor((done / all) * 100);
      terminal.status(`${label} ${String(percent).padStart(3)}% (${formatSize(done)} of ${formatSize(all)})`);
    },
    finish() {
      if (shown) terminal.status('');
    },
  };
}

/**
 * Runs `task` with an AbortSignal that Ctrl-C (SIGINT) or SIGTERM fires, so that the core stops
 * cleanly and the command can delete its partial files instead of being killed mid-write.
 */
export async function withInterrupt<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await task(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
