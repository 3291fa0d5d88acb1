/**
 * The uploader: the state of uploading one object — its parts, what is in flight, pause and cancel,
 * the journal, progress. It sends nothing itself (the transport does) and decides no retry (the
 * fetcher does). Two ways in:
 *
 * - `ObjectUploader`, a ByteSink: bytes are streamed in (from the splitter, through
 *   `Bucket.openWriter`) and cut into parts as they come. `write()` resolves once its bytes are
 *   copied and any full part has a place in flight, so at most concurrency + 1 parts are held.
 *   The bytes cannot be read again, so after a closed tab such an upload can only be aborted.
 * - `uploadSource` / `resumeUpload`: the object's bytes are a ByteSource that can be read again (a
 *   share staged in OPFS), each part read when it is sent. These are journaled as resumable.
 *
 * Objects no bigger than one part and `singlePutLimit` go in one PUT; the rest in parts, the part
 * size from part-plan.ts. Cancelling aborts the multipart upload (itself retried), deletes whatever
 * single PUT or completion may have landed, and removes the journal entry: nothing half-written is
 * left. See docs/uploads.md.
 */
import type { ByteSink, ByteSource } from '../../core/io.js';
import { abortReason, type Clock } from './clock.js';
import type { ExtendedTransport } from './extensions.js';
import { Fetcher } from './fetcher.js';
import { UploadJournal, sourceFingerprint, type JournalSourceInfo, type UploadJournalEntry } from './journal.js';
import { partCount, partSizeAt, planParts, type PartPlan } from './part-plan.js';
import { ProgressMeter, type TransferProgress } from './progress.js';
import { TransferSlots, defaultTransferSlots } from './slots.js';
import { TransferError, type ObjectTransport, type PartRecord } from './transport.js';

export type UploadStatus =
  | { readonly state: 'uploading' }
  | { readonly state: 'paused' }
  | { readonly state: 'done' }
  /** `resumable`: the multipart upload and its journal entry were kept for `resumeUpload`. */
  | { readonly state: 'failed'; readonly error: Error; readonly resumable: boolean }
  | { readonly state: 'cancelled' };

export interface UploadOptions {
  readonly transport: ObjectTransport;
  readonly key: string;
  /** Default application/octet-stream. */
  readonly contentType?: string;
  /** Preferred part size (default 8 MiB), raised when the object needs bigger parts. */
  readonly partSize?: number;
  /** Retry policy; one Fetcher may be shared. Default: `new Fetcher()`. */
  readonly fetcher?: Fetcher;
  /** Request slots shared across buckets. Default: this realm's `defaultTransferSlots`. */
  readonly slots?: TransferSlots;
  /** Parts of this object in flight at once (and so held in memory, plus one). Default slots.perBucket. */
  readonly concurrency?: number;
  /** Where to journal the upload; without one, nothing survives a reload. */
  readonly journal?: UploadJournal;
  /** Aborting it cancels the upload (as `cancel()` does). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TransferProgress) => void;
  /** For the progress rate. Default: the fetcher's clock. */
  readonly clock?: Clock;
}

export interface StreamUploadOptions extends UploadOptions {
  /** The object's size if known in advance (a share's size is): chooses the part size. */
  readonly expectedSize?: number;
}

export interface SourceUploadOptions extends UploadOptions {
  /** Identity of the source's bytes; default `sourceFingerprint(source)`. */
  readonly fingerprint?: string;
  /** Where the caller will find the bytes again after a reload; kept in the journal entry. */
  readonly sourceRef?: string;
}

const PAUSED = new DOMException('Upload paused.', 'AbortError');

/** State and machinery shared by the streaming and the source uploads. */
abstract class UploadEngine {
  protected readonly transport: ExtendedTransport;
  readonly key: string;
  protected readonly contentType: string;
  protected readonly fetcher: Fetcher;
  private readonly slots: TransferSlots;
  protected readonly concurrency: number;
  protected readonly journal: UploadJournal | undefined;
  private readonly onProgress: ((progress: TransferProgress) => void) | undefined;
  private readonly meter: ProgressMeter;

  protected plan!: PartPlan;
  protected uploadId: string | null = null;
  private createPromise: Promise<string> | undefined;
  protected readonly done = new Map<number, PartRecord>();
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Most bytes seen sent of each part in flight: progress never goes back on a retry. */
  private readonly sending = new Map<number, number>();
  private confirmed = 0;
  protected total: number | null = null;
  protected startedAt = 0;
  protected sourceInfo: JournalSourceInfo | null = null;

