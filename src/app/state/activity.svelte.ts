import { audit, type StoredAuditEntry } from '../../vault/audit.js';
import { AUDIT_ACTIONS, auditCsv, auditJson, type AuditAction, type AuditOutcome } from '../../vault/audit-entry.js';
import { startDownload } from '../download.js';
import { describeError } from '../errors.js';

export type ActivityFilter<T extends string> = T | 'all';

/**
 * The audit trail as the Activity panel shows it: every entry kept on this device, newest first,
 * new ones as they are written, filtered by action and outcome; the entries shown can be exported
 * as JSON or CSV.
 */
export class Activity {
  entries = $state.raw<StoredAuditEntry[]>([]);
  action = $state<ActivityFilter<AuditAction>>('all');
  outcome = $state<ActivityFilter<AuditOutcome>>('all');
  loaded = $state(false);
  readonly shown: StoredAuditEntry[] = $derived(
    this.entries.filter((entry) => (this.action === 'all' || entry.action === this.action) && (this.outcome === 'all' || entry.outcome === this.outcome)),
  );
  /** Actions that occur in the trail, in the order AUDIT_ACTIONS lists them. */
  readonly actions: AuditAction[] = $derived(AUDIT_ACTIONS.filter((action) => this.entries.some((entry) => entry.action === action)));
  #revoke: (() => void) | undefined;

  /** Reads the trail and follows it; returns the function that stops following. */
  start(): () => void {
    const unsubscribe = audit.subscribe((entry) => {
      if (!this.entries.some((kept) => kept.seq === entry.seq)) this.entries = [entry, ...this.entries];
    });
    void audit.list().then(
      (entries) => {
        // Entries written while the list was read are in both: keep one of each.
        const newest = entries[0]?.seq ?? 0;
        this.entries = [...this.entries.filter((entry) => entry.seq > newest), ...entries].sort((a, b) => b.seq - a.seq);
        this.loaded = true;
      },
      (error: unknown) => {
        describeError(error, 'read the activity');
        this.loaded = true;
      },
    );
    return () => {
      unsubscribe();
      this.#revoke?.();
    };
  }

  exportJson(now: number = Date.now()): void {
    this.#download(new Blob([auditJson(this.shown, now)], { type: 'application/json' }), `tessera-activity-${day(now)}.json`);
  }

  exportCsv(now: number = Date.now()): void {
    this.#download(new Blob([auditCsv(this.shown)], { type: 'text/csv' }), `tessera-activity-${day(now)}.csv`);
  }

  #download(blob: Blob, name: string): void {
    this.#revoke?.();
    this.#revoke = startDownload(blob, name);
  }
}

/** `2025-06-03`, for a file name. */
function day(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}
