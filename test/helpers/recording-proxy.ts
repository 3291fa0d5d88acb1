/**
 * A proxy on 127.0.0.1 that records every request passing through it — method, path, every header
 * and the whole body — and forwards it untouched to the server behind (keeping the client's Host, so
 * that a SigV4 signature made for the proxy's address still holds). The answer is passed back as it
 * came, CORS headers included. It is the second channel of the plaintext test: what reached the
 * storage server, byte for byte, whatever the browser's DevTools reported.
 */
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SentRequest } from './plaintext-scan.js';

export interface ProxiedRequest extends SentRequest {
  /** The test's phase when it arrived. */
  readonly phase: string;
}

export class RecordingProxy {
  readonly requests: ProxiedRequest[] = [];
  url = '';
  #phase = 'start';
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  phase(name: string): void {
    this.#phase = name;
  }

  async start(target: string): Promise<string> {
    const upstream = new URL(target);
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        for (let i = 0; i < request.rawHeaders.length; i += 2) headers[request.rawHeaders[i]!] = request.rawHeaders[i + 1]!;
        this.requests.push({ phase: this.#phase, method: request.method ?? 'GET', url: `${this.url}${request.url ?? '/'}`, headers, extraHeaders: {}, body });
        const forwarded = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers, agent: false },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
            answer.pipe(response);
          },
        );
        forwarded.on('error', () => request.socket.destroy());
        forwarded.end(body);
      });
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
