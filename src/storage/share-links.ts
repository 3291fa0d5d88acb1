/**
 * "Send to a colleague": a link that lets someone else's browser fetch k + 1 shares of one record
 * straight from the clouds and rebuild the file (docs/share-links.md). The link is
 *
 *   <app address>#/receive/<payload>
 *
 * and the payload rides in the URL's fragment, which a browser never puts in a request (RFC 3986
 * §3.5; Fetch: a request's URL is serialized with "exclude fragment"), so the server hosting the
 * app never sees it. The payload is base64url of a small JSON object: the split's parameters, the
 * fingerprint of the original (so the colleague's browser can say "identical"; older links carry its
 * plain SHA-256), when the link expires,
 * the file name only if the sender chose to include it, and one presigned GET URL per share.
 *
 * WARNING: a link is a bearer credential for the file until it expires. Whoever holds it can
 * download k shares and rebuild the original; nothing binds it to the colleague it was meant for.
 * The sender sees the exact expiry and this warning before copying it.
 *
 * What can be signed for a link (planShareLink): S3-compatible buckets (SigV4 query-string
 * presigning with the person's own key, at most 7 days) and buckets an organisation signs for
 * (its presign endpoint decides the longest lifetime, 15 minutes in the reference). Not the demo
 * clouds (they live inside this browser), not Azure (a read-only SAS for one blob can be made only
 * with the account key or a user delegation key, and the app holds neither: only the container
 * SAS, which also grants write and delete on the whole container, so it is never put in a link),
 * and not a share still waiting on this device.
 *
 * Pure apart from signing (which may ask an organisation's endpoint): no DOM, usable on the page,
 * in workers and in Node.
 */
import { FINGERPRINT_PATTERN } from '../core/fingerprint.js';
import { SCHEMES, type Scheme } from '../core/types.js';
import { PresignEndpointSigner } from './presign-endpoint/signer.js';
import { validatePresignEndpointConfig } from './presign-endpoint/config.js';
import { MAX_EXPIRES_SECONDS, type S3BucketConfig } from './s3/config.js';
import { presignS3Request } from './s3/presign.js';
import { TransferError } from './transfer/transport.js';
import type { BucketDescriptor, PresignEndpointBucketDescriptor, S3BucketDescriptor } from './types.js';
import { plainHttpAllowed } from './plain-http.js';

/** The payload format this code writes; a link of another version is refused (`link.version`). */
export const SHARE_LINK_VERSION = 1;

/** What follows the app's address: `#/receive/<payload>`. */
export const RECEIVE_ROUTE = '#/receive/';

/**
 * Longest payload accepted or made, in characters. Browsers take far longer addresses, but chat
 * and mail programs cut or refuse them; at about 350 characters per presigned URL this leaves room
 * for some 17 shares.
 */
export const MAX_PAYLOAD_LENGTH = 8192;

/** Longest lifetime of a link: SigV4's limit for a presigned URL (X-Amz-Expires ≤ 604800). */
export const MAX_LINK_SECONDS = MAX_EXPIRES_SECONDS;

/** A file name in a link: at most this many characters, no path, no control characters. */
const MAX_FILE_NAME_LENGTH = 255;
const MAX_URL_LENGTH = 4096;
const HEX_32 = /^[0-9a-f]{32}$/;
const HEX_64 = /^[0-9a-f]{64}$/;

export const SHARE_LINK_ERROR_CODES = ['link.malformed', 'link.version', 'link.too-few-shares', 'link.bad-url', 'link.too-long'] as const;
export type ShareLinkErrorCode = (typeof SHARE_LINK_ERROR_CODES)[number];

/**
 * A link that cannot be read or made. The message says what is wrong and never repeats a URL (it
 * carries a signature) or any other part of the payload.
 */
export class ShareLinkError extends Error {
  override readonly name = 'ShareLinkError';
  constructor(
    readonly code: ShareLinkErrorCode,
    message: string,
  ) {
    super(`[${code}] ${message}`);
  }
}

/** One share in a link: its x and a presigned GET URL for its object. */
export interface LinkedShare {
  readonly x: number;
  readonly url: string;
}

export interface ShareLinkPayload {
  readonly version: typeof SHARE_LINK_VERSION;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  /** Bytes of the original. */
  readonly size: number;
  /** The split id in every share's header (32 hex digits): the rebuilt split must carry it. */
  readonly splitId: string;
  /** The original's fingerprint (src/core/fingerprint.ts), hex: what the rebuild is checked against. */
  readonly fingerprint?: string;
  /** Links made before fingerprints carry the plain SHA-256 of the original instead. */
  readonly sha256?: string;
  /** When the first of its URLs stops working, seconds since 1970 (UTC), by the sender's clock. */
  readonly expiresAt: number;
  /** Present only when the sender chose to include it. */
  readonly fileName?: string;
  /** The file is a folder packed as a tar archive (src/records/folder.ts). */
  readonly folder?: true;
  /** At least k, in ascending x, each x once. */
  readonly shares: readonly LinkedShare[];
}

