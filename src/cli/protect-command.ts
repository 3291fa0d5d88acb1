import { randomBytes } from 'node:crypto';
import { rename, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { protect, SHARE_EXTENSION, TesseraError } from '../core/index.js';
import { createFolder, exists, FileSink, openFileSource } from './node-io.js';
import { formatBytes, progressLine, withInterrupt, type Terminal } from './terminal.js';
import { HELP, parseChunkSize, parseCommandLine, parseInteger, parseScheme, UsageError } from './usage.js';

/**
 * `tessera protect FILE -k K -n N --out DIR`: N share files in DIR, named after the split id only.
 * The split id is known once protect has finished, so shares are written under temporary names
 * (which carry nothing of the original either) and renamed at the end; on failure they are deleted.
 */
export async function protectCommand(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandLine('protect', args, {
    k: { type: 'string', short: 'k' },
    n: { type: 'string', short: 'n' },
    scheme: { type: 'string' },
    'chunk-size': { type: 'string' },
    out: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    terminal.out(HELP.protect);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'the file to protect is missing' : 'protect takes exactly one file', 'protect');
  }
  const file = positionals[0]!;
  const n = parseInteger(values.n, '-n', 2, 255, 'protect');
  const k = parseInteger(values.k, '-k', 2, n, 'protect');
  const scheme = parseScheme(values.scheme, 'protect');
  const chunkSize = values['chunk-size'] === undefined ? undefined : parseChunkSize(values['chunk-size'], 'protect');
  const outDir = values.out;
  if (outDir === undefined) throw new UsageError('--out DIR is required: where to write the shares', 'protect');

  const source = await openFileSource(file, 'input.unreadable');
  try {
    // The first folder that had to be created, if any: removed again (when still empty) on failure.
    const createdFolder = await createFolder(outDir);
    const temporaryTag = randomBytes(6).toString('hex');
    const sinks: FileSink[] = [];
    const published: string[] = [];
    const progress = progressLine(terminal, 'protecting', source.size);
    try {
      for (let x = 1; x <= n; x++) {
        sinks.push(await FileSink.create(join(outDir, `.tessera-${temporaryTag}-${x}.partial`)));
      }
      const result = await withInterrupt((signal) =>
        protect(source, sinks, { scheme, k, n, chunkSize, signal, onProgress: progress.onProgress }),
      );
      progress.finish();
      await Promise.all(sinks.map((sink) => sink.close()));

      const names = sinks.map((_, i) => `${result.splitId.slice(0, 8)}-${i + 1}-of-${n}${SHARE_EXTENSION}`);
      for (const [i, name] of names.entries()) {
        const target = join(outDir, name);
        // Split ids are random, so this only happens if the same folder is reused astronomically often.
        if (await exists(target)) throw new TesseraError('output.failed', `${target} already exists`);
        await rename(sinks[i]!.path, target);
        published.push(target);
      }

      terminal.out(`Protected ${file}, ${formatBytes(result.size)}, with ${result.scheme}: any ${k} of these ${n} shares rebuild it.`);
      terminal.out(`Split id ${result.splitId}; each share is ${formatBytes(result.shareSize)}:`);
      for (const target of published) terminal.out(`  ${target}`);
      terminal.out(
        `Keep each share in a different place. Share names and contents do not mention ${basename(file)}; ` +
          `note which record this is somewhere safe.`,
      );
      return 0;
    } catch (error) {
      progress.finish();
      await Promise.all(sinks.map((sink) => sink.abort()));
      await Promise.all(published.map((target) => unlink(target).catch(() => undefined)));
      if (createdFolder !== undefined) await removeCreatedFolders(outDir, createdFolder);
      throw error;
    }
  } finally {
    await source.close();
  }
}

/** Removes outDir and its parents up to `createdFolder` (what mkdir made), as long as they are empty. */
async function removeCreatedFolders(outDir: string, createdFolder: string): Promise<void> {
  const top = resolve(createdFolder);
  for (let folder = resolve(outDir); ; folder = dirname(folder)) {
    try {
      await rmdir(folder);
    } catch {
      return;
    }
    if (folder === top || dirname(folder) === folder) return;
  }
}
