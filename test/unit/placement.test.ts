/**
 * The placement rule: which provider account each location belongs to, how many accounts would
 * have to collude to rebuild a file, and when one account alone could (k or more shares).
 */
import { describe, expect, it } from 'vitest';
import { accountOf, checkPlacement } from '../../src/app/placement.js';
import { DEMO_BUCKETS, type AzureBucketDescriptor, type BucketDescriptor, type PresignEndpointBucketDescriptor, type S3BucketDescriptor } from '../../src/storage/index.js';

function s3(label: string, overrides: Partial<S3BucketDescriptor> = {}): S3BucketDescriptor {
  return {
    kind: 's3',
    id: `s3:${label}`,
    label,
    online: true,
    provider: 'ceph',
    endpoint: 'http://127.0.0.1:7480',
    region: 'default',
    bucket: label.toLowerCase(),
    addressing: 'path',
    accessKeyId: 'OWNER',
    secretAccessKey: 'secret',
    ...overrides,
  };
}

function azure(label: string, containerUrl: string): AzureBucketDescriptor {
  return { kind: 'azure', id: `azure:${label}`, label, online: true, containerSasUrl: `${containerUrl}?sv=2021-08-06&sr=c&sp=rcwdl&sig=abc` };
}

function organisation(label: string, endpoint: string, bucket = label.toLowerCase()): PresignEndpointBucketDescriptor {
  return { kind: 'presign-endpoint', id: `presign:${endpoint}/${bucket}`, label, online: true, endpoint, bucket, token: 'token' };
}

describe('accountOf', () => {
  it('self-hosted S3: one account per endpoint host and key id', () => {
    expect(accountOf(s3('A'))).toBe(accountOf(s3('B', { bucket: 'other', endpoint: 'http://127.0.0.1:7480/' })));
    expect(accountOf(s3('A'))).not.toBe(accountOf(s3('B', { accessKeyId: 'OTHER' })));
    expect(accountOf(s3('A'))).not.toBe(accountOf(s3('B', { endpoint: 'http://127.0.0.1:7481' })));
  });

  it('a known service: one key id is one account in every region, and different services are different accounts', () => {
    const aws = (region: string): S3BucketDescriptor => s3('A', { provider: 'aws', region, endpoint: `https://s3.${region}.amazonaws.com`, accessKeyId: 'AKIA1' });
    expect(accountOf(aws('eu-west-1'))).toBe(accountOf(aws('us-east-1')));
    expect(accountOf(aws('eu-west-1'))).not.toBe(accountOf(s3('A', { provider: 'wasabi', endpoint: 'https://s3.eu-west-1.wasabisys.com', accessKeyId: 'AKIA1' })));
  });

  it('Azure: one storage account, whatever the container; path-style accounts (Azurite) by host and account', () => {
    expect(accountOf(azure('D', 'https://acct1.blob.core.windows.net/c1'))).toBe(accountOf(azure('E', 'https://acct1.blob.core.windows.net/c2')));
    expect(accountOf(azure('D', 'https://acct1.blob.core.windows.net/c1'))).not.toBe(accountOf(azure('E', 'https://acct2.blob.core.windows.net/c1')));
    expect(accountOf(azure('D', 'http://127.0.0.1:10000/devstoreaccount1/c1'))).toBe(accountOf(azure('E', 'http://127.0.0.1:10000/devstoreaccount1/c2')));
    expect(accountOf(azure('D', 'http://127.0.0.1:10000/devstoreaccount1/c1'))).not.toBe(accountOf(azure('E', 'http://127.0.0.1:10000/devstoreaccount2/c1')));
  });

  it("an organisation's signing service: every bucket behind one endpoint origin is one provider, whatever the path or bucket", () => {
    const hospital = organisation('F', 'https://presign.hospital.example/tessera');
    expect(accountOf(hospital)).toBe(accountOf(organisation('G', 'https://PRESIGN.hospital.example/other-path', 'records-b')));
    expect(accountOf(hospital)).not.toBe(accountOf(organisation('F', 'https://presign.clinic.example/tessera')));
    expect(accountOf(hospital)).not.toBe(accountOf(organisation('F', 'https://presign.hospital.example:8443/tessera')));
    // Not the S3 store behind it: Tessera cannot see which one the organisation uses.
    expect(accountOf(hospital)).not.toBe(accountOf(s3('F', { endpoint: 'https://presign.hospital.example' })));
  });

  it('each demo cloud stands for its own company', () => {
    expect(new Set(DEMO_BUCKETS.map(accountOf)).size).toBe(DEMO_BUCKETS.length);
  });
});

describe('checkPlacement', () => {
  const cephThree = [s3('A'), s3('B'), s3('C')];
  const azureTwo = [azure('D', 'http://127.0.0.1:10000/devstoreaccount1/d'), azure('E', 'http://127.0.0.1:10000/devstoreaccount1/e')];

  it('five separate accounts, 3-of-5: nothing shared, 3 providers would have to collude', () => {
    expect(checkPlacement(DEMO_BUCKETS, 3)).toMatchObject({ shared: [], colluding: 3, unsafe: false });
  });

  it('3 shares with one account and 2 with another, 3-of-5: that one account alone could read it (refused)', () => {
    const check = checkPlacement([...cephThree, ...azureTwo], 3);
    expect(check.unsafe).toBe(true);
    expect(check.colluding).toBe(1);
    expect(check.shared.map((group) => [group.labels, group.shares])).toEqual([
      [['A', 'B', 'C'], 3],
      [['D', 'E'], 2],
    ]);
  });

  it('the same, 4-of-5: no account alone, but two together could', () => {
    expect(checkPlacement([...cephThree, ...azureTwo], 4)).toMatchObject({ unsafe: false, colluding: 2 });
  });

  it('k − 1 shares with one account is allowed; k is not', () => {
    const mixed: BucketDescriptor[] = [s3('A'), s3('B'), ...DEMO_BUCKETS.slice(0, 3)];
    expect(checkPlacement(mixed, 3)).toMatchObject({ unsafe: false, colluding: 2 });
    expect(checkPlacement(mixed, 2)).toMatchObject({ unsafe: true, colluding: 1 });
  });

  it("k of an organisation's buckets behind one endpoint: the organisation alone could read the file (refused)", () => {
    const buckets = ['a', 'b', 'c'].map((bucket) => organisation(bucket.toUpperCase(), `https://presign.hospital.example/${bucket}`, bucket));
    const check = checkPlacement([...buckets, ...DEMO_BUCKETS.slice(0, 2)], 3);
    expect(check).toMatchObject({ unsafe: true, colluding: 1 });
    expect(check.shared.map((group) => group.labels)).toEqual([['A', 'B', 'C']]);
  });

  it('k must be a whole number from 1 to the number of locations', () => {
    for (const k of [0, 1.5, Number.NaN, 6]) expect(() => checkPlacement(DEMO_BUCKETS, k), String(k)).toThrow(RangeError);
  });
});
