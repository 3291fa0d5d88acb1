/**
 * A share a colleague's link points to, read as a ByteSource: plain ranged GETs to its presigned
 * URL (share-links.ts), with the downloader's read-ahead and the fetcher's retries
 * (transfer/downloader.ts openRemoteObject). The URL is signed for GET alone, so the share's size
 * comes from a one-byte GET (its Content-Range, when the bucket's CORS rule exposes it) or, failing
 * that, from the split's parameters; nothing else is asked.
 *
 * Nothing here puts the URL anywhere but in the request to it: errors name the share, never its
 * address (which carries the signature). A link cannot be signed afresh, so an answer that says the
 * URL expired is final, and so is any failure once the link's own expiry has passed: the browser
 * hides the answer to an expired URL when the store omits CORS headers on refusals (Ceph RGW
 * does), so the clock is what tells it apart from a network failure.
 */
import type { ByteSource } from '../core/io.js';
import { parseS3Error, s3ResponseError } from './s3/errors.js';
import { NoResponse, sendRequest } from './s3/http.js';
import { openRemoteObject } from './transfer/downloader.js';
import type { Fetcher } from './transfer/fetcher.js';
import type { TransferSlots } from './transfer/slots.js';
import { TransferError, type ObjectTransport, type RequestOptions, type TransferLimits } from './transfer/transport.js';

export interface LinkedShareOptions {
  readonly x: number;
  readonly url: string;
  /** What the share's size must be (format.ts shareSize of the link's parameters). */
  readonly size: number;
  /** The link's expiry, ms since 1970. */
  readonly expiresAt: number;
  readonly fetcher?: Fetcher;
  readonly slots?: TransferSlots;
  readonly signal?: AbortSignal;
  /** This device's clock (default Date.now). */
  readonly now?: () => number;
}

/** Opens the share behind a presigned GET URL; rejects with a TransferError (bucket.expired, bucket.not-found…) when it cannot be read. */
export function openLinkedShare(options: LinkedShareOptions): Promise<ByteSource> {
  const transport = new LinkedShareTransport(options);
  return openRemoteObject(transport, LINKED_KEY, {
    ...(options.fetcher ? { fetcher: options.fetcher } : {}),
    ...(options.slots ? { slots: options.slots } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** The only key a linked share has: its URL names the object. */
const LINKED_KEY = 'linked-share';

/** A link reads; these limits only satisfy the interface. */
const READ_ONLY: TransferLimits = { singlePutLimit: 0, minPartSize: 1, maxPartSize: 1, maxParts: 1 };

/**
 * The transport of one presigned GET URL: `head` and `getRange` only. Every write is refused: the
 * URL could not do it, and a link never writes.
 */
class LinkedShareTransport implements ObjectTransport {
  readonly bucketId: string;
  readonly limits = READ_ONLY;
  readonly #url: URL;
  readonly #x: number;
  readonly #size: number;
  readonly #expiresAt: number;
  readonly #now: () => number;

  constructor(options: LinkedShareOptions) {
    this.#url = new URL(options.url);
    this.#x = options.x;
    this.#size = options.size;
    this.#expiresAt = options.expiresAt;
    this.#now = options.now ?? Date.now;
    // Request slots are per bucket: one per share, as each share is in a cloud of its own.
    this.bucketId = `link-share-${options.x}`;
  }

  /** A one-byte GET: it proves the URL works, and gives the size when Content-Range is readable. */
  async head(_key: string, options?: RequestOptions): Promise<{ readonly size: number }> {
    const answer = await this.#get(0, 1, options);
    const total = /^bytes \d+-\d+\/(\d+)$/.exec(answer.headers.get('content-range') ?? '')?.[1];
    return { size: answer.status === 200 ? answer.bytes.length : total !== undefined ? Number(total) : this.#size };
  }

  async getRange(_key: string, offset: number, length: number, options?: RequestOptions): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    const answer = await this.#get(offset, length, options);
    if (answer.status === 416) return new Uint8Array(0);
    // A server that ignores Range sends it all.
    return answer.status === 200 ? answer.bytes.slice(offset, offset + length) : answer.bytes;
  }

  putObject(): Promise<never> {
    return this.#refuse();
  }
  createMultipart(): Promise<never> {
    return this.#refuse();
  }
  uploadPart(): Promise<never> {
    return this.#refuse();
  }
  listParts(): Promise<never> {
    return this.#refuse();
  }
  completeMultipart(): Promise<never> {
    return this.#refuse();
  }
  abortMultipart(): Promise<never> {
    return this.#refuse();
  }
  deleteObject(): Promise<never> {
    return this.#refuse();
  }

  #refuse(): Promise<never> {
    return Promise.reject(new TransferError('fatal', 'bucket.permission', `share ${this.#x}: a link only reads`, 0));
  }

  #expired(): TransferError {
    return new TransferError('fatal', 'bucket.expired', `share ${this.#x}: the link expired at ${new Date(this.#expiresAt).toISOString()}`, 0);
  }

  async #get(offset: number, length: number, options: RequestOptions | undefined) {
    const what = `download share ${this.#x}`;
    if (this.#now() >= this.#expiresAt) throw this.#expired();
    let answer;
    try {
      answer = await sendRequest({
        method: 'GET',
        url: this.#url,
        headers: { range: `bytes=${offset}-${offset + length - 1}` },
        read: 'bytes',
        ...(options?.signal ? { signal: options.signal } : {}),
        ...(options?.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } catch (error) {
      if (!(error instanceof NoResponse)) throw error; // an abort
      if (this.#now() >= this.#expiresAt) throw this.#expired();
      throw new TransferError(
        'retry',
        'bucket.unavailable',
        `${what}: the storage could not be reached, or it does not let this site read (its CORS rule)`,
        0,
        { cause: error },
      );
    }
    if (answer.status === 200 || answer.status === 206 || answer.status === 416) return answer;
    const failure = s3ResponseError(what, answer.status, parseS3Error(answer.text), answer.headers);
    // Nothing can sign it again: expired is final, and so is any refusal past the link's time.
    if (failure.code === 'bucket.expired' || this.#now() >= this.#expiresAt) throw this.#expired();
    if (failure.kind === 'resign') throw new TransferError('fatal', failure.code, failure.message.replace(/^\[[a-z.-]+\] /, ''), failure.status);
    throw failure;
  }
}
