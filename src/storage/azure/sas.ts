/**
 * A container SAS URL as the user pastes it from the Azure portal, `az storage container
 * generate-sas` or Azure Storage Explorer:
 *
 *   https://<account>.blob.core.windows.net/<container>?sv=…&sp=rcwdl&se=…&sr=c&sig=…
 *   http://127.0.0.1:10000/<account>/<container>?…   (Azurite, and other path-style endpoints)
 *
 * The `sig` parameter is the secret: whoever has it may do what `sp` grants until `se`. It never
 * appears in a message, a log or an error (`redactSas`); the URL itself is kept only by the transport
 * that uses it. What the rest of the query says (permissions, start, expiry) is read here so that a
 * refused request can be explained without asking the server more.
 *
 * Service SAS reference: "Create a service SAS" (Azure Storage REST API), query parameters sv, st,
 * se, sr, sp, si, sip, spr, sig.
 */
import { plainHttpAllowed } from '../plain-http.js';

export interface ContainerSas {
  /** The container's URL: scheme, host, path, no query and no trailing slash. */
  readonly containerUrl: string;
  /** The SAS query string without the leading `?` (includes `sig`: never show it). */
  readonly query: string;
  /** `container` for a container SAS (`sr=c`), `account` for an account SAS that includes blobs. */
  readonly scope: 'container' | 'account';
  /** Permission letters as signed (`sp`), e.g. `rcwdl`; empty when a stored access policy (`si`) holds them. */
  readonly permissions: string;
  /** Name of the stored access policy (`si`) the SAS refers to, if any. */
  readonly policy: string | undefined;
  /** `st`, when given (ms since the epoch). */
  readonly startsAt: number | undefined;
  /** `se`, when given in the URL (ms since the epoch); a stored access policy may hold it instead. */
  readonly expiresAt: number | undefined;
}

/** Blob SAS resources (`sr`) that cover one blob only, which a transport for many blobs cannot use. */
const SINGLE_BLOB_RESOURCES = new Set(['b', 'bs', 'bv']);

/**
 * Parses and checks a container SAS URL. Throws TypeError if it is not a string and RangeError,
 * naming what is wrong (never echoing the signature), if it is not a usable container SAS URL.
 */
export function parseContainerSasUrl(sasUrl: string): ContainerSas {
  if (typeof sasUrl !== 'string') throw new TypeError(`containerSasUrl must be a string, got ${typeof sasUrl}`);
  const text = sasUrl.trim();
  if (!URL.canParse(text)) throw new RangeError('containerSasUrl is not a URL');
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RangeError(`containerSasUrl must be an https URL, got ${url.protocol}`);
  }
  // TLS is required except on this machine (DESIGN.md, threat model): the signature travels in the URL.
  if (url.protocol === 'http:' && !plainHttpAllowed(url.hostname)) {
    throw new RangeError(`containerSasUrl must use https (plain http only for 127.0.0.1 / localhost), got ${url.host}`);
  }
  if (url.username !== '' || url.password !== '') throw new RangeError('containerSasUrl must not carry a user name or password');
  const params = url.searchParams;
  const signature = params.get('sig');
  if (signature === null || signature === '') {
    throw new RangeError('containerSasUrl has no signature (sig=…): paste the whole SAS URL, including everything after "?"');
  }
  if (params.get('sv') === null) throw new RangeError('containerSasUrl has no signed version (sv=…): it is not a SAS URL');

  const resource = params.get('sr');
  let scope: ContainerSas['scope'];
  if (resource === 'c') {
    scope = 'container';
  } else if (resource === null && params.get('ss') !== null) {
    // An account SAS: usable if it covers the blob service (ss has b) and objects (srt has o).
    if (!(params.get('ss') ?? '').includes('b') || !(params.get('srt') ?? '').includes('o')) {
      throw new RangeError('containerSasUrl is an account SAS that does not cover blobs (needs ss with "b" and srt with "o")');
    }
    scope = 'account';
  } else if (resource !== null && SINGLE_BLOB_RESOURCES.has(resource)) {
    throw new RangeError(`containerSasUrl is a SAS for one blob (sr=${resource}); a container SAS (sr=c) is needed`);
  } else {
    throw new RangeError(`containerSasUrl has an unknown signed resource (sr=${resource ?? 'missing'}); a container SAS (sr=c) is needed`);
  }

  const path = url.pathname.replace(/\/+$/, '');
  if (path === '' || path === '/') throw new RangeError('containerSasUrl has no container name in its path');
  return {
    containerUrl: `${url.origin}${path}`,
    query: url.search.slice(1),
    scope,
    permissions: params.get('sp') ?? '',
    policy: params.get('si') ?? undefined,
    startsAt: parseSasTime(params.get('st'), 'st'),
    expiresAt: parseSasTime(params.get('se'), 'se'),
  };
}

/** `st` / `se` are ISO 8601 UTC (`2026-01-31T12:00:00Z`, or a date alone). */
function parseSasTime(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined;
  const time = Date.parse(value);
  if (!Number.isFinite(time)) throw new RangeError(`containerSasUrl has an unreadable ${name} (${value})`);
  return time;
}


/**
 * Replaces every SAS signature in `text` (a URL, a message, a server's error text) with `sig=REDACTED`,
 * percent-encoded or not.
 */
export function redactSas(text: string): string {
  return text.replace(/(sig(?:=|%3D))[^&\s"'<>]*/gi, '$1REDACTED');
}
