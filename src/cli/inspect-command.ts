import { ERROR_ADVICE, inspectShare, TesseraError, toTesseraError, type ShareInspection } from '../core/index.js';
import { openFileSource, type FileByteSource } from './node-io.js';
import { describeDataError, EXIT_DATA, EXIT_OK } from './report.js';
import { formatBytes, formatCount, type Terminal } from './terminal.js';
import { HELP, parseCommandLine, UsageError } from './usage.js';

/** A share is fine when there is no error; an inspection exists whenever its header could be read. */
interface Inspected {
  readonly file: string;
  readonly inspection?: ShareInspection;
  readonly error?: TesseraError;
}

const SCHEME_WORDS = {
  shamir: 'shamir (byte-wise Shamir over GF(2^8): perfect secrecy)',
  ssms: 'ssms (AES-256-GCM, Reed–Solomon erasure code, key split with Shamir)',
} as const;

/**
 * `tessera inspect SHARE... [--json]`: what each share says it is, and what a single share can
 * prove about itself. Exit code 1 if any share cannot be read or does not check out.
 */
export async function inspectCommand(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandLine('inspect', args, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    terminal.out(HELP.inspect);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no share files given', 'inspect');

  const results: Inspected[] = [];
  for (const file of positionals) results.push(await inspectFile(file));

  if (values.json) {
    terminal.out(JSON.stringify(results.map(toJson), null, 2));
  } else {
    results.forEach((result, i) => {
      if (i > 0) terminal.out('');
      printText(terminal, result);
    });
  }
  for (const { file, error } of results) {
    if (error) terminal.err(`tessera: ${describeDataError(error, file)}`);
  }
  return results.every((result) => result.error === undefined) ? EXIT_OK : EXIT_DATA;
}

async function inspectFile(file: string): Promise<Inspected> {
  let source: FileByteSource | undefined;
  try {
    source = await openFileSource(file, 'share.unreadable');
    const inspection = await inspectShare(source);
    if (inspection.structureOk) return { file, inspection };
    const problem = inspection.problem ?? { code: 'share.header-corrupt', message: 'Its structure does not verify.' };
    return { file, inspection, error: new TesseraError(problem.code, problem.message) };
  } catch (error) {
    const tesseraError = toTesseraError(error);
    if (!tesseraError) throw error;
    return { file, error: tesseraError };
  } finally {
    await source?.close();
  }
}

function printText(terminal: Terminal, result: Inspected): void {
  const { file, inspection, error } = result;
  terminal.out(file);
  if (!inspection) {
    terminal.out(`  not readable as a share${error ? `: ${ERROR_ADVICE[error.code].title} (${error.code})` : ''}`);
    return;
  }
  const { header } = inspection;
  const others = header.k - 1;
  terminal.out(`  scheme:         ${SCHEME_WORDS[header.scheme]}`);
  terminal.out(`  shares:         ${header.k} of ${header.n} needed; this is share x = ${header.x}`);
  terminal.out(`  original size:  ${formatBytes(header.size)}`);
  terminal.out(`  chunk size:     ${formatBytes(header.chunkSize)}, ${formatCount(inspection.chunkCount)} chunk${inspection.chunkCount === 1 ? '' : 's'}`);
  terminal.out(`  split id:       ${header.splitId}`);
  terminal.out(`  format version: ${header.version}`);
  const sizeNote = inspection.expectedSize === inspection.actualSize ? 'as expected' : 'DIFFERENT';
  terminal.out(
    `  share size:     ${formatCount(inspection.actualSize)} bytes, expected ${formatCount(inspection.expectedSize)} (${sizeNote})`,
  );
  terminal.out(
    error
      ? `  structure:      FAILED: ${ERROR_ADVICE[error.code].title} ${error.detail} (${error.code})`
      : '  structure:      OK (magic number, version, header digest, length)',
  );
  terminal.out(
    `  data:           not verifiable from this share alone: it can only be authenticated together with ` +
      `${others} other share${others === 1 ? '' : 's'} of this record (tessera recover)`,
  );
}

function toJson(result: Inspected): unknown {
  const { inspection, error } = result;
  // The key share stays out: it is a piece of the record's key, not something to paste around.
  const described = inspection && {
    version: inspection.header.version,
    scheme: inspection.header.scheme,
    k: inspection.header.k,
    n: inspection.header.n,
    x: inspection.header.x,
    size: inspection.header.size,
    chunkSize: inspection.header.chunkSize,
    chunkCount: inspection.chunkCount,
    splitId: inspection.header.splitId,
    expectedSize: inspection.expectedSize,
    actualSize: inspection.actualSize,
    structureOk: inspection.structureOk,
    dataVerified: false,
  };
  return {
    file: result.file,
    ok: error === undefined,
    ...described,
    ...(error && { error: { code: error.code, title: ERROR_ADVICE[error.code].title, message: error.detail } }),
  };
}
