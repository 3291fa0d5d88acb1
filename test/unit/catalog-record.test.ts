import { describe, expect, it } from 'vitest';
import {
  parseCatalogRecord,
  parseCloudSwitches,
  parseSavedLocations,
  recordSafety,
  recordStatus,
  withOutcomes,
  type CatalogRecord,
  type SavedLocations,
} from '../../src/vault/catalog-record.js';

const good: CatalogRecord = {
  version: 1,
  id: '0123456789abcdef0123456789abcdef',
  fileName: 'report.pdf',
  size: 1234,
  type: 'application/pdf',
  sha256: 'a'.repeat(64),
  scheme: 'ssms',
  k: 2,
  n: 3,
  createdAt: 1_700_000_000_000,
  splitId: 'fedcba9876543210fedcba9876543210',
  shares: [1, 2, 3].map((x) => ({ x, bucketId: `demo-${x}`, key: `tessera/0123456789abcdef0123456789abcdef/${x}.tshare`, size: 700 })),
};

const folder: CatalogRecord = {
  ...good,
  fileName: 'CD export.tar',
  type: 'application/x-tar',
  contents: {
    kind: 'folder',
    name: 'CD export',
    files: 42,
    studies: [{ patientName: 'Demo Alex', studyDate: '20250102', description: 'CT chest', modalities: ['CT', 'SR'], instances: 40 }],
  },
};

describe('parseCatalogRecord', () => {
  it('accepts a well-formed record as it is', () => {
    expect(parseCatalogRecord(structuredClone(good))).toEqual(good);
  });

  it('accepts a record named by its fingerprint, and one from before fingerprints by its SHA-256 (either, or both)', () => {
    const { sha256: _sha256, ...withoutSha256 } = good;
    const current = { ...withoutSha256, fingerprint: `256k:${'b'.repeat(64)}` };
    expect(parseCatalogRecord(structuredClone(current))).toEqual(current);
    // Fingerprints made with 1 MiB blocks (2026-11-21) are plain hex.
    const oneMiB = { ...withoutSha256, fingerprint: 'b'.repeat(64) };
    expect(parseCatalogRecord(structuredClone(oneMiB))).toEqual(oneMiB);
    expect(parseCatalogRecord({ ...current, sha256: 'a'.repeat(64) })).toEqual({ ...current, sha256: 'a'.repeat(64) });
    expect(parseCatalogRecord(structuredClone(good))).toEqual(good);
  });

  it('accepts a folder record with what it holds', () => {
    expect(parseCatalogRecord(structuredClone(folder))).toEqual(folder);
  });

  it.each<[string, unknown]>([
    ['not an object', 'record'],
    ['null', null],
    ['another version', { ...good, version: 2 }],
    ['an id that is not 16 bytes of hex', { ...good, id: 'report.pdf' }],
    ['a hash that is not SHA-256 hex', { ...good, sha256: 'abc' }],
    ['a fingerprint that is not 32 bytes of hex', { ...good, fingerprint: 'B'.repeat(64) }],
    ['a fingerprint with blocks of a size there is none of', { ...good, fingerprint: `1m:${'b'.repeat(64)}` }],
    ['neither a fingerprint nor a SHA-256', { ...good, sha256: undefined }],
    ['an unknown scheme', { ...good, scheme: 'xor' }],
    ['k larger than n', { ...good, k: 4 }],
    ['k below 2', { ...good, k: 1 }],
    ['a fractional size', { ...good, size: 1.5 }],
    ['a negative size', { ...good, size: -1 }],
    ['a missing file name', { ...good, fileName: undefined }],
    ['fewer shares than n', { ...good, shares: good.shares.slice(0, 2) }],
    ['a share x outside 1..n', { ...good, shares: [...good.shares.slice(0, 2), { ...good.shares[2]!, x: 4 }] }],
    ['the same x twice', { ...good, shares: [...good.shares.slice(0, 2), { ...good.shares[2]!, x: 1 }] }],
    ['a share without a key', { ...good, shares: [...good.shares.slice(0, 2), { ...good.shares[2]!, key: '' }] }],
    ['contents of another kind', { ...folder, contents: { ...folder.contents, kind: 'zip' } }],
    ['contents without a file count', { ...folder, contents: { ...folder.contents, files: -1 } }],
    ['a study label that is not text', { ...folder, contents: { ...folder.contents, studies: [{ ...folder.contents!.studies[0], modalities: [1] }] } }],
  ])('skips a record with %s', (_what, value) => {
    expect(parseCatalogRecord(value)).toBeUndefined();
  });
});

