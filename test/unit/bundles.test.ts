/**
 * Share bundles (docs/bundles.md): the zip writer and reader, the manifest, what a bundle reader
 * makes of what a person gives (bare shares, bundles, zips of shares, anything else), and rebuilds
 * from them. Zips for the reader are also made by jszip, and our zips are read by Python's zipfile
 * (/usr/bin/python3, standard library only): two implementations that are not ours.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, type BundleCode } from '../../src/bundles/errors.js';
import { checkShareFile, groupShares, readGivenFile, type GivenFile } from '../../src/bundles/given-files.js';
import { bundleContents, writeShareBundles, type BundlePlan } from '../../src/bundles/make-bundles.js';
import { bundlesNeeded, formatManifest, parseManifest, safeFileName, type BundleManifest } from '../../src/bundles/manifest.js';
import { rebuildFromShareFiles } from '../../src/bundles/rebuild.js';
import { crc32 } from '../../src/bundles/crc32.js';
import { readZipDirectory } from '../../src/bundles/zip-reader.js';
import { ZipWriter } from '../../src/bundles/zip-writer.js';
import { MemorySink, TesseraError, bytesSource, protectBytes, type ErrorCode } from '../../src/core/index.js';
import { randomBytes, sameBytes } from '../helpers/bytes.js';
import { subsetsOf } from '../helpers/subsets.js';

const PYTHON = '/usr/bin/python3';
const TOOL_HTML = '<!doctype html><title>tool</title>';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-bundles-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface ProtectedRecord {
  readonly data: Uint8Array;
  readonly shares: Uint8Array[];
  readonly plan: BundlePlan;
}

async function protectRecord(size: number, k: number, n: number, extra: Partial<BundlePlan> = {}): Promise<ProtectedRecord> {
  const data = randomBytes(size);
  const { result, shares } = await protectBytes(data, { scheme: 'ssms', k, n, chunkSize: 4096 });
  return { data, shares, plan: { splitId: result.splitId, scheme: 'ssms', k, n, sharesPerBundle: 1, ...extra } };
}

/** The record's bundles as Files named like the app names them. */
async function bundlesOf(record: ProtectedRecord): Promise<File[]> {
  const sinks: MemorySink[] = [];
  const made = await writeShareBundles(
    record.shares.map(bytesSource),
    record.plan,
    async () => {
      const sink = new MemorySink();
      sinks.push(sink);
      return sink;
    },
    TOOL_HTML,
  );
  return made.map((bundle, index) => fileOf(sinks[index]!.bytes(), bundle.zipName));
}

async function rebuild(files: readonly File[]): Promise<{ bytes: Uint8Array; setAside: readonly { label: string; code: string; message: string }[] }> {
  const given = await Promise.all(files.map(readGivenFile));
  const groups = groupShares(given);
  expect(groups).toHaveLength(1);
  const sink = new MemorySink();
  const { setAside } = await rebuildFromShareFiles(groups[0]!.shares, sink);
  return { bytes: sink.bytes(), setAside };
}

/** A File of these bytes (copied into an ArrayBuffer of their own, as File wants). */
function fileOf(bytes: Uint8Array, name: string): File {
  return new File([bytes.slice()], name);
}

/** Flips the bits of `mask` in byte `at`. */
function flip(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = bytes[at]! ^ mask;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A zip made by jszip (an independent writer): entries by name, stored unless `deflate`. */
async function jszipOf(entries: Readonly<Record<string, Uint8Array | string>>, deflate = false): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [name, content] of Object.entries(entries)) zip.file(name, content, { binary: typeof content !== 'string', createFolders: false });
  return zip.generateAsync({ type: 'uint8array', compression: deflate ? 'DEFLATE' : 'STORE' });
}

function unusable(given: GivenFile): { code: string; message: string } {
  expect(given.kind, `expected ${given.name} to be unusable`).toBe('unusable');
  return (given as Extract<GivenFile, { kind: 'unusable' }>).problem;
}

