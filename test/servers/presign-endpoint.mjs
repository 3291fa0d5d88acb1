/**
 * Reference implementation of an organisation's presign endpoint (docs/presign-endpoint.md): it
 * holds the organisation's S3 key and answers `POST /presign` with a SigV4 presigned request for
 * one operation on one object. It never touches the storage and never receives an object's bytes:
 * requests over MAX_REQUEST_BYTES are refused unread.
 *
 *   node test/servers/presign-endpoint.mjs --config presign.json
 *
 *   { "port": 8787, "token": "…", "allowOrigin": ["https://tessera.example.org"],
 *     "s3": { "endpoint": "https://s3.eu-west-1.amazonaws.com", "region": "eu-west-1",
 *             "accessKeyId": "…", "secretAccessKey": "…", "buckets": { "records-a": "hospital-shares-a" } } }
 *
 * or from a test: `const endpoint = await startPresignEndpoint({ … }); … endpoint.url …; await endpoint.stop()`.
 * Plain HTTP on 127.0.0.1 here; in production it sits behind the organisation's HTTPS front.
 * Only dependency: aws4fetch (as the app's own S3 presigner, src/storage/s3/presign.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { AwsV4Signer } from 'aws4fetch';

/** The largest request body read: a presign request is a few hundred bytes of JSON. */
const MAX_REQUEST_BYTES = 4096;
/** Keys the endpoint signs: a share under a random record id, or the bucket set-up screen's probe (src/app/location-probe.ts). */
const KEY_POLICY = /^tessera\/(?:[0-9a-f]{32}\/(?:[1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\.tshare|probe\/[0-9a-f]{32})$/;
/** Prefixes list-objects may ask for. */
const PREFIX_POLICY = /^tessera\/(?:[0-9a-f]{32}\/)?$/;
const UPLOAD_ID = /^[\x21-\x7e]{1,1024}$/;
const CONTENT_MD5 = /^[A-Za-z0-9+/]{22}==$/;
const CONTENT_TYPE = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;
const MAX_PART_NUMBER = 10_000;
const MAX_OBJECT_SIZE = 5 * 1024 ** 3;

class Refusal extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** @param {Record<string, unknown>} body @param {string} name */
function field(body, name, pattern, required = true) {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new Refusal(400, 'bad-request', `${name} is missing or malformed`);
  return value;
}

/** @param {Record<string, unknown>} body @param {string} name */
function integerField(body, name, min, max, required = true) {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new Refusal(400, 'bad-request', `${name} must be an integer from ${min} to ${max}`);
  return value;
}

function policyKey(body) {
  const key = body.key;
  if (typeof key !== 'string' || !KEY_POLICY.test(key)) {
    throw new Refusal(403, 'key-refused', 'only keys tessera/<32 hex digits>/<1-255>.tshare and tessera/probe/<32 hex digits> are signed');
  }
  return key;
}

/** What S3 request an operation is: method, key (undefined: the bucket), query, headers to bind. */
function describe(body) {
  switch (body.operation) {
    case 'put':
      integerField(body, 'size', 0, MAX_OBJECT_SIZE);
      return {
        method: 'PUT',
        key: policyKey(body),
        query: {},
        headers: { 'content-type': field(body, 'contentType', CONTENT_TYPE), 'content-md5': field(body, 'contentMd5', CONTENT_MD5) },
      };
    case 'create-multipart':
      return { method: 'POST', key: policyKey(body), query: { uploads: '' }, headers: { 'content-type': field(body, 'contentType', CONTENT_TYPE) } };
    case 'upload-part':
      integerField(body, 'size', 0, MAX_OBJECT_SIZE);
      return {
        method: 'PUT',
        key: policyKey(body),
        query: { partNumber: String(integerField(body, 'partNumber', 1, MAX_PART_NUMBER)), uploadId: field(body, 'uploadId', UPLOAD_ID) },
        headers: { 'content-md5': field(body, 'contentMd5', CONTENT_MD5) },
      };
    case 'list-parts': {
      const marker = integerField(body, 'partNumberMarker', 0, MAX_PART_NUMBER, false);
      const query = { uploadId: field(body, 'uploadId', UPLOAD_ID), 'max-parts': '1000' };
      if (marker !== undefined) query['part-number-marker'] = String(marker);
      return { method: 'GET', key: policyKey(body), query, headers: {} };
    }
    case 'complete-multipart':
      return {
        method: 'POST',
        key: policyKey(body),
        query: { uploadId: field(body, 'uploadId', UPLOAD_ID) },
        headers: { 'content-type': 'application/xml', 'content-md5': field(body, 'contentMd5', CONTENT_MD5) },
      };
    case 'abort-multipart':
      return { method: 'DELETE', key: policyKey(body), query: { uploadId: field(body, 'uploadId', UPLOAD_ID) }, headers: {} };
    case 'get':
      return { method: 'GET', key: policyKey(body), query: {}, headers: {} };
    case 'head':
      return { method: 'HEAD', key: policyKey(body), query: {}, headers: {} };
    case 'delete':
      return { method: 'DELETE', key: policyKey(body), query: {}, headers: {} };
    case 'list-uploads': {
      const query = { uploads: '', prefix: policyKey(body), 'max-uploads': '1000' };
      const keyMarker = field(body, 'keyMarker', KEY_POLICY, false);
      const uploadIdMarker = field(body, 'uploadIdMarker', UPLOAD_ID, false);
      if (keyMarker !== undefined && uploadIdMarker !== undefined) Object.assign(query, { 'key-marker': keyMarker, 'upload-id-marker': uploadIdMarker });
      return { method: 'GET', key: undefined, query, headers: {} };
    }
    case 'list-objects': {
      if (typeof body.prefix !== 'string' || !PREFIX_POLICY.test(body.prefix)) throw new Refusal(403, 'key-refused', 'only the prefixes tessera/ and tessera/<32 hex digits>/ are listed');
      const query = { 'list-type': '2', prefix: body.prefix, 'max-keys': '1000' };
      const token = field(body, 'continuationToken', UPLOAD_ID, false);
      if (token !== undefined) query['continuation-token'] = token;
      return { method: 'GET', key: undefined, query, headers: {} };
    }
    default:
      throw new Refusal(400, 'bad-request', 'operation is missing or unknown');
  }
}

/** S3's URI encoding of one path segment. */
function encodeSegment(segment) {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function bucketsOf(buckets) {
  return new Map(Array.isArray(buckets) ? buckets.map((name) => [name, name]) : Object.entries(buckets));
}

/**
 * Starts the endpoint on 127.0.0.1.
 * @param {import('./presign-endpoint.d.mts').PresignEndpointOptions} options
 * @returns {Promise<import('./presign-endpoint.d.mts').PresignEndpoint>}
 */
export async function startPresignEndpoint(options) {
  const { s3, token } = options;
  const buckets = bucketsOf(s3.buckets);
  const origins = new Set([options.allowOrigin ?? []].flat());
  const maxExpiresSeconds = options.maxExpiresSeconds ?? 900;
  const now = options.now ?? Date.now;
  const expectedAuthorization = Buffer.from(`Bearer ${token}`);
  const s3Base = new URL(s3.endpoint);
  /** @type {import('./presign-endpoint.d.mts').ReceivedRequest[]} */
  const received = [];

  const sign = async (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Refusal(400, 'bad-request', 'expected a JSON object');
    const bucket = typeof body.bucket === 'string' ? buckets.get(body.bucket) : undefined;
    if (bucket === undefined) throw new Refusal(404, 'no-such-bucket', 'this endpoint signs for no bucket of that id');
    const request = describe(body);
    const expiresSeconds = body.expiresSeconds ?? maxExpiresSeconds;
    if (!Number.isSafeInteger(expiresSeconds) || expiresSeconds < 1) throw new Refusal(400, 'bad-request', 'expiresSeconds must be a positive integer');
    if (expiresSeconds > maxExpiresSeconds) throw new Refusal(403, 'expiry-refused', `URLs live at most ${maxExpiresSeconds} seconds here`);
    const path = request.key === undefined ? '' : request.key.split('/').map(encodeSegment).join('/');
    const url = new URL(`${s3Base.origin}${s3Base.pathname.replace(/\/+$/, '')}/${bucket}/${path}`);
    for (const [name, value] of Object.entries(request.query)) url.searchParams.set(name, value);
    url.searchParams.set('X-Amz-Expires', String(expiresSeconds));
    const signedAt = now();
    const signer = new AwsV4Signer({
      method: request.method,
      url: url.href,
      headers: request.headers,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      service: 's3',
      region: s3.region,
      datetime: new Date(signedAt).toISOString().replace(/[:-]|\.\d{3}/g, ''),
      signQuery: true,
      allHeaders: true,
    });
    const signed = await signer.sign();
    // The answer's times are whole seconds, as the signature's X-Amz-Date.
    const signedSeconds = Math.floor(signedAt / 1000) * 1000;
    return {
      url: signed.url.href,
      method: request.method,
      headers: request.headers,
      signedAt: new Date(signedSeconds).toISOString(),
      expiresAt: new Date(signedSeconds + expiresSeconds * 1000).toISOString(),
    };
  };

  const server = createServer((req, res) => {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (options.record === true) received.push({ method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, bodyBytes: size, body: text });
      const origin = req.headers.origin;
      const cors = origin !== undefined && origins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
      const answer = (status, json, headers = {}) => {
        const payload = json === undefined ? '' : JSON.stringify(json);
        res.writeHead(status, { ...cors, ...headers, 'cache-control': 'no-store', ...(json === undefined ? {} : { 'content-type': 'application/json' }) });
        res.end(payload);
      };
      const refuse = (refusal) => answer(refusal.status, { error: { code: refusal.code, message: refusal.message } });
      if (req.url !== '/presign') return refuse(new Refusal(404, 'not-found', 'the only path is /presign'));
      if (req.method === 'OPTIONS') {
        // The preflight of a POST with Authorization and a JSON body.
        if (!('access-control-allow-origin' in cors)) return answer(403, undefined);
        return answer(204, undefined, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' });
      }
      if (req.method !== 'POST') return refuse(new Refusal(405, 'bad-request', 'use POST'));
      if (origin !== undefined && !origins.has(origin)) return refuse(new Refusal(403, 'origin-refused', 'this site may not use this endpoint'));
      if (tooLarge) return refuse(new Refusal(413, 'bad-request', `a presign request is at most ${MAX_REQUEST_BYTES} bytes of JSON`));
      const authorization = Buffer.from(req.headers.authorization ?? '');
      if (authorization.length !== expectedAuthorization.length || !timingSafeEqual(authorization, expectedAuthorization)) {
        return refuse(new Refusal(401, 'unauthenticated', 'the bearer token is missing or not valid'));
      }
      if (!/^application\/json(;|$)/.test(req.headers['content-type'] ?? '')) return refuse(new Refusal(400, 'bad-request', 'send application/json'));
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        return refuse(new Refusal(400, 'bad-request', 'the body is not JSON'));
      }
      sign(body).then(
        (signed) => answer(200, signed),
        (error) => refuse(error instanceof Refusal ? error : new Refusal(500, 'unavailable', 'signing failed')),
      );
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    url: `http://${address.address}:${address.port}`,
    received,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { config: { type: 'string' } } });
  if (values.config === undefined) {
    console.error('usage: node test/servers/presign-endpoint.mjs --config presign.json');
    process.exit(2);
  }
  const endpoint = await startPresignEndpoint(JSON.parse(await readFile(values.config, 'utf8')));
  console.log(`presign endpoint listening at ${endpoint.url}/presign`);
}