describe('shares waiting on this device (pending uploads)', () => {
  const pending = (record: CatalogRecord, xs: readonly number[], failure?: string): CatalogRecord => ({
    ...record,
    shares: record.shares.map((share) => (xs.includes(share.x) ? { ...share, state: 'pending' as const, ...(failure ? { failure } : {}) } : share)),
  });

  it('keeps a pending mark and its failure code when read back, and refuses malformed ones', () => {
    const record = pending(good, [2], 'bucket.cors');
    expect(parseCatalogRecord(structuredClone(record))).toEqual(record);
    const bad = (share: Record<string, unknown>) => parseCatalogRecord({ ...good, shares: good.shares.map((s) => (s.x === 2 ? { ...s, ...share } : s)) });
    expect(bad({ state: 'stored' })).toBeUndefined();
    expect(bad({ failure: 'bucket.cors' })).toBeUndefined(); // a failure without the pending mark
    expect(bad({ state: 'pending', failure: 'the key AKIA… was refused' })).toBeUndefined(); // text, not a code
  });

  it('says a record is safe only with k shares stored, and how many cloud losses it survives', () => {
    expect(recordSafety(good)).toEqual({ state: 'safe', stored: good.n, pending: 0, lossesSurvived: good.n - good.k });
    const oneWaiting = pending(good, [1]);
    expect(recordSafety(oneWaiting)).toEqual({ state: 'safe', stored: good.n - 1, pending: 1, lossesSurvived: good.n - 1 - good.k });
    const tooFew = pending(good, good.shares.slice(0, good.n - good.k + 1).map((share) => share.x));
    expect(recordSafety(tooFew)).toEqual({ state: 'not-yet-safe', stored: good.k - 1, pending: good.n - good.k + 1, lossesSurvived: 0 });
  });

  it('records each upload outcome: stored shares lose the mark, failed ones keep it with the code, others are untouched', () => {
    const record = pending(good, [1, 2, 3], 'bucket.unavailable');
    const after = withOutcomes(record, [
      { x: 1, stored: true },
      { x: 2, stored: false, failure: 'bucket.cors' },
    ]);
    expect(after.shares.find((share) => share.x === 1)).toEqual(good.shares.find((share) => share.x === 1));
    expect(after.shares.find((share) => share.x === 2)).toMatchObject({ state: 'pending', failure: 'bucket.cors' });
    expect(after.shares.find((share) => share.x === 3)).toMatchObject({ state: 'pending', failure: 'bucket.unavailable' });
    expect(parseCatalogRecord(after)).toEqual(after);
  });
});

describe('record status', () => {
  it('is safe, degraded, not yet safe or unrecoverable from the stored shares and the last check', () => {
    expect(recordStatus(good)).toBe('safe');
    expect(recordStatus({ ...good, lastCheck: { at: 1, present: 3, lost: [] } })).toBe('safe');
    expect(recordStatus({ ...good, lastCheck: { at: 1, present: 2, lost: [3] } })).toBe('degraded');
    expect(recordStatus({ ...good, lastCheck: { at: 1, present: 1, lost: [2, 3] } })).toBe('unrecoverable');
    const pending = (xs: number[]) => ({ ...good, shares: good.shares.map((share) => (xs.includes(share.x) ? { ...share, state: 'pending' as const } : share)) });
    expect(recordStatus(pending([3]))).toBe('degraded');
    expect(recordStatus(pending([2, 3]))).toBe('not-yet-safe');
  });

  it('keeps a well-formed last check and refuses a malformed one', () => {
    const checked = { ...good, lastCheck: { at: 1_700_000_000_000, present: 2, lost: [3] } };
    expect(parseCatalogRecord(structuredClone(checked))).toEqual(checked);
    for (const lastCheck of [{ at: 1, present: 4, lost: [] }, { at: 1, present: 2, lost: [4] }, { at: 1, present: 2, lost: [3, 3] }, { at: -1, present: 2, lost: [] }, 'yesterday']) {
      expect(parseCatalogRecord({ ...good, lastCheck }), JSON.stringify(lastCheck)).toBeUndefined();
    }
  });
});

