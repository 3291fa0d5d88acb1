/**
 * The audit trail's entries (src/vault/audit-entry.ts): what an entry may hold and what is refused
 * or dropped (never a file name, a URL query, a key), entries read back from storage checked field
 * by field, and the exports: JSON, and CSV with RFC 4180 quoting and formula-injection guarding,
 * read back with a CSV parser written here from RFC 4180.
 */
import { describe, expect, it } from 'vitest';
import { AUDIT_CSV_COLUMNS, auditCsv, auditEntry, auditJson, csvCell, parseAuditEntry, type AuditEntry, type AuditEvent } from '../../src/vault/audit-entry.js';

const RECORD = '0123456789abcdef0123456789abcdef';
const TIME = Date.UTC(2025, 5, 3, 12, 30, 15, 250);

const protect: AuditEvent = {
  action: 'protect',
  outcome: 'ok',
  recordId: RECORD,
  bucketIds: ['s3:http://127.0.0.1:7480/cloud-a', 'demo-a', 'presign:https://sign.example.org/tessera/records-a'],
  counts: { k: 2, n: 3 },
};

/** RFC 4180 §2, to read back what auditCsv wrote: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  expect(quoted, 'an unterminated quoted field').toBe(false);
  expect(cell === '' && row.length === 0, 'a last record without CRLF').toBe(true);
  return rows;
}

describe('auditEntry', () => {
  it('keeps the event with its time and version, and nothing else', () => {
    const withExtras = { ...protect, fileName: 'Jane Doe CT.dcm', url: 'https://x/?X-Amz-Signature=abc', secretAccessKey: 'k' } as AuditEvent;
    const entry = auditEntry(withExtras, TIME);
    expect(entry).toEqual({ version: 1, time: TIME, ...protect });
    expect(JSON.stringify(entry)).not.toMatch(/Jane|Signature|secret/);
  });

  it('fills in no bucket and no count when none are given', () => {
    expect(auditEntry({ action: 'keys-forget', outcome: 'ok' }, TIME)).toEqual({ version: 1, time: TIME, action: 'keys-forget', outcome: 'ok', bucketIds: [], counts: {} });
  });

  it('keeps a failure with its code', () => {
    expect(auditEntry({ action: 'recover', outcome: 'failed', code: 'share.too-few', recordId: RECORD }, TIME)).toMatchObject({ outcome: 'failed', code: 'share.too-few' });
    expect(auditEntry({ action: 'location-test', outcome: 'failed', code: 'unexpected' }, TIME).code).toBe('unexpected');
  });

  it.each<[string, AuditEvent]>([
    ['an unknown action', { ...protect, action: 'download' as AuditEvent['action'] }],
    ['an unknown outcome', { ...protect, outcome: 'maybe' as AuditEvent['outcome'] }],
    ['a failure without a code', { action: 'protect', outcome: 'failed' }],
    ['a failure whose code is a sentence', { action: 'protect', outcome: 'failed', code: 'could not read Jane Doe CT.dcm' }],
    ['a code on success', { ...protect, code: 'bucket.cors' }],
    ['a record id that is a file name', { ...protect, recordId: 'Jane Doe CT.dcm' }],
    ['a bucket id with a query (a SAS signature)', { ...protect, bucketIds: ['azure:https://acct.blob.core.windows.net/c?sv=1&sig=abc'] }],
    ['a bucket id with credentials', { ...protect, bucketIds: ['s3:https://user:secret@s3.example.org/b'] }],
    ['a bucket id with a fragment', { ...protect, bucketIds: ['s3:https://s3.example.org/b#x'] }],
    ['a bucket id that is a bare URL', { ...protect, bucketIds: ['https://s3.example.org/b'] }],
    ['a bucket id with spaces', { ...protect, bucketIds: ['demo-a b'] }],
    ['an unknown count', { ...protect, counts: { patients: 1 } as AuditEvent['counts'] }],
    ['a negative count', { ...protect, counts: { k: -1 } }],
    ['a fractional count', { ...protect, counts: { n: 2.5 } }],
  ])('refuses %s with a RangeError', (_name, event) => {
    expect(() => auditEntry(event, TIME)).toThrow(RangeError);
  });

  it('refuses a time that is not one, and an event that is not an object', () => {
    expect(() => auditEntry(protect, Number.NaN)).toThrow(RangeError);
    expect(() => auditEntry(protect, -1)).toThrow(RangeError);
    expect(() => auditEntry(null as unknown as AuditEvent, TIME)).toThrow(TypeError);
  });
});

describe('parseAuditEntry', () => {
  const stored = { ...auditEntry(protect, TIME), seq: 7 };

  it('reads back a well-formed entry, only its known fields', () => {
    expect(parseAuditEntry(structuredClone(stored))).toEqual(auditEntry(protect, TIME));
    expect(parseAuditEntry({ ...stored, fileName: 'Jane Doe CT.dcm' })).toEqual(auditEntry(protect, TIME));
  });

  it.each<[string, unknown]>([
    ['not an object', 'entry'],
    ['null', null],
    ['another version', { ...stored, version: 2 }],
    ['no time', { ...stored, time: undefined }],
    ['a time that is text', { ...stored, time: '2025-06-03' }],
    ['no bucket list', { ...stored, bucketIds: undefined }],
    ['no counts', { ...stored, counts: undefined }],
    ['a bucket id with a signature', { ...stored, bucketIds: ['azure:https://a/c?sig=x'] }],
    ['an unknown action', { ...stored, action: 'export' }],
    ['a failure without a code', { ...stored, outcome: 'failed' }],
  ])('skips %s', (_name, value) => {
    expect(parseAuditEntry(value)).toBeUndefined();
  });
});

describe('exports', () => {
  const entries: AuditEntry[] = [
    auditEntry({ action: 'recover', outcome: 'failed', code: 'bucket.cors', recordId: RECORD, bucketIds: ['s3:http://127.0.0.1:7480/cloud-a'] }, TIME + 1000),
    auditEntry(protect, TIME),
    auditEntry({ action: 'keys-forget', outcome: 'ok' }, TIME - 1000),
  ];

  it('JSON: the entries as kept, times in ISO 8601', () => {
    const parsed = JSON.parse(auditJson(entries, TIME + 5000)) as { format: string; version: number; exportedAt: string; entries: Record<string, unknown>[] };
    expect(parsed.format).toBe('tessera-audit');
    expect(parsed.version).toBe(1);
    expect(parsed.exportedAt).toBe('2025-06-03T12:30:20.250Z');
    expect(parsed.entries).toHaveLength(3);
    expect(parsed.entries[1]).toEqual({ ...protect, version: 1, time: '2025-06-03T12:30:15.250Z' });
    // Read back (times as numbers again), each exported entry is a valid entry.
    for (const [index, entry] of parsed.entries.entries()) expect(parseAuditEntry({ ...entry, time: Date.parse(String(entry['time'])) })).toEqual(entries[index]);
  });

  it('CSV: a header, one row per entry, CRLF line ends, and the fields read back', () => {
    const csv = auditCsv(entries);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(rows.slice(1)).toEqual([
      ['2025-06-03T12:30:16.250Z', 'recover', 'failed', 'bucket.cors', RECORD, 's3:http://127.0.0.1:7480/cloud-a', ''],
      ['2025-06-03T12:30:15.250Z', 'protect', 'ok', '', RECORD, 's3:http://127.0.0.1:7480/cloud-a demo-a presign:https://sign.example.org/tessera/records-a', 'k=2 n=3'],
      ['2025-06-03T12:30:14.250Z', 'keys-forget', 'ok', '', '', '', ''],
    ]);
  });

  it.each<[string, string, string]>([
    ['plain text', 'protect', 'protect'],
    ['empty', '', ''],
    ['a comma', 'a,b', '"a,b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a line feed', 'two\nlines', '"two\nlines"'],
    ['a carriage return and line feed', 'two\r\nlines', '"two\r\nlines"'],
    ['a formula (=)', '=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['a formula (+)', '+1+1', "'+1+1"],
    ['a formula (-)', '-2+3', "'-2+3"],
    ['a formula (@)', '@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['a leading tab', '\t=1', "'\t=1"],
    ['a leading carriage return', '\r=1', `"'\r=1"`],
    ['a formula with a comma', '=1,2', `"'=1,2"`],
    ['an equals sign inside', 'k=2 n=3', 'k=2 n=3'],
  ])('csvCell: %s', (_name, value, expected) => {
    expect(csvCell(value)).toBe(expected);
    // Whatever it holds, the cell reads back as one field: the value itself, or it with the apostrophe.
    expect(parseCsv(`${csvCell(value)}\r\n`)).toEqual([[/^[=+\-@\t\r]/.test(value) ? `'${value}` : value]]);
  });

  it('CSV: a location id with a quote and a comma stays one field', () => {
    const odd = auditEntry({ action: 'location-add', outcome: 'ok', bucketIds: ['presign:https://sign.example.org/a,"b"'] }, TIME);
    expect(parseCsv(auditCsv([odd]))[1]![5]).toBe('presign:https://sign.example.org/a,"b"');
  });
});