  private statusValue: UploadStatus = { state: 'uploading' };
  /** Aborted on cancel or failure: stops every request of this upload. */
  protected readonly stop = new AbortController();
  /** Aborted on pause: requests in flight are dropped and sent again on resume. */
  private pauseController = new AbortController();
  private unpaused: { promise: Promise<void>; resolve: () => void } | undefined;
  private roomWaiters: (() => void)[] = [];
  /** A single PUT or the completion has been sent: the object may exist, so cancelling deletes it. */
  protected objectMayExist = false;
  /** The journal holds an entry for this upload. */
  private journaled = false;
  private completion: Promise<void> | undefined;
  private cancelling: Promise<void> | undefined;

  constructor(options: UploadOptions) {
    this.transport = options.transport;
    this.key = options.key;
    this.contentType = options.contentType ?? 'application/octet-stream';
    this.fetcher = options.fetcher ?? new Fetcher();
    this.slots = options.slots ?? defaultTransferSlots;
    this.concurrency = options.concurrency ?? this.slots.perBucket;
    if (!Number.isSafeInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrency: expected a positive integer, got ${this.concurrency}`);
    }
    this.journal = options.journal;
    this.onProgress = options.onProgress;
    this.meter = new ProgressMeter(options.clock ?? this.fetcher.clock);
    if (options.signal) {
      if (options.signal.aborted) void this.cancel(options.signal.reason);
      else options.signal.addEventListener('abort', () => void this.cancel(options.signal!.reason), { once: true });
    }
  }

  get status(): UploadStatus {
    return this.statusValue;
  }

  /** Stops sending: requests in flight are dropped (sent again on resume), writes wait. */
  pause(): void {
    if (this.statusValue.state !== 'uploading') return;
    this.statusValue = { state: 'paused' };
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.unpaused = { promise, resolve };
    this.pauseController.abort(PAUSED);
  }

  resume(): void {
    if (this.statusValue.state !== 'paused') return;
    this.statusValue = { state: 'uploading' };
    this.pauseController = new AbortController();
    this.unpaused?.resolve();
    this.unpaused = undefined;
  }

  /**
   * Stops the upload and removes every trace of it: the multipart upload is aborted (with
   * retries), an object that may have landed is deleted, the journal entry goes. Safe to call more
   * than once and after a failure; resolves when the clean-up is done (rejects if it failed).
   */
  cancel(reason?: unknown): Promise<void> {
    this.cancelling ??= this.cleanUp(reason);
    return this.cancelling;
  }

  private async cleanUp(reason: unknown): Promise<void> {
    const state = this.statusValue.state;
    if (state !== 'failed') {
      this.statusValue = { state: 'cancelled' };
    }
    this.stop.abort(reason instanceof Error ? reason : new DOMException('Upload cancelled.', 'AbortError'));
    this.unpaused?.resolve();
    this.wakeRoomWaiters();
    await Promise.allSettled(this.inFlight.values());
    // A completion is let finish: interrupting it would leave us not knowing whether the object exists.
    if (this.completion) await this.completion.catch(() => undefined);
    const uploadId = this.uploadId ?? (await this.createPromise?.catch(() => null)) ?? null;
    // Cancelled means never resumed: should the clean-up below fail, the sweep finishes it later.
    if (this.journaled) await this.markForCleanUp();
    if (uploadId !== null) {
      await this.fetcher.run((attempt) => this.transport.abortMultipart(this.key, uploadId, { signal: attempt.signal }), {
        resigner: this.transport,
        what: 'abort the upload',
      });
    }
    if (uploadId !== null || this.createPromise) await this.dropOtherUploads(null);
    if (this.objectMayExist) {
      await this.fetcher.run((attempt) => this.transport.deleteObject(this.key, { signal: attempt.signal }), {
        resigner: this.transport,
        what: 'delete the object',
      });
    }
    await this.journal?.remove(this.transport.bucketId, this.key);
    this.journaled = false;
    if (this.statusValue.state === 'failed') this.statusValue = { ...this.statusValue, resumable: false };
    else this.statusValue = { state: 'cancelled' };
  }

  /** The error to throw to a caller once the upload stopped. */
  protected stoppedError(): Error {
    const status = this.statusValue;
    if (status.state === 'failed') return status.error;
    return abortReason(this.stop.signal);
  }

  protected throwIfStopped(): void {
    if (this.stop.signal.aborted) throw this.stoppedError();
  }

  /** Records a failure: everything in flight stops; the first failure is the one reported. */
  protected fail(error: unknown, resumable: boolean): void {
    if (this.stop.signal.aborted) return;
    const failure = error instanceof Error ? error : new Error(String(error));
    this.statusValue = { state: 'failed', error: failure, resumable };
    this.stop.abort(failure);
    this.unpaused?.resolve();
    this.wakeRoomWaiters();
  }

  /** A failure now leaves a journal entry `resumeUpload` can take up. */
  protected get canResume(): boolean {
    return this.journaled && this.sourceInfo !== null;
  }

  /**
   * Resuming: the journal holds this upload's entry already (it is where the entry came from), so a
   * failure before anything is written keeps it for another resume instead of dropping it.
   */
  protected continueJournalEntry(): void {
    if (this.journal) this.journaled = true;
  }

  /** Takes over an existing upload (resuming): no create request. */
  protected adoptUpload(uploadId: string): void {
    this.uploadId = uploadId;
    this.createPromise = Promise.resolve(uploadId);
  }

  // ---- progress

  protected reportProgress(): void {
    if (!this.onProgress) return;
    let done = this.confirmed;
    for (const sent of this.sending.values()) done += sent;
    this.onProgress(this.meter.update(done, this.total));
  }

  private noteSent(partNumber: number, sent: number): void {
    const before = this.sending.get(partNumber);
    if (before === undefined || sent <= before) return;
    this.sending.set(partNumber, sent);
    this.reportProgress();
  }

  protected confirm(bytes: number): void {
    this.confirmed += bytes;
    this.reportProgress();
  }

  // ---- multipart

  /** The upload id, creating the upload on first use (once, however many parts ask). */
  protected ensureUpload(): Promise<string> {
    this.createPromise ??= this.createUpload();
    return this.createPromise;
  }

  private async createUpload(): Promise<string> {
    // Journaled before the request: if the tab closes before the answer, the sweep still knows
    // there may be an upload under this key to abort.
    await this.writeJournal();
    const uploadId = await this.inSlot(this.stop.signal, () =>
      this.fetcher.run((attempt) => this.transport.createMultipart(this.key, { contentType: this.contentType, signal: attempt.signal }), {
        signal: this.stop.signal,
        resigner: this.transport,
        what: 'start the upload',
      }),
    );
    this.uploadId = uploadId;
    await this.writeJournal();
    return uploadId;
  }

  protected async writeJournal(): Promise<void> {
    if (!this.journal) return;
    this.journaled = true;
    await this.journal.save({
      bucketId: this.transport.bucketId,
      key: this.key,
      uploadId: this.uploadId,
      contentType: this.contentType,
      partSize: this.plan.partSize,
      totalSize: this.total,
      source: this.sourceInfo,
      parts: [...this.done.values()],
      startedAt: this.startedAt,
    });
  }

  /** Runs one (retried) request inside a slot of this bucket and of the overall limit. */
  private async inSlot<T>(signal: AbortSignal | undefined, request: () => Promise<T>): Promise<T> {
    const release = await this.slots.acquire(this.transport.bucketId, signal);
    try {
      return await request();
    } finally {
      release();
    }
  }

  /** Resolves when another part may go in flight (back-pressure); rejects once the upload stopped. */
  protected async waitForRoom(): Promise<void> {
    while (this.inFlight.size >= this.concurrency) {
      this.throwIfStopped();
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    this.throwIfStopped();
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Puts a part in flight once there is room; returns when it is in flight, not when it is done.
   * `body` is read only when the part is (re)sent, so a source upload holds no part until then.
   */
  protected async dispatch(partNumber: number, body: Uint8Array | (() => Promise<Uint8Array>)): Promise<void> {
    await this.waitForRoom();
    const sending = this.sendPart(partNumber, body).then(
      () => undefined,
      (error: unknown) => {
        this.sending.delete(partNumber);
        this.fail(error, this.canResume);
      },
    );
    this.inFlight.set(partNumber, sending);
    void sending.finally(() => {
      this.inFlight.delete(partNumber);
      this.wakeRoomWaiters();
    });
  }

  /** Waits for every part in flight; throws the upload's failure if there was one. */
  protected async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
    this.throwIfStopped();
  }

  private async sendPart(partNumber: number, body: Uint8Array | (() => Promise<Uint8Array>)): Promise<void> {
    const uploadId = await this.ensureUpload();
    const bytes = typeof body === 'function' ? await body() : body;
    this.sending.set(partNumber, 0);
    for (;;) {
      if (this.unpaused) await this.unpaused.promise;
      this.throwIfStopped();
      const signal = AbortSignal.any([this.stop.signal, this.pauseController.signal]);
      let release: (() => void) | undefined;
      try {
        release = await this.slots.acquire(this.transport.bucketId, signal);
        const etag = await this.fetcher.run(
          (attempt) =>
            this.transport.uploadPart(this.key, uploadId, partNumber, bytes, {
              signal: attempt.signal,
              onProgress: (sent) => {
                attempt.onProgress(sent);
                this.noteSent(partNumber, sent);
              },
            }),
          { signal, resigner: this.transport, what: `part ${partNumber}` },
        );
        this.done.set(partNumber, { partNumber, etag, size: bytes.length });
        await this.writeJournal();
        this.sending.delete(partNumber);
        this.confirm(bytes.length);
        return;
      } catch (error) {
        if (!this.stop.signal.aborted && signal.aborted && signal.reason === PAUSED) continue;
        throw error;
      } finally {
        release?.();
      }
    }
  }

  /** Completes the multipart upload with every part done, in order. */
  protected async complete(expectedSize: number): Promise<void> {
    const uploadId = await this.ensureUpload();
    const parts = [...this.done.values()].sort((a, b) => a.partNumber - b.partNumber);
    this.completion = this.sendCompletion(uploadId, parts, expectedSize);
    await this.completion;
    await this.finish();
  }

  private async sendCompletion(uploadId: string, parts: readonly PartRecord[], expectedSize: number): Promise<void> {
    let attempts = 0;
    this.objectMayExist = true;
    try {
      await this.inSlot(undefined, () =>
        this.fetcher.run(
          (attempt) => {
            attempts = attempt.attempt;
            return this.transport.completeMultipart(this.key, uploadId, parts, { contentType: this.contentType, signal: attempt.signal });
          },
          { resigner: this.transport, what: 'complete the upload' },
        ),
      );
    } catch (error) {
      // An earlier attempt may have completed the upload with its answer lost; the retry then finds
      // no such upload. The object, at its full size, says which.
      if (attempts > 1 && error instanceof TransferError && error.code === 'bucket.not-found') {
        const head = await this.fetcher.run((attempt) => this.transport.head(this.key, { signal: attempt.signal }), {
          resigner: this.transport,
          what: 'check the completed object',
        });
        if (head?.size === expectedSize) return;
      }
      throw error;
    }
  }

  protected async putSingle(body: Uint8Array): Promise<void> {
    this.objectMayExist = true;
    this.sending.set(0, 0);
    for (;;) {
      if (this.unpaused) await this.unpaused.promise;
      this.throwIfStopped();
      const signal = AbortSignal.any([this.stop.signal, this.pauseController.signal]);
      let release: (() => void) | undefined;
      try {
        release = await this.slots.acquire(this.transport.bucketId, signal);
        await this.fetcher.run(
          (attempt) =>
            this.transport.putObject(this.key, body, {
              contentType: this.contentType,
              signal: attempt.signal,
              onProgress: (sent) => {
                attempt.onProgress(sent);
                this.noteSent(0, sent);
              },
            }),
          { signal, resigner: this.transport, what: 'upload' },
        );
        break;
      } catch (error) {
        if (!this.stop.signal.aborted && signal.aborted && signal.reason === PAUSED) continue;
        throw error;
      } finally {
        release?.();
      }
    }
    this.sending.delete(0);
    this.confirm(body.length);
    await this.finish();
  }

  private async finish(): Promise<void> {
    this.statusValue = { state: 'done' };
    if (this.createPromise) {
      // An upload whose create answer was lost (and was created again) would stay in the store. If
      // it cannot be dropped now, the entry stays as a clean-up-only one for sweepJournal.
      try {
        await this.dropOtherUploads(this.uploadId);
      } catch {
        if (this.journaled) await this.markForCleanUp().catch(() => undefined);
        this.reportProgress();
        return;
      }
    }
    await this.journal?.remove(this.transport.bucketId, this.key);
    this.reportProgress();
  }

  /**
   * Turns the journal entry into a clean-up-only one (no source, so never resumed; no upload id,
   * so the sweep aborts every unfinished upload of the key).
   */
  private async markForCleanUp(): Promise<void> {
    this.sourceInfo = null;
    this.uploadId = null;
    this.done.clear();
    await this.writeJournal();
  }

  /** Aborts every unfinished upload of this key but `keep` (only where the transport can list them). */
  private async dropOtherUploads(keep: string | null): Promise<void> {
    const { listUploads } = this.transport;
    if (!listUploads) return;
    const ids = await this.fetcher.run((attempt) => listUploads.call(this.transport, this.key, { signal: attempt.signal }), {
      resigner: this.transport,
      what: 'list unfinished uploads',
    });
    for (const id of ids) {
      if (id === keep) continue;
      await this.fetcher.run((attempt) => this.transport.abortMultipart(this.key, id, { signal: attempt.signal }), {
        resigner: this.transport,
        what: 'abort a stray upload',
      });
    }
  }
}

/**
 * A streaming upload as a ByteSink (what `Bucket.openWriter` returns for a real cloud). Not
 * resumable after a reload: with a journal, an interrupted upload is only found again to be aborted.
 */
export class ObjectUploader extends UploadEngine implements ByteSink {
  private readonly expectedSize: number | undefined;
  private buffer = new Uint8Array(0);
  private filled = 0;
  private nextPartNumber = 1;
  private written = 0;
  private closed = false;

  constructor(options: StreamUploadOptions) {
    super(options);
    this.expectedSize = options.expectedSize;
    this.plan = planParts(options.expectedSize, this.transport.limits, options.partSize);
    this.total = options.expectedSize ?? null;
    this.startedAt = this.journal?.timestamp() ?? 0;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`write: expected a Uint8Array, got ${typeof bytes}`);
    if (this.closed) throw new Error('write after close');
    this.throwIfStopped();
    let offset = 0;
    while (offset < bytes.length) {
      const partSize = partSizeAt(this.plan, this.transport.limits, this.nextPartNumber);
      // A full part goes only once more bytes follow: at close, one exactly full part is still a single PUT.
      if (this.filled === partSize) await this.sendBuffer();
      this.grow(Math.min(partSize, this.filled + (bytes.length - offset)));
      const take = Math.min(bytes.length - offset, partSize - this.filled);
      this.buffer.set(bytes.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      this.written += take;
    }
  }

  async close(): Promise<void> {
    if (this.closed) throw new Error('close called twice');
    this.closed = true;
    this.throwIfStopped();
    this.total = this.written;
    try {
      const partSize = partSizeAt(this.plan, this.transport.limits, 1);
      if (this.nextPartNumber === 1 && this.filled <= Math.min(partSize, this.transport.limits.singlePutLimit)) {
        await this.putSingle(this.buffer.subarray(0, this.filled));
        return;
      }
      if (this.filled > 0) await this.sendBuffer();
      await this.drain();
      if (this.expectedSize !== undefined && this.written !== this.expectedSize) {
        // Only a hint for the part size, but a mismatch means the writer and the caller disagree.
        throw new RangeError(`expected ${this.expectedSize} bytes, got ${this.written}`);
      }
      await this.complete(this.written);
    } catch (error) {
      this.fail(error, false);
      throw this.stoppedError();
    }
  }

  /** The ByteSink way to cancel: drops everything written (see `cancel`). */
  abort(reason?: unknown): Promise<void> {
    return this.cancel(reason);
  }

  private async sendBuffer(): Promise<void> {
    const partNumber = this.nextPartNumber;
    if (partNumber > this.transport.limits.maxParts) {
      throw new RangeError(`object too large: more than ${this.transport.limits.maxParts} parts`);
    }
    const body = this.buffer.subarray(0, this.filled);
    this.buffer = new Uint8Array(0);
    this.filled = 0;
    this.nextPartNumber++;
    await this.dispatch(partNumber, body);
  }

  /** Grows the buffer to hold `needed` bytes, doubling, so a small object never costs a whole part. */
  private grow(needed: number): void {
    if (needed <= this.buffer.length) return;
    const partSize = partSizeAt(this.plan, this.transport.limits, this.nextPartNumber);
    const bigger = new Uint8Array(Math.min(partSize, Math.max(needed, this.buffer.length * 2, 64 * 1024)));
    bigger.set(this.buffer.subarray(0, this.filled));
    this.buffer = bigger;
  }
}

/** An upload from bytes that can be read again; journaled, so it can be resumed after a reload. */
export class SourceUpload extends UploadEngine {
  /** Settles when the upload is done, failed (status says whether it can be resumed) or cancelled. */
  readonly finished: Promise<void>;

  constructor(
    private readonly source: ByteSource,
    options: SourceUploadOptions,
    resumeFrom?: UploadJournalEntry,
  ) {
    super(options);
    this.finished = this.run(options, resumeFrom);
    this.finished.catch(() => undefined);
  }

  private async run(options: SourceUploadOptions, entry: UploadJournalEntry | undefined): Promise<void> {
    try {
      this.total = this.source.size;
      this.reportProgress();
      if (entry) {
        await this.adopt(entry);
      } else {
        this.plan = planParts(this.source.size, this.transport.limits, options.partSize);
        this.startedAt = this.journal?.timestamp() ?? 0;
        const fingerprint = options.fingerprint ?? (await sourceFingerprint(this.source));
        this.sourceInfo = { fingerprint, ref: options.sourceRef ?? null };
        if (this.source.size <= Math.min(this.plan.partSize, this.transport.limits.singlePutLimit)) {
          await this.putSingle(await this.readPart(0, this.source.size));
          return;
        }
      }
      const count = partCount(this.source.size, this.plan);
      for (let partNumber = 1; partNumber <= count; partNumber++) {
        if (this.done.has(partNumber)) continue;
        const offset = (partNumber - 1) * this.plan.partSize;
        const length = Math.min(this.plan.partSize, this.source.size - offset);
        await this.dispatch(partNumber, () => this.readPart(offset, length));
      }
      await this.drain();
      await this.complete(this.source.size);
    } catch (error) {
      // With a journal entry the upload is kept for resumeUpload; without one nothing could take it
      // up again, so it is cleaned away now.
      this.fail(error, this.canResume);
      const status = this.status;
      if (status.state === 'failed' && !status.resumable) await this.cancel(error).catch(() => undefined);
      throw this.stoppedError();
    }
  }

  private async readPart(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.source.read(offset, length);
    if (bytes.length !== length) throw new Error(`source ended early: expected ${length} bytes at ${offset}, got ${bytes.length}`);
    return bytes;
  }

  /** Takes over a journaled upload: keeps the parts the store still holds, or starts over. */
  private async adopt(entry: UploadJournalEntry): Promise<void> {
    this.plan = { partSize: entry.partSize, growEvery: null };
    this.startedAt = entry.startedAt;
    this.sourceInfo = entry.source;
    this.continueJournalEntry();
    if (entry.uploadId === null) return; // never acknowledged: start afresh (finish() drops any stray one)
    const uploadId = entry.uploadId;
    // Known before the store answers, so that a cancel meanwhile aborts it.
    this.uploadId = uploadId;
    let stored: readonly PartRecord[];
    try {
      stored = await this.fetcher.run((attempt) => this.transport.listParts(this.key, uploadId, { signal: attempt.signal }), {
        signal: this.stop.signal,
        resigner: this.transport,
        what: 'list the uploaded parts',
      });
    } catch (error) {
      if (error instanceof TransferError && error.code === 'bucket.not-found') {
        this.uploadId = null; // the store forgot it: start over
        return;
      }
      throw error;
    }
    this.adoptUpload(uploadId);
    // The store is the authority: a journaled part it lacks is sent again; a part it has that the
    // journal missed (the tab closed between the answer and the journal write) is kept if its size
    // is right — the source is the same bytes (checked by resumeUpload), so the part is too.
    const count = partCount(this.source.size, this.plan);
    for (const part of stored) {
      if (part.partNumber < 1 || part.partNumber > count) continue;
      const expected = Math.min(this.plan.partSize, this.source.size - (part.partNumber - 1) * this.plan.partSize);
      if (part.size !== expected) continue;
      this.done.set(part.partNumber, { partNumber: part.partNumber, etag: part.etag, size: part.size });
      this.confirm(part.size);
    }
    await this.writeJournal();
  }
}

/** Uploads `source` to `options.key`, journaled when a journal is given. Await `.finished`. */
export function uploadSource(source: ByteSource, options: SourceUploadOptions): SourceUpload {
  return new SourceUpload(source, options);
}

/** Why `resumeUpload` refused an entry: resuming it would mix bytes of two different sources. */
export class ResumeRefusedError extends Error {
  override readonly name = 'ResumeRefusedError';
  constructor(
    readonly reason: 'not-resumable' | 'other-bucket' | 'size' | 'fingerprint',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Resumes a journaled upload from `source`, which must be the very bytes it started from: same size
 * and same fingerprint (or the caller's `fingerprint`), or ResumeRefusedError. Only the parts the
 * store does not hold are sent.
 */
export async function resumeUpload(
  source: ByteSource,
  entry: UploadJournalEntry,
  transport: ObjectTransport,
  options: Omit<SourceUploadOptions, 'transport' | 'key' | 'contentType' | 'sourceRef'> = {},
): Promise<SourceUpload> {
  if (entry.source === null) {
    throw new ResumeRefusedError('not-resumable', 'this upload was streamed: its bytes cannot be read again, so it can only be aborted');
  }
  if (entry.bucketId !== transport.bucketId) {
    throw new ResumeRefusedError('other-bucket', `the upload is in bucket ${entry.bucketId}, not ${transport.bucketId}`);
  }
  if (source.size !== entry.totalSize) {
    throw new ResumeRefusedError('size', `the source has ${source.size} bytes; the upload was started from ${entry.totalSize}`);
  }
  const fingerprint = options.fingerprint ?? (await sourceFingerprint(source));
  if (fingerprint !== entry.source.fingerprint) {
    throw new ResumeRefusedError('fingerprint', 'the source is not the bytes this upload was started from');
  }
  return new SourceUpload(source, { ...options, transport, key: entry.key, contentType: entry.contentType }, entry);
}

/**
 * Aborts a journaled upload and forgets it (an unresumable entry found after a reload, or one the
 * user gave up). Also drops stray uploads of the key where the transport can list them.
 */
export async function abortJournaledUpload(
  entry: UploadJournalEntry,
  transport: ObjectTransport,
  journal: UploadJournal,
  fetcher: Fetcher = new Fetcher(),
): Promise<void> {
  const extended: ExtendedTransport = transport;
  const ids = new Set<string>(entry.uploadId === null ? [] : [entry.uploadId]);
  if (extended.listUploads) {
    const listUploads = extended.listUploads;
    for (const id of await fetcher.run((attempt) => listUploads.call(extended, entry.key, { signal: attempt.signal }), { what: 'list unfinished uploads' })) {
      ids.add(id);
    }
  }
  for (const id of ids) {
    await fetcher.run((attempt) => transport.abortMultipart(entry.key, id, { signal: attempt.signal }), {
      resigner: extended,
      what: 'abort the upload',
    });
  }
  await journal.remove(entry.bucketId, entry.key);
}

/**
 * After a reload: aborts every journaled upload that cannot be resumed (streamed ones) and returns
 * the resumable ones for the caller to resume or abandon. Entries of buckets not given are left.
 */
export async function sweepJournal(
  journal: UploadJournal,
  transportFor: (bucketId: string) => ObjectTransport | undefined,
  fetcher?: Fetcher,
): Promise<{ readonly resumable: readonly UploadJournalEntry[]; readonly aborted: readonly UploadJournalEntry[]; readonly failed: readonly { entry: UploadJournalEntry; error: unknown }[] }> {
  const resumable: UploadJournalEntry[] = [];
  const aborted: UploadJournalEntry[] = [];
  const failed: { entry: UploadJournalEntry; error: unknown }[] = [];
  for (const entry of await journal.entries()) {
    const transport = transportFor(entry.bucketId);
    if (!transport) continue;
    if (entry.source !== null) {
      resumable.push(entry);
      continue;
    }
    try {
      await abortJournaledUpload(entry, transport, journal, fetcher);
      aborted.push(entry);
    } catch (error) {
      failed.push({ entry, error });
    }
  }
  return { resumable, aborted, failed };
}
