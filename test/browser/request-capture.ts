/**
 * Every request the browser makes, captured through the Chrome DevTools Protocol: method, URL, every
 * header and the whole body, from the page, every dedicated worker (nested ones too) and the
 * service worker.
 *
 * playwright-core drives Chromium through its own pipe, and its CDP sessions cannot reach a worker
 * (flat sessions of other targets are not routed to them). So Chromium is launched with a debugging
 * port as well, and a second CDP client of our own (test/helpers/websocket-client.ts) attaches to
 * the browser target with `Target.setAutoAttach` (flatten, waitForDebuggerOnStart): every page,
 * service worker and shared worker is attached as it appears, and in each of them the same is
 * asked again so that their dedicated workers and frames are attached before they run. Each
 * session gets `Network.enable`; a request is recorded from `Network.requestWillBeSent` (method, URL,
 * headers as the page set them), completed by `Network.requestWillBeSentExtraInfo` (the headers as
 * the network stack sent them: Host, Origin, Referer, Cookie…), and its body is read whole with
 * `Network.getRequestPostData` (base64 when binary), falling back to the event's `postDataEntries`.
 *
 *   const { browser, capture } = await launchCapturingChromium();
 *   capture.phase('protect');
 *   ... drive the app ...
 *   const requests = await capture.settled();   // bodies read
 *   await closeCapturingChromium({ browser, capture });
 *
 * CDP reports CORS preflights too (Chromium 156). What reached a storage server is recorded again,
 * bodies byte for byte, by a proxy in front of it (test/helpers/recording-proxy.ts), which
 * no-plaintext.test.ts compares with this capture.
 */
