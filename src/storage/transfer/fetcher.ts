/**
 * The retry policy around one transport call — the only place in the transfer layer that decides
 * whether to try again. Transports classify a failure (`TransferError.kind`, transport.ts) and never
 * retry; the uploader and the downloader hold state and never look at a status code. (Uppy keeps the
 * same three apart: @uppy/aws-s3's uploader, its S3 client, and its `fetcher` retry wrapper.)
 *
 * - `retry` (5xx, 429 / SlowDown, network errors, truncated bodies, stalls): exponential back-off
 *   with full jitter — a delay drawn uniformly from [0, min(maxDelay, base · 2^(n−1))) before retry
 *   n, so that many tabs or parts failing together do not come back together (AWS Architecture
 *   Blog, "Exponential Backoff And Jitter", 2015). A Retry-After the transport read from the response
 *   is a floor on the delay. Gives up after `maxAttempts` attempts or `maxElapsedMs`.
 * - `resign` (an expired URL or signature): tried once more at once, after asking the transport to
 *   drop what it has signed or fetched (`invalidateSignatures`); a second one is `fatal`.
 * - `fatal`: thrown at once.
 *
 * Stalls: an attempt whose progress (the `onProgress` it is given) does not move for
 * `stallTimeoutMs` is aborted and counts as a retryable failure, `bucket.stalled` if it was the last.
 * The fetcher races the call against that abort, so a transport that ignores its signal still
 * cannot hang an upload.
 */
import { TransferError } from './transport.js';
import { abortReason, realClock, sleep, type Clock } from './clock.js';

export interface RetryPolicyOptions {
  /** Attempts per operation, the first included. Default 8. */
  readonly maxAttempts?: number;
  /** No retry starts after this long since the first attempt. Default 10 minutes. */
  readonly maxElapsedMs?: number;
  /** Ceiling of the first back-off; doubles per retry. Default 500 ms. */
  readonly baseDelayMs?: number;
  /** Largest back-off ceiling. Default 30 s. */
  readonly maxDelayMs?: number;
  /** An attempt with no progress for this long is aborted as stalled. Default 30 s. */
  readonly stallTimeoutMs?: number;
  readonly clock?: Clock;
  /** Uniform in [0, 1), for the jitter. Default Math.random: jitter needs spread, not secrecy. */
  readonly random?: () => number;
  /** How to wait out a back-off; default: a timer on `clock`. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told before each back-off (for logs and tests; never carries patient data). */
  readonly onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  /** The attempt that just failed, 1-based. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: TransferError;
  readonly what: string;
}

/** What one attempt is given: its own signal (aborted on stall or cancel) and a progress callback. */
export interface AttemptContext {
  readonly attempt: number;
  readonly signal: AbortSignal;
  /** Bytes moved so far in this attempt; any change resets the stall watchdog. */
  readonly onProgress: (bytes: number) => void;
}

export interface RunOptions {
  /** Cancels the operation (no retry after it); the rejection is the signal's reason. */
  readonly signal?: AbortSignal;
  /** Asked to sign afresh after a `resign` failure (see TransportExtensions.invalidateSignatures). */
  readonly resigner?: { invalidateSignatures?(): void };
  /** Names the operation in retry events and final messages ("upload part 3"). */
  readonly what?: string;
}

const DEFAULTS = {
  maxAttempts: 8,
  maxElapsedMs: 10 * 60_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  stallTimeoutMs: 30_000,
};

export class Fetcher {
  readonly maxAttempts: number;
  readonly maxElapsedMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly stallTimeoutMs: number;
  readonly clock: Clock;
  private readonly random: () => number;
  private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(options: RetryPolicyOptions = {}) {
    this.maxAttempts = positiveInteger(options.maxAttempts ?? DEFAULTS.maxAttempts, 'maxAttempts');
    this.maxElapsedMs = nonNegative(options.maxElapsedMs ?? DEFAULTS.maxElapsedMs, 'maxElapsedMs');
    this.baseDelayMs = nonNegative(options.baseDelayMs ?? DEFAULTS.baseDelayMs, 'baseDelayMs');
    this.maxDelayMs = nonNegative(options.maxDelayMs ?? DEFAULTS.maxDelayMs, 'maxDelayMs');
    this.stallTimeoutMs = nonNegative(options.stallTimeoutMs ?? DEFAULTS.stallTimeoutMs, 'stallTimeoutMs');
    if (this.stallTimeoutMs === 0) throw new RangeError('stallTimeoutMs: expected a positive number of milliseconds, got 0');
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.wait = options.sleep ?? ((ms, signal) => sleep(this.clock, ms, signal));
    this.onRetry = options.onRetry;
  }

