import { TesseraError } from '../../core/errors.js';
import { protectFile, type CatalogRecord, type FolderContents, type JobHandle, type ProtectSettings } from '../../jobs/index.js';
import type { BucketDescriptor } from '../../storage/index.js';
import { audit } from '../../vault/audit.js';
import { describeError, type ShownError } from '../errors.js';

interface JobBase {
  readonly id: number;
  /** The file, or a folder's tar archive (then `contents` says what is in it). */
  readonly file: File;
  readonly settings: ProtectSettings;
  readonly contents?: FolderContents;
}

export type ProtectJob =
  | (JobBase & { readonly state: 'queued' })
  | (JobBase & { readonly state: 'running'; readonly done: number; readonly total: number })
  | (JobBase & { readonly state: 'done'; readonly record: CatalogRecord })
  | (JobBase & { readonly state: 'failed'; readonly error: ShownError });

/** Files being protected, and the outcome of each until it is dismissed. */
export class ProtectQueue {
  jobs = $state.raw<ProtectJob[]>([]);
  private nextId = 1;
  // Bookkeeping the page never shows, so a plain (not reactive) object keyed by job id.
  private readonly handles: Record<number, JobHandle<CatalogRecord>> = {};

  constructor(
    private readonly placeFor: (n: number) => BucketDescriptor[] | undefined,
    private readonly onProtected: (record: CatalogRecord) => void,
  ) {}

  add(file: File, settings: ProtectSettings, contents?: FolderContents): void {
    const job: ProtectJob = { id: this.nextId++, file, settings, ...(contents ? { contents } : {}), state: 'queued' };
    this.jobs = [...this.jobs, job];
    this.start(job);
  }

  retry(id: number): void {
    const job = this.jobs.find((candidate) => candidate.id === id);
    if (job?.state !== 'failed') return;
    const base: JobBase = { id, file: job.file, settings: job.settings, ...(job.contents ? { contents: job.contents } : {}) };
    this.replace({ ...base, state: 'queued' });
    this.start(base);
  }

  cancel(id: number): void {
    this.handles[id]?.cancel();
  }

  dismiss(id: number): void {
    this.jobs = this.jobs.filter((job) => job.id !== id);
  }

  private start(job: JobBase): void {
    const buckets = this.placeFor(job.settings.n);
    if (!buckets) {
      const error = new TesseraError('bucket.offline', `${job.settings.n} clouds must be switched on to protect this file`);
      audit.failed('protect', error, { counts: { k: job.settings.k, n: job.settings.n } });
      this.replace({ ...job, state: 'failed', error: describeError(error, 'protect')! });
      return;
    }
    const handle = protectFile(
      job.file,
      job.settings,
      buckets,
      {
        onStart: () => this.update(job.id, { ...job, state: 'running', done: 0, total: job.file.size }),
        onProgress: ({ done, total }) => this.update(job.id, { ...job, state: 'running', done, total }),
      },
      job.contents,
    );
    this.handles[job.id] = handle;
    handle.done.then(
      (record) => {
        delete this.handles[job.id];
        this.replace({ ...job, state: 'done', record });
        audit.record({ action: 'protect', outcome: 'ok', recordId: record.id, bucketIds: record.shares.map((share) => share.bucketId), counts: { k: record.k, n: record.n } });
        this.onProtected(record);
      },
      (error: unknown) => {
        delete this.handles[job.id];
        audit.failed('protect', error, { bucketIds: buckets.map((bucket) => bucket.id), counts: { k: job.settings.k, n: job.settings.n } });
        const shown = describeError(error, 'protect');
        if (shown) this.replace({ ...job, state: 'failed', error: shown });
        else this.dismiss(job.id);
      },
    );
  }

  /** Progress only moves a job that is still queued or running (a late message must not revive it). */
  private update(id: number, next: ProtectJob): void {
    const current = this.jobs.find((job) => job.id === id);
    if (current?.state === 'queued' || current?.state === 'running') this.replace(next);
  }

  private replace(next: ProtectJob): void {
    this.jobs = this.jobs.map((job) => (job.id === next.id ? next : job));
  }
}