describe('parseCloudSwitches', () => {
  it('keeps boolean switches and drops anything else', () => {
    expect(parseCloudSwitches({ version: 1, online: { 'demo-a': false, 'demo-b': true, 'demo-c': 'no' } })).toEqual({
      version: 1,
      online: { 'demo-a': false, 'demo-b': true },
    });
  });

  it('keeps the slow demo clouds, and reads a record from before there were any as none slow', () => {
    expect(parseCloudSwitches({ version: 1, online: { 'demo-c': true }, slow: { 'demo-c': true, 'demo-d': false, 'demo-e': 1 } })).toEqual({
      version: 1,
      online: { 'demo-c': true },
      slow: { 'demo-c': true, 'demo-d': false },
    });
    expect(parseCloudSwitches({ version: 1, online: { 'demo-a': true } })).toEqual({ version: 1, online: { 'demo-a': true } });
    expect(parseCloudSwitches({ version: 1, online: {}, slow: ['demo-c'] })).toEqual({ version: 1, online: {} });
    expect(parseCloudSwitches({ version: 1, online: {}, slow: null })).toEqual({ version: 1, online: {} });
  });

  it('refuses another version or shape', () => {
    expect(parseCloudSwitches({ version: 2, online: {} })).toBeUndefined();
    expect(parseCloudSwitches(undefined)).toBeUndefined();
    expect(parseCloudSwitches({ version: 1, online: [] })).toBeUndefined();
  });
});

describe('parseSavedLocations', () => {
  const s3 = {
    kind: 's3',
    id: 's3:http://127.0.0.1:7480/cloud-a',
    label: 'Ceph A',
    online: true,
    provider: 'ceph',
    endpoint: 'http://127.0.0.1:7480',
    region: 'default',
    bucket: 'cloud-a',
    addressing: 'path',
    accessKeyId: 'AKIDEXAMPLE',
  } as const;
  const azure = { kind: 'azure', id: 'azure:https://acct.blob.core.windows.net/shares', label: 'Azure', online: false, containerUrl: 'https://acct.blob.core.windows.net/shares' } as const;
  const organisation = {
    kind: 'presign-endpoint',
    id: 'presign:https://presign.hospital.example/tessera/records-a',
    label: 'Hospital',
    online: true,
    endpoint: 'https://presign.hospital.example/tessera',
    bucket: 'records-a',
  } as const;
  const saved: SavedLocations = { version: 1, locations: [s3, azure, organisation] };

  it('accepts well-formed settings of each kind as they are, in order', () => {
    expect(parseSavedLocations(structuredClone(saved))).toEqual(saved);
  });

  it('never returns a secret stored next to the settings: only the named fields come back', () => {
    const withSecrets = {
      version: 1,
      locations: [
        { ...s3, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
        { ...azure, containerSasUrl: `${azure.containerUrl}?sv=2021-08-06&sr=c&sig=c2VjcmV0` },
        { ...organisation, token: 'org-token' },
      ],
    };
    const parsed = parseSavedLocations(withSecrets);
    expect(parsed).toEqual(saved);
    expect(JSON.stringify(parsed)).not.toMatch(/EXAMPLEKEY|sig=|org-token/);
  });

  it.each<[string, unknown]>([
    ['an unknown kind', { ...s3, kind: 'ftp' }],
    ['no id', { ...s3, id: '' }],
    ['a label that is not text', { ...s3, label: 3 }],
    ['online that is not a boolean', { ...s3, online: 'yes' }],
    ['an unknown addressing', { ...s3, addressing: 'dns' }],
    ['an endpoint that is not a URL', { ...s3, endpoint: 'storage.example.org' }],
    ['an endpoint with a user name', { ...s3, endpoint: 'https://user:pass@storage.example.org' }],
    ['no access key id', { ...s3, accessKeyId: undefined }],
    ['a container URL with a query (a SAS)', { ...azure, containerUrl: `${azure.containerUrl}?sig=c2VjcmV0` }],
    ['a signing service without a bucket', { ...organisation, bucket: '' }],
    ['a signing service address with a fragment', { ...organisation, endpoint: `${organisation.endpoint}#token` }],
  ])('drops an entry with %s, keeping the others', (_what, entry) => {
    expect(parseSavedLocations({ version: 1, locations: [entry, organisation] })).toEqual({ version: 1, locations: [organisation] });
  });

  it('keeps the first of two entries with one id', () => {
    expect(parseSavedLocations({ version: 1, locations: [s3, { ...s3, label: 'again' }] })).toEqual({ version: 1, locations: [s3] });
  });

  it('refuses another version or shape', () => {
    expect(parseSavedLocations({ version: 2, locations: [] })).toBeUndefined();
    expect(parseSavedLocations(undefined)).toBeUndefined();
    expect(parseSavedLocations({ version: 1, locations: {} })).toBeUndefined();
  });
});