  /** The back-off before retry `retry` (1 for the first retry): full jitter under a doubling ceiling. */
  backoffDelay(retry: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(retry - 1, 52));
    const draw = this.random();
    if (!(draw >= 0 && draw < 1)) throw new RangeError(`random: expected a number in [0, 1), got ${draw}`);
    return Math.floor(draw * ceiling);
  }

  async run<T>(operation: (context: AttemptContext) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const { signal } = options;
    const what = options.what ?? 'request';
    const started = this.clock.now();
    let resigned = false;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortReason(signal);
      let failure: TransferError;
      try {
        return await this.attempt(operation, attempt, signal);
      } catch (error) {
        if (signal?.aborted) throw abortReason(signal);
        if (!(error instanceof TransferError)) throw error; // a bug or an abort from elsewhere: never retried
        failure = error;
      }
      if (failure.kind === 'fatal') throw failure;
      if (failure.kind === 'resign') {
        if (resigned) {
          throw new TransferError('fatal', failure.code, `${what}: ${detailOf(failure)} (again after signing afresh)`, failure.status, { cause: failure });
        }
        resigned = true;
        options.resigner?.invalidateSignatures?.();
        continue;
      }
      const delayMs = Math.max(this.backoffDelay(attempt), retryAfterMsOf(failure) ?? 0);
      const elapsed = this.clock.now() - started;
      if (attempt >= this.maxAttempts || elapsed + delayMs > this.maxElapsedMs) {
        const seconds = Math.round(elapsed / 1000);
        throw new TransferError('retry', failure.code, `${what}: ${detailOf(failure)} (gave up after ${attempt} attempts in ${seconds} s)`, failure.status, {
          cause: failure,
        });
      }
      this.onRetry?.({ attempt, delayMs, error: failure, what });
      await this.wait(delayMs, signal);
    }
  }

  /** One attempt under a stall watchdog, raced against its own abort. */
  private async attempt<T>(operation: (context: AttemptContext) => Promise<T>, attempt: number, outer: AbortSignal | undefined): Promise<T> {
    const controller = new AbortController();
    const forward = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', forward, { once: true });
    const stallError = new TransferError('retry', 'bucket.stalled', `no progress for ${this.stallTimeoutMs / 1000} s`, 0);
    let last: number | undefined;
    let timer: unknown;
    const arm = (): void => {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      timer = this.clock.setTimeout(() => controller.abort(stallError), this.stallTimeoutMs);
    };
    arm();
    const context: AttemptContext = {
      attempt,
      signal: controller.signal,
      onProgress: (bytes) => {
        if (bytes !== last && !controller.signal.aborted) {
          last = bytes;
          arm();
        }
      },
    };
    try {
      return await raceAbort(Promise.resolve().then(() => operation(context)), controller.signal);
    } catch (error) {
      // Whatever the transport made of being aborted (an AbortError, a network error), a stall is a stall.
      if (controller.signal.reason === stallError) throw stallError;
      throw error;
    } finally {
      this.clock.clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    }
  }
}

/** Retry-After as the transport passed it (see TransportExtensions: TransferError.retryAfterMs). */
export function retryAfterMsOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A TransferError's message without its `[code] ` prefix. */
export function detailOf(error: Error): string {
  return error.message.replace(/^\[[a-z0-9.-]+\] /, '');
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name}: expected a positive integer, got ${value}`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name}: expected a non-negative number of milliseconds, got ${value}`);
  }
  return value;
}
