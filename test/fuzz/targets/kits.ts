/**
 * Recovery-kit import (src/vault/recovery-kit.ts parseRecoveryKit): the JSON file and the compact
 * text a QR code holds. Seeds are kits made by makeRecoveryKit for records in every kind of place
 * (demo clouds, S3, Azure, a presign endpoint), with and without a file name, with a fingerprint or
 * a plain SHA-256, and with object keys of their own; each written as JSON and as QR text.
 * Mutations: JSON-aware (a value anywhere replaced, removed, added, retyped), unicode, huge numbers,
 * deep nesting, and plain text edits.
 *
 * Oracles: a refusal is a RecoveryKitError with one of its four codes; an accepted kit is written
 * again (JSON and QR text) and read back to the same kit, and becomes a catalog record.
 */
import type { CatalogRecord } from '../../../src/vault/catalog-record.js';
import { RecoveryKitError, makeRecoveryKit, parseRecoveryKit, recordFromKit, recoveryKitJson, recoveryKitQrText, type KitPlace } from '../../../src/vault/recovery-kit.js';
import { mutateJson, mutateText } from '../mutators.js';
import { Finding, textPreview, type FuzzTarget } from '../runner.js';

const CODES = new Set(['kit.not-a-kit', 'kit.version', 'kit.secret', 'kit.malformed']);

const PLACES: Readonly<Record<string, KitPlace>> = {
  'demo-a': { kind: 'demo', id: 'demo-a' },
  'demo-b': { kind: 'demo', id: 'demo-b' },
  s3: { kind: 's3', provider: 'aws', endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1', bucket: 'hospital-shares', addressing: 'virtual-hosted' },
  minio: { kind: 's3', provider: 'minio', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', bucket: 'b', addressing: 'path' },
  azure: { kind: 'azure', containerUrl: 'https://account.blob.core.windows.net/shares' },
  presign: { kind: 'presign-endpoint', endpoint: 'https://sign.example.org/api/', bucket: 'ward-7' },
};

function record(index: number, bucketIds: readonly string[], extra: Partial<CatalogRecord>): CatalogRecord {
  const id = index.toString(16).padStart(32, 'a');
  return {
    version: 1,
    id,
    fileName: 'CT chest — Dürer.dcm',
    size: 1_234_567,
    type: 'application/dicom',
    fingerprint: 'ab'.repeat(32),
    scheme: index % 2 === 0 ? 'ssms' : 'shamir',
    k: 2,
    n: bucketIds.length,
    createdAt: 1_700_000_000_000,
    splitId: (index + 7).toString(16).padStart(32, '0'),
    shares: bucketIds.map((bucketId, at) => ({ x: at + 1, bucketId, key: `tessera/${id}/${at + 1}.tshare`, size: 617_300 + (index === 3 ? at : 0) })),
    ...extra,
  } as CatalogRecord;
}

export const kitTarget: FuzzTarget = {
  name: 'recovery kit',
  description: 'parseRecoveryKit on mutated kit JSON files and QR texts',
  async setup() {
    const records = [
      record(0, ['demo-a', 'demo-b', 'demo-a'], {}),
      record(1, ['s3', 'azure', 'presign', 'minio', 's3'], { sha256: 'cd'.repeat(32), fingerprint: undefined }),
      record(2, ['azure', 'azure'], {}),
      record(3, ['s3', 'minio', 'presign'], { shares: [{ x: 1, bucketId: 's3', key: 'custom/key one.tshare', size: 10 }, { x: 2, bucketId: 'minio', key: 'tessera/x/2.tshare', size: 11 }, { x: 3, bucketId: 'presign', key: 'k', size: 12 }] }),
    ];
    const seeds: string[] = [];
    for (const [index, each] of records.entries()) {
      const made = makeRecoveryKit(each, (bucketId) => PLACES[bucketId], { includeFileName: index % 2 === 0 });
      if (!made.ok) throw new Error(`seed kit ${index}: ${made.unknownBucketIds.join(', ')}`);
      seeds.push(recoveryKitJson(made.kit), recoveryKitQrText(made.kit));
    }
    for (const seed of seeds) parseRecoveryKit(seed);

    return (random) => {
      const seed = random.pick(seeds);
      const text = mutateText(seed, random, seeds, mutateJson, { most: 4 });
      return {
        mutations: seed.startsWith('{"tessera-kit"') ? 'QR text' : 'JSON file',
        preview: () => textPreview(text),
        async run() {
          let kit;
          try {
            kit = parseRecoveryKit(text);
          } catch (error) {
            if (error instanceof RecoveryKitError && CODES.has(error.code)) return error.code;
            throw error;
          }
          // Lossless both ways (-0 and 0 are one size, so the written forms are compared, not the values).
          const json = recoveryKitJson(kit);
          for (const [form, written] of [['JSON', json], ['QR text', recoveryKitQrText(kit)]] as const) {
            if (recoveryKitJson(parseRecoveryKit(written)) !== json) throw new Finding(`an accepted kit does not survive its ${form} form`);
          }
          const made = recordFromKit(kit, 0);
          if (made.shares.length !== kit.n) throw new Finding('recordFromKit lost shares');
          return 'accepted';
        },
      };
    };
  },
};
