/**
 * One HTTP exchange with a store, in any realm: `fetch` everywhere, XMLHttpRequest for a body
 * whose upload progress is wanted (fetch reports none; XHR exists on the page and in dedicated
 * workers, not in Node). No retries here: the fetcher (src/storage/transfer/fetcher.ts) decides.
 *
 * A request that gets no answer at all rejects with NoResponse; in a browser that is either the
 * network or CORS (the browser hides an answer its rule does not allow), which `diagnoseNoResponse`
 * tells apart.
 */
import { abortReason } from '../transfer/clock.js';
import { hasXhr, sendWithXhr, XhrNoAnswer } from '../transfer/xhr.js';

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly signal?: AbortSignal;
  /** Body bytes sent so far (uploads) or received so far (downloads). */
  readonly onProgress?: (bytes: number) => void;
  /** What to read of a 2xx answer; error answers are always read as text. */
  readonly read: 'text' | 'bytes' | 'none';
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly bytes: Uint8Array;
}

/** The request got no HTTP answer (or the browser would not show it). */
export class NoResponse extends Error {
  override readonly name = 'NoResponse';
  constructor(
    message: string,
    /** True when an answer began and its body broke off (a truncated body), false when none came. */
    readonly answered: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether this realm enforces CORS (a page or a worker), as opposed to Node. */
export function isBrowserRealm(): boolean {
  return 'WorkerGlobalScope' in globalThis || 'document' in globalThis;
}

/** The page's or worker's origin, for messages; undefined in Node. */
export function realmOrigin(): string | undefined {
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  return typeof origin === 'string' && origin !== 'null' ? origin : undefined;
}

/** The signal's reason, always an Error (an AbortError if none was given). */
export const abortError = abortReason;

function asArrayBufferView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

export async function sendRequest(request: HttpRequest): Promise<HttpResponse> {
  if (request.signal?.aborted) throw abortError(request.signal);
  if (request.body !== undefined && request.onProgress !== undefined && hasXhr()) return sendWithProgress(request, request.onProgress);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body !== undefined ? asArrayBufferView(request.body) : undefined,
      signal: request.signal,
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'manual',
    });
  } catch (error) {
    if (request.signal?.aborted) throw abortError(request.signal);
    throw new NoResponse('no answer', false, { cause: error });
  }
  if (request.body !== undefined) request.onProgress?.(request.body.length);
  // A browser hides a redirect it was told not to follow (S3 redirects to a bucket's own region).
  const status = response.type === 'opaqueredirect' ? 301 : response.status;
  const ok = status >= 200 && status < 300;
  try {
    if (!ok || request.read === 'text') return { status, headers: response.headers, text: await response.text(), bytes: new Uint8Array(0) };
    if (request.read === 'none') {
      await response.body?.cancel();
      return { status, headers: response.headers, text: '', bytes: new Uint8Array(0) };
    }
    return { status, headers: response.headers, text: '', bytes: await readBody(response, request.onProgress) };
  } catch (error) {
    if (request.signal?.aborted) throw abortError(request.signal);
    // The answer started but its body broke off: a truncated body, worth a retry.
    throw new NoResponse('the answer was cut short', true, { cause: error });
  }
}

async function readBody(response: Response, onProgress: ((bytes: number) => void) | undefined): Promise<Uint8Array> {
  if (onProgress === undefined || response.body === null) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(received);
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

async function sendWithProgress(request: HttpRequest, onProgress: (bytes: number) => void): Promise<HttpResponse> {
  try {
    const answer = await sendWithXhr({
      method: request.method,
      url: request.url.href,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      onProgress,
      responseType: request.read === 'bytes' ? 'arraybuffer' : 'text',
    });
    return { status: answer.status, headers: new Headers([...answer.headers]), text: answer.text, bytes: answer.bytes };
  } catch (error) {
    if (error instanceof XhrNoAnswer) throw new NoResponse('no answer', false, { cause: error });
    throw error;
  }
}

/**
 * Why a browser request got no answer, found with up to three probes, none of which can change
 * anything in the bucket:
 * 1. a `no-cors` GET of the same URL without its signature: if even that fails, the server cannot
 *    be reached → 'network';
 * 2. the same method and header names to the same object, unsigned, with a query that makes it
 *    harmless even on a bucket open to anyone (`uploadId` of no upload: UploadPart / Complete /
 *    Abort of nothing). Unsigned, the store refuses it with AccessDenied, and a store answers a
 *    bucket's own refusals with its CORS headers: if the browser blocks it, the CORS rule is missing
 *    or does not allow this origin, method or headers — or there is no such bucket here, which a
 *    page cannot tell apart → 'cors';
 * 3. a signed, simple (no preflight) ListParts of no upload: when the signature is good the store
 *    answers NoSuchUpload with its CORS headers. Ceph RGW answers a bad signature, an expired URL or
 *    a wrong clock without CORS headers, so a blocked probe here means the signature is refused →
 *    'refused'; if it gets through, the first failure was the network (a cut connection) → 'network'.
 */
export async function diagnoseNoResponse(request: HttpRequest, signedProbe: () => Promise<URL>): Promise<'network' | 'cors' | 'refused'> {
  const common = { credentials: 'omit', cache: 'no-store', redirect: 'manual', signal: request.signal } as const;
  const bare = new URL(request.url.href);
  bare.search = '';
  try {
    // (no-cors requires redirect: 'follow')
    await fetch(bare, { method: 'GET', mode: 'no-cors', credentials: 'omit', cache: 'no-store', signal: request.signal });
  } catch {
    return 'network';
  }
  const unsigned = new URL(bare.href);
  if (request.method !== 'GET' && request.method !== 'HEAD') unsigned.searchParams.set('uploadId', 'tessera-cors-probe');
  if (request.method === 'PUT') unsigned.searchParams.set('partNumber', '1');
  const headers: Record<string, string> = { ...request.headers };
  // MD5 of no bytes: the probe sends none.
  if ('content-md5' in headers) headers['content-md5'] = '1B2M2Y8AsgTpgAEhAMNs0w==';
  const hasBody = request.method === 'PUT' || request.method === 'POST';
  try {
    const response = await fetch(unsigned, { ...common, method: request.method, headers, body: hasBody ? new Uint8Array(0) : undefined, mode: 'cors' });
    await response.body?.cancel();
  } catch {
    return 'cors';
  }
  try {
    const response = await fetch(await signedProbe(), { ...common, method: 'GET', mode: 'cors' });
    await response.body?.cancel();
    return 'network';
  } catch {
    return 'refused';
  }
}
