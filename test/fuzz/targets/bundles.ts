/**
 * Zip and bundle import (src/bundles): readGivenFile on mutated bundles, zips of shares and bare
 * shares, then checkShareFile on what it found and a rebuild (rebuildFromShareFiles) together with
 * some untouched bundles of the same record. Seeds: the bundles writeShareBundles makes for two
 * records, the same entries re-zipped by jszip (stored and deflated, with and without a manifest),
 * a Zip64 bundle from ZipWriter, a bare share. Besides byte mutations: a zip record's field set to
 * an edge value (found by its PK signature), the manifest's JSON mutated and the zip made again,
 * entry names that climb out of the zip.
 *
 * Oracles: readGivenFile never throws for bad data (an unusable file says why, with a known code);
 * checkShareFile and the rebuild refuse only with a BundleError or TesseraError of a known code,
 * leave no output then, and a rebuild that succeeds gives back exactly the original.
 */
import JSZip from 'jszip';
import { BUNDLE_CODES, BundleError } from '../../../src/bundles/errors.js';
import { checkShareFile, groupShares, readGivenFile, type GivenFile } from '../../../src/bundles/given-files.js';
import { writeShareBundles } from '../../../src/bundles/make-bundles.js';
import { MANIFEST_NAME } from '../../../src/bundles/manifest.js';
import { rebuildFromShareFiles } from '../../../src/bundles/rebuild.js';
import { openZipEntry, readZipDirectory } from '../../../src/bundles/zip-reader.js';
import { ZipWriter } from '../../../src/bundles/zip-writer.js';
import { ERROR_CODES, MemorySink, TesseraError, bytesSource, protectBytes, type Scheme } from '../../../src/core/index.js';
import { deterministicRandom } from '../../helpers/deterministic-random.js';
import { mutateBytes, mutateJson, mutateText } from '../mutators.js';
import type { FuzzRandom } from '../random.js';
import { Finding, hexPreview, type FuzzTarget } from '../runner.js';

const KNOWN = new Set<string>([...ERROR_CODES, ...BUNDLE_CODES]);
const TOOL_HTML = '<!doctype html><title>tool</title>';
const MODIFIED = new Date(2024, 0, 2, 3, 4, 6);

interface Entry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The zip's entries, to zip again after a change; absent for a bare share. */
  readonly entries?: readonly Entry[];
  readonly splitId: string;
}

interface RecordSeeds {
  readonly data: Uint8Array;
  readonly splitId: string;
  /** The record's bundles as given files, read once, to rebuild together with a mutated one. */
  readonly clean: readonly GivenFile[];
}

async function zipOf(entries: readonly Entry[], deflate: boolean): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const entry of entries) zip.file(entry.name, entry.bytes, { date: MODIFIED, createFolders: false });
  return zip.generateAsync({ type: 'uint8array', compression: deflate ? 'DEFLATE' : 'STORE' });
}

async function entriesOf(zip: Uint8Array): Promise<Entry[]> {
  const blob = new Blob([zip as Uint8Array<ArrayBuffer>]);
  const entries: Entry[] = [];
  for (const entry of await readZipDirectory(blob)) entries.push({ name: entry.name, bytes: new Uint8Array(await (await openZipEntry(blob, entry)).arrayBuffer()) });
  return entries;
}

/** Offsets of the zip records (local header, central directory, end records) by their signatures. */
function signatures(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at + 4 <= bytes.length; at++) {
    if (bytes[at] === 0x50 && bytes[at + 1] === 0x4b && [1, 3, 5, 6].includes(bytes[at + 2]!) && bytes[at + 3]! <= 8) out.push(at);
  }
  return out;
}

const EDGE = [0, 1, 0x7fff, 0xffff, 0xfffffffe, 0xffffffff, 0x7fffffff, 30, 46];

function zipField(bytes: Uint8Array, random: FuzzRandom): Uint8Array {
  const found = signatures(bytes);
  if (found.length === 0) return bytes;
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const at = random.pick(found) + random.between(4, 52);
  const width = random.chance(0.5) ? 2 : 4;
  if (at + width > out.length) return out;
  const value = random.chance(0.8) ? random.pick(EDGE) : random.word();
  if (width === 2) view.setUint16(at, value & 0xffff, true);
  else view.setUint32(at, value >>> 0, true);
  return out;
}

