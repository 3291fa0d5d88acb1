/**
 * The storage locations' keys sealed under a passphrase (src/vault/keyring.ts): round trips, the
 * stored shape (≥ 600,000 PBKDF2 iterations, 16-byte salt, 12-byte IV), no secret byte in what is
 * stored, a wrong passphrase told apart with its code and never locking out, tampering refused,
 * malformed stored values rejected, and the construction checked against Node's own crypto module
 * (a second implementation, from the documented parameters alone).
 */
import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { descriptorFromSettings, keepingFromForm, locationSecret, locationSettings, type KeepChoice, type LocationDescriptor } from '../../src/app/location-form.js';
import { StorageLocations, type LocationSettingsStore, type SealedKeyringStore } from '../../src/app/state/locations.svelte.js';
import { ERROR_ADVICE, toTesseraError } from '../../src/core/errors.js';
import type { SavedLocations } from '../../src/vault/catalog-record.js';
import {
  KEYRING_ITERATIONS,
  KEYRING_LABEL,
  newKeyringKey,
  openKeyring,
  parseSealedKeyring,
  sealKeyring,
  type SealedKeyring,
} from '../../src/vault/keyring.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { expectCode } from '../helpers/errors.js';

const PASSPHRASE = 'correct horse battery staple';
const S3_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SAS = 'https://tesseraacct.blob.core.windows.net/shares-1?sv=2021-08-06&sr=c&sp=rcwdl&se=2030-01-01T00:00:00Z&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';
const TOKEN = 'org-token.EXAMPLE-1234567890';

const ceph: LocationDescriptor = {
  kind: 's3',
  id: 's3:http://127.0.0.1:7480/cloud-a',
  label: 'Ceph A',
  online: false,
  provider: 'ceph',
  endpoint: 'http://127.0.0.1:7480',
  region: 'default',
  bucket: 'cloud-a',
  addressing: 'path',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: S3_SECRET,
};
const azure: LocationDescriptor = { kind: 'azure', id: 'azure:https://tesseraacct.blob.core.windows.net/shares-1', label: 'Azure 1', online: true, containerSasUrl: SAS };
const organisation: LocationDescriptor = {
  kind: 'presign-endpoint',
  id: 'presign:https://presign.hospital.example/tessera/records-a',
  label: 'Hospital',
  online: true,
  endpoint: 'https://presign.hospital.example/tessera',
  bucket: 'records-a',
  token: TOKEN,
};
const LOCATIONS = [ceph, azure, organisation];
const SECRETS: Readonly<Record<string, string>> = Object.fromEntries(LOCATIONS.map((location) => [location.id, locationSecret(location)]));

function base64(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes).toString('base64');
}

