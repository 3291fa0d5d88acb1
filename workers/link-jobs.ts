/**
 * What the share worker does for a link a colleague sent (src/storage/share-links.ts): open the
 * shares its presigned URLs point to, all at once, and rebuild the file from those that answer
 * into a local OPFS file, fingerprinting it on the way so the page can compare it with the
 * fingerprint the link carries (or the plain SHA-256 an older link carries). No catalog, no bucket descriptor, no credential: the URLs are all there is.
 */
import { TesseraError, shareSize, toTesseraError, type ByteSource, type Progress, type RecoverResult, type Scheme } from '../src/core/index.js';
import type { FileIdentity, IdentityCheck } from '../src/records/identity.js';
import { transferCodeOf } from '../src/storage/remote-bucket.js';
import { openLinkedShare } from '../src/storage/share-link-source.js';
import type { LinkedShare } from '../src/storage/share-links.js';
import { raceOpen } from '../src/storage/transfer/downloader.js';
import { Fetcher } from '../src/storage/transfer/fetcher.js';
import { rebuild } from './share-jobs.js';

/** What the worker needs of a link: its shares and the split's parameters (for the shares' size). */
export interface LinkToRecover {
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  readonly size: number;
  /** ms since 1970. */
  readonly expiresAt: number;
  readonly shares: readonly LinkedShare[];
  /** What the rebuild computes to be checked against the link (src/records/identity.ts); today's fingerprint by default. */
  readonly check?: IdentityCheck;
}

/** A share of the link that could not be used, and the most specific code known (bucket.expired, share.corrupt…). */
export interface LinkShareTrouble {
  readonly x: number;
  readonly code: string;
}

export interface LinkRecovery extends FileIdentity {
  readonly result: RecoverResult;
  /** Shares whose URL could not be read (expired, missing, refused, unreachable). */
  readonly unavailable: readonly LinkShareTrouble[];
  /** Shares that were read but left out by the rebuild (damaged, of another file…). */
  readonly rejected: readonly LinkShareTrouble[];
}

/** As patient as a recovery from one's own clouds: a share whose cloud stalls is dropped, the others carry on. */
const linkFetcher = new Fetcher({ maxAttempts: 3, stallTimeoutMs: 20_000 });

/**
 * Rebuilds the file of a link into `tessera-output/<outputName>` (streamed, never in memory).
 * Throws share.too-few, naming each share that could not be read and why, when fewer than k could.
 */
export async function recoverFromLink(link: LinkToRecover, outputName: string, onProgress?: (progress: Progress) => void, workers?: number): Promise<LinkRecovery> {
  const size = shareSize(link.scheme, link.k, link.n, link.size);
  const candidates = link.shares.map((share) => ({
    id: share.x,
    open: (signal: AbortSignal): Promise<ByteSource> =>
      openLinkedShare({ x: share.x, url: share.url, size, expiresAt: link.expiresAt, fetcher: linkFetcher, signal }),
  }));
  const outcomes = await raceOpen(candidates, Math.max(1, candidates.length));
  const opened: { x: number; source: ByteSource }[] = [];
  const unavailable: LinkShareTrouble[] = [];
  for (const outcome of outcomes) {
    if (outcome.state === 'opened') opened.push({ x: outcome.id, source: outcome.source });
    else if (outcome.state === 'failed') unavailable.push({ x: outcome.id, code: transferCodeOf(outcome.error) ?? toTesseraError(outcome.error)?.code ?? 'bucket.failed' });
  }
  opened.sort((a, b) => a.x - b.x);
  unavailable.sort((a, b) => a.x - b.x);
  // The same rebuild as a recovery from one's own clouds (share-jobs.ts): streamed into OPFS, hashed.
  const rebuilt = await rebuild(
    { opened: opened.map((share) => ({ ...share, bucketId: '' })), unavailable: unavailable.map((share) => ({ x: share.x, bucketId: '', code: 'bucket.offline' as const })), late: 0 },
    outputName,
    onProgress,
    workers,
    undefined,
    link.check,
  ).catch((error: unknown) => {
    throw withUnavailable(error, unavailable);
  });
  const { result, fingerprint, sha256 } = rebuilt;
  return {
    result,
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    ...(sha256 !== undefined ? { sha256 } : {}),
    unavailable,
    rejected: rebuilt.rejected.map(({ x, code }) => ({ x, code })),
  };
}

/** Too few shares says which ones could not be read, and why (codes only: no address). */
function withUnavailable(error: unknown, unavailable: readonly LinkShareTrouble[]): unknown {
  const known = toTesseraError(error);
  if (known?.code === 'share.too-few' && unavailable.length > 0) {
    // The rebuild names them without their codes; name them with the most specific code known.
    const detail = known.detail.replace(/; could not reach .*$/, '');
    return new TesseraError('share.too-few', `${detail}; could not read ${unavailable.map((share) => `share ${share.x} (${share.code})`).join(', ')}`);
  }
  return known ?? error;
}
