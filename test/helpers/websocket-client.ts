/**
 * The smallest WebSocket client the tests need (RFC 6455, text frames, client side), to speak the
 * Chrome DevTools Protocol on the browser's own debugging port beside playwright-core's pipe. Node
 * 20 has no WebSocket without a flag, and the repository has no `ws` package: a handshake, masked
 * text frames out, unmasked frames in (fragmented ones joined), ping answered, close.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

export interface WebSocketClient {
  send(text: string): void;
  close(): void;
}

/** Opens `url` (ws://host:port/path); `onMessage` gets every text message, `onClose` once. */
export function connectWebSocket(url: string, onMessage: (text: string) => void, onClose: () => void): Promise<WebSocketClient> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const handshake = request({
      host: target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
    });
    handshake.on('error', reject);
    handshake.on('response', (response) => reject(new Error(`${url}: HTTP ${response.statusCode} instead of a WebSocket upgrade`)));
    handshake.on('upgrade', (_response, socket: Socket, head: Buffer) => {
      socket.setNoDelay(true);
      let buffered = head;
      // Bytes received but not yet joined into `buffered`: a large message arrives in many chunks,
      // joined once it is all there rather than once per chunk.
      let waiting: Buffer[] = [];
      let waitingLength = 0;
      let needed = 0;
      let fragments: Buffer[] = [];
      let closed = false;
      const finish = (): void => {
        if (closed) return;
        closed = true;
        onClose();
      };
      const writeFrame = (opcode: number, payload: Buffer): void => {
        const length = payload.length;
        const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
        header[0] = 0x80 | opcode;
        if (length < 126) header[1] = 0x80 | length;
        else if (length < 65536) {
          header[1] = 0x80 | 126;
          header.writeUInt16BE(length, 2);
        } else {
          header[1] = 0x80 | 127;
          header.writeBigUInt64BE(BigInt(length), 2);
        }
        // Client frames are masked (RFC 6455 §5.3).
        const mask = randomBytes(4);
        const masked = Buffer.allocUnsafe(length);
        for (let index = 0; index < length; index++) masked[index] = payload[index]! ^ mask[index & 3]!;
        socket.write(Buffer.concat([header, mask, masked]));
      };
      const readFrames = (): void => {
        for (;;) {
          if (buffered.length < 2) return;
          const fin = (buffered[0]! & 0x80) !== 0;
          const opcode = buffered[0]! & 0x0f;
          let length = buffered[1]! & 0x7f;
          let offset = 2;
          if (length === 126) {
            if (buffered.length < 4) return;
            length = buffered.readUInt16BE(2);
            offset = 4;
          } else if (length === 127) {
            if (buffered.length < 10) return;
            length = Number(buffered.readBigUInt64BE(2));
            offset = 10;
          }
          // Server frames are never masked (§5.1).
          if (buffered.length < offset + length) {
            needed = offset + length;
            return;
          }
          const payload = buffered.subarray(offset, offset + length);
          buffered = buffered.subarray(offset + length);
          if (opcode === 0x8) {
            socket.end();
            finish();
            return;
          }
          if (opcode === 0x9) writeFrame(0xa, Buffer.from(payload));
          else if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
            fragments.push(Buffer.from(payload));
            if (fin) {
              const message = Buffer.concat(fragments).toString('utf8');
              fragments = [];
              onMessage(message);
            }
          }
        }
      };
      socket.on('data', (chunk: Buffer) => {
        waiting.push(chunk);
        waitingLength += chunk.length;
        if (buffered.length + waitingLength < needed) return;
        buffered = Buffer.concat([buffered, ...waiting]);
        waiting = [];
        waitingLength = 0;
        needed = 0;
        readFrames();
      });
      socket.on('close', finish);
      socket.on('error', finish);
      readFrames();
      resolve({
        send: (text) => writeFrame(0x1, Buffer.from(text, 'utf8')),
        close: () => {
          if (closed) return;
          writeFrame(0x8, Buffer.alloc(0));
          socket.end();
        },
      });
    });
    handshake.end();
  });
}
