/**
 * The recovery kit format (src/vault/recovery-kit.ts): made from a record and the places of its
 * locations, it survives the JSON file, the compact QR text and the QR symbol itself (read back by
 * zxing-cpp) unchanged; it never holds a location's secret; and a kit read back is refused, with
 * its code, when it holds anything shaped like a credential, an unknown version or inconsistent
 * numbers.
 */
import { describe, expect, it } from 'vitest';
import { locationId, locationSettings, type LocationDescriptor } from '../../src/app/location-form.js';
import { shareKey } from '../../src/storage/share-keys.js';
import { parseCatalogRecord, type CatalogRecord } from '../../src/vault/catalog-record.js';
import {
  makeRecoveryKit,
  parseRecoveryKit,
  placeBucketId,
  placeFromSettings,
  recordFromKit,
  recoveryKitJson,
  recoveryKitQr,
  recoveryKitQrText,
  RecoveryKitError,
  type KitPlace,
  type RecoveryKit,
  type RecoveryKitErrorCode,
} from '../../src/vault/recovery-kit.js';
import { readQrSymbol } from '../helpers/qr-reader.js';

const RECORD_ID = '0123456789abcdef0123456789abcdef';
const S3_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SAS = 'https://tesseraacct.blob.core.windows.net/shares-1?sv=2022-11-02&sr=c&sp=racwdl&se=2030-01-01T00%3A00%3A00Z&sig=c2lnbmF0dXJlLWV4YW1wbGU%3D';
const TOKEN = 'org-token.EXAMPLE-1234567890';

const locations: readonly LocationDescriptor[] = [
  {
    kind: 's3',
    id: 's3:https://s3.eu-central-1.wasabisys.com/my-shares',
    label: 'Wasabi',
    online: true,
    provider: 'wasabi',
    endpoint: 'https://s3.eu-central-1.wasabisys.com',
    region: 'eu-central-1',
    bucket: 'my-shares',
    addressing: 'virtual-hosted',
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: S3_SECRET,
  },
  { kind: 'azure', id: 'azure:https://tesseraacct.blob.core.windows.net/shares-1', label: 'Azure', online: true, containerSasUrl: SAS },
  {
    kind: 'presign-endpoint',
    id: 'presign:https://presign.hospital.example/tessera/records-a',
    label: 'Hospital',
    online: true,
    endpoint: 'https://presign.hospital.example/tessera',
    bucket: 'records-a',
    token: TOKEN,
  },
];

/** Where each bucket id is, as the app's state answers it: demo clouds by id, real locations from their saved settings. */
function placeOf(bucketId: string): KitPlace | undefined {
  if (/^demo-[a-e]$/.test(bucketId)) return { kind: 'demo', id: bucketId };
  const location = locations.find((candidate) => candidate.id === bucketId);
  return location ? placeFromSettings(locationSettings(location)) : undefined;
}

const record: CatalogRecord = {
  version: 1,
  id: RECORD_ID,
  fileName: 'CT head 2024.dcm',
  size: 3 * 1024 * 1024,
  type: 'application/dicom',
  sha256: 'c'.repeat(64),
  scheme: 'ssms',
  k: 3,
  n: 5,
  createdAt: 1_700_000_000_000,
  splitId: 'fedcba9876543210fedcba9876543210',
  shares: [
    // Out of order on purpose: the kit lists shares by x.
    { x: 2, bucketId: locations[1]!.id, key: shareKey(RECORD_ID, 2), size: 1_048_620 },
    { x: 1, bucketId: locations[0]!.id, key: shareKey(RECORD_ID, 1), size: 1_048_620 },
    { x: 3, bucketId: locations[2]!.id, key: shareKey(RECORD_ID, 3), size: 1_048_620, state: 'pending', failure: 'bucket.cors' },
    { x: 4, bucketId: 'demo-a', key: shareKey(RECORD_ID, 4), size: 1_048_620 },
    { x: 5, bucketId: 'demo-b', key: shareKey(RECORD_ID, 5), size: 1_048_620 },
  ],
};

const { sha256: _legacy, ...recordWithoutSha256 } = record;
/** The same record as made now: named by its fingerprint. */
const fingerprinted: CatalogRecord = { ...recordWithoutSha256, fingerprint: `256k:${'d'.repeat(64)}` };

function made(choices: { includeFileName?: boolean } = {}, from: CatalogRecord = record): RecoveryKit {
  const result = makeRecoveryKit(from, placeOf, choices);
  if (!result.ok) throw new Error(`no kit: ${result.unknownBucketIds.join(', ')}`);
  return result.kit;
}

function refusal(text: string): RecoveryKitError {
  try {
    parseRecoveryKit(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RecoveryKitError);
    return error as RecoveryKitError;
  }
  throw new Error('expected a refusal, and the kit was accepted');
}

