import { describe, expect, it } from 'vitest';
import { Fetcher } from '../../src/storage/transfer/fetcher.js';
import { TransferError } from '../../src/storage/transfer/transport.js';
import { ManualClock, sequence, settle } from './transfer-test-kit.js';

const retryable = (): TransferError => new TransferError('retry', 'bucket.unavailable', '503 SlowDown', 503);

/** A fetcher whose back-offs resolve at once and are recorded. */
function recordingFetcher(options: ConstructorParameters<typeof Fetcher>[0] = {}): { fetcher: Fetcher; delays: number[] } {
  const delays: number[] = [];
  const fetcher = new Fetcher({
    random: sequence(0.5),
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    ...options,
  });
  return { fetcher, delays };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('fetcher: which failures are retried', () => {
  it('retries `retry` failures until one attempt succeeds', async () => {
    const { fetcher, delays } = recordingFetcher();
    let attempts = 0;
    const result = await fetcher.run(() => {
      attempts++;
      if (attempts < 4) throw retryable();
      return Promise.resolve('ok');
    });
    expect(result).toBe('ok');
    expect(attempts).toBe(4);
    expect(delays).toHaveLength(3);
  });

  it.each([
    ['bucket.auth', 403],
    ['bucket.permission', 403],
    ['bucket.cors', 0],
    ['bucket.not-found', 404],
    ['bucket.integrity', 400],
  ] as const)('never retries a fatal %s', async (code, status) => {
    const { fetcher, delays } = recordingFetcher();
    let attempts = 0;
    const error = await rejection(
      fetcher.run(() => {
        attempts++;
        throw new TransferError('fatal', code, 'refused', status);
      }),
    );
    expect(error).toBeInstanceOf(TransferError);
    expect((error as TransferError).code).toBe(code);
    expect(attempts).toBe(1);
    expect(delays).toEqual([]);
  });

  it('never retries an error that is not a TransferError (a bug is not a network failure)', async () => {
    const { fetcher } = recordingFetcher();
    let attempts = 0;
    const error = await rejection(
      fetcher.run(() => {
        attempts++;
        throw new TypeError('boom');
      }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(attempts).toBe(1);
  });

  it('gives up after maxAttempts with the last failure, still retryable', async () => {
    const { fetcher, delays } = recordingFetcher({ maxAttempts: 5 });
    let attempts = 0;
    const error = (await rejection(
      fetcher.run(
        () => {
          attempts++;
          throw retryable();
        },
        { what: 'part 3' },
      ),
    )) as TransferError;
    expect(attempts).toBe(5);
    expect(delays).toHaveLength(4);
    expect(error).toBeInstanceOf(TransferError);
    expect(error.kind).toBe('retry');
    expect(error.code).toBe('bucket.unavailable');
    expect(error.message).toMatch(/^\[bucket\.unavailable\] part 3: 503 SlowDown \(gave up after 5 attempts/);
  });

  it('gives up when the next back-off would pass maxElapsedMs', async () => {
    const clock = new ManualClock();
    const fetcher = new Fetcher({ clock, random: sequence(0.999), baseDelayMs: 1000, maxDelayMs: 60_000, maxElapsedMs: 10_000, maxAttempts: 100 });
    let attempts = 0;
    const outcome = rejection(
      fetcher.run(() => {
        attempts++;
        throw retryable();
      }),
    );
    // Back-offs just under 1 s, 2 s, 4 s (7 s in all); the next (8 s) would pass 10 s.
    await clock.advance(60_000);
    expect(await outcome).toBeInstanceOf(TransferError);
    expect(attempts).toBe(4);
    expect(clock.time).toBe(60_000);
  });
});

describe('fetcher: back-off', () => {
  it('draws each delay uniformly under a doubling ceiling (full jitter), capped at maxDelayMs', () => {
    const high = new Fetcher({ baseDelayMs: 500, maxDelayMs: 30_000, random: sequence(0.999999) });
    const ceilings = [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000];
    ceilings.forEach((ceiling, index) => {
      const delay = high.backoffDelay(index + 1);
      expect(delay).toBeLessThan(ceiling);
      expect(delay).toBeGreaterThanOrEqual(ceiling - 1);
    });
    const low = new Fetcher({ baseDelayMs: 500, random: sequence(0) });
    for (let retry = 1; retry < 12; retry++) expect(low.backoffDelay(retry)).toBe(0);
    const middle = new Fetcher({ baseDelayMs: 500, random: sequence(0.25) });
    expect([1, 2, 3].map((retry) => middle.backoffDelay(retry))).toEqual([125, 250, 500]);
  });

  it('covers the whole jitter range: delays from many draws spread over [0, ceiling)', () => {
    let state = 12345;
    const random = (): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const fetcher = new Fetcher({ baseDelayMs: 1000, random });
    const delays = Array.from({ length: 400 }, () => fetcher.backoffDelay(1));
    expect(Math.min(...delays)).toBeLessThan(100);
    expect(Math.max(...delays)).toBeGreaterThan(900);
    expect(Math.max(...delays)).toBeLessThan(1000);
  });

  it('waits at least as long as a Retry-After the transport passed on', async () => {
    const { fetcher, delays } = recordingFetcher({ random: sequence(0) });
    let attempts = 0;
    await fetcher.run(() => {
      attempts++;
      if (attempts === 1) throw Object.assign(new TransferError('retry', 'bucket.unavailable', '429', 429), { retryAfterMs: 3000 });
      if (attempts === 2) throw retryable();
      return Promise.resolve();
    });
    expect(delays).toEqual([3000, 0]);
  });

  it('rejects with the cancel reason during a back-off, and tries no more', async () => {
    const clock = new ManualClock();
    const fetcher = new Fetcher({ clock, random: sequence(0.5) });
    const controller = new AbortController();
    let attempts = 0;
    const outcome = rejection(
      fetcher.run(
        () => {
          attempts++;
          throw retryable();
        },
        { signal: controller.signal },
      ),
    );
    await settle();
    controller.abort(new DOMException('cancelled', 'AbortError'));
    const error = (await outcome) as DOMException;
    expect(error.name).toBe('AbortError');
    await clock.advance(60_000);
    expect(attempts).toBe(1);
  });

  it('validates its options', () => {
    expect(() => new Fetcher({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => new Fetcher({ maxAttempts: 1.5 })).toThrow(RangeError);
    expect(() => new Fetcher({ baseDelayMs: -1 })).toThrow(RangeError);
    expect(() => new Fetcher({ stallTimeoutMs: 0 })).toThrow(/stallTimeoutMs/);
    expect(() => new Fetcher({ random: () => 1 }).backoffDelay(1)).toThrow(RangeError);
  });
});

describe('fetcher: expired signatures', () => {
  it('signs afresh once, then succeeds', async () => {
    const { fetcher, delays } = recordingFetcher();
    let invalidations = 0;
    let attempts = 0;
    const result = await fetcher.run(
      () => {
        attempts++;
        if (attempts === 1) throw new TransferError('resign', 'bucket.expired', 'Request has expired', 403);
        return Promise.resolve(attempts);
      },
      { resigner: { invalidateSignatures: () => invalidations++ } },
    );
    expect(result).toBe(2);
    expect(invalidations).toBe(1);
    expect(delays).toEqual([]); // no back-off: a fresh signature needs no wait
  });

  it('a second expiry after signing afresh is fatal', async () => {
    const { fetcher } = recordingFetcher();
    let invalidations = 0;
    let attempts = 0;
    const error = (await rejection(
      fetcher.run(
        () => {
          attempts++;
          throw new TransferError('resign', 'bucket.expired', 'Request has expired', 403);
        },
        { resigner: { invalidateSignatures: () => invalidations++ } },
      ),
    )) as TransferError;
    expect(attempts).toBe(2);
    expect(invalidations).toBe(1);
    expect(error.kind).toBe('fatal');
    expect(error.code).toBe('bucket.expired');
    expect(error.message).toMatch(/again after signing afresh/);
  });
});

describe('fetcher: stalls', () => {
  /** An operation that never answers, but gives up when its signal aborts (as fetch does). */
  const hanging = (signal: AbortSignal): Promise<never> =>
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true }));

  it('aborts an attempt with no progress for stallTimeoutMs, and retries it', async () => {
    const clock = new ManualClock();
    const fetcher = new Fetcher({ clock, random: sequence(0), stallTimeoutMs: 30_000 });
    let attempts = 0;
    const aborted: boolean[] = [];
    const result = fetcher.run(async ({ signal }) => {
      attempts++;
      if (attempts === 1) {
        try {
          return await hanging(signal);
        } finally {
          aborted.push(signal.aborted);
        }
      }
      return 'second';
    });
    await clock.advance(29_999);
    expect(attempts).toBe(1);
    await clock.advance(1);
    expect(await result).toBe('second');
    expect(aborted).toEqual([true]);
  });

  it('progress keeps an attempt alive; only silence counts', async () => {
    const clock = new ManualClock();
    const fetcher = new Fetcher({ clock, random: sequence(0), stallTimeoutMs: 30_000 });
    let report!: (bytes: number) => void;
    let finish!: () => void;
    let attempts = 0;
    const result = fetcher.run(({ onProgress }) => {
      attempts++;
      report = onProgress;
      return new Promise<string>((resolve) => (finish = () => resolve('done')));
    });
    for (let step = 1; step <= 5; step++) {
      await clock.advance(20_000);
      report(step * 1000);
    }
    await clock.advance(20_000);
    report(5000); // the same count again is not progress
    await clock.advance(9_999);
    finish();
    expect(await result).toBe('done');
    expect(attempts).toBe(1);
  });

  it('gives up with bucket.stalled when every attempt stalls, even if the transport ignores its signal', async () => {
    const clock = new ManualClock();
    const fetcher = new Fetcher({ clock, random: sequence(0), stallTimeoutMs: 1000, maxAttempts: 3 });
    let attempts = 0;
    const outcome = rejection(
      fetcher.run(() => {
        attempts++;
        return new Promise<never>(() => undefined); // never settles, never listens
      }),
    );
    await clock.advance(3000);
    const error = (await outcome) as TransferError;
    expect(attempts).toBe(3);
    expect(error).toBeInstanceOf(TransferError);
    expect(error.code).toBe('bucket.stalled');
    expect(error.kind).toBe('retry');
    expect(clock.pendingTimers).toBe(0);
  });
});
