/**
 * One HTTP exchange with the Blob service, in whatever realm the transport runs: fetch everywhere,
 * and XMLHttpRequest for an upload whose progress is wanted where the realm has it (the page and
 * dedicated workers; fetch cannot report upload progress). No retries here: a failure is handed up
 * as it came, an AbortError as the signal's reason.
 */
import { abortReason } from '../transfer/clock.js';
import { hasXhr, sendWithXhr, XhrNoAnswer } from '../transfer/xhr.js';

export { abortReason };

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((sent: number) => void) | undefined;
}

export interface HttpResponse {
  readonly status: number;
  /** A response header, or null when absent or hidden by CORS (not in Access-Control-Expose-Headers). */
  header(name: string): string | null;
  readonly body: Uint8Array;
}

/**
 * Sends the request and reads the whole response body (a truncated body rejects, as a network error).
 * Rejects with the signal's reason when aborted, and with a TypeError when no response came.
 */
export async function send(request: HttpRequest): Promise<HttpResponse> {
  if (request.signal?.aborted) throw abortReason(request.signal);
  if (request.body !== undefined && request.onProgress !== undefined && hasXhr()) {
    return sendWithProgress(request, request.body, request.onProgress);
  }
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body as Uint8Array<ArrayBuffer> }),
    cache: 'no-store',
    credentials: 'omit',
    redirect: 'error',
    signal: request.signal ?? null,
  });
  const body = request.method === 'HEAD' ? new Uint8Array(0) : new Uint8Array(await response.arrayBuffer());
  // Without XMLHttpRequest the bytes are only known to be sent once the answer is in.
  if (request.body !== undefined) request.onProgress?.(request.body.byteLength);
  return { status: response.status, header: (name) => response.headers.get(name), body };
}

async function sendWithProgress(request: HttpRequest, body: Uint8Array, onProgress: (sent: number) => void): Promise<HttpResponse> {
  try {
    const answer = await sendWithXhr({ method: request.method, url: request.url, headers: request.headers, body, signal: request.signal, onProgress, responseType: 'arraybuffer' });
    return { status: answer.status, header: (name) => answer.headers.get(name.toLowerCase()) ?? null, body: answer.bytes };
  } catch (error) {
    // As fetch reports it: a bare TypeError, which diagnoseNetworkFailure tells CORS from network by.
    if (error instanceof XhrNoAnswer) throw new TypeError('XMLHttpRequest: no response (network error or blocked by CORS)');
    throw error;
  }
}

/** How long the two diagnostic requests below may take together, at most. */
const DIAGNOSIS_TIMEOUT_MS = 10_000;

/**
 * A request that got no response: in Node that is always the network (there is no CORS there, and
 * undici's TypeError carries the socket error as its `cause`). In a browser a CORS refusal and a
 * network failure look the same to the script (a bare TypeError), so two more requests tell them
 * apart, neither with the SAS (so neither can do anything to the container):
 * 1. the same method and request header names, to the same URL without its query: its preflight
 *    passes exactly when the CORS rules allow what the failed request needed, and the service
 *    answers it (403/404, with CORS headers: the service adds them to error responses too). An
 *    answer means CORS is fine, so the failure was the network.
 * 2. a `no-cors` GET of the origin, which needs no CORS at all: if it gets through, the service is
 *    reachable, so the failure was CORS; if not, the network.
 * Limits: a network that comes back between the failure and the probe turns a CORS failure into no
 * failure at all (the retry then fails again and is diagnosed again), and a service that would not
 * answer (1) with CORS headers would make every network failure look like CORS.
 */
export async function diagnoseNetworkFailure(failure: unknown, request: HttpRequest): Promise<'cors' | 'network'> {
  if (isNodeNetworkError(failure)) return 'network';
  const url = new URL(request.url);
  const signals = [AbortSignal.timeout(DIAGNOSIS_TIMEOUT_MS), ...(request.signal ? [request.signal] : [])];
  const signal = AbortSignal.any(signals);
  try {
    await fetch(`${url.origin}${url.pathname}`, {
      method: request.method,
      headers: request.headers,
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'manual',
      signal,
    });
    return 'network';
  } catch (_error) {
    if (request.signal?.aborted) throw abortReason(request.signal);
  }
  try {
    await fetch(`${url.origin}/`, { method: 'GET', mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal });
    return 'cors';
  } catch (_error) {
    if (request.signal?.aborted) throw abortReason(request.signal);
    return 'network';
  }
}

function isNodeNetworkError(error: unknown): boolean {
  return error instanceof TypeError && error.cause !== undefined;
}