describe('making a kit', () => {
  it('lists every share by x with its place, key and size, and the record’s numbers; the file name only when asked', () => {
    const kit = made();
    expect(kit).toEqual({
      format: 'tessera-recovery-kit',
      version: 1,
      recordId: RECORD_ID,
      splitId: record.splitId,
      scheme: 'ssms',
      k: 3,
      n: 5,
      size: record.size,
      sha256: record.sha256,
      shares: [
        {
          x: 1,
          place: { kind: 's3', provider: 'wasabi', endpoint: 'https://s3.eu-central-1.wasabisys.com', region: 'eu-central-1', bucket: 'my-shares', addressing: 'virtual-hosted' },
          key: shareKey(RECORD_ID, 1),
          size: 1_048_620,
        },
        { x: 2, place: { kind: 'azure', containerUrl: 'https://tesseraacct.blob.core.windows.net/shares-1' }, key: shareKey(RECORD_ID, 2), size: 1_048_620 },
        { x: 3, place: { kind: 'presign-endpoint', endpoint: 'https://presign.hospital.example/tessera', bucket: 'records-a' }, key: shareKey(RECORD_ID, 3), size: 1_048_620 },
        { x: 4, place: { kind: 'demo', id: 'demo-a' }, key: shareKey(RECORD_ID, 4), size: 1_048_620 },
        { x: 5, place: { kind: 'demo', id: 'demo-b' }, key: shareKey(RECORD_ID, 5), size: 1_048_620 },
      ],
    });
    expect(made({ includeFileName: true }).fileName).toBe('CT head 2024.dcm');
  });

  it('holds no secret of any location, in the file or in the QR text: no S3 secret key, SAS query, token or access key id', () => {
    for (const includeFileName of [false, true]) {
      const kit = made({ includeFileName });
      for (const text of [recoveryKitJson(kit), recoveryKitQrText(kit)]) {
        for (const secret of [S3_SECRET, 'sig=', 'sv=2022', '?', TOKEN, 'AKIDEXAMPLE']) expect(text).not.toContain(secret);
      }
    }
  });

  it('refuses to print a file name the format does not take, and makes the kit without it', () => {
    const longName = { ...record, fileName: `${'x'.repeat(300)}.dcm` };
    expect(() => makeRecoveryKit(longName, placeOf, { includeFileName: true })).toThrow(/^\[kit\.malformed\] fileName/);
    expect(makeRecoveryKit(longName, placeOf).ok).toBe(true);
  });

  it('names the locations it cannot describe (no longer set up here) instead of making a kit', () => {
    const orphan = { ...record, shares: record.shares.map((share) => (share.x === 2 ? { ...share, bucketId: 's3:https://gone.example/old' } : share)) };
    expect(makeRecoveryKit(orphan, placeOf)).toEqual({ ok: false, unknownBucketIds: ['s3:https://gone.example/old'] });
  });

  it('gives each place the very id the app gives its location (location-form.ts locationId)', () => {
    for (const location of locations) {
      const { id: _id, ...withoutId } = location;
      expect(placeBucketId(placeFromSettings(locationSettings(location)))).toBe(locationId(withoutId));
      expect(placeBucketId(placeFromSettings(locationSettings(location)))).toBe(location.id);
    }
    expect(placeBucketId({ kind: 'demo', id: 'demo-c' })).toBe('demo-c');
  });
});

