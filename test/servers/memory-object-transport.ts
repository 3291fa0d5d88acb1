/**
 * TEST DOUBLE. The ObjectTransport of memory-object-store.ts, over Node's fetch: lets the
 * uploader, the downloader and the fetcher be driven through the fault proxy against a store that
 * keeps everything in memory. It classifies failures the way the real transports must (transport.ts
 * FailureKind) — network errors, 5xx, 429 (with Retry-After), SlowDown and truncated bodies retry;
 * an expired URL asks to re-sign; other 4xx are fatal — but it signs nothing: it is NOT evidence
 * that S3 or Azure work.
 */
import { createHash } from 'node:crypto';
import type { TransportExtensions } from '../../src/storage/transfer/extensions.js';
import {
  TransferError,
  type ObjectTransport,
  type PartRecord,
  type RequestOptions,
  type TransferLimits,
} from '../../src/storage/transfer/transport.js';

export interface MemoryObjectTransportOptions {
  readonly bucketId?: string;
  readonly limits?: Partial<TransferLimits>;
  /** Send Content-MD5 with every body (the store checks it). Default true. */
  readonly sendDigest?: boolean;
}

export class MemoryObjectTransport implements ObjectTransport, TransportExtensions {
  readonly bucketId: string;
  readonly limits: TransferLimits;
  /** How many times the fetcher asked to sign afresh. */
  invalidations = 0;
  private readonly sendDigest: boolean;

  constructor(
    /** The store's (or the fault proxy's) base URL. */
    private readonly baseUrl: string,
    options: MemoryObjectTransportOptions = {},
  ) {
    this.bucketId = options.bucketId ?? 'memory';
    this.limits = {
      singlePutLimit: 5 * 1024 * 1024,
      minPartSize: 5 * 1024 * 1024,
      maxPartSize: 5 * 1024 * 1024 * 1024,
      maxParts: 10_000,
      ...options.limits,
    };
    this.sendDigest = options.sendDigest ?? true;
  }

  invalidateSignatures(): void {
    this.invalidations++;
  }

  async putObject(key: string, body: Uint8Array, options: RequestOptions & { readonly contentType: string }): Promise<void> {
    await this.request('PUT', `/o/${encodeURIComponent(key)}`, options, body, { 'content-type': options.contentType });
  }

  async createMultipart(key: string, options: RequestOptions & { readonly contentType: string }): Promise<string> {
    const { body } = await this.request('POST', `/u/${encodeURIComponent(key)}`, options);
    return (JSON.parse(text(body)) as { uploadId: string }).uploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, options: RequestOptions = {}): Promise<string> {
    const query = `uploadId=${encodeURIComponent(uploadId)}&partNumber=${partNumber}`;
    const { headers } = await this.request('PUT', `/u/${encodeURIComponent(key)}?${query}`, options, body);
    const etag = headers.get('etag');
    // A browser hides ETag unless CORS exposes it; a real transport says so in plain words.
    if (!etag) throw new TransferError('fatal', 'bucket.cors', 'the store sent no ETag (not exposed by CORS?)', 200);
    return etag;
  }

  async listParts(key: string, uploadId: string, options: RequestOptions = {}): Promise<readonly PartRecord[]> {
    const { body } = await this.request('GET', `/u/${encodeURIComponent(key)}?uploadId=${encodeURIComponent(uploadId)}`, options);
    return (JSON.parse(text(body)) as { parts: PartRecord[] }).parts;
  }

  async completeMultipart(
    key: string,
    uploadId: string,
    parts: readonly PartRecord[],
    options: RequestOptions & { readonly contentType: string },
  ): Promise<void> {
    const body = new TextEncoder().encode(JSON.stringify({ parts: parts.map(({ partNumber, etag }) => ({ partNumber, etag })) }));
    await this.request('POST', `/u/${encodeURIComponent(key)}?uploadId=${encodeURIComponent(uploadId)}`, options, body);
  }

