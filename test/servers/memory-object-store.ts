/**
 * TEST DOUBLE. A tiny HTTP object store on 127.0.0.1, with a multipart API of its own shape, for
 * exercising the fault proxy and the uploader's behaviour under faults (test/unit/transfer-*.test.ts).
 * It checks no signature and speaks no cloud's protocol: it is NOT evidence that S3 or Azure work —
 * that is what the tests against Ceph RGW and Azurite are for.
 *
 * It does check what a real store would refuse in the uploader's own logic: a part's digest
 * (Content-MD5), parts smaller than the minimum but the last, completing with a wrong ETag or with
 * parts it does not hold, an unknown upload id.
 *
 *   PUT    /o/<key>                          whole object (Content-MD5 checked when sent)
 *   GET    /o/<key>   (Range: bytes=a-b)     200 / 206 / 416
 *   HEAD   /o/<key>                          Content-Length, or 404
 *   DELETE /o/<key>                          204 (also when missing)
 *   POST   /u/<key>                          create an upload: {"uploadId": "..."}
 *   PUT    /u/<key>?uploadId=U&partNumber=N  one part; ETag: "<md5 hex>"
 *   GET    /u/<key>?uploadId=U               {"parts": [{partNumber, etag, size}]}, 404 NoSuchUpload
 *   POST   /u/<key>?uploadId=U               complete: body {"parts": [{partNumber, etag}]}
 *   DELETE /u/<key>?uploadId=U               abort: 204 (also when unknown)
 *   GET    /uploads?key=<key>                {"uploadIds": [...]} unfinished uploads of exactly that key
 *   GET    /list?prefix=<p>                  {"objects": [{key, size}]}
 *
 * Keys are percent-encoded in the path. Every answer carries permissive CORS headers (and
 * `Access-Control-Expose-Headers: ETag`), so that the proxy's pass-through of them can be tested.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredUpload {
  readonly key: string;
  readonly parts: Map<number, Uint8Array>;
}

export interface MemoryObjectStore {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly objects: Map<string, Uint8Array>;
  /** Unfinished multipart uploads by id. */
  readonly uploads: Map<string, StoredUpload>;
  stop(): Promise<void>;
}

export interface MemoryObjectStoreOptions {
  /** Smallest part but the last that completing accepts. Default 5 MiB, like S3. */
  readonly minPartSize?: number;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, PUT, POST, DELETE, HEAD',
  'access-control-allow-headers': 'content-type, content-md5, range',
  'access-control-expose-headers': 'ETag',
};