/** Offset of an entry's data in a stored zip (after its local header), found the way a reader does. */
async function dataOffset(zip: Uint8Array, name: string): Promise<number> {
  const entry = (await readZipDirectory(fileOf(zip, 'probe.zip'))).find((candidate) => candidate.name === name)!;
  const view = new DataView(zip.buffer, zip.byteOffset);
  return entry.headerOffset + 30 + view.getUint16(entry.headerOffset + 26, true) + view.getUint16(entry.headerOffset + 28, true);
}

describe('crc32', () => {
  it('gives the check value of the CRC-32 catalogue (ISO-HDLC) for "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('bundlesNeeded', () => {
  it.each([
    [3, 5, 1, 3],
    [3, 5, 2, 2],
    [2, 3, 1, 2],
    [5, 5, 4, 2],
    [4, 9, 3, 2],
  ])('k=%i, n=%i with %i share(s) per bundle: any %i bundles hold k shares', (k, n, per, needed) => {
    expect(bundlesNeeded(k, n, per)).toBe(needed);
    // Check by brute force: every `needed` bundles hold ≥ k shares, and some needed − 1 do not.
    const sizes = bundleContents(n, per).map((xs) => xs.length);
    const held = (subset: number[]): number => subset.reduce((sum, index) => sum + sizes[index]!, 0);
    expect(subsetsOf(sizes.length, needed).every((subset) => held(subset) >= k)).toBe(true);
    if (needed > 1) expect(subsetsOf(sizes.length, needed - 1).some((subset) => held(subset) < k)).toBe(true);
  });
});

describe('writeShareBundles', () => {
  it('makes n zips, each with a README, one share under a random name, a manifest and the recovery tool', async () => {
    const record = await protectRecord(50_000, 3, 5);
    const files = await bundlesOf(record);
    expect(files.map((file) => file.name)).toEqual([1, 2, 3, 4, 5].map((bundle) => `tessera-${record.plan.splitId.slice(0, 8)}-bundle-${bundle}-of-5.zip`));
    for (const [index, file] of files.entries()) {
      const zip = await JSZip.loadAsync(await file.arrayBuffer(), { checkCRC32: true });
      const names = Object.keys(zip.files);
      expect(names).toHaveLength(4);
      const shareName = names.find((name) => name.endsWith('.tshare'))!;
      expect(shareName).toMatch(/^[0-9a-f]{16}\.tshare$/);
      expect(names.sort()).toEqual(['README.txt', 'manifest.json', shareName, 'tessera-recover.html'].sort());
      expect(await zip.file(shareName)!.async('uint8array')).toEqual(record.shares[index]);
      expect(await zip.file('tessera-recover.html')!.async('string')).toBe(TOOL_HTML);
      const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as Record<string, unknown>;
      // Exactly these fields: no hash of the original, no file name unless asked, no storage location.
      expect(Object.keys(manifest)).toEqual(['format', 'version', 'bundle', 'bundles', 'bundlesNeeded', 'scheme', 'k', 'n', 'splitId', 'shares']);
      expect(manifest).toMatchObject({ format: 'tessera-share-bundle', version: 1, bundle: index + 1, bundles: 5, bundlesNeeded: 3, k: 3, n: 5 });
      const readme = await zip.file('README.txt')!.async('string');
      expect(readme).toContain(`This is bundle ${index + 1} of 5`);
      expect(readme).toContain('Any 3 of the 5 bundles together');
    }
  });

  it('puts the file name into the manifests only when asked, never into the README', async () => {
    const record = await protectRecord(1000, 2, 3, { fileName: 'Scan of J. Doe.pdf' });
    const [first] = await bundlesOf(record);
    const zip = await JSZip.loadAsync(await first!.arrayBuffer());
    expect(JSON.parse(await zip.file('manifest.json')!.async('string'))).toMatchObject({ fileName: 'Scan of J. Doe.pdf' });
    expect(await zip.file('README.txt')!.async('string')).not.toContain('Doe');
    const given = await readGivenFile(first!);
    expect(given.kind === 'bundle' && given.shares[0]!.fileName).toBe('Scan of J. Doe.pdf');
  });

  it('every 3 of the 5 bundles rebuild the original byte for byte; 2 are too few', async () => {
    const record = await protectRecord(40_000, 3, 5);
    const files = await bundlesOf(record);
    for (const subset of subsetsOf(files.length, 3).map((indexes) => indexes.map((index) => files[index]!))) {
      const { bytes, setAside } = await rebuild(subset);
      expect(sameBytes(bytes, record.data), subset.map((file) => file.name).join(', ')).toBe(true);
      expect(setAside).toEqual([]);
    }
    const [group] = groupShares(await Promise.all(files.slice(0, 2).map(readGivenFile)));
    expect(group!.shares).toHaveLength(2);
    const error = await rejection(rebuildFromShareFiles(group!.shares, new MemorySink()));
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe('share.too-few');
  });

  it('puts up to k − 1 shares in a bundle when asked, and refuses k (one bundle would rebuild the file)', async () => {
    const record = await protectRecord(3000, 3, 5, { sharesPerBundle: 2 });
    const files = await bundlesOf(record);
    expect(files).toHaveLength(3);
    const given = await Promise.all(files.map(readGivenFile));
    expect(given.map((file) => (file.kind === 'bundle' ? file.shares.map((share) => share.header.x) : []))).toEqual([[1, 2], [3, 4], [5]]);
    expect(given.map((file) => (file.kind === 'bundle' ? file.manifest?.bundlesNeeded : 0))).toEqual([2, 2, 2]);
    expect(sameBytes((await rebuild([files[2]!, files[0]!])).bytes, record.data)).toBe(true);
    const tooMany = { ...record, plan: { ...record.plan, sharesPerBundle: 3 } };
    await expect(bundlesOf(tooMany)).rejects.toThrow(RangeError);
  });

  it('checks the shares together before writing anything: a damaged share is named and no bundle is begun', async () => {
    const record = await protectRecord(20_000, 3, 5);
    flip(record.shares[3]!, 500, 0x01);
    let opened = 0;
    const error = await rejection(
      writeShareBundles(
        record.shares.map(bytesSource),
        record.plan,
        async () => {
          opened++;
          return new MemorySink();
        },
        TOOL_HTML,
      ),
    );
    expect(error).toBeInstanceOf(TesseraError);
    expect((error as TesseraError).code).toBe('share.corrupt');
    expect((error as TesseraError).message).toMatch(/^\[share\.corrupt\] Share 4 /);
    expect(opened).toBe(0);
  });

  it('writes zips that Python’s zipfile reads, with and without Zip64 fields', async () => {
    const share = randomBytes(70_000);
    for (const forceZip64 of [false, true]) {
      const sink = new MemorySink();
      const zip = new ZipWriter(sink, { forceZip64, modified: new Date(2024, 4, 17, 10, 30, 4) });
      await zip.add('README.txt', new TextEncoder().encode('hello'));
      await zip.add('0123456789abcdef.tshare', { source: bytesSource(share), crc32: crc32(share) });
      await zip.finish();
      const path = join(dir, `python-${forceZip64}.zip`);
      await writeFile(path, sink.bytes());
      const script = [
        'import sys, zipfile, hashlib, json',
        'z = zipfile.ZipFile(sys.argv[1])',
        'assert z.testzip() is None',
        'print(json.dumps([[i.filename, i.file_size, i.date_time, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))',
      ].join('\n');
      const result = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
      expect(result.stderr, `${PYTHON} zipfile`).toBe('');
      const { createHash } = await import('node:crypto');
      expect(JSON.parse(result.stdout)).toEqual([
        ['README.txt', 5, [2024, 5, 17, 10, 30, 4], createHash('sha256').update('hello').digest('hex')],
        ['0123456789abcdef.tshare', 70_000, [2024, 5, 17, 10, 30, 4], createHash('sha256').update(share).digest('hex')],
      ]);
      // And our reader reads its own Zip64 fields.
      const entries = await readZipDirectory(fileOf(sink.bytes(), 'ours.zip'));
      expect(entries.map((entry) => [entry.name, entry.size])).toEqual([
        ['README.txt', 5],
        ['0123456789abcdef.tshare', 70_000],
      ]);
    }
  });

  it('refuses entry names that are paths, and a source whose bytes change between the two reads', async () => {
    const zip = new ZipWriter(new MemorySink());
    await expect(zip.add('../x.tshare', new Uint8Array(1))).rejects.toThrow(RangeError);
    await expect(zip.add('a/b.txt', new Uint8Array(1))).rejects.toThrow(RangeError);
    const bytes = randomBytes(1000);
    const checksum = crc32(bytes);
    flip(bytes, 10, 1);
    await expect(zip.add('changed.tshare', { source: bytesSource(bytes), crc32: checksum })).rejects.toThrow(/changed while the archive was written/);
  });
});

describe('readGivenFile', () => {
  let record: ProtectedRecord;
  let bundles: File[];
  beforeAll(async () => {
    record = await protectRecord(30_000, 3, 5, { fileName: 'report.pdf' });
    bundles = await bundlesOf(record);
  });

  it('reads a bare share file and a bundle for what they are', async () => {
    const bare = await readGivenFile(fileOf(record.shares[1]!, 'anything.tshare'));
    expect(bare.kind).toBe('share');
    expect(bare.kind === 'share' && [bare.share.header.x, bare.share.header.k, bare.share.header.n, bare.share.header.splitId]).toEqual([2, 3, 5, record.plan.splitId]);
    const bundle = await readGivenFile(bundles[4]!);
    expect(bundle.kind === 'bundle' && bundle.manifest).toMatchObject({ bundle: 5, bundles: 5, fileName: 'report.pdf' });
    expect(bundle.kind === 'bundle' && bundle.shares.map((share) => [share.header.x, share.label, share.sha256?.length])).toEqual([[5, bundles[4]!.name, 64]]);
    // The share in a stored bundle is a slice of the zip, not a copy.
    expect(sameBytes(new Uint8Array(await (bundle as Extract<GivenFile, { kind: 'bundle' }>).shares[0]!.blob.arrayBuffer()), record.shares[4]!)).toBe(true);
  });

  it('reads a zip of share files without a manifest (zipped by hand, deflated) as bare shares', async () => {
    const zip = await jszipOf({ 'shares/one.tshare': record.shares[0]!, 'shares/three.tshare': record.shares[2]!, 'notes.txt': 'mine' }, true);
    const given = await readGivenFile(fileOf(zip, 'by-hand.zip'));
    expect(given.kind).toBe('bundle');
    const bundle = given as Extract<GivenFile, { kind: 'bundle' }>;
    expect(bundle.manifest).toBeUndefined();
    expect(bundle.shares.map((share) => [share.header.x, share.label, share.sha256])).toEqual([
      [1, 'by-hand.zip › shares/one.tshare', undefined],
      [3, 'by-hand.zip › shares/three.tshare', undefined],
    ]);
    const { bytes } = await rebuild([fileOf(zip, 'by-hand.zip'), bundles[3]!]);
    expect(sameBytes(bytes, record.data)).toBe(true);
  });

  it('ignores entries whose names climb out of the zip or start at a root, and says so', async () => {
    const zip = await jszipOf({
      '../evil.tshare': record.shares[0]!,
      '/abs.tshare': record.shares[1]!,
      'a/../../up.tshare': record.shares[2]!,
      'C:/drive.tshare': record.shares[3]!,
      '..\\back.tshare': record.shares[3]!,
      'ok.tshare': record.shares[4]!,
    });
    const given = await readGivenFile(fileOf(zip, 'mixed.zip'));
    expect(given.kind).toBe('bundle');
    const bundle = given as Extract<GivenFile, { kind: 'bundle' }>;
    expect(bundle.shares.map((share) => share.header.x)).toEqual([5]);
    expect(bundle.skipped.map((entry) => entry.entry).sort()).toEqual(['../evil.tshare', '/abs.tshare', 'C:/drive.tshare', '..\\back.tshare', 'a/../../up.tshare'].sort());
    expect(bundle.skipped.every((entry) => entry.code === 'bundle.damaged' && /points outside the zip; it was ignored/.test(entry.message))).toBe(true);
    // A manifest may not name such an entry either.
    const manifest = JSON.parse(await (await JSZip.loadAsync(await bundles[0]!.arrayBuffer())).file('manifest.json')!.async('string')) as BundleManifest;
    const climbing = { ...manifest, shares: [{ ...manifest.shares[0]!, file: '../x.tshare' }] };
    expect(() => parseManifest(JSON.stringify(climbing))).toThrow(/no plain "\.tshare" file name/);
  });

  describe('bad input says what is wrong, with a code', () => {
    const cases: [string, () => Promise<File>, BundleCode | ErrorCode, RegExp][] = [
      ['an empty file', async () => new File([], 'empty.tshare'), 'share.magic', /does not start with the Tessera share signature|0 bytes/],
      ['a photo', async () => new File([Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3)], 'photo.jpg'), 'share.magic', /signature/],
      ['random bytes named .zip', async () => new File([randomBytes(5000)], 'bundle.zip'), 'bundle.not-zip', /not a zip file/],
      ['a zip cut in half', async () => new File([bundles[0]!.slice(0, bundles[0]!.size / 2)], 'half.zip'), 'bundle.not-zip', /cut short/],
      ['a zip with only a README', async () => fileOf(await jszipOf({ 'README.txt': 'hello' }), 'readme.zip'), 'bundle.empty', /holds no \.tshare file/],
      [
        'a zip whose directory points past its end',
        async () => {
          const bytes = new Uint8Array(await bundles[0]!.arrayBuffer());
          new DataView(bytes.buffer).setUint32(bytes.length - 6, bytes.length, true);
          return fileOf(bytes, 'pointing.zip');
        },
        'bundle.damaged',
        /directory lies outside the file/,
      ],
      [
        'a zip whose directory entry is broken',
        async () => {
          const bytes = new Uint8Array(await bundles[0]!.arrayBuffer());
          const directory = new DataView(bytes.buffer).getUint32(bytes.length - 6, true);
          bytes[directory] = 0;
          return fileOf(bytes, 'broken.zip');
        },
        'bundle.damaged',
        /directory entry 1 is broken/,
      ],
      [
        'a zip split over several disks',
        async () => {
          const bytes = new Uint8Array(await bundles[0]!.arrayBuffer());
          new DataView(bytes.buffer).setUint16(bytes.length - 18, 1, true);
          return fileOf(bytes, 'split.zip');
        },
        'bundle.unsupported',
        /split over several parts/,
      ],
      ['a bundle whose manifest is not JSON', async () => fileOf(await jszipOf({ 'manifest.json': '{ not json', 'a.tshare': record.shares[0]! }), 'm.zip'), 'bundle.manifest', /not JSON/],
      [
        'a bundle of a newer format',
        async () => {
          const manifest = { ...JSON.parse(await (await JSZip.loadAsync(await bundles[0]!.arrayBuffer())).file('manifest.json')!.async('string')), version: 2 };
          return fileOf(await jszipOf({ 'manifest.json': JSON.stringify(manifest), 'a.tshare': record.shares[0]! }), 'new.zip');
        },
        'bundle.version',
        /format version 2/,
      ],
      [
        'a bundle whose manifest lists a share that is not there',
        async () => {
          const zip = await JSZip.loadAsync(await bundles[0]!.arrayBuffer());
          const shareName = Object.keys(zip.files).find((name) => name.endsWith('.tshare'))!;
          zip.remove(shareName);
          return fileOf(await zip.generateAsync({ type: 'uint8array' }), 'missing.zip');
        },
        'bundle.damaged',
        /the share its manifest lists is not in the zip/,
      ],
      [
        'a bundle whose manifest does not match its checksum',
        async () => {
          const bytes = new Uint8Array(await bundles[0]!.arrayBuffer());
          const at = await dataOffset(bytes, 'manifest.json');
          bytes[at + 5] = 'X'.charCodeAt(0);
          return fileOf(bytes, 'crc.zip');
        },
        'bundle.damaged',
        /manifest\.json does not match its checksum/,
      ],
      [
        'a deflated entry that inflates past its stated size',
        async () => {
          const bytes = await jszipOf({ 'a.tshare': new Uint8Array(100_000) }, true);
          const view = new DataView(bytes.buffer, bytes.byteOffset);
          const directory = view.getUint32(bytes.length - 6, true);
          view.setUint32(directory + 24, 1000, true);
          return fileOf(bytes, 'bomb.zip');
        },
        'bundle.damaged',
        /inflates to more than its stated 1000 bytes/,
      ],
    ];
    it.each(cases)('%s', async (_, make, code, message) => {
      const problem = unusable(await readGivenFile(await make()));
      expect(problem.code).toBe(code);
      expect(problem.message).toMatch(message);
    });

    it('a share with a damaged header, alone in a bundle, makes the bundle unusable', async () => {
      const share = record.shares[0]!.slice();
      flip(share, 20, 0xff);
      const problem = unusable(await readGivenFile(fileOf(await jszipOf({ 'a.tshare': share }), 'hdr.zip')));
      expect(problem.code).toBe('share.header-corrupt');
      expect(problem.message).toMatch(/^hdr\.zip: /);
    });

    it('a bare share cut short is read, and marked', async () => {
      const given = await readGivenFile(fileOf(record.shares[0]!.subarray(0, 5000), 'short.tshare'));
      expect(given.kind === 'share' && given.share.problem?.code).toBe('share.truncated');
      const [group] = groupShares([given]);
      expect(group!.damaged).toHaveLength(1);
      expect(group!.shares).toHaveLength(0);
    });
  });

  describe('a share whose bytes do not match its manifest', () => {
    /** Bundle `index` with one byte of its share's data (past the header) changed: the zip itself stays valid. */
    async function altered(index: number): Promise<File> {
      const bytes = new Uint8Array(await bundles[index]!.arrayBuffer());
      const given = (await readGivenFile(bundles[index]!)) as Extract<GivenFile, { kind: 'bundle' }>;
      const shareEntry = given.manifest!.shares[0]!.file;
      flip(bytes, (await dataOffset(bytes, shareEntry)) + 2000, 0x40);
      return fileOf(bytes, `altered-${bundles[index]!.name}`);
    }

    it('is found by checkShareFile, which names it', async () => {
      const given = (await readGivenFile(await altered(1))) as Extract<GivenFile, { kind: 'bundle' }>;
      const error = await rejection(checkShareFile(given.shares[0]!));
      expect(error).toBeInstanceOf(BundleError);
      expect((error as BundleError).code).toBe('bundle.altered');
      expect((error as BundleError).message).toMatch(/^\[bundle\.altered\] altered-tessera-[0-9a-f]{8}-bundle-2-of-5\.zip: its SHA-256 differs from the one in its manifest/);
      await expect(checkShareFile((await readGivenFile(bundles[1]!) as Extract<GivenFile, { kind: 'bundle' }>).shares[0]!)).resolves.toBeUndefined();
    });

    it('is set aside: with k others the file is rebuilt and the altered one named; with k − 1 others the refusal names it', async () => {
      const bad = await altered(0);
      const { bytes, setAside } = await rebuild([bad, bundles[1]!, bundles[2]!, bundles[3]!]);
      expect(sameBytes(bytes, record.data)).toBe(true);
      expect(setAside.map((file) => [file.label, file.code])).toEqual([[bad.name, 'bundle.altered']]);

      const [group] = groupShares(await Promise.all([bad, bundles[1]!, bundles[2]!].map(readGivenFile)));
      const sink = new MemorySink();
      const error = await rejection(rebuildFromShareFiles(group!.shares, sink));
      expect(error).toBeInstanceOf(TesseraError);
      expect((error as TesseraError).code).toBe('share.too-few');
      expect((error as TesseraError).message).toContain(`Set aside: ${bad.name}: its SHA-256 differs from the one in its manifest`);
      expect(sink.bytes()).toHaveLength(0);
    });
  });
});

