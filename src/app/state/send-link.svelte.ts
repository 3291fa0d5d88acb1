import type { CatalogRecord } from '../../jobs/index.js';
import type { BucketDescriptor } from '../../storage/index.js';
import { toBucketError, transferCodeOf } from '../../storage/remote-bucket.js';
import { encodeShareLink, planShareLink, shareLinkUrl, signLinkShares, ShareLinkError, type LinkPlan } from '../../storage/share-links.js';
import { audit } from '../../vault/audit.js';
import { describeError, type ShownError } from '../errors.js';

/** The lifetimes offered, in seconds; SigV4 allows 7 days at most. */
export const LINK_LIFETIMES = [
  { seconds: 15 * 60, words: '15 minutes' },
  { seconds: 60 * 60, words: '1 hour' },
  { seconds: 24 * 60 * 60, words: '1 day' },
  { seconds: 7 * 24 * 60 * 60, words: '7 days (the longest a signed address can last)' },
] as const;

export type LinkDraft =
  | { readonly state: 'choosing' }
  | { readonly state: 'signing' }
  | {
      readonly state: 'made';
      readonly link: string;
      /** ms since 1970, this device's clock. */
      readonly expiresAt: number;
      readonly shares: readonly number[];
      readonly withName: boolean;
    }
  | { readonly state: 'failed'; readonly error: ShownError };

/**
 * One "Send to a colleague" dialog: which shares of the record can go into a link (and why the
 * others cannot), the lifetime and file-name choices, and the link once made. The link exists
 * only here, in memory, until the dialog is closed: it is never stored, logged or sent by the app.
 */
export class SendLink {
  lifetime = $state<number>(LINK_LIFETIMES[1].seconds);
  withName = $state(false);
  draft = $state.raw<LinkDraft>({ state: 'choosing' });

  constructor(
    private readonly record: () => CatalogRecord,
    private readonly buckets: () => readonly BucketDescriptor[],
  ) {}

  /** k + 1 shares when there are that many: the colleague then still gets the file if one cloud fails, and a damaged share is named. */
  get plan(): LinkPlan {
    const record = this.record();
    return planShareLink(record.shares, this.buckets(), record.k + 1);
  }

  /** Whether a link can be made: at least k shares can be signed. */
  get possible(): boolean {
    return this.plan.signable.length >= this.record().k;
  }

  async make(appAddress: string): Promise<void> {
    if (this.draft.state === 'signing' || !this.possible) return;
    const record = this.record();
    const plan = this.plan;
    const withName = this.withName;
    const lifetime = this.lifetime;
    this.draft = { state: 'signing' };
    try {
      const signed = await signLinkShares(plan, lifetime);
      const encoded = encodeShareLink({
        version: 1,
        scheme: record.scheme,
        k: record.k,
        n: record.n,
        size: record.size,
        splitId: record.splitId,
        ...(record.fingerprint !== undefined ? { fingerprint: record.fingerprint } : {}),
        ...(record.sha256 !== undefined ? { sha256: record.sha256 } : {}),
        expiresAt: Math.floor(signed.expiresAt / 1000),
        ...(withName ? { fileName: linkFileName(record.fileName) } : {}),
        ...(record.contents ? { folder: true as const } : {}),
        shares: signed.shares,
      });
      const shares = signed.shares.map((share) => share.x);
      this.draft = { state: 'made', link: shareLinkUrl(appAddress, encoded), expiresAt: Math.floor(signed.expiresAt / 1000) * 1000, shares, withName };
      audit.record({ action: 'link-create', outcome: 'ok', recordId: record.id, bucketIds: plan.signable.map((share) => share.descriptor.id), counts: { shares: shares.length, k: record.k, n: record.n, seconds: lifetime } });
    } catch (error) {
      if (error instanceof ShareLinkError) audit.record({ action: 'link-create', outcome: 'failed', code: error.code, recordId: record.id });
      else audit.failed('link-create', error, { recordId: record.id });
      this.draft = { state: 'failed', error: shownFailure(error) };
    }
  }

  /** Forgets the link (closing the dialog, or choosing again). */
  reset(): void {
    this.draft = { state: 'choosing' };
  }
}

/** The record's name as a link may carry it: no path, no control characters, at most 255 characters. */
function linkFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 255);
  return clean === '' ? 'file' : clean;
}

/** What went wrong making the link, in words: the organisation's refusal of the lifetime gets its own. */
function shownFailure(error: unknown): ShownError {
  if (error instanceof ShareLinkError) {
    return { code: 'bucket.failed', title: 'The link could not be made.', action: 'Choose fewer shares or try again.', detail: error.message };
  }
  const code = transferCodeOf(error);
  const bucketError = toBucketError('A storage location', 'signing for the link', error);
  if (code === 'bucket.permission' && /expiry-refused/.test(bucketError.message)) {
    return {
      code: bucketError.code,
      title: "Your organisation's signing service does not allow a link to last this long.",
      action: 'Choose a shorter time (its limit is often 15 minutes), or ask the organisation.',
      detail: bucketError.detail,
    };
  }
  return (
    describeError(bucketError, 'make a link') ?? { code: 'unexpected', title: 'The link could not be made.', action: 'Try again.', detail: bucketError.detail }
  );
}
