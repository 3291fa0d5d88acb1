/** Command-line parsing shared by the commands, and the help texts. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MAX_CHUNK_SIZE, SCHEMES, SHARE_EXTENSION, type Scheme } from '../core/index.js';

export type CommandName = 'protect' | 'recover' | 'inspect';

export const COMMANDS: readonly CommandName[] = ['protect', 'recover', 'inspect'];

/** A mistake in the command line: exit code 2, and a pointer to the help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

export const OVERALL_HELP = `Usage: tessera <command> [options]

Split a file into n share files so that any k of them rebuild it exactly, and fewer reveal nothing.

Commands:
  protect FILE -k K -n N --out DIR   split FILE into N shares, any K of which rebuild it
  recover SHARE... --out FILE        rebuild the original from K or more shares
  inspect SHARE... [--json]          describe share files and check each one's structure

Options:
  -h, --help     show help (also: tessera <command> --help)
  --version      show the version

Exit codes: 0 done, 1 a problem with the data (a damaged share, too few shares, …), 2 a mistake in
the command line.`;

export const HELP: Record<CommandName, string> = {
  protect: `Usage: tessera protect FILE -k K -n N --out DIR [--scheme ssms|shamir] [--chunk-size BYTES]

Splits FILE into N share files in DIR; any K of them rebuild FILE exactly, fewer than K reveal
nothing about it. Keep every share in a different place.

Share files are named <split id>-<x>-of-<N>${SHARE_EXTENSION}, where <split id> is the first 8 hex
digits of the random split id every share of FILE carries: nothing in a share's name or content
identifies the original file.

Options:
  -k K                 shares needed to rebuild (2 ≤ K ≤ N)
  -n N                 shares to make (K ≤ N ≤ 255)
  -o, --out DIR        where to write the shares (created if missing)
  --scheme SCHEME      ssms (default): AES-256-GCM, then erasure-coded; each share is about
                       1/K of the file's size.
                       shamir: perfect secrecy, byte by byte; each share is as large as the file.
  --chunk-size BYTES   bytes of the original per chunk (a number, or with a KiB / MiB suffix;
                       at most ${MAX_CHUNK_SIZE} bytes)
  -h, --help           show this help`,

  recover: `Usage: tessera recover SHARE... --out FILE [--force]

Rebuilds the original file from K or more of its shares and checks that it is exactly the original.
Given more than K shares, damaged ones are found, named and left out.

The result is written to a temporary file next to FILE and renamed to FILE only once it is complete
and verified: on failure no partial FILE is left behind.

Options:
  -o, --out FILE   where to write the rebuilt file
  -f, --force      replace FILE if it already exists
  -h, --help       show this help`,

  inspect: `Usage: tessera inspect SHARE... [--json]

Describes each share file (scheme, K of N, its x, the size of the original, chunk size, split id)
and checks what a single share can prove about itself: its header and its length. A share's data
can only be authenticated together with K-1 other shares of the same record (tessera recover).

Options:
  --json       print a JSON array, one object per share
  -h, --help   show this help`,
};

/**
 * node:util parseArgs in strict mode, with its errors (unknown option, missing value, stray
 * argument) turned into usage errors for `command`.
 */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(
  command: CommandName,
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(error.message, command);
    }
    throw error;
  }
}

export function parseInteger(value: string | undefined, name: string, min: number, max: number, command: CommandName): number {
  if (value === undefined) throw new UsageError(`${name} is required`, command);
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, got '${value}'`, command);
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${value}`, command);
  return parsed;
}

/** "65536", "64KiB", "64k", "1MiB", "1M" → bytes (binary multiples). */
export function parseChunkSize(value: string, command: CommandName): number {
  const match = /^(\d+)\s*(k|kib|m|mib)?$/i.exec(value);
  if (!match) throw new UsageError(`--chunk-size must be a number of bytes (optionally with KiB or MiB), got '${value}'`, command);
  const unit = match[2]?.toLowerCase().charAt(0);
  const bytes = Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
  if (bytes < 1 || bytes > MAX_CHUNK_SIZE) {
    throw new UsageError(`--chunk-size must be between 1 and ${MAX_CHUNK_SIZE} bytes, got ${bytes}`, command);
  }
  return bytes;
}

export function parseScheme(value: string | undefined, command: CommandName): Scheme {
  if (value === undefined) return 'ssms';
  const scheme = SCHEMES.find((candidate) => candidate === value);
  if (!scheme) throw new UsageError(`--scheme must be one of ${SCHEMES.join(', ')}, got '${value}'`, command);
  return scheme;
}
