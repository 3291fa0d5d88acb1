/**
 * ObjectTransport (transfer/transport.ts) for one Azure Blob container, reached with a container SAS
 * URL the user pasted. Block blobs only. Operations (Blob service REST API, x-ms-version below):
 *
 * | transport           | Azure                                                                   |
 * | ------------------- | ----------------------------------------------------------------------- |
 * | putObject           | Put Blob (`x-ms-blob-type: BlockBlob`, Content-MD5)                      |
 * | createMultipart     | nothing on the wire: a fresh upload id the block ids are derived from   |
 * | uploadPart          | Put Block (`comp=block&blockid=…`, Content-MD5)                          |
 * | listParts           | Get Block List (`comp=blocklist&blocklisttype=all`), our ids only       |
 * | completeMultipart   | Put Block List (`<Latest>` ids in part order, x-ms-blob-content-type)   |
 * | abortMultipart      | nothing: uncommitted blocks are dropped by the service after 7 days     |
 * | getRange            | Get Blob with `x-ms-range`                                              |
 * | head                | Get Blob Properties (HEAD)                                               |
 * | deleteObject        | Delete Blob (404 BlobNotFound counts as done)                            |
 * | listObjects         | List Blobs (`restype=container&comp=list&prefix=…`, every page)          |
 *
 * Integrity: Content-MD5 on Put Blob, Put Block and Put Block List. The service computes the MD5
 * of the body it received and refuses a mismatch (400 Md5Mismatch), which Azurite checks the same
 * way. Chosen over `x-ms-content-crc64` because it is the digest the S3 transport sends too (one
 * well-kept implementation, @noble/hashes, instead of a hand-written CRC-64 with Azure's polynomial),
 * and Put Blob stores it as the blob's Content-MD5. It guards against corruption on the way, not
 * against a malicious store: shares carry their own hashes (docs/share-format.md).
 *
 * The transport never retries; every failure is a TransferError whose kind tells the fetcher what
 * to do (failures.ts). The SAS signature never appears in a message (sas.ts, redactSas).
 */
import { md5 } from '@noble/hashes/legacy.js';
import type { ObjectTransport, PartRecord, RequestOptions, TransferLimits } from '../transfer/transport.js';
import { TransferError } from '../transfer/transport.js';
import { assertBytes, assertInteger } from '../../core/assert.js';
import { assertUploadId, blockId, MAX_BLOCKS, newUploadId, parseBlockId } from './block-ids.js';
import { noResponseError, refusalError } from './failures.js';
import { assertAllowedOrigin, azureContainerOrigin } from '../allowed-origins.js';
import { abortReason, diagnoseNetworkFailure, send, type HttpRequest, type HttpResponse } from './http.js';
import { parseContainerSasUrl, type ContainerSas } from './sas.js';
import { parseBlobList, parseBlockList, parseErrorBody } from './xml.js';

/**
 * REST version sent with every request. 2019-12-12 is the first with 4000 MiB blocks and 5000 MiB
 * Put Blob, the limits below; Azure still serves it, and Azurite accepts it without
 * --skipApiVersionCheck. The SAS's own `sv` is independent of it.
 */
export const AZURE_API_VERSION = '2019-12-12';

const MIB = 1024 * 1024;

/** The service's limits for block blobs at AZURE_API_VERSION (Put Blob, Put Block, Put Block List). */
export const AZURE_LIMITS: TransferLimits = {
  singlePutLimit: 5000 * MIB,
  // The service has no minimum block size; the uploader chooses the part size (the same as for S3).
  minPartSize: 1,
  maxPartSize: 4000 * MIB,
  maxParts: MAX_BLOCKS,
};

/** Azure blob names: at most 1,024 characters ("Naming and referencing containers, blobs, and metadata"). */
const MAX_KEY_LENGTH = 1024;

export interface AzureBlobTransportOptions {
  /** Stable id of the bucket (as in the catalog). */
  readonly bucketId: string;
  /** `https://<account>.blob.core.windows.net/<container>?sv=…&sr=c&sp=…&se=…&sig=…` */
  readonly containerSasUrl: string;
  /** This device's clock, ms since the epoch, to explain a refused SAS. Default Date.now. */
  readonly now?: () => number;
  /** Fills bytes from a CSPRNG, for upload ids. Default crypto.getRandomValues. */
  readonly random?: (out: Uint8Array) => void;
}

