/**
 * "Recover from share files": the files a person gave (bare shares, bundles), what each one is,
 * the splits they belong to, and the rebuild of each split that has enough shares. The rebuild
 * itself is injected: in the app a share worker writes the file to OPFS (src/jobs), in the offline
 * tool the page rebuilds it into memory (src/offline). Everything else is the same in both, so the
 * offline tool says exactly what the app says.
 */
import { groupShares, readGivenFile, type GivenFile, type ShareGroup } from '../../bundles/given-files.js';
import type { RebuiltFromFiles, ShareFileToRead, ShareFilesProgress } from '../../bundles/rebuild.js';
import { safeFileName } from '../../bundles/manifest.js';
import { startDownload } from '../download.js';
import { describeError, type ShownError } from '../errors.js';
import { guessExtension, hasExtension } from '../file-kinds.js';

/** A rebuilt file, ready to save. */
export interface RebuiltShareFile extends RebuiltFromFiles {
  /** Its bytes: a file in browser storage (the app) or in memory (the offline tool). */
  readonly file: Blob;
  /** Lets go of it (deletes it from browser storage). */
  discard(): Promise<void>;
}

/** What rebuilds a split from its share files: a job that can be cancelled. */
export type ShareFilesRebuilder = (
  shares: readonly ShareFileToRead[],
  onProgress: (progress: ShareFilesProgress) => void,
) => { readonly done: Promise<RebuiltShareFile>; cancel(): void };

export type GivenItem =
  | { readonly id: number; readonly name: string; readonly state: 'reading' }
  | { readonly id: number; readonly name: string; readonly state: 'read'; readonly given: GivenFile }
  | { readonly id: number; readonly name: string; readonly state: 'failed'; readonly error: ShownError };

export type SplitRebuild =
  | { readonly state: 'queued' }
  | ({ readonly state: 'running' } & ShareFilesProgress)
  | { readonly state: 'done'; readonly rebuilt: RebuiltShareFile; readonly saveError?: ShownError }
  | { readonly state: 'failed'; readonly error: ShownError };

/** A split's short name for people: the first 8 hex digits of its split id. */
export function splitLabel(splitId: string): string {
  return splitId.slice(0, 8);
}

export class ShareFilesState {
  items = $state.raw<GivenItem[]>([]);
  /** Rebuilds by split (ShareGroup.key). */
  rebuilds = $state.raw<Readonly<Record<string, SplitRebuild>>>({});
  /** Names the person typed, by split. */
  names = $state<Record<string, string>>({});
  /** Extensions guessed from rebuilt files, by split, for a name that has none. */
  private extensions = $state<Record<string, string>>({});

  readonly groups: ShareGroup[] = $derived(groupShares(this.items.flatMap((item) => (item.state === 'read' ? [item.given] : []))));

  private nextId = 1;
  // Bookkeeping the page never shows, so plain (not reactive) objects keyed by split.
  private readonly handles: Record<string, { cancel(): void }> = {};
  private readonly revokers: Record<string, () => void> = {};

  constructor(private readonly rebuilder: ShareFilesRebuilder) {}

  /** Looks at each file (headers, zip directories and manifests only) and lists it. */
  add(files: Iterable<File>): void {
    for (const file of files) {
      const id = this.nextId++;
      this.items = [...this.items, { id, name: file.name, state: 'reading' }];
      readGivenFile(file).then(
        (given) => this.replace(id, { id, name: file.name, state: 'read', given }),
        (error: unknown) => {
          const shown = describeError(error, 'read share file');
          if (shown) this.replace(id, { id, name: file.name, state: 'failed', error: shown });
        },
      );
    }
  }

  remove(id: number): void {
    this.items = this.items.filter((item) => item.id !== id);
  }

  /** Whether any file is still being looked at. */
  get reading(): boolean {
    return this.items.some((item) => item.state === 'reading');
  }

  /** The name in the "save as" field: what the person typed, else one from a manifest, else a default. */
  nameFor(group: ShareGroup): string {
    return this.names[group.key] ?? this.defaultName(group);
  }

  /** The name the file is saved under: the field's, made safe (no folders, no control characters). */
  saveName(group: ShareGroup): string {
    return safeFileName(this.nameFor(group)) ?? this.defaultName(group);
  }

  private defaultName(group: ShareGroup): string {
    const base = group.fileName ?? `recovered-${splitLabel(group.splitId)}`;
    const extension = this.extensions[group.key];
    return extension && !hasExtension(base) ? `${base}${extension}` : base;
  }

  rebuild(group: ShareGroup): void {
    const current = this.rebuilds[group.key];
    if (current?.state === 'queued' || current?.state === 'running' || group.shares.length < group.k) return;
    void this.discard(group.key, current);
    this.set(group.key, { state: 'queued' });
    const shares = group.shares.map(({ label, blob, sha256 }): ShareFileToRead => ({ label, blob, ...(sha256 !== undefined ? { sha256 } : {}) }));
    const handle = this.rebuilder(shares, (progress) => {
      const now = this.rebuilds[group.key];
      if (now?.state === 'queued' || now?.state === 'running') this.set(group.key, { state: 'running', ...progress });
    });
    this.handles[group.key] = handle;
    handle.done.then(
      async (rebuilt) => {
        delete this.handles[group.key];
        // Only a suggestion: a file that cannot be read here fails where it matters, on Save.
        const head = await rebuilt.file
          .slice(0, 512)
          .arrayBuffer()
          .catch(() => new ArrayBuffer(0));
        const extension = guessExtension(new Uint8Array(head));
        if (extension) this.extensions[group.key] = extension;
        this.set(group.key, { state: 'done', rebuilt });
      },
      (error: unknown) => {
        delete this.handles[group.key];
        const shown = describeError(error, 'rebuild from share files');
        if (shown) this.set(group.key, { state: 'failed', error: shown });
        else this.clear(group.key);
      },
    );
  }

  cancel(key: string): void {
    this.handles[key]?.cancel();
  }

  /** Hands the rebuilt file over as a download under the name shown. */
  save(group: ShareGroup): void {
    const job = this.rebuilds[group.key];
    if (job?.state !== 'done') return;
    try {
      this.revokers[group.key]?.();
      this.revokers[group.key] = startDownload(job.rebuilt.file, this.saveName(group));
      const { saveError: _cleared, ...saved } = job;
      this.set(group.key, saved);
    } catch (error) {
      const shown = describeError(error, 'save');
      if (shown) this.set(group.key, { ...job, saveError: shown });
    }
  }

  /** Forgets a split's rebuild and lets go of the rebuilt file. */
  async close(key: string): Promise<void> {
    const job = this.rebuilds[key];
    this.clear(key);
    await this.discard(key, job);
  }

  private async discard(key: string, job: SplitRebuild | undefined): Promise<void> {
    this.revokers[key]?.();
    delete this.revokers[key];
    if (job?.state === 'done') await job.rebuilt.discard().catch(() => undefined);
  }

  private replace(id: number, item: GivenItem): void {
    // A file removed while it was being read stays removed.
    if (this.items.some((existing) => existing.id === id)) this.items = this.items.map((existing) => (existing.id === id ? item : existing));
  }

  private set(key: string, job: SplitRebuild): void {
    this.rebuilds = { ...this.rebuilds, [key]: job };
  }

  private clear(key: string): void {
    const { [key]: _removed, ...rest } = this.rebuilds;
    this.rebuilds = rest;
  }
}
