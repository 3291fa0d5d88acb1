/**
 * The vault: one passphrase seals the list of protected files; a wrong one opens nothing and may be
 * tried again; a sealed record holds nothing readable and cannot be altered or moved unnoticed.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogRecord } from '../../src/vault/catalog-record.js';
import { openKeyringWithKey, sealKeyring } from '../../src/vault/keyring.js';
import { createVault, isSealedRecord, openRecord, sealRecord, unlockVault } from '../../src/vault/vault.js';
import { expectCode } from '../helpers/errors.js';

const record: CatalogRecord = {
  version: 1,
  id: '0123456789abcdef0123456789abcdef',
  fileName: 'Jane Doe — brain MRI.dcm',
  size: 1234,
  type: 'application/dicom',
  sha256: 'ab'.repeat(32),
  scheme: 'ssms',
  k: 2,
  n: 3,
  createdAt: 1_700_000_000_000,
  splitId: 'fedcba9876543210fedcba9876543210',
  shares: [1, 2, 3].map((x) => ({ x, bucketId: `demo-${x}`, key: `tessera/0123456789abcdef0123456789abcdef/${x}.tshare`, size: 700 })),
  contents: { kind: 'folder', name: 'MRI', files: 1, studies: [{ patientName: 'DOE^JANE', studyDate: '20240101', description: 'Brain', modalities: ['MR'], instances: 1 }] },
};

describe('vault', () => {
  it('unlocks with its passphrase only; a wrong one is refused, changes nothing, and may be retried', { timeout: 20_000 }, async () => {
    const { key, header } = await createVault('correct horse battery');
    expect(header.kdf.iterations).toBeGreaterThanOrEqual(600_000);
    await expectCode(unlockVault(header, 'wrong horse battery'), 'vault.wrong-passphrase');
    const again = await unlockVault(header, 'correct horse battery');
    const sealed = await sealRecord(key, record);
    expect(await openRecord(again, sealed)).toEqual(record);
  });

  it('a sealed record shows nothing of the file: no name, patient, hash or place', async () => {
    const { key } = await createVault('correct horse battery');
    const sealed = await sealRecord(key, record);
    expect(isSealedRecord(sealed)).toBe(true);
    // Only the id and the sealed box are stored; around the box, nothing of the record.
    expect(Object.keys(sealed).sort()).toEqual(['id', 'sealed']);
    expect(Object.keys(sealed.sealed).sort()).toEqual(['ciphertext', 'iv', 'version']);
    const texts = ['Jane', 'DOE^JANE', 'MRI', record.sha256!, 'demo-1', 'tessera/', 'Brain'];
    const around = JSON.stringify({ ...sealed, sealed: { ...sealed.sealed, iv: '', ciphertext: '' } });
    for (const text of texts) expect(around).not.toContain(text);
    // Inside the box, none of it in the clear. The bytes are searched, not their base64: random
    // base64 spells a short word such as "MRI" by chance about once in 250 seals.
    const boxed = Buffer.from(sealed.sealed.ciphertext, 'base64');
    expect(boxed.length).toBeGreaterThan(JSON.stringify(record).length);
    for (const text of texts) expect(boxed.includes(Buffer.from(text, 'utf8'))).toBe(false);
    // Two seals of the same record differ (fresh IV).
    expect((await sealRecord(key, record)).sealed.ciphertext).not.toBe(sealed.sealed.ciphertext);
  });

  it('refuses a record altered, moved under another id, or sealed by another vault', async () => {
    const { key } = await createVault('correct horse battery');
    const other = await createVault('another passphrase');
    const sealed = await sealRecord(key, record);
    const bytes = Uint8Array.from(atob(sealed.sealed.ciphertext), (c) => c.charCodeAt(0));
    bytes[5]! ^= 1;
    const altered = { ...sealed, sealed: { ...sealed.sealed, ciphertext: btoa(String.fromCharCode(...bytes)) } };
    await expectCode(openRecord(key, altered), 'vault.wrong-passphrase');
    await expectCode(openRecord(key, { ...sealed, id: 'ffffffffffffffffffffffffffffffff' }), 'vault.wrong-passphrase');
    await expectCode(openRecord(other.key, sealed), 'vault.wrong-passphrase');
    expect(isSealedRecord({ id: 'x', sealed: sealed.sealed })).toBe(false);
    expect(isSealedRecord(record)).toBe(false);
  });

  it('its key opens storage keys sealed under it, and not keys sealed under another passphrase', async () => {
    const { key } = await createVault('correct horse battery');
    const other = await createVault('another passphrase');
    const keys = await sealKeyring(key, { 's3:http://127.0.0.1/a': 'secret-key' });
    expect(await openKeyringWithKey(keys, key)).toEqual({ 's3:http://127.0.0.1/a': 'secret-key' });
    await expectCode(openKeyringWithKey(keys, other.key), 'vault.wrong-passphrase');
  });
});