type Operation = 'Put Blob' | 'Put Block' | 'Put Block List' | 'Get Block List' | 'Get Blob' | 'Get Blob Properties' | 'Delete Blob' | 'List Blobs';

export class AzureBlobTransport implements ObjectTransport {
  readonly bucketId: string;
  readonly limits: TransferLimits = AZURE_LIMITS;
  private readonly sas: ContainerSas;
  private readonly now: () => number;
  private readonly random: ((out: Uint8Array) => void) | undefined;

  constructor(options: AzureBlobTransportOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    if (typeof options.bucketId !== 'string' || options.bucketId === '') {
      throw new TypeError(`bucketId must be a non-empty string, got ${typeof options.bucketId === 'string' ? 'an empty string' : typeof options.bucketId}`);
    }
    this.bucketId = options.bucketId;
    this.sas = parseContainerSasUrl(options.containerSasUrl);
    this.now = options.now ?? Date.now;
    this.random = options.random;
  }

  /** The origin requests go to (for CORS rules and the test harness), e.g. `https://acct.blob.core.windows.net`. */
  get origin(): string {
    return azureContainerOrigin(this.sas.containerUrl);
  }

  async putObject(key: string, body: Uint8Array, options: RequestOptions & { readonly contentType: string }): Promise<void> {
    assertKey(key);
    assertBytes(body, 'body');
    assertContentType(options?.contentType);
    if (body.byteLength > AZURE_LIMITS.singlePutLimit) {
      throw new RangeError(`body must be at most ${AZURE_LIMITS.singlePutLimit} bytes for one Put Blob, got ${body.byteLength}`);
    }
    const headers = {
      ...this.baseHeaders(),
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-blob-content-type': options.contentType,
      'content-md5': contentMd5(body),
    };
    await this.exchange('Put Blob', { method: 'PUT', url: this.blobUrl(key), headers, body, signal: options.signal, onProgress: options.onProgress }, [201]);
  }

  async createMultipart(key: string, options: RequestOptions & { readonly contentType: string }): Promise<string> {
    assertKey(key);
    assertContentType(options?.contentType);
    if (options.signal?.aborted) throw abortReason(options.signal);
    return newUploadId(this.random);
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array, options: RequestOptions = {}): Promise<string> {
    assertKey(key);
    const id = blockId(uploadId, partNumber);
    assertBytes(body, 'body');
    if (body.byteLength < 1 || body.byteLength > AZURE_LIMITS.maxPartSize) {
      throw new RangeError(`body must be 1 to ${AZURE_LIMITS.maxPartSize} bytes for one block, got ${body.byteLength}`);
    }
    const headers = { ...this.baseHeaders(), 'content-md5': contentMd5(body) };
    const url = this.blobUrl(key, `comp=block&blockid=${encodeURIComponent(id)}`);
    await this.exchange('Put Block', { method: 'PUT', url, headers, body, signal: options.signal, onProgress: options.onProgress }, [201]);
    return id;
  }

