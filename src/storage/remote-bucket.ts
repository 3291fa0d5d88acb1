/**
 * A `Bucket` over any `ObjectTransport` (S3-compatible, Azure Blob, an organisation's presign
 * endpoint): openWriter streams through the uploader, openReader reads through ranged GETs, and
 * every other call goes through the fetcher's retry policy. Errors become the TesseraError codes
 * the app knows — bucket.offline (unreachable, throttled or stalled after the retries, or blocked
 * by CORS), bucket.not-found, bucket.failed — with the transport's specific TransferError as the
 * `cause` and its code in the message, so the set-up screen can still say "CORS" or "clock skew"
 * after the error crossed a worker boundary (`transferCodeOf`).
 */
import { TesseraError, isAbort, type ErrorCode } from '../core/errors.js';
import type { ByteSink, ByteSource } from '../core/io.js';
import { openRemoteObject } from './transfer/downloader.js';
import type { ExtendedTransport } from './transfer/extensions.js';
import { Fetcher, detailOf } from './transfer/fetcher.js';
import type { UploadJournal } from './transfer/journal.js';
import type { TransferProgress } from './transfer/progress.js';
import { TransferSlots, defaultTransferSlots } from './transfer/slots.js';
import { TRANSFER_FAILURE_CODES, TransferError, type ObjectTransport, type TransferFailureCode } from './transfer/transport.js';
import { ObjectUploader, type UploadStatus } from './transfer/uploader.js';
import type { Bucket } from './types.js';

export interface RemoteBucketOptions {
  readonly label: string;
  readonly transport: ObjectTransport;
  readonly fetcher?: Fetcher;
  readonly slots?: TransferSlots;
  /** Journals streamed uploads so that, after a reload, `sweepJournal` can abort what they left. */
  readonly journal?: UploadJournal;
  /** Preferred part size (default 8 MiB). */
  readonly partSize?: number;
}

export interface RemoteWriterOptions {
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** The object's size when known (a share's is): chooses the part size. */
  readonly expectedSize?: number;
  readonly onProgress?: (progress: TransferProgress) => void;
}

/** The sink openWriter returns, with the upload's controls for the UI. */
export interface RemoteObjectWriter extends ByteSink {
  readonly status: UploadStatus;
  pause(): void;
  resume(): void;
}

export class RemoteBucket implements Bucket {
  readonly id: string;
  readonly label: string;
  private readonly transport: ExtendedTransport;
  private readonly fetcher: Fetcher;
  private readonly slots: TransferSlots;

  constructor(private readonly options: RemoteBucketOptions) {
    this.transport = options.transport;
    this.id = options.transport.bucketId;
    this.label = options.label;
    this.fetcher = options.fetcher ?? new Fetcher();
    this.slots = options.slots ?? defaultTransferSlots;
  }

  openWriter(key: string, options: RemoteWriterOptions = {}): Promise<RemoteObjectWriter> {
    const uploader = new ObjectUploader({
      transport: this.transport,
      key,
      fetcher: this.fetcher,
      slots: this.slots,
      ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.expectedSize !== undefined ? { expectedSize: options.expectedSize } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(this.options.journal ? { journal: this.options.journal } : {}),
      ...(this.options.partSize !== undefined ? { partSize: this.options.partSize } : {}),
    });
    const mapped = <T>(what: string, promise: Promise<T>): Promise<T> => promise.catch((error: unknown) => this.fail(`upload ${key}`, error, what));
    return Promise.resolve({
      get status() {
        return uploader.status;
      },
      write: (bytes) => mapped('write', uploader.write(bytes)),
      close: () => mapped('close', uploader.close()),
      abort: (reason) => mapped('abort', uploader.abort(reason)),
      pause: () => uploader.pause(),
      resume: () => uploader.resume(),
    });
  }

  async openReader(key: string, options: { readonly signal?: AbortSignal } = {}): Promise<ByteSource> {
    const source = await openRemoteObject(this.transport, key, {
      fetcher: this.fetcher,
      slots: this.slots,
      ...(options.signal ? { signal: options.signal } : {}),
    }).catch((error: unknown) => this.fail(`read ${key}`, error));
    return {
      size: source.size,
      read: (offset, length) => source.read(offset, length).catch((error: unknown) => this.fail(`read ${key}`, error)),
      close: () => source.close?.() ?? Promise.resolve(),
    };
  }

  head(key: string): Promise<{ readonly size: number } | null> {
    return this.call(`head ${key}`, (signal) => this.transport.head(key, { signal }));
  }

  async list(prefix = ''): Promise<readonly { readonly key: string; readonly size: number }[]> {
    const { listObjects } = this.transport;
    if (!listObjects) throw new TesseraError('bucket.failed', `${this.label}: this kind of bucket cannot list its objects`);
    const objects = await this.call('list', (signal) => listObjects.call(this.transport, prefix, { signal }));
    return [...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  delete(key: string): Promise<void> {
    return this.call(`delete ${key}`, (signal) => this.transport.deleteObject(key, { signal }));
  }

  private call<T>(what: string, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.fetcher
      .run((attempt) => request(attempt.signal), { resigner: this.transport, what })
      .catch((error: unknown) => this.fail(what, error));
  }

  private fail(what: string, error: unknown, step?: string): never {
    throw toBucketError(this.label, what, error, step);
  }
}

/** The app's code for a transfer failure. */
export function bucketCodeFor(code: TransferFailureCode): ErrorCode {
  switch (code) {
    case 'bucket.unavailable':
    case 'bucket.stalled':
    case 'bucket.cors':
      return 'bucket.offline';
    case 'bucket.not-found':
      return 'bucket.not-found';
    default:
      return 'bucket.failed';
  }
}

/**
 * Any failure of a bucket call as a TesseraError: a TransferError keeps its code in the message
 * ("… (bucket.clock-skew: …)") and as the cause; an abort is job.aborted; an error that already is
 * a TesseraError passes; anything else is bucket.failed with the original as the cause.
 */
export function toBucketError(label: string, what: string, error: unknown, step?: string): TesseraError {
  if (error instanceof TesseraError) return error;
  if (isAbort(error)) return new TesseraError('job.aborted', `${label}: ${what} was cancelled.`, {}, { cause: error });
  if (error instanceof TransferError) {
    return new TesseraError(bucketCodeFor(error.code), `${label}: ${what} failed (${error.code}: ${detailOf(error)})`, {}, { cause: error });
  }
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new TesseraError('bucket.failed', `${label}: ${what}${step ? ` (${step})` : ''} failed: ${reason}`, {}, { cause: error });
}

/** The specific transfer code behind an error, from its cause or, across a worker boundary, its message. */
export function transferCodeOf(error: unknown): TransferFailureCode | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof TransferError) return e.code;
  }
  const message = error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error) ? String((error as { message: unknown }).message) : '';
  const match = /\((bucket\.[a-z-]+): /.exec(message);
  return match && (TRANSFER_FAILURE_CODES as readonly string[]).includes(match[1]!) ? (match[1] as TransferFailureCode) : undefined;
}