const BAD_NAMES = ['../escape.tshare', '/root.tshare', 'C:share.tshare', 'a\\b.tshare', '__MACOSX/._x.tshare', 'dir/', 'a/./b.tshare', 'x.tshare', 'manifest.json', 'MANIFEST.JSON', '.DS_Store', 'é.tshare', ''];

class WatchedSink extends MemorySink {
  aborted = false;
  writes = 0;
  override write(bytes: Uint8Array): Promise<void> {
    this.writes++;
    return super.write(bytes);
  }
  abort(): Promise<void> {
    this.aborted = true;
    return Promise.resolve();
  }
}

function known(error: unknown, what: string): string {
  if ((error instanceof TesseraError || error instanceof BundleError) && KNOWN.has(error.code)) return error.code;
  if (error instanceof Finding) throw error;
  throw new Finding(`${what} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 400));
}

export const bundleTarget: FuzzTarget = {
  name: 'zip/bundle import',
  description: 'readGivenFile, checkShareFile and rebuildFromShareFiles on mutated bundles, zips and shares',
  async setup() {
    const seeds: Seed[] = [];
    const records = new Map<string, RecordSeeds>();
    const plans: readonly { scheme: Scheme; k: number; n: number; size: number; perBundle: number }[] = [
      { scheme: 'ssms', k: 3, n: 5, size: 300, perBundle: 2 },
      { scheme: 'shamir', k: 2, n: 3, size: 90, perBundle: 1 },
    ];
    for (const [index, plan] of plans.entries()) {
      const data = new Uint8Array(plan.size);
      deterministicRandom(0xb0 + index)(data);
      const { result, shares } = await protectBytes(data, { scheme: plan.scheme, k: plan.k, n: plan.n, chunkSize: 64, random: deterministicRandom(0xb1 + index) });
      const sinks: MemorySink[] = [];
      const made = await writeShareBundles(
        shares.map(bytesSource),
        { splitId: result.splitId, scheme: plan.scheme, k: plan.k, n: plan.n, sharesPerBundle: plan.perBundle, ...(index === 0 ? { fileName: 'scan.dcm' } : {}) },
        async () => {
          const sink = new MemorySink();
          sinks.push(sink);
          return sink;
        },
        TOOL_HTML,
        { random: deterministicRandom(0xb2 + index), modified: MODIFIED },
      );
      const clean: GivenFile[] = [];
      for (const [bundle, info] of made.entries()) {
        const bytes = sinks[bundle]!.bytes();
        const entries = await entriesOf(bytes);
        seeds.push({ name: info.zipName, bytes, entries, splitId: result.splitId });
        clean.push(await readGivenFile(new File([bytes as Uint8Array<ArrayBuffer>], info.zipName)));
      }
      records.set(result.splitId, { data, splitId: result.splitId, clean });
      const shareEntries = shares.map((share, x) => ({ name: `share-${x + 1}.tshare`, bytes: share }));
      seeds.push({ name: `hand-${index}.zip`, bytes: await zipOf(shareEntries, true), entries: shareEntries, splitId: result.splitId });
      seeds.push({ name: `share-${index}.tshare`, bytes: shares[0]!, splitId: result.splitId });
      // The first bundle again as Zip64, and deflated by jszip.
      const first = seeds.find((seed) => seed.splitId === result.splitId)!;
      const sink = new MemorySink();
      const zip64 = new ZipWriter(sink, { forceZip64: true, modified: MODIFIED });
      for (const entry of first.entries!) await zip64.add(entry.name, entry.bytes);
      await zip64.finish();
      seeds.push({ name: `zip64-${index}.zip`, bytes: sink.bytes(), entries: first.entries!, splitId: result.splitId });
      seeds.push({ name: `deflated-${index}.zip`, bytes: await zipOf(first.entries!, true), entries: first.entries!, splitId: result.splitId });
    }
    const seedBytes = seeds.map((seed) => seed.bytes);

    return (random) => {
      const seed = random.pick(seeds);
      const strategy = random.below(10);
      let names: string;
      let make: () => Promise<Uint8Array>;
      if (strategy < 2 && seed.entries) {
        names = 'manifest JSON';
        make = async () => {
          const entries = seed.entries!.map((entry) =>
            entry.name === MANIFEST_NAME ? { name: entry.name, bytes: new TextEncoder().encode(mutateText(new TextDecoder().decode(entry.bytes), random, [], mutateJson, { maxLength: 200_000 })) } : entry,
          );
          return zipOf(entries, random.chance(0.3));
        };
      } else if (strategy < 3 && seed.entries) {
        names = 'entry names';
        make = async () => {
          const entries = seed.entries!.map((entry) => (random.chance(0.3) ? { name: random.pick(BAD_NAMES), bytes: entry.bytes } : entry));
          if (random.chance(0.3)) entries.push({ name: random.pick(BAD_NAMES), bytes: random.pick(seed.entries!).bytes });
          return zipOf(entries, random.chance(0.3));
        };
      } else if (strategy < 5) {
        const out = Array.from({ length: random.between(1, 3) }).reduce<Uint8Array>((bytes) => zipField(bytes, random), seed.bytes);
        names = 'zip field';
        make = () => Promise.resolve(out);
      } else {
        const mutated = mutateBytes(seed.bytes, random, seedBytes, { maxLength: 1 << 20 });
        names = mutated.names.join(', ');
        make = () => Promise.resolve(mutated.bytes);
      }
      const name = random.chance(0.9) ? seed.name : random.pick(['x.zip', 'x.tshare', 'x.bin', 'X.ZIP']);
      const record = records.get(seed.splitId)!;
      const companions = record.clean.filter(() => random.chance(0.5));
      let bytes: Uint8Array | undefined;

      return {
        mutations: `${seed.name} as ${name}: ${names}; rebuilt with ${companions.length} clean bundles`,
        preview: () => (bytes ? hexPreview(bytes, 160) : 'not made'),
        async run() {
          bytes = await make();
          const given = await readGivenFile(new File([bytes as Uint8Array<ArrayBuffer>], name));
          if (given.kind === 'unusable') {
            if (!KNOWN.has(given.problem.code)) throw new Finding(`unusable with unknown code ${given.problem.code}`);
            return given.problem.code;
          }
          const shares = given.kind === 'share' ? [given.share] : given.shares;
          if (shares.length === 0) throw new Finding('a bundle with no share was not called unusable');
          if (given.kind === 'bundle') for (const skipped of given.skipped) if (!KNOWN.has(skipped.code)) throw new Finding(`skipped with unknown code ${skipped.code}`);
          let label = given.kind === 'share' ? 'accepted: share' : `accepted: ${given.manifest ? 'bundle' : 'zip of shares'}`;
          for (const share of shares) {
            try {
              await checkShareFile(share);
            } catch (error) {
              if (!(error instanceof BundleError && error.code === 'bundle.altered')) known(error, 'checkShareFile');
              label += ', altered share';
            }
          }
          const groups = groupShares([given, ...companions]);
          const group = groups.find((candidate) => candidate.shares.some((share) => shares.includes(share)));
          if (!group) return label;
          const sink = new WatchedSink();
          try {
            const rebuilt = await rebuildFromShareFiles(group.shares, sink);
            const original = records.get(rebuilt.result.splitId);
            const out = sink.bytes();
            if (!original || out.length !== original.data.length || !out.every((byte, i) => byte === original.data[i])) {
              throw new Finding(`rebuildFromShareFiles gave a WRONG output (${out.length} bytes)`);
            }
            return `${label}, rebuilt`;
          } catch (error) {
            const code = known(error, 'rebuildFromShareFiles');
            if (sink.writes > 0 && !sink.aborted) throw new Finding(`the rebuild refused (${code}) after writing, without aborting its sink`);
            return `${label}, ${code}`;
          }
        },
      };
    };
  },
};
