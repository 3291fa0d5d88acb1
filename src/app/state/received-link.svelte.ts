import { sameFile } from '../../records/identity.js';
import { discardRecoveredFile, getRecoveredFile, recoverFromLink, type JobHandle } from '../../jobs/index.js';
import { decodeShareLink, payloadFromHash, ShareLinkError, type ShareLinkErrorCode, type ShareLinkPayload } from '../../storage/share-links.js';
import { audit } from '../../vault/audit.js';
import { startDownload } from '../download.js';
import { describeError, type ShownError } from '../errors.js';

type LinkRecovery = Awaited<ReturnType<typeof recoverFromLink>['done']>;

export type ReceivedFile =
  | { readonly state: 'none' }
  | { readonly state: 'invalid'; readonly code: ShareLinkErrorCode; readonly message: string }
  | { readonly state: 'expired'; readonly link: ShareLinkPayload }
  | { readonly state: 'ready'; readonly link: ShareLinkPayload }
  | { readonly state: 'running'; readonly link: ShareLinkPayload; readonly done: number; readonly total: number }
  | { readonly state: 'done'; readonly link: ShareLinkPayload; readonly recovery: LinkRecovery; readonly identical: boolean; readonly saveError?: ShownError }
  | { readonly state: 'failed'; readonly link: ShareLinkPayload; readonly error: ShownError };

/**
 * A file a colleague sent as a link (`#/receive/<payload>`, src/storage/share-links.ts): the link
 * read and checked, its expiry, the rebuild from the shares its addresses reach, the verdict
 * against the fingerprint it carries, and the Save. Nothing happens on the network until the person
 * asks for the file. The payload is kept only here, in memory: never stored, logged or sent.
 */
export class ReceivedLink {
  current = $state.raw<ReceivedFile>({ state: 'none' });
  #handle: JobHandle<LinkRecovery> | undefined;
  #revoke: (() => void) | undefined;

  /** Reads the link in a location's fragment; any other fragment closes what was open. */
  open(hash: string, now: number = Date.now()): void {
    const encoded = payloadFromHash(hash);
    if (encoded === undefined) {
      if (this.current.state !== 'none') void this.close();
      return;
    }
    this.#handle?.cancel();
    void this.#discard();
    let link: ShareLinkPayload;
    try {
      link = decodeShareLink(encoded);
    } catch (error) {
      if (!(error instanceof ShareLinkError)) throw error;
      audit.record({ action: 'link-open', outcome: 'failed', code: error.code });
      this.current = { state: 'invalid', code: error.code, message: error.message.replace(/^\[[a-z.-]+\] /, '') };
      return;
    }
    this.current = now >= link.expiresAt * 1000 ? this.#expired(link) : { state: 'ready', link };
  }

  /** Downloads the shares and rebuilds the file. */
  fetch(now: number = Date.now()): void {
    const current = this.current;
    if (current.state !== 'ready' && current.state !== 'failed') return;
    const { link } = current;
    if (now >= link.expiresAt * 1000) {
      this.current = this.#expired(link);
      return;
    }
    this.current = { state: 'running', link, done: 0, total: link.size };
    const handle = recoverFromLink(link, {
      onStart: () => undefined,
      onProgress: ({ done, total }) => {
        if (this.current.state === 'running' && this.current.link === link) this.current = { state: 'running', link, done, total };
      },
    });
    this.#handle = handle;
    handle.done.then(
      (recovery) => {
        this.#handle = undefined;
        const identical = sameFile(link, recovery) && recovery.result.splitId === link.splitId;
        audit.record(
          identical
            ? { action: 'link-open', outcome: 'ok', counts: { used: recovery.result.usedShares.length, unreachable: recovery.unavailable.length, rejected: recovery.rejected.length } }
            : { action: 'link-open', outcome: 'failed', code: 'recover.different' },
        );
        if (this.#shows(link)) this.current = { state: 'done', link, recovery, identical };
        else void discardRecoveredFile(recovery.outputName).catch(() => undefined);
      },
      (error: unknown) => {
        this.#handle = undefined;
        if (!this.#shows(link)) return;
        // The answer to an expired address is often hidden by the browser (no CORS headers on refusals): the clock tells.
        if (Date.now() >= link.expiresAt * 1000) {
          this.current = this.#expired(link);
          return;
        }
        audit.failed('link-open', error);
        const shown = describeError(error, 'rebuild a file from a link');
        this.current = shown ? { state: 'failed', link, error: inWordsForTheColleague(shown) } : { state: 'ready', link };
      },
    );
  }

  cancel(): void {
    this.#handle?.cancel();
  }

  /** Hands the rebuilt file over as a download, under the name the link gave (or a plain one). */
  async save(): Promise<void> {
    const current = this.current;
    if (current.state !== 'done') return;
    try {
      const file = await getRecoveredFile(current.recovery.outputName);
      if (this.current !== current) return;
      this.#revoke?.();
      this.#revoke = startDownload(file, savedName(current.link));
    } catch (error) {
      const shown = describeError(error, 'save a received file');
      if (shown && this.current === current) this.current = { ...current, saveError: shown };
    }
  }

  /** Forgets the link and deletes the rebuilt file from this device. */
  async close(): Promise<void> {
    this.#handle?.cancel();
    await this.#discard();
    this.current = { state: 'none' };
  }

  #expired(link: ShareLinkPayload): ReceivedFile {
    audit.record({ action: 'link-open', outcome: 'failed', code: 'link.expired' });
    return { state: 'expired', link };
  }

  #shows(link: ShareLinkPayload): boolean {
    return 'link' in this.current && this.current.link === link;
  }

  async #discard(): Promise<void> {
    this.#revoke?.();
    this.#revoke = undefined;
    const current = this.current;
    if (current.state === 'done') await discardRecoveredFile(current.recovery.outputName).catch(() => undefined);
  }
}

/**
 * The general advice speaks to the person who protected the file ("switch more storage locations
 * back on"); the colleague has no locations, only the link.
 */
function inWordsForTheColleague(shown: ShownError): ShownError {
  if (shown.code === 'share.too-few' || shown.code === 'bucket.offline' || shown.code === 'bucket.failed' || shown.code === 'bucket.not-found') {
    return {
      ...shown,
      title: 'Too few of the shares this link points to could be downloaded.',
      action: 'Try again in a while; if it keeps failing, ask your colleague for a new link (a cloud may be down, or a share gone).',
    };
  }
  return shown;
}

/** The download's name: the one in the link, else a plain one; a folder comes as its .tar archive. */
function savedName(link: ShareLinkPayload): string {
  const name = link.fileName ?? (link.folder ? 'received-folder' : 'received-file');
  return link.folder && !name.endsWith('.tar') ? `${name}.tar` : name;
}
