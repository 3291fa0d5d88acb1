/**
 * DICOM workers for ingest: one per core (1 to 4, as src/jobs/pool.ts), started lazily, each call
 * sent to the worker with the fewest calls in flight. `dispose()` terminates them all (the only way
 * to stop a worker mid-file) and makes pending calls reject with job.aborted. A worker that crashes
 * fails its own pending calls and is replaced on the next call.
 *
 * Page realm. Components never use this directly: ingest.ts does.
 */
import * as Comlink from 'comlink';
import { TesseraError } from '../../core/errors.js';
import { poolSize } from '../../jobs/pool.js';
import type { DicomWorkerApi } from '../../../workers/dicom-worker.js';
import type { DicomdirResult } from '../dicomdir.js';
import type { DicomBackend } from './backend.js';

interface Slot {
  readonly worker: Worker;
  readonly remote: Comlink.Remote<DicomWorkerApi>;
  pending: number;
  /** Rejects every call in flight on this worker. */
  readonly failures: Set<(error: unknown) => void>;
}

export class DicomWorkerPool implements DicomBackend {
  private readonly slots: (Slot | undefined)[];
  private disposed = false;

  constructor(
    readonly size: number = poolSize(globalThis.navigator?.hardwareConcurrency),
    private readonly createWorker: () => Worker = () =>
      new Worker(new URL('../../../workers/dicom-worker.ts', import.meta.url), { type: 'module', name: 'tessera-dicom' }),
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`pool size: expected an integer ≥ 1, got ${size}`);
    this.slots = Array.from({ length: size }, () => undefined);
  }

  readDicomHeaders(files: readonly Blob[]): ReturnType<DicomBackend['readDicomHeaders']> {
    return this.call((remote) => remote.readDicomHeaders([...files]));
  }

  readDicomdir(file: Blob): Promise<DicomdirResult> {
    // Comlink's Remote type spreads a union result into a union of promises; it is one promise.
    return this.call((remote) => remote.readDicomdir(file) as Promise<DicomdirResult>);
  }

  expandArchive(archive: Blob, archivePath: string, depth?: number): ReturnType<DicomBackend['expandArchive']> {
    return this.call((remote) => remote.expandArchive(archive, archivePath, depth));
  }

  /** Terminates every worker; calls in flight reject with job.aborted. */
  dispose(): void {
    this.disposed = true;
    for (let index = 0; index < this.slots.length; index++) this.stop(index, new TesseraError('job.aborted', 'cancelled'));
  }

  private async call<T>(work: (remote: Comlink.Remote<DicomWorkerApi>) => Promise<T>): Promise<T> {
    if (this.disposed) throw new TesseraError('job.aborted', 'cancelled');
    const index = this.leastBusy();
    const slot = this.slot(index);
    slot.pending += 1;
    let fail!: (error: unknown) => void;
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    slot.failures.add(fail);
    try {
      return await Promise.race([work(slot.remote), failed]);
    } finally {
      slot.pending -= 1;
      slot.failures.delete(fail);
    }
  }

  private leastBusy(): number {
    let best = 0;
    for (let index = 1; index < this.slots.length; index++) {
      if ((this.slots[index]?.pending ?? 0) < (this.slots[best]?.pending ?? 0)) best = index;
    }
    return best;
  }

  private slot(index: number): Slot {
    const existing = this.slots[index];
    if (existing) return existing;
    const worker = this.createWorker();
    const slot: Slot = { worker, remote: Comlink.wrap<DicomWorkerApi>(worker), pending: 0, failures: new Set() };
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.stop(index, new Error(`the DICOM worker stopped: ${event.message || 'it could not be loaded'}`));
    });
    this.slots[index] = slot;
    return slot;
  }

  private stop(index: number, error: unknown): void {
    const slot = this.slots[index];
    if (!slot) return;
    this.slots[index] = undefined;
    slot.worker.terminate();
    for (const fail of slot.failures) fail(error);
  }
}
