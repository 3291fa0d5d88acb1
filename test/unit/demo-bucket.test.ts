import { describe, expect, it } from 'vitest';
import { DEMO_BUCKETS, DemoBucket, decodeObjectKey, encodeObjectKey } from '../../src/storage/demo-bucket.js';
import { createBucket } from '../../src/storage/index.js';
import { RECORD_ID, randomId, shareKey } from '../../src/storage/share-keys.js';
import { expectCode } from '../helpers/errors.js';

describe('demo bucket object keys', () => {
  it.each([
    ['tessera/0123456789abcdef0123456789abcdef/1.tshare', 'tessera%2F0123456789abcdef0123456789abcdef%2F1%2Etshare'],
    ['a', 'a'],
    ['..', '%2E%2E'],
    ['.', '%2E'],
    ['100%', '100%25'],
    ['ü ø', '%C3%BC%20%C3%B8'],
  ])('%s ↔ %s', (key, name) => {
    expect(encodeObjectKey(key)).toBe(name);
    expect(decodeObjectKey(name)).toBe(key);
  });

  it('never produces a name with "/", "\\\\" or ".", so a key cannot escape its folder', () => {
    for (const key of ['../../etc', 'a\\b', '/x/', '.partial-a']) expect(encodeObjectKey(key)).toMatch(/^[A-Za-z0-9_%-]+$/);
  });

  it('does not take temporary or foreign files for objects', () => {
    expect(decodeObjectKey('.partial-abc')).toBeUndefined();
    expect(decodeObjectKey('abc.crswap')).toBeUndefined();
    expect(decodeObjectKey('%ZZ')).toBeUndefined();
    expect(decodeObjectKey('%C3')).toBeUndefined();
  });

  it('refuses empty and overlong keys', () => {
    expect(() => encodeObjectKey('')).toThrow(RangeError);
    expect(() => encodeObjectKey('/'.repeat(81))).toThrow(/at most 240 characters once encoded, got 243/);
    expect(() => encodeObjectKey(7 as unknown as string)).toThrow(TypeError);
  });
});

describe('a switched-off demo bucket', () => {
  const bucket = createBucket({ kind: 'demo', id: 'demo-a', label: 'Demo cloud A', online: false });

  it.each([
    ['openWriter', () => bucket.openWriter('k')],
    ['openReader', () => bucket.openReader('k')],
    ['head', () => bucket.head('k')],
    ['list', () => bucket.list()],
    ['delete', () => bucket.delete('k')],
  ])('refuses %s with bucket.offline', async (_name, call) => {
    await expectCode(call(), 'bucket.offline');
  });
});

describe('the default demo buckets', () => {
  it('are five, online, with distinct ids and labels', () => {
    expect(DEMO_BUCKETS).toHaveLength(5);
    expect(new Set(DEMO_BUCKETS.map((bucket) => bucket.id)).size).toBe(5);
    expect(new Set(DEMO_BUCKETS.map((bucket) => bucket.label)).size).toBe(5);
    expect(DEMO_BUCKETS.every((bucket) => bucket.online && bucket.kind === 'demo')).toBe(true);
    expect(createBucket(DEMO_BUCKETS[0]!)).toBeInstanceOf(DemoBucket);
  });
});

describe('share object keys', () => {
  it('carry only the record id and x', () => {
    expect(shareKey('0123456789abcdef0123456789abcdef', 3)).toBe('tessera/0123456789abcdef0123456789abcdef/3.tshare');
    expect(randomId()).toMatch(RECORD_ID);
  });

  it('refuse anything else', () => {
    expect(() => shareKey('report.pdf', 1)).toThrow(RangeError);
    expect(() => shareKey('0123456789abcdef0123456789abcdef', 0)).toThrow(/share x: expected an integer from 1 to 255, got 0/);
  });
});
