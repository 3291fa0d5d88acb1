/**
 * The audit trail's entries (audit.ts keeps them in IndexedDB, on this device only): what was done,
 * when, how it ended (ok, or failed with an error code), to which record, in which storage
 * locations, and a few counts. Never a file name, a patient's data, a URL with its query, a key
 * or a signature: an entry is checked field by field when it is made and again when it is read
 * back, and a field that is not one of these is not kept.
 *
 * Exports: JSON (the entries as they are kept) and CSV (RFC 4180 quoting; a cell a spreadsheet
 * would run as a formula is prefixed with an apostrophe, as OWASP's "CSV Injection" advises).
 * Pure: no IndexedDB, no DOM, unit-tested in Node.
 */

export const AUDIT_ACTIONS = [
  'protect',
  'upload',
  'recover',
  'remove',
  'health-check',
  'repair',
  'link-create',
  'link-open',
  'location-add',
  'location-change',
  'location-remove',
  'location-on',
  'location-off',
  'location-test',
  'keys-unlock',
  'keys-forget',
  'move',
  'refresh',
  'rehearse',
  'vault-create',
  'vault-unlock',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['ok', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The counts an entry may carry; nothing else. */
export const AUDIT_COUNTS = [
  'k',
  'n',
  'shares',
  'stored',
  'failed',
  'present',
  'missing',
  'used',
  'unreachable',
  'rejected',
  'repaired',
  'left',
  'restored',
  'seconds',
] as const;
export type AuditCountName = (typeof AUDIT_COUNTS)[number];
export type AuditCounts = Readonly<Partial<Record<AuditCountName, number>>>;

/** What a caller records. `code` is required when the outcome is `failed`, absent otherwise. */
export interface AuditEvent {
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  /** A stable error code (`bucket.cors`, `share.too-few`, `link.expired`…), never text. */
  readonly code?: string;
  /** The catalog's random record id (32 hex digits): says nothing about the file. */
  readonly recordId?: string;
  /** Storage locations involved, by their catalog id (`demo-a`, `s3:<endpoint>/<bucket>`…): never a query or credential. */
  readonly bucketIds?: readonly string[];
  readonly counts?: AuditCounts;
}

/** An entry as kept: the event, when it happened, and the shape's version. */
export interface AuditEntry extends AuditEvent {
  /** Shape of this entry; bumped (with a migration in audit.ts) whenever a field changes. */
  readonly version: 1;
  /** Milliseconds since 1970. */
  readonly time: number;
  readonly bucketIds: readonly string[];
  readonly counts: AuditCounts;
}

const CODE = /^[a-z]+(?:\.[a-z-]+)?$/;
const RECORD_ID = /^[0-9a-f]{32}$/;
/**
 * A location id: a demo cloud, or a kind and where it is. `?`, `#` and `@` are refused, so a query
 * (a SAS signature, a presigned URL's X-Amz-Signature) or credentials can never be stored as one.
 */
const BUCKET_ID = /^(?:demo-[a-z0-9-]{1,32}|(?:s3|azure|presign):[\x21-\x7e]{1,400})$/;
const MAX_BUCKETS = 255;

const isRecordObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function isBucketId(value: unknown): value is string {
  return typeof value === 'string' && BUCKET_ID.test(value) && !/[?#@]/.test(value);
}

/** The problem with an event, or undefined when it is well-formed. */
function problemWith(event: Record<string, unknown>): string | undefined {
  const { action, outcome, code, recordId, bucketIds, counts } = event;
  if (!(AUDIT_ACTIONS as readonly unknown[]).includes(action)) return `action must be one of ${AUDIT_ACTIONS.join(', ')}, got "${String(action).slice(0, 30)}"`;
  if (!(AUDIT_OUTCOMES as readonly unknown[]).includes(outcome)) return `outcome must be "ok" or "failed", got "${String(outcome).slice(0, 30)}"`;
  if (outcome === 'failed' && (typeof code !== 'string' || code.length > 64 || !CODE.test(code))) return 'code must be an error code like "bucket.cors" when the outcome is "failed"';
  if (outcome === 'ok' && code !== undefined) return 'code must be absent when the outcome is "ok"';
  if (recordId !== undefined && (typeof recordId !== 'string' || !RECORD_ID.test(recordId))) return 'recordId must be 32 lowercase hex digits';
  if (bucketIds !== undefined && (!Array.isArray(bucketIds) || bucketIds.length > MAX_BUCKETS || !bucketIds.every(isBucketId))) {
    return 'bucketIds must be location ids (demo-…, s3:…, azure:…, presign:…) without a query, fragment or credentials';
  }
  if (counts !== undefined) {
    if (!isRecordObject(counts)) return 'counts must be an object';
    for (const [name, value] of Object.entries(counts)) {
      if (!(AUDIT_COUNTS as readonly string[]).includes(name)) return `counts: "${name.slice(0, 30)}" is not one of ${AUDIT_COUNTS.join(', ')}`;
      if (!isCount(value)) return `counts.${name} must be a whole number ≥ 0`;
    }
  }
  return undefined;
}

/** Only the named fields, in a fixed order: anything else given alongside is dropped. */
function entryOf(event: AuditEvent, time: number): AuditEntry {
  return {
    version: 1,
    time,
    action: event.action,
    outcome: event.outcome,
    ...(event.code !== undefined ? { code: event.code } : {}),
    ...(event.recordId !== undefined ? { recordId: event.recordId } : {}),
    bucketIds: [...new Set(event.bucketIds ?? [])],
    counts: Object.fromEntries(AUDIT_COUNTS.filter((name) => event.counts?.[name] !== undefined).map((name) => [name, event.counts![name]!])),
  };
}

/** The entry for an event at `time`; TypeError for a wrong type, RangeError naming the field for a wrong value. */
export function auditEntry(event: AuditEvent, time: number): AuditEntry {
  if (!isRecordObject(event)) throw new TypeError(`event must be an object, got ${event === null ? 'null' : typeof event}`);
  if (!isCount(time)) throw new RangeError(`time must be milliseconds since 1970, got ${String(time)}`);
  const problem = problemWith(event as unknown as Record<string, unknown>);
  if (problem !== undefined) throw new RangeError(`audit entry: ${problem}`);
  return entryOf(event, time);
}

/** The entry, if `value` is a well-formed version-1 entry (only its known fields); undefined otherwise. */
export function parseAuditEntry(value: unknown): AuditEntry | undefined {
  if (!isRecordObject(value) || value['version'] !== 1 || !isCount(value['time'])) return undefined;
  if (!Array.isArray(value['bucketIds']) || !isRecordObject(value['counts'])) return undefined;
  if (problemWith(value) !== undefined) return undefined;
  return entryOf(value as unknown as AuditEvent, value['time']);
}

/** The entries as JSON: `{ format, version, exportedAt, entries }`, times as ISO 8601 (UTC). */
export function auditJson(entries: readonly AuditEntry[], exportedAt: number): string {
  return JSON.stringify(
    {
      format: 'tessera-audit',
      version: 1,
      exportedAt: new Date(exportedAt).toISOString(),
      entries: entries.map((entry) => ({ ...entry, time: new Date(entry.time).toISOString() })),
    },
    null,
    2,
  );
}

export const AUDIT_CSV_COLUMNS = ['time', 'action', 'outcome', 'code', 'record_id', 'bucket_ids', 'counts'] as const;

/**
 * One CSV cell. A value a spreadsheet would take for a formula (starting with = + - @, a tab or a
 * carriage return) gets a leading apostrophe, so it is shown as text (OWASP, "CSV Injection"); a
 * value with a quote, a comma or a line break is quoted, its quotes doubled (RFC 4180 §2).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The entries as CSV (RFC 4180: CRLF line ends, a header row), one row per entry. */
export function auditCsv(entries: readonly AuditEntry[]): string {
  const rows = entries.map((entry) => [
    new Date(entry.time).toISOString(),
    entry.action,
    entry.outcome,
    entry.code ?? '',
    entry.recordId ?? '',
    entry.bucketIds.join(' '),
    Object.entries(entry.counts)
      .map(([name, value]) => `${name}=${value}`)
      .join(' '),
  ]);
  return [[...AUDIT_CSV_COLUMNS], ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
