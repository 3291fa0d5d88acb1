/**
 * Errors keep their code across a worker boundary. Comlink carries only name, message and stack, so
 * the code travels in the message (`[code] …`) and toTesseraError restores it. These tests run the
 * real Comlink protocol over a MessageChannel, the same structured clone a Worker uses.
 */
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_ADVICE, TesseraError, isAbort, toTesseraError } from '../../src/core/errors.js';
import type { BucketDescriptor } from '../../src/storage/types.js';
import { protectFile, recoverFile } from '../../workers/share-jobs.js';

const channels: MessageChannel[] = [];

afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

function connect<T extends object>(api: T): Comlink.Remote<T> {
  const channel = new MessageChannel();
  channels.push(channel);
  Comlink.expose(api, channel.port1 as unknown as Comlink.Endpoint);
  return Comlink.wrap<T>(channel.port2 as unknown as Comlink.Endpoint);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const recordId = '0123456789abcdef0123456789abcdef';

const offline: BucketDescriptor[] = [
  { kind: 'demo', id: 'demo-a', label: 'Demo cloud A', online: false },
  { kind: 'demo', id: 'demo-b', label: 'Demo cloud B', online: false },
];

describe('errors across the worker boundary', () => {
  it('arrive as a plain Error whose code toTesseraError restores', async () => {
    const remote = connect({
      fail: async (): Promise<void> => {
        throw new TesseraError('share.too-few', 'Only 2 of the shares could be used, and 3 are needed.', { shareX: 4 });
      },
    });
    const error = await rejection(remote.fail());
    expect(error).not.toBeInstanceOf(TesseraError);
    const restored = toTesseraError(error);
    expect(restored).toBeInstanceOf(TesseraError);
    expect(restored?.code).toBe('share.too-few');
    expect(restored?.detail).toBe('Only 2 of the shares could be used, and 3 are needed.');
    expect(ERROR_ADVICE[restored!.code].title).toBe('Not enough shares to rebuild the file.');
  });

  it('keep cancelling recognisable as cancelling', async () => {
    const remote = connect({
      cancelled: async (): Promise<void> => {
        throw new TesseraError('job.aborted', 'cancelled');
      },
    });
    expect(isAbort(await rejection(remote.cancelled()))).toBe(true);
  });

  it('leave errors without a code alone', async () => {
    const remote = connect({
      broken: async (): Promise<void> => {
        throw new RangeError('k must be at most n');
      },
    });
    const error = await rejection(remote.broken());
    expect(toTesseraError(error)).toBeUndefined();
    expect(isAbort(error)).toBe(false);
  });

  it('protectFile into switched-off clouds fails with bucket.offline on the calling side', async () => {
    const remote = connect({ protectFile });
    const error = await rejection(remote.protectFile(new Blob([new Uint8Array(100)]), { scheme: 'ssms', k: 2, n: 2, recordId }, offline));
    expect(toTesseraError(error)?.code).toBe('bucket.offline');
  });

  it('protectFile refuses a bucket list that does not match n, as a programming error', async () => {
    const remote = connect({ protectFile });
    const error = await rejection(remote.protectFile(new Blob([]), { scheme: 'ssms', k: 2, n: 3, recordId }, offline));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/expected one bucket per share \(3\), got 2/);
  });

  it('protectFile refuses a record id that is not 16 bytes of hex, before writing anything', async () => {
    const remote = connect({ protectFile });
    const error = await rejection(
      remote.protectFile(new Blob([]), { scheme: 'ssms', k: 2, n: 2, recordId: 'report.pdf' }, offline),
    );
    expect((error as Error).message).toMatch(/record id: expected 32 lowercase hex digits, got "report.pdf"/);
  });

  it('recoverFile refuses an output name that is not a random id', async () => {
    const remote = connect({ recoverFile });
    const error = await rejection(remote.recoverFile([], offline, 'report.pdf'));
    expect((error as Error).message).toMatch(/output name: expected 16 to 64 lowercase hex digits/);
  });
});
