import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPrecached, precacheManifest } from '../../src/pwa/precache.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

const BUILD = [
  { path: 'index.html', bytes: bytes('<!doctype html>') },
  { path: 'assets/index-abc.js', bytes: bytes('console.log(1)') },
  { path: 'assets/share-worker-def.js', bytes: bytes('self.onmessage = null') },
  { path: 'assets/charlswasm_decode-123.wasm', bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) },
  { path: 'assets/index-abc.js.map', bytes: bytes('{}') },
  { path: 'samples/demo-cd/DICOMDIR', bytes: new Uint8Array(0) },
  { path: 'tessera-recover.html', bytes: bytes('<html>') },
  { path: 'sw.js', bytes: bytes('old worker') },
];

describe('precacheManifest', () => {
  it('lists every build file once, sorted, with its SHA-256 and size; never sw.js or source maps', async () => {
    const manifest = await precacheManifest(BUILD);
    const expected = BUILD.filter((file) => isPrecached(file.path))
      .map((file) => ({ path: file.path, sha256: sha256(file.bytes), bytes: file.bytes.length }))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(manifest.files).toEqual(expected);
    expect(manifest.files.map((file) => file.path)).toEqual([
      'assets/charlswasm_decode-123.wasm',
      'assets/index-abc.js',
      'assets/share-worker-def.js',
      'index.html',
      'samples/demo-cd/DICOMDIR',
      'tessera-recover.html',
    ]);
    expect(new Set(manifest.files.map((file) => file.path)).size).toBe(manifest.files.length);
    // The empty file's hash is the well-known SHA-256 of nothing (FIPS 180-4 examples).
    expect(manifest.files.find((file) => file.path === 'samples/demo-cd/DICOMDIR')!.sha256).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('has a version that changes with any byte of any file, and not with the order files come in', async () => {
    const manifest = await precacheManifest(BUILD);
    expect(manifest.version).toMatch(/^[0-9a-f]{64}$/);
    expect((await precacheManifest([...BUILD].reverse())).version).toBe(manifest.version);
    const changed = BUILD.map((file) => (file.path === 'assets/index-abc.js' ? { ...file, bytes: bytes('console.log(2)') } : file));
    expect((await precacheManifest(changed)).version).not.toBe(manifest.version);
    // sw.js and maps are not in the manifest, so they do not change its version either.
    const swChanged = BUILD.map((file) => (file.path === 'sw.js' ? { ...file, bytes: bytes('new worker') } : file));
    expect((await precacheManifest(swChanged)).version).toBe(manifest.version);
  });

  it('rejects a path given twice, absolute or with backslashes, and bytes that are not a Uint8Array', async () => {
    await expect(precacheManifest([...BUILD, BUILD[0]!])).rejects.toThrow(new RangeError('precacheManifest: index.html is listed twice'));
    await expect(precacheManifest([{ path: '/index.html', bytes: bytes('') }])).rejects.toThrow(RangeError);
    await expect(precacheManifest([{ path: 'assets\\a.js', bytes: bytes('') }])).rejects.toThrow(RangeError);
    await expect(precacheManifest([{ path: '', bytes: bytes('') }])).rejects.toThrow(RangeError);
    await expect(precacheManifest([{ path: 'a.js', bytes: 'text' as unknown as Uint8Array }])).rejects.toThrow(TypeError);
  });
});