describe('round trips', () => {
  const kits: Record<string, RecoveryKit> = {
    'four kinds of places, no file name': made(),
    'with the file name': made({ includeFileName: true }),
    'unusual keys and sizes (written out in the compact form)': {
      ...made({ includeFileName: true }),
      shares: made().shares.map((share) => (share.x === 2 ? { ...share, key: 'elsewhere/2.tshare', size: 7 } : share)),
    },
    'a file name beyond ASCII (escaped in the QR text)': { ...made(), fileName: 'Émile — IRM 😀.pdf' },
    'a record named by its fingerprint (kits from before fingerprints carry the SHA-256)': made({}, fingerprinted),
    '2 of 2 in one demo cloud, an empty file': {
      ...made(),
      k: 2,
      n: 2,
      size: 0,
      scheme: 'shamir',
      shares: [1, 2].map((x) => ({ x, place: { kind: 'demo', id: 'demo-a' } as const, key: shareKey(RECORD_ID, x), size: 32 })),
    },
  };

  for (const [name, kit] of Object.entries(kits)) {
    it(`reads back the same kit from the JSON file and from the QR text: ${name}`, () => {
      expect(parseRecoveryKit(recoveryKitJson(kit))).toEqual(kit);
      expect(parseRecoveryKit(recoveryKitQrText(kit))).toEqual(kit);
      expect(recoveryKitQrText(kit).length).toBeLessThan(recoveryKitJson(kit).length);
      expect(recoveryKitQrText(kit)).toMatch(/^[\x20-\x7e]+$/);
    });
  }

  it('reads back the same kit from the QR symbol, decoded by zxing-cpp', async () => {
    for (const kit of Object.values(kits)) {
      const symbol = recoveryKitQr(kit)!;
      expect(symbol.errorCorrection).toBe('Q');
      const bytes = await readQrSymbol(symbol);
      expect(parseRecoveryKit(new TextDecoder().decode(bytes))).toEqual(kit);
    }
  });

  it('prints five demo clouds in 325 bytes: version 17 at level Q (85 modules a side)', () => {
    const kit = made({}, { ...record, shares: record.shares.map((share) => ({ ...share, bucketId: `demo-${'abcde'[share.x - 1]}` })) });
    expect(new TextEncoder().encode(recoveryKitQrText(kit)).length).toBe(325);
    expect(recoveryKitQr(kit)).toMatchObject({ version: 17, errorCorrection: 'Q', size: 85 });
  });

  it('moves to level M for a large kit, and gives no QR code when even version 40 cannot hold it', async () => {
    const place = (i: number): KitPlace => ({ kind: 'presign-endpoint', endpoint: `https://presign-${i}.hospital.example/tessera`, bucket: `records-${i}` });
    const large = (n: number): RecoveryKit => ({
      ...made(),
      k: 2,
      n,
      shares: Array.from({ length: n }, (_, i) => ({ x: i + 1, place: place(i), key: shareKey(RECORD_ID, i + 1), size: 100 })),
    });
    const medium = recoveryKitQr(large(20))!;
    expect(medium.errorCorrection).toBe('M');
    expect(parseRecoveryKit(new TextDecoder().decode(await readQrSymbol(medium)))).toEqual(large(20));
    expect(recoveryKitQr(large(60))).toBeUndefined();
  });

  it('carries the fingerprint of a record that has one, and makes back a record named by it', () => {
    const kit = made({}, fingerprinted);
    expect(kit.fingerprint).toBe(`256k:${'d'.repeat(64)}`);
    expect(kit.sha256).toBeUndefined();
    expect(JSON.parse(recoveryKitJson(kit))).toMatchObject({ fingerprint: `256k:${'d'.repeat(64)}` });
    expect(JSON.parse(recoveryKitQrText(kit))).toMatchObject({ g: `256k:${'d'.repeat(64)}` });
    expect(parseRecoveryKit(recoveryKitJson(kit))).toEqual(kit);
    expect(parseRecoveryKit(recoveryKitQrText(kit))).toEqual(kit);
    const back = recordFromKit(kit, 1);
    expect(parseCatalogRecord(back)).toEqual(back);
    expect(back.fingerprint).toBe(`256k:${'d'.repeat(64)}`);
  });

  it('still reads a kit whose fingerprint was made with 1 MiB blocks (plain hex, 2026-11-21)', () => {
    const kit = made({}, { ...fingerprinted, fingerprint: 'd'.repeat(64) });
    expect(parseRecoveryKit(recoveryKitJson(kit)).fingerprint).toBe('d'.repeat(64));
    expect(parseRecoveryKit(recoveryKitQrText(kit)).fingerprint).toBe('d'.repeat(64));
  });

  it('makes back a catalog record the catalog itself accepts, every share at its location', () => {
    const back = recordFromKit(made({ includeFileName: true }), 42);
    expect(parseCatalogRecord(back)).toEqual(back);
    expect(back).toMatchObject({ id: RECORD_ID, fileName: 'CT head 2024.dcm', sha256: record.sha256, splitId: record.splitId, k: 3, n: 5, createdAt: 42 });
    expect(back.shares.map(({ x, bucketId, key, size }) => ({ x, bucketId, key, size }))).toEqual(
      [...record.shares].sort((a, b) => a.x - b.x).map(({ x, bucketId, key, size }) => ({ x, bucketId, key, size })),
    );
    // Shares are where the kit says; none waits on this device (a kit may be read on another one).
    expect(back.shares.every((share) => share.state === undefined)).toBe(true);
    expect(recordFromKit(made(), 0).fileName).toBe('tessera-01234567');
  });
});

