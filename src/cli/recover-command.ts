import { randomBytes } from 'node:crypto';
import { rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ERROR_ADVICE, inspectShare, recover, TesseraError, toTesseraError, type RecoverResult } from '../core/index.js';
import { createFolder, exists, FileSink, isNodeError, openFileSource, type FileByteSource } from './node-io.js';
import { EXIT_OK, reportError, shareLabel } from './report.js';
import { formatBytes, progressLine, withInterrupt, type Terminal } from './terminal.js';
import { HELP, parseCommandLine, UsageError } from './usage.js';

/**
 * `tessera recover SHARE... --out FILE`: rebuilds into a temporary file beside FILE and renames it
 * to FILE only after core has verified the whole result, so a failure never leaves half a file at
 * FILE. A share file that cannot be opened is left out like a damaged one: any K good ones suffice.
 */
export async function recoverCommand(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandLine('recover', args, {
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean', short: 'f' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    terminal.out(HELP.recover);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no share files given', 'recover');
  const target = values.out;
  if (target === undefined) throw new UsageError('--out FILE is required: where to write the rebuilt file', 'recover');
  const force = values.force ?? false;
  const existing = await stat(target).catch((error: unknown) => {
    if (isNodeError(error, 'ENOENT')) return undefined;
    throw error;
  });
  if (existing?.isDirectory()) throw new UsageError(`${target} is a folder; --out needs the name of the file to write`, 'recover');
  if (existing && !force) throw new UsageError(`${target} already exists; add --force to replace it`, 'recover');

  // One source per argument, in order, so that core's share numbers (#1, #2, …) and shareIndex
  // are the user's own argument positions. A file that cannot be opened becomes a source whose
  // reads fail: core leaves it out like any other unreadable share.
  const sources: FileByteSource[] = [];
  try {
    for (const path of positionals) sources.push(await openShareFile(path));
    const shareFiles = sources.map((source) => source.path);
    let result: RecoverResult;
    try {
      result = await recoverInto(target, sources, force, terminal);
    } catch (error) {
      const code = reportError(terminal, error, shareFiles);
      const known = toTesseraError(error);
      if (known && known.shareIndex === undefined && sources.length > 1) {
        terminal.err('  Shares given:');
        shareFiles.forEach((file, i) => terminal.err(`    #${i + 1} ${file}`));
      }
      return code;
    }
    const leftOut = result.problems.map((problem) => ({
      path: shareFiles[problem.shareIndex] ?? `share #${problem.shareIndex + 1}`,
      x: problem.shareX,
      code: problem.code,
      message: problem.message,
    }));
    for (const problem of leftOut) {
      const { title } = ERROR_ADVICE[problem.code];
      terminal.err(`tessera: warning: left out ${shareLabel(problem.path, problem.x)}: ${title} ${problem.message} (${problem.code})`);
    }

    const usedFiles = await filesByX(sources, result);
    terminal.out(`Recovered ${target}, ${formatBytes(result.size)}, verified against its record (${result.scheme}, ${result.k} of ${result.n}).`);
    terminal.out(`Split id ${result.splitId}; rebuilt from shares x = ${result.usedShares.join(', ')}:`);
    for (const x of result.usedShares) terminal.out(`  ${shareLabel(usedFiles.get(x) ?? '(unnamed)', x)}`);
    if (leftOut.length > 0) {
      terminal.out(`Left out ${leftOut.length} share file${leftOut.length === 1 ? '' : 's'}:`);
      for (const problem of leftOut) terminal.out(`  ${shareLabel(problem.path, problem.x)}: ${problem.code}`);
    }
    return EXIT_OK;
  } finally {
    await Promise.all(sources.map((source) => source.close()));
  }
}

async function openShareFile(path: string): Promise<FileByteSource> {
  try {
    return await openFileSource(path, 'share.unreadable');
  } catch (unreadable) {
    return { path, size: 0, read: () => Promise.reject(unreadable), close: () => Promise.resolve() };
  }
}

async function recoverInto(target: string, shares: readonly FileByteSource[], force: boolean, terminal: Terminal): Promise<RecoverResult> {
  const folder = dirname(target);
  await createFolder(folder);
  const temporary = join(folder, `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  const sink = await FileSink.create(temporary);
  const progress = progressLine(terminal, 'recovering', shares.reduce((most, share) => Math.max(most, share.size), 0));
  try {
    const result = await withInterrupt((signal) => recover(shares, sink, { signal, onProgress: progress.onProgress }));
    progress.finish();
    await sink.close();
    if (!force && (await exists(target))) {
      throw new TesseraError('output.failed', `${target} appeared while recovering; nothing was replaced. Add --force to replace it.`);
    }
    await rename(temporary, target);
    return result;
  } catch (error) {
    progress.finish();
    await sink.abort();
    throw error;
  }
}

/** Which file holds which x, for the shares the result was rebuilt from (headers only: cheap). */
async function filesByX(sources: readonly FileByteSource[], result: RecoverResult): Promise<Map<number, string>> {
  const problemIndexes = new Set(result.problems.map((problem) => problem.shareIndex));
  const files = new Map<number, string>();
  for (const [index, source] of sources.entries()) {
    if (problemIndexes.has(index)) continue;
    try {
      const { header } = await inspectShare(source);
      if (!files.has(header.x)) files.set(header.x, source.path);
    } catch {
      // Recovery succeeded without it; its name is only missing from the summary.
    }
  }
  return files;
}

