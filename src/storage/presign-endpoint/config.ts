/**
 * One bucket reached through an organisation's presign endpoint (docs/presign-endpoint.md): where
 * the endpoint is, which of the organisation's buckets, and how the app signs in to it. The
 * storage key stays with the organisation; the app holds at most a bearer token.
 */
import { plainHttpAllowed } from '../plain-http.js';

/**
 * `bearer`: a token the user pasted, sent as `Authorization: Bearer …` (kept like any credential:
 * encrypted under the passphrase, or for the session only). `cookie`: the organisation's own
 * sign-in (SSO) cookie, sent with `credentials: 'include'`.
 */
export type PresignEndpointAuth = { readonly kind: 'bearer'; readonly token: string } | { readonly kind: 'cookie' };

export interface PresignEndpointConfig {
  /** Stable id of this bucket in the catalog. */
  readonly bucketId: string;
  /** Base URL of the endpoint, `https://presign.hospital.example/tessera`; requests go to `<endpoint>/presign`. */
  readonly endpoint: string;
  /** The id the organisation gave this bucket (not necessarily the storage's bucket name). */
  readonly bucket: string;
  readonly auth: PresignEndpointAuth;
}


/** An http(s) URL without credentials, query or fragment; plain http only on loopback. */
export function assertServiceUrl(value: string, name: string): URL {
  if (!URL.canParse(value)) throw new RangeError(`${name} must be a URL like https://presign.example.org, got "${value.slice(0, 80)}"`);
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError(`${name} must start with https://, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new RangeError(`${name} must not carry a user name or password`);
  if (url.protocol === 'http:' && !plainHttpAllowed(url.hostname)) {
    throw new RangeError(`${name} must use https:// (plain http:// is allowed only on this computer, 127.0.0.1 or localhost), got http://${url.host}`);
  }
  return url;
}

/** Checks a configuration and returns it; TypeError for a wrong type, RangeError for a wrong value. */
export function validatePresignEndpointConfig(config: PresignEndpointConfig): PresignEndpointConfig {
  if (typeof config !== 'object' || config === null) throw new TypeError(`config must be an object, got ${config === null ? 'null' : typeof config}`);
  for (const name of ['bucketId', 'endpoint', 'bucket'] as const) {
    if (typeof config[name] !== 'string') throw new TypeError(`${name} must be a string, got ${typeof config[name]}`);
  }
  if (config.bucketId === '') throw new RangeError('bucketId must not be empty');
  const url = assertServiceUrl(config.endpoint, 'endpoint');
  if (url.search !== '' || url.hash !== '') throw new RangeError('endpoint must not have a query (?…) or fragment (#…)');
  if (!/^[A-Za-z0-9._~-]{1,128}$/.test(config.bucket)) throw new RangeError(`bucket must be 1 to 128 letters, digits or . _ ~ -, got "${config.bucket.slice(0, 64)}"`);
  const auth: unknown = config.auth;
  if (typeof auth !== 'object' || auth === null) throw new TypeError('auth must be { kind: "bearer", token } or { kind: "cookie" }');
  const { kind, token } = auth as { kind?: unknown; token?: unknown };
  if (kind === 'bearer') {
    // RFC 6750 §2.1 b64token; WARNING: never put the value in a message.
    if (typeof token !== 'string' || !/^[A-Za-z0-9\-._~+/]+=*$/.test(token) || token.length > 4096) {
      throw new RangeError('auth.token must be 1 to 4096 characters of a bearer token (letters, digits and - . _ ~ + / =)');
    }
  } else if (kind !== 'cookie') {
    throw new RangeError(`auth.kind must be "bearer" or "cookie", got "${String(kind).slice(0, 20)}"`);
  }
  return config;
}

/** Where presign requests go: `<endpoint>/presign`. */
export function presignUrl(config: PresignEndpointConfig): URL {
  const base = assertServiceUrl(config.endpoint, 'endpoint');
  return new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}/presign`);
}
