/** How the CLI turns an error into words on stderr and an exit code. */
import { ERROR_ADVICE, isAbort, toTesseraError, type TesseraError } from '../core/index.js';
import type { Terminal } from './terminal.js';
import { UsageError } from './usage.js';

export const EXIT_OK = 0;
/** The data is at fault: a damaged share, too few shares, an unreadable file. */
export const EXIT_DATA = 1;
export const EXIT_USAGE = 2;
/** Interrupted (Ctrl-C), as shells report a SIGINT. */
const EXIT_INTERRUPTED = 130;

/** "dir/abc-2-of-5.tshare (x = 2)", or just the path when x is unknown. */
export function shareLabel(path: string, x: number | undefined): string {
  return x === undefined ? path : `${path} (x = ${x})`;
}

/** `<title> <detail> [<where>] (<code>)`: one line that names what happened and to which file. */
export function describeDataError(error: TesseraError, where?: string): string {
  const { title } = ERROR_ADVICE[error.code];
  const detail = error.detail.trim();
  return `${title}${detail ? ` ${detail}` : ''}${where ? ` [${where}]` : ''} (${error.code})`;
}

/**
 * Prints `error` and returns the exit code. `shareFiles` maps the shareIndex a core error carries
 * back to the file the user named.
 */
export function reportError(terminal: Terminal, error: unknown, shareFiles: readonly string[] = []): number {
  if (error instanceof UsageError) {
    terminal.err(`tessera: ${error.message}`);
    terminal.err(`Run 'tessera ${error.command ? `${error.command} ` : ''}--help' for usage.`);
    return EXIT_USAGE;
  }
  if (isAbort(error)) return EXIT_INTERRUPTED;
  const tesseraError = toTesseraError(error);
  if (tesseraError) {
    const file = tesseraError.shareIndex === undefined ? undefined : shareFiles[tesseraError.shareIndex];
    const where = file === undefined ? undefined : `share file ${shareLabel(file, tesseraError.shareX)}`;
    terminal.err(`tessera: ${describeDataError(tesseraError, where)}`);
    const { action } = ERROR_ADVICE[tesseraError.code];
    if (action) terminal.err(`  ${action}`);
    return EXIT_DATA;
  }
  // Not a data problem we know: a bug, or the system failing. Say so rather than guess.
  const message = error instanceof Error ? error.message : String(error);
  terminal.err(`tessera: unexpected error: ${message}`);
  if (process.env['TESSERA_DEBUG'] && error instanceof Error && error.stack) terminal.err(error.stack);
  return EXIT_DATA;
}