describe('refusals', () => {
  const kit = made();
  const json = (edit: (value: Record<string, unknown>) => void): string => {
    const value = JSON.parse(recoveryKitJson(kit)) as Record<string, unknown>;
    edit(value);
    return JSON.stringify(value);
  };
  const place = (value: Record<string, unknown>, x: number): Record<string, unknown> => ((value['shares'] as Record<string, unknown>[])[x - 1]!['place'] as Record<string, unknown>);

  const bad: readonly (readonly [string, string, RecoveryKitErrorCode])[] = [
    ['an Azure SAS URL (sig=) as the container', json((value) => (place(value, 2)['containerUrl'] = SAS)), 'kit.secret'],
    ['an S3 endpoint with a user name and password', json((value) => (place(value, 1)['endpoint'] = `https://AKIDEXAMPLE:${encodeURIComponent(S3_SECRET)}@s3.example.com`)), 'kit.secret'],
    [
      'a presigned S3 URL (X-Amz-Signature)',
      json((value) => (place(value, 1)['endpoint'] = 'https://s3.example.com/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101&X-Amz-Signature=abcdef')),
      'kit.secret',
    ],
    ['an endpoint with any query', json((value) => (place(value, 3)['endpoint'] = 'https://presign.hospital.example/tessera?tenant=a')), 'kit.secret'],
    ['a secret key beside the bucket', json((value) => (place(value, 1)['secretAccessKey'] = S3_SECRET)), 'kit.secret'],
    ['an access key id beside the bucket', json((value) => (place(value, 1)['accessKeyId'] = 'AKIDEXAMPLE')), 'kit.secret'],
    ['a token at the top', json((value) => (value['token'] = TOKEN)), 'kit.secret'],
    ['an AWS access key id in a key', json((value) => ((value['shares'] as Record<string, unknown>[])[0]!['key'] = 'AKIAIOSFODNN7EXAMPLE')), 'kit.secret'],
    ['a signature in the compact form’s keys', recoveryKitQrText(kit).replace(/}$/, ',"o":{"2":"https://x.example/k?sig=abc"}}'), 'kit.secret'],
    ['version 2', json((value) => (value['version'] = 2)), 'kit.version'],
    ['version "1" as text', json((value) => (value['version'] = '1')), 'kit.version'],
    ['a compact kit of version 2', recoveryKitQrText(kit).replace('"tessera-kit":1', '"tessera-kit":2'), 'kit.version'],
    ['neither a fingerprint nor a SHA-256', json((value) => delete value['sha256']), 'kit.malformed'],
    ['a fingerprint that is not 64 hex digits', json((value) => (value['fingerprint'] = 'z'.repeat(64))), 'kit.malformed'],
    ['k above n', json((value) => (value['k'] = 6)), 'kit.malformed'],
    ['k of 1', json((value) => (value['k'] = 1)), 'kit.malformed'],
    ['k not a whole number', json((value) => (value['k'] = 2.5)), 'kit.malformed'],
    ['n of 256', json((value) => (value['n'] = 256)), 'kit.malformed'],
    ['n larger than the shares listed', json((value) => (value['n'] = 6)), 'kit.malformed'],
    ['a share missing', json((value) => (value['shares'] as unknown[]).pop()), 'kit.malformed'],
    ['two shares with the same x', json((value) => ((value['shares'] as Record<string, unknown>[])[1]!['x'] = 1)), 'kit.malformed'],
    ['a share with x above n', json((value) => ((value['shares'] as Record<string, unknown>[])[4]!['x'] = 6)), 'kit.malformed'],
    ['an unknown member', json((value) => (value['comment'] = 'kept in the drawer')), 'kit.malformed'],
    ['an unknown place kind', json((value) => (place(value, 4)['kind'] = 'ftp')), 'kit.malformed'],
    ['a record id that is not 32 hex digits', json((value) => (value['recordId'] = 'ABC')), 'kit.malformed'],
    ['an unknown scheme', json((value) => (value['scheme'] = 'xor')), 'kit.malformed'],
    ['a negative size', json((value) => (value['size'] = -1)), 'kit.malformed'],
    ['a file name with a folder', json((value) => (value['fileName'] = '../etc/passwd')), 'kit.malformed'],
    ['a compact kit whose share points at no place', recoveryKitQrText(kit).replace(/"x":\[[^\]]*\]/, '"x":[0,1,2,3,9]'), 'kit.malformed'],
    ['another JSON document', '{"hello":"world"}', 'kit.not-a-kit'],
    ['text that is not JSON (another QR code)', 'https://example.org/menu', 'kit.not-a-kit'],
    ['JSON that is not an object', '[1,2,3]', 'kit.not-a-kit'],
  ];

  for (const [name, text, code] of bad) {
    it(`refuses ${name}: ${code}`, () => {
      const error = refusal(text);
      expect(error.code).toBe(code);
      expect(error.message.startsWith(`[${code}] `)).toBe(true);
      // The refusal never repeats a secret it found.
      for (const secret of [S3_SECRET, encodeURIComponent(S3_SECRET), 'c2lnbmF0dXJlLWV4YW1wbGU', TOKEN]) expect(error.message).not.toContain(secret);
    });
  }

  it('refuses what is not text with a TypeError', () => {
    expect(() => parseRecoveryKit(42 as unknown as string)).toThrow(TypeError);
  });
});
