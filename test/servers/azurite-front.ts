/**
 * A small loopback HTTP front for Azurite that can misbehave on purpose, for the Azure transport's
 * failure tests: pass requests through, flip one byte of a request body on the way (so that the
 * service sees bytes that do not match their Content-MD5), answer by itself as a failing Azure
 * front end would (503 ServerBusy, 500 OperationTimedOut …), or drop the connection (of every
 * request, or only of those that carry a SAS, so that a browser's preflights and the transport's
 * unsigned diagnostic requests still get through). The mode can
 * be changed between requests. A SAS signature does not cover the host, so a SAS URL made for
 * Azurite works through the front once its origin is swapped (`viaFront`).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FrontMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'corrupt-body' }
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly code: string;
      readonly headers?: Readonly<Record<string, string>>;
      /** `<AuthenticationErrorDetail>`, as Azure adds to AuthenticationFailed. */
      readonly authenticationDetail?: string;
    }
  | { readonly kind: 'reset' }
  /** Drop only requests that carry a SAS (not preflights, not the transport's unsigned diagnostic requests). */
  | { readonly kind: 'reset-signed' };

export interface AzuriteFront {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  mode: FrontMode;
  /** Requests seen, as `METHOD path-without-query`. */
  readonly seen: string[];
  /** `url` (an Azurite URL) with its origin replaced by the front's. */
  viaFront(url: string): string;
  close(): Promise<void>;
}

export async function startAzuriteFront(target: string): Promise<AzuriteFront> {
  const targetUrl = new URL(target);
  const seen: string[] = [];
  const front: { mode: FrontMode } = { mode: { kind: 'pass' } };

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    seen.push(`${incoming.method} ${(incoming.url ?? '').split('?')[0]}`);
    const mode = front.mode;
    const signed = incoming.method !== 'OPTIONS' && /[?&]sig=/.test(incoming.url ?? '');
    if (mode.kind === 'reset' || (mode.kind === 'reset-signed' && signed)) {
      incoming.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (mode.kind === 'answer') {
      const detail = mode.authenticationDetail === undefined ? '' : `<AuthenticationErrorDetail>${mode.authenticationDetail}</AuthenticationErrorDetail>`;
      const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${mode.code}</Code><Message>Injected by the test front.\nRequestId:front\nTime:${new Date().toISOString()}</Message>${detail}</Error>`;
      outgoing.writeHead(mode.status, { 'content-type': 'application/xml', 'x-ms-error-code': mode.code, ...mode.headers });
      outgoing.end(incoming.method === 'HEAD' ? undefined : xml);
      return;
    }
    if (mode.kind === 'corrupt-body' && body.length > 0) body[0] = body[0]! ^ 0xff;
    const forwarded = httpRequest(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: targetUrl.host },
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    forwarded.end(body);
  };

  const server: Server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch(() => outgoing.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    get mode() {
      return front.mode;
    },
    set mode(mode: FrontMode) {
      front.mode = mode;
    },
    seen,
    viaFront: (url) => {
      const parsed = new URL(url);
      return `${origin}${parsed.pathname}${parsed.search}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