import { createServer, type AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { connectWebSocket, type WebSocketClient } from '../helpers/websocket-client.js';
import type { SentRequest } from '../helpers/plaintext-scan.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './harness.js';

/** A request as CDP reported it. */
export interface CapturedRequest extends SentRequest {
  /** The phase of the test it was sent in (RequestCapture.phase). */
  readonly phase: string;
  /** The target that sent it: `page`, `worker`, `service_worker`… */
  readonly targetType: string;
  /** Whether the body was read whole, is absent, or could not be read (then the test fails). */
  bodyState: 'none' | 'whole' | 'unreadable';
}

interface Session {
  readonly type: string;
  readonly url: string;
  networkEnabled: boolean;
}

interface Pending {
  readonly method: string;
  readonly sessionId: string;
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

/** A free TCP port of 127.0.0.1 (closed again at once; Chromium takes it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class RequestCapture {
  /** Targets attached, by type (page, worker, service_worker…), for the report. */
  readonly targetsAttached = new Map<string, number>();
  readonly #requests: CapturedRequest[] = [];
  readonly #byRequestId = new Map<string, CapturedRequest>();
  /** requestWillBeSentExtraInfo may come before or after requestWillBeSent. */
  readonly #extraHeaders = new Map<string, Record<string, string>[]>();
  readonly #bodies: Promise<void>[] = [];
  readonly #sessions = new Map<string, Session>();
  readonly #pending = new Map<number, Pending>();
  #socket!: WebSocketClient;
  #lastId = 0;
  #phase = 'start';
  #closed = false;

  static async connect(webSocketUrl: string): Promise<RequestCapture> {
    const capture = new RequestCapture();
    capture.#socket = await connectWebSocket(
      webSocketUrl,
      (text) => capture.#onMessage(text),
      () => capture.#onClose(),
    );
    await capture.#send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });
    return capture;
  }

  /** Requests from now on are labelled `name`. */
  phase(name: string): void {
    this.#phase = name;
  }

  /**
   * Every request so far, once every body has been read; fails naming what CDP has not answered if
   * that takes longer than `timeoutMs`.
   */
  async settled(timeoutMs = 30_000): Promise<CapturedRequest[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const unanswered = [...this.#pending.values()].map((pending) => `${pending.method} (${this.#sessions.get(pending.sessionId)?.type ?? pending.sessionId})`);
        reject(new Error(`CDP has not answered within ${timeoutMs} ms: ${unanswered.join(', ')}`));
      }, timeoutMs);
    });
    try {
      for (let seen = -1; seen !== this.#bodies.length; ) {
        seen = this.#bodies.length;
        await Promise.race([Promise.all(this.#bodies), timeout]);
      }
    } finally {
      clearTimeout(timer);
    }
    for (const [key, list] of this.#extraHeaders) {
      const request = this.#byRequestId.get(key);
      if (request) for (const headers of list) Object.assign(request.extraHeaders, headers);
    }
    return [...this.#requests];
  }

  close(): void {
    this.#closed = true;
    this.#socket.close();
  }

  #send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new Error(`CDP ${method}: the capture is closed`));
    const id = ++this.#lastId;
    this.#socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.#pending.set(id, { method, sessionId: sessionId ?? '', resolve, reject }));
  }

  #onClose(): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) pending.reject(new Error('CDP connection closed'));
    this.#pending.clear();
  }

  #onMessage(text: string): void {
    const message = JSON.parse(text) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
    if (message.id !== undefined) {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) pending?.reject(new Error(message.error.message));
      else pending?.resolve(message.result ?? {});
      return;
    }
    const params = message.params ?? {};
    switch (message.method) {
      case 'Target.attachedToTarget':
        void this.#onAttached(params as unknown as AttachedToTarget);
        break;
      case 'Target.detachedFromTarget': {
        // A target gone (its context closed) never answers: what was asked of it fails now.
        const sessionId = String(params['sessionId']);
        for (const [id, pending] of this.#pending) {
          if (pending.sessionId !== sessionId) continue;
          this.#pending.delete(id);
          pending.reject(new Error(`CDP ${pending.method}: the target detached`));
        }
        break;
      }
      case 'Network.requestWillBeSent':
        this.#onRequest(message.sessionId ?? '', params as unknown as RequestWillBeSent);
        break;
      case 'Network.requestWillBeSentExtraInfo': {
        const key = `${message.sessionId ?? ''}/${String(params['requestId'])}`;
        const list = this.#extraHeaders.get(key) ?? [];
        list.push(params['headers'] as Record<string, string>);
        this.#extraHeaders.set(key, list);
        break;
      }
      default:
        break;
    }
  }

  #onAttached({ sessionId, targetInfo }: AttachedToTarget): Promise<void> {
    const session = { type: targetInfo.type, url: targetInfo.url, networkEnabled: false };
    this.#sessions.set(sessionId, session);
    this.targetsAttached.set(targetInfo.type, (this.targetsAttached.get(targetInfo.type) ?? 0) + 1);
    const ignore = (): void => undefined;
    // Network first, then the target's own children, then let it run: commands of one session are
    // handled in order, so nothing it sends is missed. Not awaited one by one: a service worker
    // version that is not running answers only once it starts again (and then before it runs).
    const enabled = this.#send('Network.enable', { maxPostDataSize: 65536 }, sessionId).then(() => {
      session.networkEnabled = true;
    }, ignore);
    this.#send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, sessionId).catch(ignore);
    this.#send('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(ignore);
    return enabled;
  }

  /** Targets attached whose Network.enable has not been answered (they have not run since). */
  targetsNotStarted(): string[] {
    return [...this.#sessions.values()].filter((session) => !session.networkEnabled).map((session) => `${session.type} ${session.url}`);
  }

  #onRequest(sessionId: string, { requestId, request }: RequestWillBeSent): void {
    const key = `${sessionId}/${requestId}`;
    // A redirect reuses the request id: the earlier hop stays recorded as it was.
    const captured: CapturedRequest = {
      phase: this.#phase,
      targetType: this.#sessions.get(sessionId)?.type ?? 'unknown',
      method: request.method,
      url: request.url + (request.urlFragment ?? ''),
      headers: { ...request.headers },
      extraHeaders: {},
      body: new Uint8Array(0),
      bodyState: request.hasPostData ? 'unreadable' : 'none',
    };
    this.#requests.push(captured);
    this.#byRequestId.set(key, captured);
    if (!request.hasPostData) return;
    const fromEntries = (): Uint8Array | undefined => {
      const entries = request.postDataEntries;
      if (!entries || entries.some((entry) => entry.bytes === undefined)) return undefined;
      return Buffer.concat(entries.map((entry) => Buffer.from(entry.bytes!, 'base64')));
    };
    this.#bodies.push(
      this.#send('Network.getRequestPostData', { requestId }, sessionId).then(
        (result) => {
          captured.body = Buffer.from(String(result['postData']), result['base64Encoded'] === true ? 'base64' : 'utf8');
          captured.bodyState = 'whole';
        },
        () => {
          const bytes = fromEntries();
          if (bytes !== undefined) {
            captured.body = bytes;
            captured.bodyState = 'whole';
          }
        },
      ),
    );
  }
}

interface AttachedToTarget {
  readonly sessionId: string;
  readonly targetInfo: { readonly type: string; readonly url: string };
}

interface RequestWillBeSent {
  readonly requestId: string;
  readonly request: {
    readonly url: string;
    readonly urlFragment?: string;
    readonly method: string;
    readonly headers: Record<string, string>;
    readonly hasPostData?: boolean;
    readonly postDataEntries?: readonly { readonly bytes?: string }[];
  };
}

export interface CapturingChromium {
  readonly browser: Browser;
  readonly capture: RequestCapture;
}

/** Debian's Chromium as harness.ts launches it, plus a debugging port that RequestCapture attaches to. */
export async function launchCapturingChromium(): Promise<CapturingChromium> {
  const port = await freePort();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, `--remote-debugging-port=${port}`] });
  try {
    const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string };
    return { browser, capture: await RequestCapture.connect(version.webSocketDebuggerUrl) };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
