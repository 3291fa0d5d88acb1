/**
 * One S3 bucket as Tessera talks to it, and the checks on what a person typed in. Messages name the
 * field and say what was expected; they never repeat the secret (nor any value that could be one).
 */
import { assertInteger } from '../../core/assert.js';
import { plainHttpAllowed } from '../plain-http.js';

/**
 * Path style: `https://endpoint/bucket/key`. Virtual-hosted: `https://bucket.endpoint/key` (AWS's
 * default, and the only style for buckets made after 2020 there). Every S3-compatible store
 * Tessera knows accepts path style; see presets.ts.
 */
export type S3Addressing = 'path' | 'virtual-hosted';

export interface S3BucketConfig {
  /** Stable id of this bucket in the catalog. */
  readonly bucketId: string;
  /** Service endpoint without the bucket: `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:7480`. */
  readonly endpoint: string;
  /** Region in the signature's scope: `eu-west-1`; `auto` for R2 and Google Cloud Storage. */
  readonly region: string;
  readonly bucket: string;
  readonly addressing: S3Addressing;
  readonly accessKeyId: string;
  /** Never leaves the browser: it only keys the HMAC that signs each URL. */
  readonly secretAccessKey: string;
}

/** SigV4 presigned URLs live at most 7 days (X-Amz-Expires ≤ 604800). */
export const MAX_EXPIRES_SECONDS = 604_800;


/** Checks a configuration and returns it; TypeError for a wrong type, RangeError for a wrong value. */
export function validateS3Config(config: S3BucketConfig): S3BucketConfig {
  if (typeof config !== 'object' || config === null) throw new TypeError(`config must be an object, got ${config === null ? 'null' : typeof config}`);
  for (const field of ['bucketId', 'endpoint', 'region', 'bucket', 'addressing', 'accessKeyId', 'secretAccessKey'] as const) {
    if (typeof config[field] !== 'string') throw new TypeError(`${field} must be a string, got ${typeof config[field]}`);
  }
  if (config.bucketId === '') throw new RangeError('bucketId must not be empty');
  endpointUrl(config.endpoint);
  if (!/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(config.region)) {
    throw new RangeError(`region must be lower-case letters, digits and hyphens (like eu-west-1, or auto), got "${config.region.slice(0, 40)}"`);
  }
  if (config.addressing !== 'path' && config.addressing !== 'virtual-hosted') {
    throw new RangeError(`addressing must be "path" or "virtual-hosted", got "${String(config.addressing).slice(0, 20)}"`);
  }
  // S3's bucket naming rules; Google Cloud Storage also allows "_" and longer dotted names.
  if (!/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(config.bucket) || config.bucket.includes('..')) {
    throw new RangeError(`bucket must be 3 to 222 lower-case letters, digits, dots, hyphens or underscores, got "${config.bucket.slice(0, 64)}"`);
  }
  if (config.addressing === 'virtual-hosted') {
    if (config.bucket.length > 63 || config.bucket.includes('_')) {
      throw new RangeError(`bucket "${config.bucket.slice(0, 64)}" cannot be a host name (at most 63 characters, no "_"): use path addressing`);
    }
    if (config.bucket.includes('.') && new URL(config.endpoint).protocol === 'https:') {
      // *.s3.amazonaws.com certificates cover one label: a dotted bucket name fails TLS.
      throw new RangeError(`bucket "${config.bucket}" has dots, which break HTTPS with virtual-hosted addressing: use path addressing`);
    }
  }
  // The access key id sits in X-Amz-Credential between "/" separators.
  if (!/^[A-Za-z0-9._~+=-]{1,128}$/.test(config.accessKeyId)) {
    throw new RangeError('accessKeyId must be 1 to 128 letters, digits or . _ ~ + = - (as the provider shows it)');
  }
  if (config.secretAccessKey.length === 0 || config.secretAccessKey.length > 256 || !/^[\x21-\x7e]+$/.test(config.secretAccessKey)) {
    // WARNING: never put the value in this message; say only what is wrong with it.
    throw new RangeError('secretAccessKey must be 1 to 256 printable characters without spaces');
  }
  return config;
}

/** The endpoint as a URL: http(s), no credentials, query or fragment; plain http only on loopback. */
function endpointUrl(endpoint: string): URL {
  if (!URL.canParse(endpoint)) throw new RangeError(`endpoint must be a URL like https://s3.eu-west-1.amazonaws.com, got "${endpoint.slice(0, 80)}"`);
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError(`endpoint must start with https://, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new RangeError('endpoint must not carry a user name or password: give the keys in their own fields');
  if (url.search !== '' || url.hash !== '') throw new RangeError('endpoint must not have a query (?…) or fragment (#…)');
  if (url.protocol === 'http:' && !plainHttpAllowed(url.hostname)) {
    throw new RangeError(`endpoint must use https:// (plain http:// is allowed only on this computer, 127.0.0.1 or localhost), got http://${url.host}`);
  }
  return url;
}

/**
 * Checks an object key: 1 to 1024 UTF-8 bytes, no control characters, no leading "/", and no
 * empty, "." or ".." segment (URL parsers and proxies would rewrite those paths).
 */
export function assertObjectKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError(`key must be a string, got ${key === null ? 'null' : typeof key}`);
  const bytes = new TextEncoder().encode(key).length;
  if (bytes < 1 || bytes > 1024) throw new RangeError(`key must be 1 to 1024 bytes of UTF-8, got ${bytes}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new RangeError('key must not contain control characters');
  if (key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new RangeError(`key must not start or end with "/", nor have an empty, "." or ".." segment, got "${key.slice(0, 80)}"`);
  }
}

export function assertExpires(seconds: unknown): asserts seconds is number {
  assertInteger(seconds, 'expiresSeconds', 1, MAX_EXPIRES_SECONDS);
}

/** S3's URI encoding of one path segment: everything but A–Z a–z 0–9 - _ . ~ is %XX of its UTF-8. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The URL of an object (or of the bucket itself, key undefined) with the given query parameters,
 * unsigned. Query values are strings; an empty value gives `?uploads=`, which S3 reads as `?uploads`.
 */
export function objectUrl(config: S3BucketConfig, key: string | undefined, query: Readonly<Record<string, string>> = {}): URL {
  const base = endpointUrl(config.endpoint);
  const basePath = base.pathname.replace(/\/+$/, '');
  const keyPath = key === undefined ? '' : key.split('/').map(encodeSegment).join('/');
  const url =
    config.addressing === 'path'
      ? new URL(`${base.protocol}//${base.host}${basePath}/${config.bucket}/${keyPath}`)
      : new URL(`${base.protocol}//${config.bucket}.${base.host}${basePath}/${keyPath}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}