  async abortMultipart(key: string, uploadId: string, options: RequestOptions = {}): Promise<void> {
    await this.request('DELETE', `/u/${encodeURIComponent(key)}?uploadId=${encodeURIComponent(uploadId)}`, options);
  }

  async getRange(key: string, offset: number, length: number, options: RequestOptions = {}): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    const { body } = await this.request('GET', `/o/${encodeURIComponent(key)}`, options, undefined, { range: `bytes=${offset}-${offset + length - 1}` });
    return body;
  }

  async head(key: string, options: RequestOptions = {}): Promise<{ readonly size: number } | null> {
    try {
      const { headers } = await this.request('HEAD', `/o/${encodeURIComponent(key)}`, options);
      return { size: Number(headers.get('content-length')) };
    } catch (error) {
      if (error instanceof TransferError && error.code === 'bucket.not-found') return null;
      throw error;
    }
  }

  async deleteObject(key: string, options: RequestOptions = {}): Promise<void> {
    await this.request('DELETE', `/o/${encodeURIComponent(key)}`, options);
  }

  async listUploads(key: string, options: RequestOptions = {}): Promise<readonly string[]> {
    const { body } = await this.request('GET', `/uploads?key=${encodeURIComponent(key)}`, options);
    return (JSON.parse(text(body)) as { uploadIds: string[] }).uploadIds;
  }

  async listObjects(prefix: string, options: RequestOptions = {}): Promise<readonly { readonly key: string; readonly size: number }[]> {
    const { body } = await this.request('GET', `/list?prefix=${encodeURIComponent(prefix)}`, options);
    return (JSON.parse(text(body)) as { objects: { key: string; size: number }[] }).objects;
  }

  /** One request; the whole body read (with progress), every failure classified. */
  private async request(
    method: string,
    path: string,
    options: RequestOptions,
    body?: Uint8Array,
    extraHeaders: Record<string, string> = {},
  ): Promise<{ headers: Headers; body: Uint8Array }> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (body && this.sendDigest) headers['content-md5'] = createHash('md5').update(body).digest('base64');
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, { method, headers, ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      throw networkFailure(method, path, error, options.signal);
    }
    if (body) options.onProgress?.(body.length);
    let received: Uint8Array;
    try {
      received = await readAll(response, options.onProgress);
    } catch (error) {
      throw networkFailure(method, path, error, options.signal);
    }
    const declared = response.headers.get('content-length');
    if (method !== 'HEAD' && declared !== null && Number(declared) !== received.length) {
      throw new TransferError('retry', 'bucket.unavailable', `${method} ${path}: body cut short (${received.length} of ${declared} bytes)`, response.status);
    }
    if (response.ok) return { headers: response.headers, body: received };
    throw classify(method, path, response, text(received));
  }
}

function classify(method: string, path: string, response: Response, body: string): TransferError {
  const status = response.status;
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '';
  const what = `${method} ${path}: ${status} ${code}`.trim();
  if (status === 429 || code === 'SlowDown' || status >= 500) {
    const error = new TransferError('retry', 'bucket.unavailable', what, status);
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    // Proposed for TransferError itself (see src/storage/transfer/fetcher.ts retryAfterMsOf).
    if (retryAfter !== undefined) Object.assign(error, { retryAfterMs: retryAfter });
    return error;
  }
  if (status === 403 && (code === 'ExpiredToken' || /expired/i.test(body))) return new TransferError('resign', 'bucket.expired', what, status);
  if (status === 404) return new TransferError('fatal', 'bucket.not-found', what, status);
  if (code === 'BadDigest') return new TransferError('fatal', 'bucket.integrity', what, status);
  return new TransferError('fatal', 'bucket.failed', what, status);
}

function networkFailure(method: string, path: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return error; // cancelled or stalled: the fetcher knows which
  const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
  return new TransferError('retry', 'bucket.unavailable', `${method} ${path}: ${reason}`, 0, { cause: error });
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

async function readAll(response: Response, onProgress: ((bytes: number) => void) | undefined): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
    onProgress?.(total);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
