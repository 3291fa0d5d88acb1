/**
 * "Save shares as files" for one record: the person's choices (the file's name in the bundles or
 * not, shares per bundle), the job that makes the bundles in a share worker, and the downloads of
 * the zips it leaves in local storage (deleted when the panel closes).
 */
import { bundlesNeeded, bundleSizes } from '../../bundles/manifest.js';
import type { BundleProgress } from '../../bundles/make-bundles.js';
import { discardRecoveredFile, getRecoveredFile, makeShareBundles, type CatalogRecord, type JobHandle, type ShareBundle } from '../../jobs/index.js';
import type { BucketDescriptor } from '../../storage/index.js';
import { startDownload } from '../download.js';
import { describeError, type ShownError } from '../errors.js';

export type BundleJob =
  | { readonly state: 'queued' }
  | ({ readonly state: 'running' } & BundleProgress)
  | {
      readonly state: 'done';
      readonly bundles: readonly ShareBundle[];
      /** Numbers of the bundles handed over as downloads. */
      readonly saved: readonly number[];
      readonly saveError?: ShownError;
    }
  | { readonly state: 'failed'; readonly error: ShownError };

export class ShareBundleMaker {
  open = $state(false);
  /** Off by default: a bundle may travel by e-mail, and a file's name can say a lot. */
  includeFileName = $state(false);
  sharesPerBundle = $state(1);
  job = $state.raw<BundleJob | undefined>();

  private handle: JobHandle<ShareBundle[]> | undefined;
  private readonly revokers: (() => void)[] = [];

  constructor(
    private readonly record: () => CatalogRecord,
    private readonly buckets: () => readonly BucketDescriptor[],
  ) {}

  /** How many bundles the current choice makes, and how many of them rebuild the file. */
  get plan(): { readonly bundles: number; readonly needed: number } {
    const { k, n } = this.record();
    return { bundles: bundleSizes(n, this.sharesPerBundle).length, needed: bundlesNeeded(k, n, this.sharesPerBundle) };
  }

  get busy(): boolean {
    return this.job?.state === 'queued' || this.job?.state === 'running';
  }

  make(): void {
    if (this.busy) return;
    void this.discard();
    this.job = { state: 'queued' };
    const handle = makeShareBundles(
      this.record(),
      this.buckets(),
      { sharesPerBundle: this.sharesPerBundle, includeFileName: this.includeFileName },
      {
        onStart: () => {
          if (this.busy) this.job = { state: 'running', phase: 'checking', done: 0, total: this.record().size };
        },
        onProgress: (progress) => {
          if (this.busy) this.job = { state: 'running', ...progress };
        },
      },
    );
    this.handle = handle;
    handle.done.then(
      (bundles) => {
        if (this.handle === handle) this.job = { state: 'done', bundles, saved: [] };
      },
      (error: unknown) => {
        if (this.handle !== handle) return;
        const shown = describeError(error, 'make share bundles');
        this.job = shown ? { state: 'failed', error: shown } : undefined;
      },
    );
  }

  cancel(): void {
    this.handle?.cancel();
  }

  /** Hands one bundle over as a download under its zip name. */
  async download(bundle: ShareBundle): Promise<void> {
    const job = this.job;
    if (job?.state !== 'done') return;
    try {
      const file = await getRecoveredFile(bundle.outputName);
      if (this.job !== job) return;
      this.revokers.push(startDownload(file, bundle.zipName));
      const { saveError: _cleared, ...rest } = job;
      this.job = { ...rest, saved: job.saved.includes(bundle.bundle) ? job.saved : [...job.saved, bundle.bundle] };
    } catch (error) {
      const shown = describeError(error, 'save share bundle');
      if (shown && this.job === job) this.job = { ...job, saveError: shown };
    }
  }

  async downloadAll(): Promise<void> {
    const job = this.job;
    if (job?.state !== 'done') return;
    for (const bundle of job.bundles) await this.download(bundle);
  }

  toggle(): void {
    if (this.open) void this.close();
    else this.open = true;
  }

  /** Closes the panel: stops a job, and deletes the bundles from local storage (the downloads keep their copies). */
  async close(): Promise<void> {
    this.open = false;
    this.cancel();
    await this.discard();
  }

  private async discard(): Promise<void> {
    const job = this.job;
    this.job = undefined;
    this.handle = undefined;
    for (const revoke of this.revokers.splice(0)) revoke();
    if (job?.state === 'done') await Promise.allSettled(job.bundles.map((bundle) => discardRecoveredFile(bundle.outputName)));
  }
}