/** The payload as it is written: short keys (docs/share-links.md, "Payload"). */
interface WirePayload {
  v: number;
  s: string;
  k: number;
  n: number;
  z: number;
  i: string;
  /** The fingerprint. */
  p?: string;
  /** The plain SHA-256 (links made before fingerprints). */
  h?: string;
  e: number;
  f?: string;
  d?: 1;
  u: [number, string][];
}

const isCount = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;

function malformed(what: string): ShareLinkError {
  return new ShareLinkError('link.malformed', `the link is damaged or incomplete: ${what}`);
}


/**
 * Checks one share URL: https (plain http only on this computer, as for the buckets themselves),
 * no user name or password, no fragment, at most 4096 characters. Throws link.bad-url naming the
 * share, never quoting the URL.
 */
function assertShareUrl(url: unknown, x: number): asserts url is string {
  const bad = (why: string): ShareLinkError => new ShareLinkError('link.bad-url', `share ${x}: ${why}`);
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH || !URL.canParse(url)) throw bad('its address is not a web address');
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && plainHttpAllowed(parsed.hostname))) {
    throw bad(`its address must be https (plain http only on this computer), not ${parsed.protocol.replace(/:$/, '').slice(0, 12)}`);
  }
  if (parsed.username !== '' || parsed.password !== '') throw bad('its address carries a user name or password');
  if (parsed.hash !== '') throw bad('its address has a fragment (#…)');
}

function assertFileName(name: unknown): asserts name is string {
  // eslint-disable-next-line no-control-regex
  if (typeof name !== 'string' || name.length < 1 || name.length > MAX_FILE_NAME_LENGTH || /[\u0000-\u001f\u007f/\\]/.test(name)) {
    throw malformed(`the file name must be 1 to ${MAX_FILE_NAME_LENGTH} characters without a path or control characters`);
  }
}

