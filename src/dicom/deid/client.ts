/**
 * The page's door to the de-identification worker: one worker per copy, ended when the copy is made
 * or cancelled. Page realm (creates a Worker).
 */
import * as Comlink from 'comlink';
import { TesseraError } from '../../core/errors.js';
import type { DeidWorkerApi } from '../../../workers/deid-worker.js';
import type { CopyInput, DeidentifiedCopy } from './copy.js';
import type { DeidentificationOptions } from './profile.js';

export type { CopyInput, DeidentifiedCopy } from './copy.js';

export function makeDeidentifiedCopy(
  inputs: readonly CopyInput[],
  options: DeidentificationOptions,
  onProgress: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<DeidentifiedCopy> {
  const worker = new Worker(new URL('../../../workers/deid-worker.ts', import.meta.url), { type: 'module', name: 'tessera-deid' });
  const remote = Comlink.wrap<DeidWorkerApi>(worker);
  const stop = (): void => {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  };
  const aborted = new Promise<never>((_, reject) => {
    signal?.addEventListener('abort', () => reject(new TesseraError('job.aborted', 'cancelled')), { once: true });
  });
  return Promise.race([remote.deidentifiedCopy([...inputs], options, Comlink.proxy(onProgress)), aborted]).finally(stop);
}
