/**
 * A small HTTP proxy on 127.0.0.1 in front of any server (the memory store; Ceph RGW and Azurite in
 * transfer-real-faults.test.ts), injecting faults into chosen requests. Requests and answers pass
 * through untouched otherwise — status, headers (CORS ones included, byte for byte as `rawHeaders`)
 * and body — so the server's own checks (signatures, CORS, digests) still apply. A SigV4 signature
 * covers the Host header: in front of an S3 server, start it with `preserveHost` so that the server
 * checks the signature against the host the client signed for (the proxy's).
 *
 * Faults, each for requests matching a method and a path pattern, for a number of times:
 *   status        answer with any status, headers and body without forwarding (500, an expired-URL 403…)
 *   slow-down     503 with an S3 `<Code>SlowDown</Code>` body
 *   too-many      429 with Retry-After
 *   stall         forward, then hold: `before-headers` sends nothing, `after-headers` sends the
 *                 headers and then nothing (the client must give up by itself)
 *   reset         destroy the client's socket: `before-request` (the server never sees the
 *                 request), `before-headers` (the server did the work, the answer is lost),
 *                 `after-headers` (headers and part of the body, then the reset)
 *   truncate      forward, send the headers (with the full Content-Length) and only part of the
 *                 body, then close: a body shorter than announced
 *   delay         wait, then forward
 * A `chaos` picker chooses a fault (or none) for every request, for the seeded random tests.
 */
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | { readonly kind: 'slow-down' }
  | { readonly kind: 'too-many'; readonly retryAfterSeconds: number }
  | { readonly kind: 'stall'; readonly when: 'before-headers' | 'after-headers' }
  | { readonly kind: 'reset'; readonly when: 'before-request' | 'before-headers' | 'after-headers' }
  | { readonly kind: 'truncate'; /** Fraction of the body sent, in [0, 1). Default 0.5. */ readonly keep?: number }
  | { readonly kind: 'delay'; readonly ms: number };

export interface FaultRule {
  readonly fault: Fault;
  /** Exact method, or any. */
  readonly method?: string;
  /** Matched against the path and query. */
  readonly path?: RegExp;
  /** Matching requests let through untouched before the fault applies. Default 0. */
  readonly skip?: number;
  /** Matching requests faulted, after `skip`. Default 1; Infinity for all. */
  readonly times?: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** When it arrived (performance.now(), ms). */
  readonly at: number;
  /** The fault injected, if any. */
  readonly fault: Fault['kind'] | null;
  /** Status sent to the client, if headers went out. */
  status: number | null;
}

export interface RuleHandle {
  /** How many requests this rule faulted. */
  readonly hits: number;
}

export interface FaultProxyOptions {
  /** Forward the client's Host header as it came (default: the target's host). */
  readonly preserveHost?: boolean;
}

export class FaultProxy {
  readonly requests: RecordedRequest[] = [];
  private readonly rules: { rule: FaultRule; seen: number; hits: number }[] = [];
  private chaosPicker: ((method: string, path: string) => Fault | null) | undefined;
  private readonly sockets = new Set<Socket>();
  private server: ReturnType<typeof createServer> | undefined;
  private target!: URL;
  private preserveHost = false;
  url = '';

  /** Starts on a free port of 127.0.0.1 in front of `target` (e.g. http://127.0.0.1:9000). */
  async start(target: string, options: FaultProxyOptions = {}): Promise<string> {
    this.target = new URL(target);
    this.preserveHost = options.preserveHost ?? false;
    const server = createServer((request, response) => this.handle(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Closes the port and every connection, stalled ones included. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  inject(rule: FaultRule): RuleHandle {
    const entry = { rule, seen: 0, hits: 0 };
    this.rules.push(entry);
    return {
      get hits() {
        return entry.hits;
      },
    };
  }

  /** Picks a fault for every request that no rule faulted (null: pass it through). */
  chaos(picker: ((method: string, path: string) => Fault | null) | undefined): void {
    this.chaosPicker = picker;
  }

  clear(): void {
    this.rules.length = 0;
    this.chaosPicker = undefined;
  }

  private pick(method: string, path: string): Fault | null {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.path && !rule.path.test(path)) continue;
      entry.seen++;
      if (entry.seen <= (rule.skip ?? 0) || entry.hits >= (rule.times ?? 1)) continue;
      entry.hits++;
      return rule.fault;
    }
    return this.chaosPicker?.(method, path) ?? null;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const fault = this.pick(method, path);
    const record: RecordedRequest = { method, path, at: performance.now(), fault: fault?.kind ?? null, status: null };
    this.requests.push(record);
    const reply = (status: number, headers: Record<string, string>, body: string): void => {
      record.status = status;
      request.resume();
      response.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
      response.end(body);
    };
    switch (fault?.kind) {
      case 'status':
        return reply(fault.status, fault.headers ?? {}, fault.body ?? '');
      case 'slow-down':
        return reply(503, { 'content-type': 'application/xml' }, '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      case 'too-many':
        return reply(429, { 'retry-after': String(fault.retryAfterSeconds), 'content-type': 'application/xml' }, '<Error><Code>TooManyRequests</Code></Error>');
      case 'reset':
        if (fault.when === 'before-request') {
          request.socket.destroy();
          return;
        }
        break;
      case 'delay': {
        const timer = setTimeout(() => this.forward(request, response, record, null), fault.ms);
        response.on('close', () => clearTimeout(timer));
        return;
      }
      default:
        break;
    }
    this.forward(request, response, record, fault);
  }

  private forward(request: IncomingMessage, response: ServerResponse, record: RecordedRequest, fault: Fault | null): void {
    const upstream = httpRequest(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: request.method,
        path: request.url,
        headers: this.preserveHost ? request.headers : { ...request.headers, host: this.target.host },
        // A connection per request: a pooled one could be handed to the next request while this one
        // is being torn down by a fault.
        agent: false,
      },
      (answer) => {
        if (fault?.kind === 'reset' && fault.when === 'before-headers') {
          answer.resume();
          answer.on('end', () => request.socket.destroy());
          return;
        }
        if (fault?.kind === 'stall' && fault.when === 'before-headers') {
          answer.resume(); // the server's answer is read and dropped; the client hears nothing
          return;
        }
        record.status = answer.statusCode ?? 502;
        response.writeHead(record.status, answer.statusMessage, answer.rawHeaders);
        if (fault?.kind === 'stall') {
          response.flushHeaders();
          answer.resume();
          return;
        }
        if (fault?.kind === 'reset' || fault?.kind === 'truncate') {
          const keepFraction = fault.kind === 'truncate' ? (fault.keep ?? 0.5) : 0.5;
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const body = Buffer.concat(chunks);
            const keep = Math.floor(body.length * keepFraction);
            response.flushHeaders();
            // Written straight to the socket after the headers, then the socket closed: the client
            // sees a body shorter than its Content-Length (truncate) or a connection reset (reset).
            if (keep > 0) response.write(body.subarray(0, keep));
            const socket = request.socket;
            if (fault.kind === 'reset') socket.resetAndDestroy();
            else socket.end(() => socket.destroy());
          });
          return;
        }
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      // The server is gone (killed, refused): the client sees its connection dropped.
      request.socket.destroy();
    });
    // The client went away (gave up on a stall, was reset): stop the request to the server too.
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    request.pipe(upstream);
  }
}