describe('groupShares', () => {
  it('sorts shares into their files, counts a share given twice once, and keeps the order given', async () => {
    const a = await protectRecord(2000, 2, 3);
    const b = await protectRecord(2000, 2, 3);
    const given = await Promise.all(
      [
        fileOf(b.shares[0]!, 'b1.tshare'),
        fileOf(a.shares[1]!, 'a2.tshare'),
        fileOf(a.shares[1]!, 'a2-copy.tshare'),
        fileOf(a.shares[2]!, 'a3.tshare'),
      ].map(readGivenFile),
    );
    const groups = groupShares(given);
    expect(groups.map((group) => [group.splitId, group.files, group.shares.map((share) => share.header.x), group.repeated.map((share) => share.label)])).toEqual([
      [b.plan.splitId, ['b1.tshare'], [1], []],
      [a.plan.splitId, ['a2.tshare', 'a2-copy.tshare', 'a3.tshare'], [2, 3], ['a2-copy.tshare']],
    ]);
  });
});

describe('manifest', () => {
  const valid: BundleManifest = {
    format: 'tessera-share-bundle',
    version: 1,
    bundle: 2,
    bundles: 5,
    bundlesNeeded: 3,
    scheme: 'shamir',
    k: 3,
    n: 5,
    splitId: '00112233445566778899aabbccddeeff',
    shares: [{ x: 2, file: '0123456789abcdef.tshare', size: 1234, sha256: 'ab'.repeat(32) }],
  };

  it('reads back what it writes', () => {
    expect(parseManifest(formatManifest(valid))).toEqual(valid);
    expect(parseManifest(formatManifest({ ...valid, fileName: 'x-ray.dcm' }))).toEqual({ ...valid, fileName: 'x-ray.dcm' });
  });

  it.each([
    ['an array', '[]', /not a JSON object/],
    ['another format', JSON.stringify({ ...valid, format: 'zip' }), /"format"/],
    ['k above n', JSON.stringify({ ...valid, k: 6 }), /"k"/],
    ['a bundle number past the count', JSON.stringify({ ...valid, bundle: 6 }), /"bundle"/],
    ['a short split id', JSON.stringify({ ...valid, splitId: 'abc' }), /"splitId"/],
    ['no shares', JSON.stringify({ ...valid, shares: [] }), /"shares"/],
    ['a share twice', JSON.stringify({ ...valid, shares: [valid.shares[0], valid.shares[0]] }), /listed twice/],
    ['a bad hash', JSON.stringify({ ...valid, shares: [{ ...valid.shares[0], sha256: 'xyz' }] }), /SHA-256/],
    ['x past n', JSON.stringify({ ...valid, shares: [{ ...valid.shares[0], x: 6 }] }), /"x"/],
    ['a file name with a control character', JSON.stringify({ ...valid, fileName: 'a\u0007b' }), /"fileName"/],
  ])('refuses %s (bundle.manifest)', (_, text, message) => {
    const error = (() => {
      try {
        parseManifest(text);
      } catch (caught) {
        return caught;
      }
      throw new Error('expected parseManifest to throw');
    })();
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe('bundle.manifest');
    expect((error as BundleError).message).toMatch(message);
  });

  it('makes a safe name to save under from whatever a manifest or a person gives', () => {
    expect(safeFileName('report.pdf')).toBe('report.pdf');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Users\\me\\scan.dcm')).toBe('scan.dcm');
    expect(safeFileName('a\u0000b\u001fc.txt')).toBe('abc.txt');
    expect(safeFileName('..')).toBeUndefined();
    expect(safeFileName('  ')).toBeUndefined();
    expect(safeFileName(undefined)).toBeUndefined();
  });
});