/** Checks a payload (what encode writes, what decode returns); throws ShareLinkError. */
function assertPayload(payload: ShareLinkPayload): void {
  if (payload.version !== SHARE_LINK_VERSION) {
    throw new ShareLinkError('link.version', `the link was made by another version of Tessera (format ${String(payload.version).slice(0, 12)}); this one reads format ${SHARE_LINK_VERSION}: open it with the latest Tessera`);
  }
  if (!(SCHEMES as readonly unknown[]).includes(payload.scheme)) throw malformed('unknown scheme');
  if (!isCount(payload.n, 2, 255) || !isCount(payload.k, 2, payload.n)) throw malformed('k and n must be whole numbers with 2 ≤ k ≤ n ≤ 255');
  if (!isCount(payload.size, 0, Number.MAX_SAFE_INTEGER)) throw malformed('the size must be a whole number of bytes');
  if (typeof payload.splitId !== 'string' || !HEX_32.test(payload.splitId)) throw malformed('the split id must be 32 hex digits');
  if (payload.fingerprint === undefined && payload.sha256 === undefined) throw malformed('it names no file (no fingerprint)');
  for (const [digest, pattern] of [[payload.fingerprint, FINGERPRINT_PATTERN], [payload.sha256, HEX_64]] as const) {
    if (digest !== undefined && (typeof digest !== 'string' || !pattern.test(digest))) throw malformed('the fingerprint must be 64 hex digits (after 256k: for 256 KiB blocks)');
  }
  if (!isCount(payload.expiresAt, 1, Number.MAX_SAFE_INTEGER)) throw malformed('the expiry must be a time');
  if (payload.fileName !== undefined) assertFileName(payload.fileName);
  if (payload.folder !== undefined && payload.folder !== true) throw malformed('the folder mark must be 1');
  if (!Array.isArray(payload.shares)) throw malformed('no list of shares');
  let previous = 0;
  for (const share of payload.shares) {
    if (typeof share !== 'object' || share === null || !isCount(share.x, 1, payload.n) || share.x <= previous) {
      throw malformed(`share numbers must be distinct, ascending, from 1 to ${payload.n}`);
    }
    previous = share.x;
    assertShareUrl(share.url, share.x);
  }
  if (payload.shares.length < payload.k) {
    throw new ShareLinkError('link.too-few-shares', `the link carries ${payload.shares.length} ${payload.shares.length === 1 ? 'share' : 'shares'}, and ${payload.k} are needed to rebuild the file`);
  }
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The payload as it goes after `#/receive/`. Throws ShareLinkError when it is not a valid payload or too long. */
export function encodeShareLink(payload: ShareLinkPayload): string {
  assertPayload(payload);
  const wire: WirePayload = {
    v: payload.version,
    s: payload.scheme,
    k: payload.k,
    n: payload.n,
    z: payload.size,
    i: payload.splitId,
    ...(payload.fingerprint !== undefined ? { p: payload.fingerprint } : {}),
    ...(payload.sha256 !== undefined ? { h: payload.sha256 } : {}),
    e: payload.expiresAt,
    ...(payload.fileName !== undefined ? { f: payload.fileName } : {}),
    ...(payload.folder ? { d: 1 as const } : {}),
    u: payload.shares.map((share) => [share.x, share.url]),
  };
  const encoded = base64url(new TextEncoder().encode(JSON.stringify(wire)));
  if (encoded.length > MAX_PAYLOAD_LENGTH) {
    throw new ShareLinkError('link.too-long', `the link would be ${encoded.length} characters, more than the ${MAX_PAYLOAD_LENGTH} mail and chat programs pass on intact: send fewer shares`);
  }
  return encoded;
}

/** Reads a payload (the part after `#/receive/`). Throws ShareLinkError saying what is wrong, never quoting it. */
export function decodeShareLink(encoded: string): ShareLinkPayload {
  if (typeof encoded !== 'string') throw new TypeError(`payload must be a string, got ${typeof encoded}`);
  if (encoded.length > MAX_PAYLOAD_LENGTH) throw new ShareLinkError('link.too-long', `the link is longer than ${MAX_PAYLOAD_LENGTH} characters`);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded) || encoded.length % 4 === 1) throw malformed('it was cut short or changed (not base64url)');
  let wire: unknown;
  try {
    wire = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(encoded)));
  } catch {
    throw malformed('it was cut short or changed (not readable)');
  }
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) throw malformed('not a link payload');
  const { v, s, k, n, z, i, p, h, e, f, d, u } = wire as Record<string, unknown>;
  // The version first: a newer format may have changed every other field.
  if (v !== SHARE_LINK_VERSION) {
    // Not String(v): an object such as {"toString":1} cannot be made a string (TypeError).
    const format = typeof v === 'object' && v !== null ? typeof v : String(v);
    throw new ShareLinkError('link.version', `the link was made by another version of Tessera (format ${format.slice(0, 12)}); this one reads format ${SHARE_LINK_VERSION}: open it with the latest Tessera`);
  }
  if (!Array.isArray(u) || !u.every((entry) => Array.isArray(entry) && entry.length === 2)) throw malformed('no list of shares');
  if (d !== undefined && d !== 1) throw malformed('the folder mark must be 1');
  const payload = {
    version: SHARE_LINK_VERSION,
    scheme: s,
    k,
    n,
    size: z,
    splitId: i,
    ...(p !== undefined ? { fingerprint: p } : {}),
    ...(h !== undefined ? { sha256: h } : {}),
    expiresAt: e,
    ...(f !== undefined ? { fileName: f } : {}),
    ...(d === 1 ? { folder: true } : {}),
    shares: (u as [unknown, unknown][]).map(([x, url]) => ({ x, url })),
  } as ShareLinkPayload;
  assertPayload(payload);
  return payload;
}

/** The payload in a location's fragment (`#/receive/<payload>`), or undefined when the fragment is something else. */
export function payloadFromHash(hash: string): string | undefined {
  return hash.startsWith(RECEIVE_ROUTE) ? hash.slice(RECEIVE_ROUTE.length) : undefined;
}

/** The link to send: the app's own address (no query, no fragment) with the payload in the fragment. */
export function shareLinkUrl(appAddress: string, encoded: string): string {
  const url = new URL(appAddress);
  return `${url.origin}${url.pathname}${RECEIVE_ROUTE}${encoded}`;
}

/** Why a share cannot go into a link. */
export type LinkRefusal = 'demo' | 'azure' | 'pending' | 'switched-off' | 'not-set-up';

/** A share of a record, as the catalog has it. */
export interface ShareToLink {
  readonly x: number;
  readonly bucketId: string;
  readonly key: string;
  readonly state?: 'pending';
}

export type SignableDescriptor = S3BucketDescriptor | PresignEndpointBucketDescriptor;

export interface LinkPlan {
  /** The shares to sign, ascending x, at most as many as asked. */
  readonly signable: readonly { readonly x: number; readonly key: string; readonly descriptor: SignableDescriptor }[];
  /** Shares that cannot be in a link, and why. */
  readonly leftOut: readonly { readonly x: number; readonly bucketId: string; readonly reason: LinkRefusal }[];
}