function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Every spelling of `secret` a careless store could hold: as text, as hex, and as base64 from each of the three byte alignments. */
function spellings(secret: string): string[] {
  const utf8 = Buffer.from(secret, 'utf8');
  const aligned = [0, 1, 2].map((skip) => {
    const encoded = utf8.subarray(skip).toString('base64');
    // Leave out the last (padded, alignment-dependent) characters: what remains appears in any base64 holding these bytes at this alignment.
    return encoded.slice(0, Math.floor((utf8.length - skip) / 3) * 4);
  });
  return [secret, encodeURIComponent(secret), utf8.toString('hex'), ...aligned, ...aligned.map((text) => text.replace(/\+/g, '-').replace(/\//g, '_'))];
}

/** The sealed value with one byte of a base64 field changed. */
function flipped(sealed: SealedKeyring, field: 'iv' | 'ciphertext' | 'salt', at = 0): SealedKeyring {
  const original = field === 'salt' ? sealed.kdf.salt : sealed[field];
  const changed = bytes(original);
  changed[at] = changed[at]! ^ 0x01;
  return field === 'salt' ? { ...sealed, kdf: { ...sealed.kdf, salt: base64(changed) } } : { ...sealed, [field]: base64(changed) };
}

describe('sealing and opening', () => {
  it('round trip: what is sealed under a passphrase opens with it, and the key it gives re-seals', async () => {
    const key = await newKeyringKey(PASSPHRASE);
    const sealed = await sealKeyring(key, SECRETS);
    const opened = await openKeyring(structuredClone(sealed), PASSPHRASE);
    expect(opened.secrets).toEqual(SECRETS);
    // The key kept while unlocked seals again (one location removed), without asking the passphrase again.
    const { [azure.id]: _removed, ...rest } = SECRETS;
    const resealed = await sealKeyring(opened.key, rest);
    expect(resealed.kdf).toEqual(sealed.kdf);
    expect((await openKeyring(resealed, PASSPHRASE)).secrets).toEqual(rest);
    // The derived key can never be read out.
    expect(opened.key.cryptoKey.extractable).toBe(false);
    expect(opened.key.cryptoKey.usages.sort()).toEqual(['decrypt', 'encrypt']);
  });

  it('the stored value records PBKDF2-SHA-256 with at least 600,000 iterations, a 16-byte salt and a 12-byte IV', async () => {
    const sealed = await sealKeyring(await newKeyringKey(PASSPHRASE), SECRETS);
    expect(Object.keys(sealed).sort()).toEqual(['ciphertext', 'iv', 'kdf', 'version']);
    expect(sealed.version).toBe(1);
    expect(sealed.kdf.name).toBe('PBKDF2-SHA-256');
    expect(KEYRING_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect(sealed.kdf.iterations).toBe(KEYRING_ITERATIONS);
    expect(bytes(sealed.kdf.salt)).toHaveLength(16);
    expect(bytes(sealed.iv)).toHaveLength(12);
    expect(parseSealedKeyring(JSON.parse(JSON.stringify(sealed)))).toEqual(sealed);
  });

  it('a later version may raise the count: a keyring sealed with more iterations says so and opens', async () => {
    const sealed = await sealKeyring(await newKeyringKey(PASSPHRASE, { iterations: 700_000 }), SECRETS);
    expect(sealed.kdf.iterations).toBe(700_000);
    expect((await openKeyring(sealed, PASSPHRASE)).secrets).toEqual(SECRETS);
  });

  it('two seals of the same secrets differ: a fresh salt for each new key, a fresh IV for each seal', async () => {
    const [first, second] = await Promise.all([newKeyringKey(PASSPHRASE), newKeyringKey(PASSPHRASE)]);
    const a = await sealKeyring(first, SECRETS);
    const b = await sealKeyring(second, SECRETS);
    const c = await sealKeyring(first, SECRETS);
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.kdf.salt).toBe(c.kdf.salt);
    expect(new Set([a.iv, b.iv, c.iv]).size).toBe(3);
    expect(new Set([a.ciphertext, b.ciphertext, c.ciphertext]).size).toBe(3);
  });

  it('what is stored holds no secret, in any spelling, and its length does not give away how many keys it holds', async () => {
    const key = await newKeyringKey(PASSPHRASE);
    const sealed = JSON.stringify(await sealKeyring(key, SECRETS));
    for (const location of LOCATIONS) {
      for (const spelling of spellings(locationSecret(location))) expect(sealed, `${location.kind} secret as ${spelling.slice(0, 12)}…`).not.toContain(spelling);
    }
    expect(sealed).not.toContain('sig=');
    expect(sealed).not.toContain(PASSPHRASE);
    for (const spelling of spellings(PASSPHRASE)) expect(sealed).not.toContain(spelling);
    // Padded to whole blocks of 256 bytes: one short key or two look the same.
    const one = await sealKeyring(key, { [ceph.id]: S3_SECRET });
    const two = await sealKeyring(key, { [ceph.id]: S3_SECRET, [organisation.id]: TOKEN });
    expect(bytes(one.ciphertext)).toHaveLength(256 + 16);
    expect(bytes(two.ciphertext)).toHaveLength(256 + 16);
  });

  it('known answer: with the salt and IV drawn from a seeded stream, the same input seals to the same bytes', async () => {
    const seal = async (): Promise<SealedKeyring> => {
      const random = deterministicRandom(20_260_101);
      return sealKeyring(await newKeyringKey(PASSPHRASE, { random }), SECRETS, random);
    };
    const [a, b] = await Promise.all([seal(), seal()]);
    expect(a).toEqual(b);
    expect(bytes(a.kdf.salt)).toEqual(bytes(base64(drawn(20_260_101, 16))));
  });

  it('Node’s own crypto (pbkdf2Sync, aes-256-gcm) opens a sealed keyring from the documented construction alone', async () => {
    const sealed = await sealKeyring(await newKeyringKey(PASSPHRASE), SECRETS);
    const key = pbkdf2Sync(Buffer.from(PASSPHRASE.normalize('NFC'), 'utf8'), bytes(sealed.kdf.salt), sealed.kdf.iterations, 32, 'sha256');
    const sealedBytes = bytes(sealed.ciphertext);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes(sealed.iv));
    decipher.setAAD(Buffer.from(`${KEYRING_LABEL}|PBKDF2-SHA-256|${sealed.kdf.iterations}|${sealed.kdf.salt}`, 'utf8'));
    decipher.setAuthTag(sealedBytes.subarray(-16));
    const plaintext = Buffer.concat([decipher.update(sealedBytes.subarray(0, -16)), decipher.final()]);
    expect(plaintext.length % 256).toBe(0);
    expect(JSON.parse(plaintext.toString('utf8'))).toEqual({ version: 1, secrets: SECRETS });
  });

  it('a passphrase is compared in Unicode NFC: typed composed or decomposed, “café” opens the same keys', async () => {
    const composed = 'café crème brûlée';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const sealed = await sealKeyring(await newKeyringKey(composed), SECRETS);
    expect((await openKeyring(sealed, decomposed)).secrets).toEqual(SECRETS);
  });
});

describe('a wrong passphrase', () => {
  it('is refused with vault.wrong-passphrase, in plain words, any number of times; the right one still opens', async () => {
    const sealed = await sealKeyring(await newKeyringKey(PASSPHRASE), SECRETS);
    const before = JSON.stringify(sealed);
    for (const wrong of ['correct horse battery stapler', 'Correct horse battery staple', 'something else entirely']) {
      const error = await expectCode(openKeyring(sealed, wrong), 'vault.wrong-passphrase');
      // The message names no secret and no passphrase.
      expect(error.message).not.toContain(wrong);
      for (const secret of Object.values(SECRETS)) expect(error.message).not.toContain(secret);
    }
    expect(JSON.stringify(sealed)).toBe(before);
    expect((await openKeyring(sealed, PASSPHRASE)).secrets).toEqual(SECRETS);
    expect(`${ERROR_ADVICE['vault.wrong-passphrase'].title} ${ERROR_ADVICE['vault.wrong-passphrase'].action}`).toMatch(
      /^That passphrase does not open the saved keys\. Nothing was changed; try again/,
    );
  });

  it('keeps its code across a worker boundary (only the message travels)', async () => {
    const sealed = await sealKeyring(await newKeyringKey(PASSPHRASE), { [ceph.id]: S3_SECRET });
    const error = await expectCode(openKeyring(sealed, 'not the passphrase'), 'vault.wrong-passphrase');
    expect(toTesseraError(new Error(error.message))?.code).toBe('vault.wrong-passphrase');
  });

  it.each<[string, string, RegExp]>([
    ['empty', '', /passphrase must be at least 8 characters, got 0/],
    ['seven characters', 'abcdefg', /passphrase must be at least 8 characters, got 7/],
    ['four characters of two UTF-16 units each', '🔑🔑🔑🔑', /passphrase must be at least 8 characters, got 4/],
  ])('a passphrase that is %s is refused (RangeError) before anything is derived', async (_name, passphrase, message) => {
    await expect(newKeyringKey(passphrase)).rejects.toThrow(RangeError);
    await expect(newKeyringKey(passphrase)).rejects.toThrow(message);
    const sealed = await sealKeyring(await newKeyringKey(PASSPHRASE), SECRETS);
    await expect(openKeyring(sealed, passphrase)).rejects.toThrow(message);
  });

  it('eight characters are enough, counted as a person counts them (code points)', async () => {
    const sealed = await sealKeyring(await newKeyringKey('🔑🔑🔑🔑🔑🔑🔑🔑'), SECRETS);
    expect((await openKeyring(sealed, '🔑🔑🔑🔑🔑🔑🔑🔑')).secrets).toEqual(SECRETS);
  });
});

describe('tampering', () => {
  it.each<[string, (sealed: SealedKeyring) => SealedKeyring]>([
    ['the first byte of the ciphertext', (sealed) => flipped(sealed, 'ciphertext')],
    ['a byte of the tag', (sealed) => flipped(sealed, 'ciphertext', bytes(sealed.ciphertext).length - 1)],
    ['the IV', (sealed) => flipped(sealed, 'iv', 11)],
    ['the salt', (sealed) => flipped(sealed, 'salt', 3)],
    ['the iteration count (raised by one)', (sealed) => ({ ...sealed, kdf: { ...sealed.kdf, iterations: sealed.kdf.iterations + 1 } })],
    ['the ciphertext cut by one padding block', (sealed) => ({ ...sealed, ciphertext: base64(bytes(sealed.ciphertext).subarray(256)) })],
    ['the iteration count (lowered to the least allowed)', (sealed) => ({ ...sealed, kdf: { ...sealed.kdf, iterations: sealed.kdf.iterations - 1 } })],
  ])('a change to %s is refused, even with the right passphrase: no plaintext comes out', async (_name, tamper) => {
    const sealed = await sealKeyring(await newKeyringKey(PASSPHRASE), SECRETS);
    const altered = tamper(sealed);
    expect(altered).not.toEqual(sealed);
    const outcome = openKeyring(altered, PASSPHRASE);
    if (parseSealedKeyring(altered) === undefined) await expect(outcome).rejects.toThrow(RangeError);
    else await expectCode(outcome, 'vault.wrong-passphrase');
  });

  it('a count lowered below 600,000 is not even tried: the stored value is refused as malformed', async () => {
    const sealed = await sealKeyring(await newKeyringKey(PASSPHRASE), SECRETS);
    const weakened = { ...sealed, kdf: { ...sealed.kdf, iterations: 1000 } };
    expect(parseSealedKeyring(weakened)).toBeUndefined();
    await expect(openKeyring(weakened, PASSPHRASE)).rejects.toThrow(new RangeError('sealed keyring is not well-formed'));
  });
});

describe('parseSealedKeyring', () => {
  const good: SealedKeyring = {
    version: 1,
    kdf: { name: 'PBKDF2-SHA-256', iterations: 600_000, salt: base64(new Uint8Array(16).fill(7)) },
    iv: base64(new Uint8Array(12).fill(9)),
    ciphertext: base64(new Uint8Array(256 + 16).fill(1)),
  };

  it('accepts a well-formed value, and keeps only its known fields', () => {
    expect(parseSealedKeyring(structuredClone(good))).toEqual(good);
    expect(parseSealedKeyring({ ...good, passphrase: PASSPHRASE, secrets: SECRETS, kdf: { ...good.kdf, hint: 'horse' } })).toEqual(good);
  });

  it.each<[string, unknown]>([
    ['not an object', 'keyring'],
    ['null', null],
    ['an array', [good]],
    ['another version', { ...good, version: 2 }],
    ['the version as text', { ...good, version: '1' }],
    ['no KDF', { ...good, kdf: undefined }],
    ['another KDF', { ...good, kdf: { ...good.kdf, name: 'PBKDF2-SHA-1' } }],
    ['fewer than 600,000 iterations', { ...good, kdf: { ...good.kdf, iterations: 599_999 } }],
    ['more than 10,000,000 iterations', { ...good, kdf: { ...good.kdf, iterations: 10_000_001 } }],
    ['fractional iterations', { ...good, kdf: { ...good.kdf, iterations: 600_000.5 } }],
    ['iterations as text', { ...good, kdf: { ...good.kdf, iterations: '600000' } }],
    ['a 15-byte salt', { ...good, kdf: { ...good.kdf, salt: base64(new Uint8Array(15)) } }],
    ['a salt that is not base64', { ...good, kdf: { ...good.kdf, salt: '!'.repeat(24) } }],
    ['a salt in base64 without padding', { ...good, kdf: { ...good.kdf, salt: good.kdf.salt.replace(/=+$/, '') } }],
    ['a salt in non-canonical base64', { ...good, kdf: { ...good.kdf, salt: `${good.kdf.salt.slice(0, 21)}x==` } }],
    ['a 16-byte IV', { ...good, iv: base64(new Uint8Array(16)) }],
    ['an IV as bytes', { ...good, iv: new Uint8Array(12) }],
    ['no ciphertext', { ...good, ciphertext: undefined }],
    ['a ciphertext shorter than one block and a tag', { ...good, ciphertext: base64(new Uint8Array(16)) }],
    ['a ciphertext that is not whole padding blocks', { ...good, ciphertext: base64(new Uint8Array(256 + 17)) }],
    ['a ciphertext with spaces in its base64', { ...good, ciphertext: ` ${good.ciphertext}` }],
    ['a ciphertext over 1 MiB', { ...good, ciphertext: base64(new Uint8Array(4096 * 256 + 16)) }],
  ])('rejects %s', (_name, value) => {
    expect(parseSealedKeyring(value)).toBeUndefined();
  });

  it('sealKeyring checks what it is given, and its messages never carry a secret', async () => {
    const key = await newKeyringKey(PASSPHRASE);
    await expect(sealKeyring({ cryptoKey: 'key', kdf: key.kdf } as never, SECRETS)).rejects.toThrow(TypeError);
    await expect(sealKeyring(key, null as never)).rejects.toThrow(TypeError);
    await expect(sealKeyring(key, { '': S3_SECRET })).rejects.toThrow(RangeError);
    await expect(sealKeyring(key, { [ceph.id]: '' })).rejects.toThrow(RangeError);
    const tooLong = `${S3_SECRET}${'x'.repeat(20_000)}`;
    const error = await sealKeyring(key, { [ceph.id]: tooLong }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toContain(ceph.id);
    expect((error as Error).message).not.toContain(S3_SECRET);
    await expect(newKeyringKey(PASSPHRASE, { iterations: 100_000 })).rejects.toThrow(new RangeError('iterations must be between 600000 and 10000000, got 100000'));
    await expect(newKeyringKey(PASSPHRASE, { iterations: 6e5 + 0.5 })).rejects.toThrow(TypeError);
  });
});

describe('a location’s key in and out of the keyring', () => {
  it('each kind’s secret, put back into its saved settings, gives the same usable location', () => {
    for (const location of LOCATIONS) {
      const settings = locationSettings(location);
      expect(Object.values(settings), location.kind).not.toContain(locationSecret(location));
      expect(descriptorFromSettings(settings, locationSecret(location)), location.kind).toEqual(location);
    }
  });

  it('a secret that does not fit its settings gives nothing: a SAS URL of another container, an empty key', () => {
    const otherContainer = SAS.replace('/shares-1?', '/shares-2?');
    expect(descriptorFromSettings(locationSettings(azure), otherContainer)).toBeUndefined();
    expect(descriptorFromSettings(locationSettings(ceph), '')).toBeUndefined();
  });

  it('the form’s “Keep its key” choice: a new passphrase twice, at least 8 characters; the current one when locked; none when unlocked', () => {
    const device = (passphrase: string, passphraseAgain = passphrase) => ({ keep: 'device' as const, passphrase, passphraseAgain });
    expect(keepingFromForm({ keep: 'visit', passphrase: '', passphraseAgain: '' }, 'new')).toEqual({ ok: true, choice: { keep: 'visit' } });
    expect(keepingFromForm(device(PASSPHRASE), 'new')).toEqual({ ok: true, choice: { keep: 'device', passphrase: PASSPHRASE } });
    expect(keepingFromForm(device(''), 'new')).toMatchObject({ ok: false, field: 'passphrase', message: expect.stringMatching(/at least 8 characters/) });
    expect(keepingFromForm(device('short'), 'new')).toMatchObject({ ok: false, field: 'passphrase', message: expect.stringMatching(/you typed 5/) });
    expect(keepingFromForm(device(PASSPHRASE, `${PASSPHRASE}!`), 'new')).toMatchObject({ ok: false, field: 'passphraseAgain', message: expect.stringMatching(/the two differ/) });
    expect(keepingFromForm(device(PASSPHRASE, ''), 'current')).toEqual({ ok: true, choice: { keep: 'device', passphrase: PASSPHRASE } });
    expect(keepingFromForm(device(''), 'current')).toMatchObject({ ok: false, field: 'passphrase' });
    expect(keepingFromForm(device(''), 'none')).toEqual({ ok: true, choice: { keep: 'device', passphrase: undefined } });
    // No message repeats what was typed.
    const refused = keepingFromForm(device('hunter2'), 'new');
    expect(refused.ok ? '' : refused.message).not.toContain('hunter2');
  });
});

/** The first `count` bytes deterministicRandom(seed) draws. */
function drawn(seed: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  deterministicRandom(seed)(out);
  return out;
}

describe('StorageLocations: keys kept on this device, visit after visit', () => {
  /** Settings and keyring stores in memory, shared by the "visits" (instances) made from them, as IndexedDB is by page loads. */
  function device() {
    const stored: { settings: SavedLocations; keyring: SealedKeyring | undefined } = { settings: { version: 1, locations: [] }, keyring: undefined };
    const settings: LocationSettingsStore = {
      load: async () => structuredClone(stored.settings),
      save: async (saved) => void (stored.settings = structuredClone(saved)),
    };
    const keyring: SealedKeyringStore = {
      load: async () => structuredClone(stored.keyring),
      save: async (sealed) => void (stored.keyring = structuredClone(sealed)),
      delete: async () => void (stored.keyring = undefined),
    };
    return {
      stored,
      async visit(): Promise<StorageLocations> {
        const locations = new StorageLocations(settings, keyring);
        await locations.load();
        return locations;
      },
      /** The ids whose secrets the saved keyring holds, opened with the passphrase. */
      async sealedIds(): Promise<string[]> {
        return stored.keyring === undefined ? [] : Object.keys((await openKeyring(stored.keyring, PASSPHRASE)).secrets).sort();
      },
    };
  }
  const onDevice = (passphrase?: string): KeepChoice => ({ keep: 'device', passphrase });
  const forVisit: KeepChoice = { keep: 'visit' };

  it('a key kept on this device comes back with the passphrase, one kept for the visit does not; a wrong passphrase changes nothing', async () => {
    const here = device();
    const first = await here.visit();
    expect(first.keyring.state).toBe('none');
    expect(await first.save(ceph, onDevice(PASSPHRASE))).toBeUndefined();
    expect(await first.save(organisation, forVisit)).toBeUndefined();
    expect([first.keyring.state, first.keeps(ceph.id), first.keeps(organisation.id)]).toEqual(['unlocked', true, false]);
    expect(await here.sealedIds()).toEqual([ceph.id]);
    expect(JSON.stringify(here.stored)).not.toContain(S3_SECRET);

    const second = await here.visit();
    expect(second.list).toEqual([]);
    expect(second.needsKey.map((settings) => settings.id)).toEqual([ceph.id, organisation.id]);
    expect(second.keyring.state).toBe('locked');
    const wrong = await second.unlock('not the passphrase');
    expect(wrong).toEqual({ ok: false, message: `${ERROR_ADVICE['vault.wrong-passphrase'].title} ${ERROR_ADVICE['vault.wrong-passphrase'].action}` });
    expect([second.keyring.state, second.list.length, second.needsKey.length]).toEqual(['locked', 0, 2]);
    expect(await second.unlock(PASSPHRASE)).toEqual({ ok: true, restored: ['Ceph A'] });
    expect(second.list).toEqual([ceph]);
    expect(second.needsKey.map((settings) => settings.id)).toEqual([organisation.id]);
    expect([second.keyring.state, second.keeps(ceph.id)]).toEqual(['unlocked', true]);
  });

  it('while locked, keeping another key asks the current passphrase: a wrong one adds nothing, the right one unlocks and adds', async () => {
    const here = device();
    await (await here.visit()).save(ceph, onDevice(PASSPHRASE));
    const locked = await here.visit();
    expect(await locked.save(azure, onDevice(undefined))).toEqual({ field: 'passphrase', message: expect.stringMatching(/Passphrase/) });
    expect(await locked.save(azure, onDevice('not the passphrase'))).toEqual({ field: 'passphrase', message: expect.stringMatching(/^That passphrase does not open/) });
    expect([locked.list.length, locked.keyring.state]).toEqual([0, 'locked']);
    expect(await locked.save(azure, onDevice(PASSPHRASE))).toBeUndefined();
    expect(locked.list.map((location) => location.id)).toEqual([ceph.id, azure.id]);
    expect(await here.sealedIds()).toEqual([azure.id, ceph.id].sort());
  });

  it('edits re-seal: a key switched to this visit only leaves the keyring, and with none left the saved keys are deleted', async () => {
    const here = device();
    const visit = await here.visit();
    await visit.save(ceph, onDevice(PASSPHRASE));
    await visit.save(azure, onDevice());
    const renamed = { ...ceph, label: 'Ceph renamed', secretAccessKey: `${S3_SECRET}2` };
    expect(await visit.save(renamed, onDevice(), ceph.id)).toBeUndefined();
    expect((await openKeyring(here.stored.keyring!, PASSPHRASE)).secrets[ceph.id]).toBe(`${S3_SECRET}2`);
    expect(await visit.save(azure, forVisit, azure.id)).toBeUndefined();
    expect(await here.sealedIds()).toEqual([ceph.id]);
    await visit.remove(ceph.id);
    expect(here.stored.keyring).toBeUndefined();
    expect(visit.keyring.state).toBe('none');
    // The next key kept asks for a new passphrase.
    expect(await visit.save(organisation, onDevice(undefined))).toEqual({ field: 'passphrase', message: expect.any(String) });
  });

  it('a location removed while the keys are locked leaves them at the next unlock', async () => {
    const here = device();
    const first = await here.visit();
    await first.save(ceph, onDevice(PASSPHRASE));
    await first.save(azure, onDevice());
    const second = await here.visit();
    await second.remove(azure.id);
    expect(await here.sealedIds()).toEqual([azure.id, ceph.id].sort());
    expect(await second.unlock(PASSPHRASE)).toEqual({ ok: true, restored: ['Ceph A'] });
    expect(await here.sealedIds()).toEqual([ceph.id]);
  });

  it('“Forget saved keys” deletes them; the locations in use stay usable for this visit, and need their key in the next', async () => {
    const here = device();
    const visit = await here.visit();
    await visit.save(ceph, onDevice(PASSPHRASE));
    await visit.forgetSavedKeys();
    expect([here.stored.keyring, visit.keyring.state, visit.keeps(ceph.id), visit.list]).toEqual([undefined, 'none', false, [ceph]]);
    const next = await here.visit();
    expect([next.keyring.state, next.list.length, next.needsKey.length]).toEqual(['none', 0, 1]);
  });

  it('the same bucket twice is refused before any passphrase is asked or key derived', async () => {
    const visit = await device().visit();
    await visit.save(ceph, forVisit);
    expect(await visit.save({ ...ceph, label: 'Again' }, onDevice('x'))).toEqual({ message: '“Ceph A” is this same bucket already.' });
    expect(visit.keyring.state).toBe('none');
  });
});
