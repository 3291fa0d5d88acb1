/**
 * An upload through XMLHttpRequest, for the one thing fetch cannot do: report how much of the body
 * has been sent (which feeds progress and stall detection). XMLHttpRequest exists on the page and in
 * dedicated workers, not in Node; callers fall back to fetch where it is missing. Shared by the S3
 * and Azure transports, each of which turns the outcome into its own response type.
 */
import { abortReason } from './clock.js';

export interface XhrRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress: (sent: number) => void;
  /** `arraybuffer` for the body as bytes; `text` otherwise. */
  readonly responseType: 'arraybuffer' | 'text';
}

export interface XhrAnswer {
  readonly status: number;
  /** Response headers the script may see (CORS hides the others), by lower-case name. */
  readonly headers: ReadonlyMap<string, string>;
  readonly bytes: Uint8Array;
  readonly text: string;
}

/** No HTTP answer came (a network failure, or one the browser hid because of CORS). */
export class XhrNoAnswer extends Error {
  override readonly name = 'XhrNoAnswer';
}

export function hasXhr(): boolean {
  return typeof XMLHttpRequest === 'function';
}

export function sendWithXhr(request: XhrRequest): Promise<XhrAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const { signal } = request;
    const onAbort = (): void => xhr.abort();
    const settle = (): void => signal?.removeEventListener('abort', onAbort);
    xhr.open(request.method, request.url);
    xhr.responseType = request.responseType;
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => request.onProgress(event.loaded);
    xhr.onload = () => {
      settle();
      if (xhr.status === 0) {
        reject(new XhrNoAnswer('no answer (network error or blocked by CORS)'));
        return;
      }
      const binary = xhr.responseType === 'arraybuffer';
      const bytes = binary && xhr.response instanceof ArrayBuffer ? new Uint8Array(xhr.response) : new Uint8Array(0);
      // Not getResponseHeader: for a header CORS hides, Chromium logs "Refused to get unsafe header".
      resolve({ status: xhr.status, headers: parseHeaderBlock(xhr.getAllResponseHeaders()), bytes, text: binary ? new TextDecoder().decode(bytes) : String(xhr.responseText) });
    };
    xhr.onerror = () => {
      settle();
      reject(new XhrNoAnswer('no answer (network error or blocked by CORS)'));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      settle();
      reject(signal?.aborted ? abortReason(signal) : new DOMException('The request was aborted.', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(request.body !== undefined ? (request.body as Uint8Array<ArrayBuffer>) : null);
  });
}

/** `getAllResponseHeaders()` text as a map by lower-case name (repeated headers joined with ", "). */
function parseHeaderBlock(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return headers;
}