/**
 * Which shares a link can carry: stored shares in S3-compatible buckets or buckets an organisation
 * signs for, set up in this visit and switched on, the first `want` of them (k + 1: the colleague
 * can then lose one cloud, or find a damaged share). Everything else is left out with its reason.
 */
export function planShareLink(shares: readonly ShareToLink[], buckets: readonly BucketDescriptor[], want: number): LinkPlan {
  if (!Number.isSafeInteger(want) || want < 1) throw new RangeError(`want: expected a positive integer, got ${want}`);
  const byId = new Map(buckets.map((bucket) => [bucket.id, bucket]));
  const signable: { x: number; key: string; descriptor: SignableDescriptor }[] = [];
  const leftOut: { x: number; bucketId: string; reason: LinkRefusal }[] = [];
  for (const share of [...shares].sort((a, b) => a.x - b.x)) {
    const descriptor = byId.get(share.bucketId);
    const refuse = (reason: LinkRefusal): void => void leftOut.push({ x: share.x, bucketId: share.bucketId, reason });
    if (share.state === 'pending') refuse('pending');
    else if (descriptor === undefined) refuse(share.bucketId.startsWith('demo-') ? 'demo' : 'not-set-up');
    else if (descriptor.kind === 'demo') refuse('demo');
    else if (descriptor.kind === 'azure') refuse('azure');
    else if (!descriptor.online) refuse('switched-off');
    else if (signable.length < want) signable.push({ x: share.x, key: share.key, descriptor });
  }
  return { signable, leftOut };
}

export interface SignedLinkShares {
  readonly shares: readonly LinkedShare[];
  /** When the first URL stops working, ms since 1970 on this device's clock. */
  readonly expiresAt: number;
}

function s3Config(descriptor: S3BucketDescriptor): S3BucketConfig {
  const { id, endpoint, region, bucket, addressing, accessKeyId, secretAccessKey } = descriptor;
  return { bucketId: id, endpoint, region, bucket, addressing, accessKeyId, secretAccessKey };
}

/**
 * Presigns a GET for each planned share, valid `expiresSeconds` (1 s to 7 days). S3 buckets are
 * signed here with the person's key, dated to the whole second (SigV4 dates have no fraction), so
 * the expiry is exact; a bucket an organisation signs for is asked of its endpoint, which may
 * refuse a lifetime over its limit (a TransferError, `bucket.permission`, naming `expiry-refused`).
 * The link's expiry is the earliest of the URLs', on this device's clock.
 */
export async function signLinkShares(
  plan: LinkPlan,
  expiresSeconds: number,
  options: { readonly now?: () => number; readonly signal?: AbortSignal } = {},
): Promise<SignedLinkShares> {
  if (!isCount(expiresSeconds, 1, MAX_LINK_SECONDS)) throw new RangeError(`expiresSeconds must be a whole number from 1 to ${MAX_LINK_SECONDS}, got ${String(expiresSeconds)}`);
  if (plan.signable.length === 0) throw new RangeError('plan: no share to sign');
  const now = options.now ?? Date.now;
  const signed = await Promise.all(
    plan.signable.map(async ({ x, key, descriptor }) => {
      if (descriptor.kind === 's3') {
        const signedAt = Math.floor(now() / 1000) * 1000;
        const url = await presignS3Request(s3Config(descriptor), { method: 'GET', key, expiresSeconds, date: new Date(signedAt) });
        return { x, url: url.href, expiresAt: signedAt + expiresSeconds * 1000 };
      }
      const config = validatePresignEndpointConfig({ bucketId: descriptor.id, endpoint: descriptor.endpoint, bucket: descriptor.bucket, auth: { kind: 'bearer', token: descriptor.token } });
      const signature = await new PresignEndpointSigner(config, now).sign({ what: `sign share ${x} for a link`, method: 'GET', key, expiresSeconds, ...(options.signal ? { signal: options.signal } : {}) });
      if (Object.keys(signature.headers).length > 0) {
        // A link is a bare URL: headers the storage would also want cannot travel with it.
        throw new TransferError('fatal', 'bucket.failed', `sign share ${x} for a link: the organisation's signing service wants headers sent with the download, which a link cannot carry`, 0);
      }
      // The endpoint's clock, brought to this device's.
      return { x, url: signature.url.href, expiresAt: signature.signedAt - signature.clockOffsetMs + signature.expiresSeconds * 1000 };
    }),
  );
  return { shares: signed.map(({ x, url }) => ({ x, url })), expiresAt: Math.min(...signed.map((share) => share.expiresAt)) };
}