export async function startMemoryObjectStore(options: MemoryObjectStoreOptions = {}): Promise<MemoryObjectStore> {
  const minPartSize = options.minPartSize ?? 5 * 1024 * 1024;
  const objects = new Map<string, Uint8Array>();
  const uploads = new Map<string, StoredUpload>();
  let nextUpload = 1;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://store');
    const method = request.method ?? 'GET';
    const body = await readBody(request);
    for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value);
    if (method === 'OPTIONS') return send(response, 204);

    if (url.pathname === '/uploads' && method === 'GET') {
      const key = url.searchParams.get('key') ?? '';
      return json(response, { uploadIds: [...uploads].filter(([, upload]) => upload.key === key).map(([id]) => id) });
    }
    if (url.pathname === '/list' && method === 'GET') {
      const prefix = url.searchParams.get('prefix') ?? '';
      return json(response, { objects: [...objects].filter(([key]) => key.startsWith(prefix)).map(([key, bytes]) => ({ key, size: bytes.length })) });
    }
    const match = /^\/([ou])\/(.+)$/.exec(url.pathname);
    if (!match) return error(response, 400, 'InvalidRequest');
    const key = decodeURIComponent(match[2]!);

    if (match[1] === 'o') {
      const object = objects.get(key);
      switch (method) {
        case 'PUT':
          if (!digestMatches(request, body)) return error(response, 400, 'BadDigest');
          objects.set(key, body);
          response.setHeader('etag', `"${md5(body)}"`);
          return send(response, 200);
        case 'HEAD':
        case 'GET': {
          if (!object) return error(response, 404, 'NoSuchKey');
          const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
          if (!range) return send(response, 200, object, method === 'HEAD');
          const start = Number(range[1]);
          const end = Math.min(object.length - 1, Number(range[2]));
          if (start >= object.length || end < start) return error(response, 416, 'InvalidRange');
          response.setHeader('content-range', `bytes ${start}-${end}/${object.length}`);
          return send(response, 206, object.subarray(start, end + 1), method === 'HEAD');
        }
        case 'DELETE':
          objects.delete(key);
          return send(response, 204);
        default:
          return error(response, 405, 'MethodNotAllowed');
      }
    }

    const uploadId = url.searchParams.get('uploadId');
    if (uploadId === null) {
      if (method !== 'POST') return error(response, 400, 'InvalidRequest');
      const id = `upload-${nextUpload++}`;
      uploads.set(id, { key, parts: new Map() });
      return json(response, { uploadId: id });
    }
    const upload = uploads.get(uploadId);
    if (method === 'DELETE') {
      uploads.delete(uploadId);
      return send(response, 204);
    }
    if (!upload || upload.key !== key) return error(response, 404, 'NoSuchUpload');
    switch (method) {
      case 'PUT': {
        const partNumber = Number(url.searchParams.get('partNumber'));
        if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > 10_000) return error(response, 400, 'InvalidPartNumber');
        if (!digestMatches(request, body)) return error(response, 400, 'BadDigest');
        upload.parts.set(partNumber, body);
        response.setHeader('etag', `"${md5(body)}"`);
        return send(response, 200);
      }
      case 'GET':
        return json(response, {
          parts: [...upload.parts]
            .sort(([a], [b]) => a - b)
            .map(([partNumber, bytes]) => ({ partNumber, etag: `"${md5(bytes)}"`, size: bytes.length })),
        });
      case 'POST': {
        let listed: { partNumber: number; etag: string }[];
        try {
          listed = (JSON.parse(Buffer.from(body).toString('utf8')) as { parts: { partNumber: number; etag: string }[] }).parts;
        } catch {
          return error(response, 400, 'MalformedXML');
        }
        const pieces: Uint8Array[] = [];
        for (const [index, part] of listed.entries()) {
          const bytes = upload.parts.get(part.partNumber);
          if (!bytes || `"${md5(bytes)}"` !== part.etag) return error(response, 400, 'InvalidPart');
          if (index > 0 && listed[index - 1]!.partNumber >= part.partNumber) return error(response, 400, 'InvalidPartOrder');
          if (index < listed.length - 1 && bytes.length < minPartSize) return error(response, 400, 'EntityTooSmall');
          pieces.push(bytes);
        }
        objects.set(key, new Uint8Array(Buffer.concat(pieces)));
        uploads.delete(uploadId);
        return json(response, { etag: 'multipart' });
      }
      default:
        return error(response, 405, 'MethodNotAllowed');
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((cause: unknown) => {
      // A client that went away mid-request (the proxy's resets) is not a store failure.
      if (!response.headersSent && !response.destroyed) error(response, 500, 'InternalError', String(cause));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    objects,
    uploads,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    request.on('error', reject);
    request.on('aborted', () => reject(new Error('request aborted')));
  });
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

function digestMatches(request: IncomingMessage, body: Uint8Array): boolean {
  const sent = request.headers['content-md5'];
  return sent === undefined || sent === createHash('md5').update(body).digest('base64');
}

function send(response: ServerResponse, status: number, body?: Uint8Array, headOnly = false): void {
  response.statusCode = status;
  response.setHeader('content-length', body?.length ?? 0);
  response.end(headOnly ? undefined : body);
}

function json(response: ServerResponse, value: unknown): void {
  response.setHeader('content-type', 'application/json');
  send(response, 200, Buffer.from(JSON.stringify(value)));
}

function error(response: ServerResponse, status: number, code: string, message = code): void {
  response.setHeader('content-type', 'application/xml');
  send(response, status, Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`));
}
