/**
 * The worker pool, with fake workers: each is one end of a MessageChannel whose other end exposes a
 * controllable API through Comlink, so queueing, cancelling by termination and the lazy restart run
 * for real without a browser.
 */
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { isAbort } from '../../src/core/errors.js';
import { SharePool, poolSize, requestedComputeWorkers, type ShareWorker } from '../../src/jobs/pool.js';

interface FakeWorker {
  readonly id: number;
  terminated: boolean;
}

/** Work the test finishes by hand: `finish(id)` settles the call that carries that id. */
class FakeWorkers {
  readonly made: FakeWorker[] = [];
  private readonly pending = new Map<string, (value: string) => void>();
  /** Per label: settled when a fake worker receives the call for it (made by whichever comes first). */
  private readonly arrivals = new Map<string, { readonly promise: Promise<void>; readonly resolve: () => void }>();
  private readonly ports: MessagePort[] = [];

  private arrival(label: string): { readonly promise: Promise<void>; readonly resolve: () => void } {
    let entry = this.arrivals.get(label);
    if (!entry) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((settle) => (resolve = settle));
      entry = { promise, resolve };
      this.arrivals.set(label, entry);
    }
    return entry;
  }

  create = (): Worker => {
    const channel = new MessageChannel();
    this.ports.push(channel.port1, channel.port2);
    const fake: FakeWorker = { id: this.made.length + 1, terminated: false };
    this.made.push(fake);
    Comlink.expose(
      {
        protectFile: (label: string) =>
          new Promise<string>((resolve) => {
            this.pending.set(label, resolve);
            this.arrival(label).resolve();
          }),
      },
      channel.port1 as unknown as Comlink.Endpoint,
    );
    const port = channel.port2;
    return Object.assign(port, {
      terminate: () => {
        fake.terminated = true;
        channel.port1.close();
        port.close();
      },
    }) as unknown as Worker;
  };

  /** Resolves once a fake worker received the call for `label`. */
  started(label: string): Promise<void> {
    return this.arrival(label).promise;
  }

  finish(label: string): void {
    this.pending.get(label)!(`${label} done`);
    this.pending.delete(label);
  }

  close(): void {
    for (const port of this.ports) port.close();
  }
}

let workers: FakeWorkers;
let pool: SharePool;

afterEach(() => {
  pool?.dispose();
  workers?.close();
});

/** Runs a task that calls the fake protectFile with `label`, recording when it starts. */
function task(label: string, started: string[]) {
  return pool.run(
    (worker: ShareWorker) => (worker.protectFile as unknown as (label: string) => Promise<string>)(label),
    () => started.push(label),
  );
}

describe('poolSize', () => {
  it.each([
    [undefined, 1],
    [0, 1],
    [1, 1],
    [2, 2],
    [4, 4],
    [16, 4],
    [Number.NaN, 1],
  ])('hardwareConcurrency %s → %i workers', (cores, size) => {
    expect(poolSize(cores)).toBe(size);
  });
});

describe('requestedComputeWorkers', () => {
  it.each([
    ['?workers=1', 1],
    ['?workers=2', 2],
    ['?x=y&workers=16', 16],
    ['', undefined],
    [undefined, undefined],
    ['?workers=0', undefined],
    ['?workers=17', undefined],
    ['?workers=2.5', undefined],
    ['?workers=two', undefined],
    ['?workers=', undefined],
  ])('%s → %s', (search, size) => {
    expect(requestedComputeWorkers(search)).toBe(size);
  });
});

describe('SharePool', () => {
  it('runs as many tasks as it has workers and queues the rest, in order', async () => {
    workers = new FakeWorkers();
    pool = new SharePool(2, workers.create);
    const started: string[] = [];
    const a = task('a', started);
    const b = task('b', started);
    const c = task('c', started);
    await workers.started('a');
    await workers.started('b');
    expect(started).toEqual(['a', 'b']);
    expect(workers.made).toHaveLength(2);

    workers.finish('a');
    expect(await a.done).toBe('a done');
    await workers.started('c');
    expect(started).toEqual(['a', 'b', 'c']);
    expect(workers.made).toHaveLength(2);

    workers.finish('b');
    workers.finish('c');
    expect(await b.done).toBe('b done');
    expect(await c.done).toBe('c done');
  });

  it('cancels a running task by terminating its worker, and starts a fresh worker for the next', async () => {
    workers = new FakeWorkers();
    pool = new SharePool(1, workers.create);
    const started: string[] = [];
    const a = task('a', started);
    await workers.started('a');
    a.cancel();
    const error = await a.done.catch((caught: unknown) => caught);
    expect(isAbort(error)).toBe(true);
    expect(workers.made[0]!.terminated).toBe(true);

    const b = task('b', started);
    await workers.started('b');
    expect(workers.made).toHaveLength(2);
    workers.finish('b');
    expect(await b.done).toBe('b done');
  });

  it('cancels a queued task without starting it or stopping the running one', async () => {
    workers = new FakeWorkers();
    pool = new SharePool(1, workers.create);
    const started: string[] = [];
    const a = task('a', started);
    const b = task('b', started);
    await workers.started('a');
    b.cancel();
    expect(isAbort(await b.done.catch((caught: unknown) => caught))).toBe(true);
    workers.finish('a');
    expect(await a.done).toBe('a done');
    expect(started).toEqual(['a']);
    expect(workers.made[0]!.terminated).toBe(false);
  });

  it('ignores cancel once a task has finished', async () => {
    workers = new FakeWorkers();
    pool = new SharePool(1, workers.create);
    const a = task('a', []);
    await workers.started('a');
    workers.finish('a');
    expect(await a.done).toBe('a done');
    a.cancel();
    expect(workers.made[0]!.terminated).toBe(false);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new SharePool(0)).toThrow(RangeError);
    expect(() => new SharePool(1.5)).toThrow(/expected an integer ≥ 1, got 1.5/);
  });
});
