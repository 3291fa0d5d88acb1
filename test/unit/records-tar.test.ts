import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTar, looksLikeTar, readTarIndex, safeRelativePath, TarError } from '../../src/records/tar.js';
import { randomBytes, sameBytes } from '../helpers/bytes.js';

const work = mkdtempSync(join(tmpdir(), 'tessera-tar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A study-like folder: nested series, a long name, names in other scripts, an empty file, odd sizes. */
const files = [
  { path: 'DICOMDIR', bytes: randomBytes(1234) },
  { path: 'CT/series 1/IM0001.dcm', bytes: randomBytes(512) },
  { path: 'CT/series 1/IM0002.dcm', bytes: randomBytes(70_001) },
  { path: 'MR/Séries T2 — axial/画像0001.dcm', bytes: randomBytes(3) },
  { path: `reports/${'a-very-long-report-name-'.repeat(6)}.pdf`, bytes: randomBytes(4096) },
  { path: 'reports/empty.txt', bytes: new Uint8Array(0) },
];
const inputs = files.map((f) => ({ path: f.path, file: new Blob([f.bytes]), lastModified: 1_700_000_000_000 }));

async function archiveOnDisk(name: string): Promise<string> {
  const path = join(work, name);
  writeFileSync(path, new Uint8Array(await buildTar(inputs).arrayBuffer()));
  return path;
}

describe('study records as tar archives', () => {
  it('GNU tar lists every file with its folder path and extracts identical bytes', async () => {
    const archive = await archiveOnDisk('study.tar');
    const listed = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(files.map((f) => f.path));
    const out = join(work, 'extracted');
    mkdirSync(out);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    for (const f of files) expect(sameBytes(readFileSync(join(out, f.path)), f.bytes), f.path).toBe(true);
  });

  it('reads back where each file is, and the bytes there are the file', async () => {
    const archive = buildTar(inputs);
    const head = new Uint8Array(await archive.slice(0, 512).arrayBuffer());
    expect(looksLikeTar(head)).toBe(true);
    const entries = await readTarIndex(archive);
    expect(entries.map((e) => [e.path, e.size])).toEqual(files.map((f) => [f.path, f.bytes.length]));
    for (const [i, entry] of entries.entries()) {
      const bytes = new Uint8Array(await archive.slice(entry.offset, entry.offset + entry.size).arrayBuffer());
      expect(sameBytes(bytes, files[i]!.bytes)).toBe(true);
      expect(entry.lastModified).toBe(1_700_000_000_000);
    }
  });

  it.each(['gnu', 'pax', 'ustar'])('reads archives GNU tar writes (--format=%s)', async (format) => {
    const source = join(work, `source-${format}`);
    const kept = files.filter((f) => format !== 'ustar' || (Buffer.byteLength(f.path) <= 100 && /^[\x20-\x7e]*$/.test(f.path)));
    for (const f of kept) {
      mkdirSync(dirname(join(source, f.path)), { recursive: true });
      writeFileSync(join(source, f.path), f.bytes);
    }
    const archive = join(work, `gnu-${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', source, ...kept.map((f) => f.path)]);
    const blob = new Blob([readFileSync(archive)]);
    const entries = await readTarIndex(blob);
    expect(entries.map((e) => e.path)).toEqual(kept.map((f) => f.path));
    for (const [i, entry] of entries.entries()) {
      expect(sameBytes(new Uint8Array(await blob.slice(entry.offset, entry.offset + entry.size).arrayBuffer()), kept[i]!.bytes)).toBe(true);
    }
  });

  it('refuses paths that would land outside the folder, and two files with one path', () => {
    for (const bad of ['../etc/passwd', '/abs/file', 'a/../../b', 'C:/x', 'a\\..\\b', '']) {
      expect(() => safeRelativePath(bad), bad).toThrow(TarError);
      expect(() => buildTar([{ path: bad, file: new Blob(['x']) }]), bad).toThrow(TarError);
    }
    expect(safeRelativePath('./CT//IM1')).toBe('CT/IM1');
    expect(() => buildTar([{ path: 'a/b', file: new Blob(['1']) }, { path: 'a//b', file: new Blob(['2']) }])).toThrow(RangeError);
  });

  it('says "not a folder archive" for other files and "damaged" for a cut or altered one', async () => {
    await expect(readTarIndex(new Blob([randomBytes(2048)]))).rejects.toMatchObject({ code: 'tar.not-tar' });
    await expect(readTarIndex(new Blob([]))).rejects.toMatchObject({ code: 'tar.not-tar' });
    const whole = new Uint8Array(await buildTar(inputs).arrayBuffer());
    await expect(readTarIndex(new Blob([whole.subarray(0, 2000)]))).rejects.toMatchObject({ code: 'tar.damaged' });
    const entries = await readTarIndex(new Blob([whole]));
    const altered = whole.slice();
    altered[entries[2]!.offset + entries[2]!.size + 600]! ^= 0x01; // inside the next header
    await expect(readTarIndex(new Blob([altered]))).rejects.toMatchObject({ code: 'tar.damaged' });
  });
});
