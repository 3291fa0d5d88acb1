/**
 * Progress of a transfer as people read it: bytes done of how many, the rate over the last few
 * seconds, and the time left at that rate.
 */
import { realClock, type Clock } from './clock.js';

export interface TransferProgress {
  readonly done: number;
  /** null while unknown (a streamed upload whose size was not announced). */
  readonly total: number | null;
  /** Bytes per second over the sliding window; 0 until two samples are apart in time. */
  readonly bytesPerSecond: number;
  /** Milliseconds left at that rate; null when the total or the rate is unknown. */
  readonly etaMs: number | null;
}

/**
 * Turns a growing byte count into TransferProgress. `done` is made monotone here: callers report
 * what they know, and a retried request never makes the bar go back.
 */
export class ProgressMeter {
  private readonly samples: { time: number; done: number }[] = [];
  private done = 0;

  constructor(
    private readonly clock: Clock = realClock,
    /** Width of the rate's sliding window. Default 5 s. */
    private readonly windowMs = 5000,
  ) {}

  update(done: number, total: number | null): TransferProgress {
    this.done = Math.max(this.done, done);
    const time = this.clock.now();
    this.samples.push({ time, done: this.done });
    // Keep one sample at or before the window's start, so the rate always spans the window.
    while (this.samples.length > 2 && this.samples[1]!.time <= time - this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (time - first.time) / 1000;
    const bytesPerSecond = seconds > 0 ? (this.done - first.done) / seconds : 0;
    const left = total === null ? null : Math.max(0, total - this.done);
    const etaMs = left === null ? null : left === 0 ? 0 : bytesPerSecond > 0 ? (left / bytesPerSecond) * 1000 : null;
    return { done: this.done, total, bytesPerSecond, etaMs };
  }
}

/**
 * Overall progress of several transfers (the n shares of one protect): the sum of their bytes,
 * with a rate and time left of its own.
 */
export class OverallProgress {
  private readonly parts = new Map<string, { done: number; total: number | null }>();
  private readonly meter: ProgressMeter;

  constructor(
    private readonly onChange: (overall: TransferProgress, id: string, one: TransferProgress) => void,
    clock: Clock = realClock,
    windowMs?: number,
  ) {
    this.meter = new ProgressMeter(clock, windowMs);
  }

  /** A listener for one transfer's progress (pass it as the uploader's onProgress). */
  track(id: string): (progress: TransferProgress) => void {
    this.parts.set(id, { done: 0, total: null });
    return (progress) => {
      this.parts.set(id, { done: progress.done, total: progress.total });
      let done = 0;
      let total: number | null = 0;
      for (const part of this.parts.values()) {
        done += part.done;
        total = total === null || part.total === null ? null : total + part.total;
      }
      this.onChange(this.meter.update(done, total), id, progress);
    };
  }
}