  /**
   * Blocks of this upload that the service holds, uncommitted or (after a completion the caller did
   * not hear about) committed, by part number. None if the blob has no blocks at all.
   */
  async listParts(key: string, uploadId: string, options: RequestOptions = {}): Promise<readonly PartRecord[]> {
    assertKey(key);
    assertUploadId(uploadId);
    const url = this.blobUrl(key, 'comp=blocklist&blocklisttype=all');
    const response = await this.exchange('Get Block List', { method: 'GET', url, headers: this.baseHeaders(), signal: options.signal }, [200, 404]);
    if (response.status === 404) {
      if (errorCodeOf(response) === 'BlobNotFound') return [];
      throw this.refusal('Get Block List', response);
    }
    const parts = new Map<number, PartRecord>();
    // Committed first, uncommitted after: an uncommitted block is the newer one (what <Latest> commits).
    for (const block of parseBlockList(decodeText(response.body))) {
      const parsed = parseBlockId(block.name);
      if (parsed === undefined || parsed.uploadId !== uploadId || !Number.isSafeInteger(block.size)) continue;
      parts.set(parsed.partNumber, { partNumber: parsed.partNumber, etag: block.name, size: block.size });
    }
    return [...parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(
    key: string,
    uploadId: string,
    parts: readonly PartRecord[],
    options: RequestOptions & { readonly contentType: string },
  ): Promise<void> {
    assertKey(key);
    assertUploadId(uploadId);
    assertContentType(options?.contentType);
    if (!Array.isArray(parts)) throw new TypeError(`parts must be an array, got ${typeof parts}`);
    if (parts.length < 1 || parts.length > MAX_BLOCKS) throw new RangeError(`parts must hold 1 to ${MAX_BLOCKS} parts, got ${parts.length}`);
    const ids: string[] = [];
    let previous = 0;
    for (const [index, part] of parts.entries()) {
      assertInteger(part?.partNumber, `parts[${index}].partNumber`, previous + 1, MAX_BLOCKS);
      const expected = blockId(uploadId, part.partNumber);
      if (part.etag !== expected) {
        throw new RangeError(`parts[${index}].etag must be the block id uploadPart returned (${expected}), got ${JSON.stringify(String(part.etag).slice(0, 80))}`);
      }
      ids.push(expected);
      previous = part.partNumber;
    }
    // <Latest>: the uncommitted block if there is one, else the committed one, so that completing
    // again after a lost answer commits the same blob again (Put Block List, request body).
    const body = new TextEncoder().encode(`<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`);
    const headers = { ...this.baseHeaders(), 'x-ms-blob-content-type': options.contentType, 'content-md5': contentMd5(body) };
    await this.exchange('Put Block List', { method: 'PUT', url: this.blobUrl(key, 'comp=blocklist'), headers, body, signal: options.signal }, [201]);
  }

  /**
   * Nothing to do on Azure: an upload is only blocks that were never committed, and the service
   * discards uncommitted blocks by itself after seven days. Nothing of them is readable in the
   * meantime (a blob appears only on Put Block List); Get Block List still lists them until then.
   */
  async abortMultipart(key: string, uploadId: string, options: RequestOptions = {}): Promise<void> {
    assertKey(key);
    assertUploadId(uploadId);
    if (options.signal?.aborted) throw abortReason(options.signal);
  }

  async getRange(key: string, offset: number, length: number, options: RequestOptions = {}): Promise<Uint8Array> {
    assertKey(key);
    assertInteger(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    assertInteger(length, 'length', 0, Number.MAX_SAFE_INTEGER - offset);
    if (length === 0) return new Uint8Array(0);
    const headers = { ...this.baseHeaders(), 'x-ms-range': `bytes=${offset}-${offset + length - 1}` };
    const response = await this.exchange('Get Blob', { method: 'GET', url: this.blobUrl(key), headers, signal: options.signal }, [200, 206, 416]);
    // 416 InvalidRange: the range starts at or after the end of the blob.
    if (response.status === 416) return new Uint8Array(0);
    if (response.status === 200) return response.body.slice(offset, offset + length);
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.header('content-range') ?? '');
    const expected = range ? Math.min(length, Number(range[3]) - offset) : undefined;
    const startsRight = range ? Number(range[1]) === offset : true;
    if (!startsRight || (expected !== undefined && response.body.byteLength !== expected) || response.body.byteLength > length) {
      throw new TransferError(
        'retry',
        'bucket.unavailable',
        `Azure Get Blob: the answer held ${response.body.byteLength} bytes${range ? ` at ${range[1]}` : ''} where ${expected ?? `at most ${length}`} from ${offset} were asked (cut short or wrong range)`,
        response.status,
      );
    }
    return response.body;
  }

  async head(key: string, options: RequestOptions = {}): Promise<{ readonly size: number } | null> {
    assertKey(key);
    const response = await this.exchange('Get Blob Properties', { method: 'HEAD', url: this.blobUrl(key), headers: this.baseHeaders(), signal: options.signal }, [200, 404]);
    if (response.status === 404) {
      // HEAD has no body: only x-ms-error-code (exposed by the CORS rule) tells a missing container.
      const code = errorCodeOf(response);
      if (code === undefined || code === 'BlobNotFound') return null;
      throw this.refusal('Get Blob Properties', response);
    }
    const size = Number(response.header('content-length'));
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new TransferError('fatal', 'bucket.failed', 'Azure Get Blob Properties: the answer has no readable Content-Length', response.status);
    }
    return { size };
  }

  async deleteObject(key: string, options: RequestOptions = {}): Promise<void> {
    assertKey(key);
    const response = await this.exchange('Delete Blob', { method: 'DELETE', url: this.blobUrl(key), headers: this.baseHeaders(), signal: options.signal }, [202, 404]);
    if (response.status === 404) {
      const code = errorCodeOf(response);
      if (code !== undefined && code !== 'BlobNotFound') throw this.refusal('Delete Blob', response);
    }
  }

  /**
   * Committed blobs whose names start with `prefix`, in name order (List Blobs, page after page;
   * the SAS needs `l`). Uncommitted uploads are not listed. TransportExtensions.listObjects.
   */
  async listObjects(prefix: string, options: RequestOptions = {}): Promise<readonly { readonly key: string; readonly size: number }[]> {
    if (typeof prefix !== 'string') throw new TypeError(`prefix must be a string, got ${typeof prefix}`);
    const objects: { key: string; size: number }[] = [];
    let marker = '';
    do {
      const query = `restype=container&comp=list&prefix=${encodeURIComponent(prefix)}${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`;
      const url = `${this.sas.containerUrl}?${query}&${this.sas.query}`;
      const response = await this.exchange('List Blobs', { method: 'GET', url, headers: this.baseHeaders(), signal: options.signal }, [200]);
      const page = parseBlobList(decodeText(response.body));
      objects.push(...page.blobs);
      marker = page.nextMarker;
    } while (marker !== '');
    return objects;
  }

  private baseHeaders(): Record<string, string> {
    return { 'x-ms-version': AZURE_API_VERSION };
  }

  private blobUrl(key: string, operationQuery?: string): string {
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.sas.containerUrl}/${path}?${operationQuery ? `${operationQuery}&` : ''}${this.sas.query}`;
  }

  /** Sends; a status outside `expected` becomes the TransferError it means, no response a cors / network one. */
  private async exchange(operation: Operation, request: HttpRequest, expected: readonly number[]): Promise<HttpResponse> {
    // Every URL here is built from the container's own; the guard keeps it so (allowed-origins.ts).
    assertAllowedOrigin(new URL(request.url), [this.origin], operation);
    let response: HttpResponse;
    try {
      response = await send(request);
    } catch (error) {
      if (request.signal?.aborted) throw abortReason(request.signal);
      if (!(error instanceof TypeError)) throw error;
      const diagnosis = await diagnoseNetworkFailure(error, request);
      throw noResponseError(operation, diagnosis, this.origin, error);
    }
    if (!expected.includes(response.status)) throw this.refusal(operation, response);
    return response;
  }

  private refusal(operation: Operation, response: HttpResponse): TransferError {
    const body = parseErrorBody(decodeText(response.body));
    return refusalError(
      {
        operation,
        status: response.status,
        error: { ...body, code: body.code ?? response.header('x-ms-error-code') ?? undefined },
        requestId: response.header('x-ms-request-id'),
        retryAfter: response.header('retry-after'),
      },
      this.sas,
      this.now(),
    );
  }
}

function errorCodeOf(response: HttpResponse): string | undefined {
  return parseErrorBody(decodeText(response.body)).code ?? response.header('x-ms-error-code') ?? undefined;
}

function decodeText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Base64 of the MD5 of `body`, as Content-MD5 wants it (RFC 1864). */
function contentMd5(body: Uint8Array): string {
  return btoa(String.fromCharCode(...md5(body)));
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError(`key must be a string, got ${typeof key}`);
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) throw new RangeError(`key must be 1 to ${MAX_KEY_LENGTH} characters, got ${key.length}`);
  // A "." or ".." segment would be resolved away by URL parsing and name another blob.
  if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new RangeError(`key must not start or end with "/", nor have empty, "." or ".." segments, got ${JSON.stringify(key.slice(0, 80))}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw new RangeError('key must not contain control characters or "\\"');
}

function assertContentType(contentType: unknown): asserts contentType is string {
  if (typeof contentType !== 'string') throw new TypeError(`contentType must be a string, got ${typeof contentType}`);
  if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(contentType)) {
    throw new RangeError(`contentType must be a non-empty header value of visible ASCII, got ${JSON.stringify(contentType.slice(0, 80))}`);
  }
}
