/**
 * The `tessera` command line: protect, recover and inspect share files on the local disk. A thin
 * layer over core: it parses arguments, adapts files to ByteSource / ByteSink (node-io.ts) and
 * turns results and error codes into words. Results go to stdout, everything else to stderr.
 */
import { readFileSync } from 'node:fs';
import { setCryptoBackend } from '../core/index.js';
import { nodeCryptoBackend } from './node-crypto.js';
import { inspectCommand } from './inspect-command.js';
import { protectCommand } from './protect-command.js';
import { recoverCommand } from './recover-command.js';
import { EXIT_USAGE, reportError } from './report.js';
import { processTerminal, type Terminal } from './terminal.js';
import { COMMANDS, HELP, OVERALL_HELP, UsageError, type CommandName } from './usage.js';

const RUN: Record<CommandName, (args: readonly string[], terminal: Terminal) => Promise<number>> = {
  protect: protectCommand,
  recover: recoverCommand,
  inspect: inspectCommand,
};

/** Runs one command line (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], terminal: Terminal = processTerminal()): Promise<number> {
  // Node's own AES-GCM and SHA-256: the same bytes as WebCrypto, at less cost per chunk.
  setCryptoBackend(nodeCryptoBackend);
  const [first, ...rest] = argv;
  if (first === undefined) {
    terminal.err('tessera: no command given\n');
    terminal.err(OVERALL_HELP);
    return EXIT_USAGE;
  }
  if (first === '--help' || first === '-h') {
    terminal.out(OVERALL_HELP);
    return 0;
  }
  if (first === '--version') {
    terminal.out(`tessera ${packageVersion()}`);
    return 0;
  }
  if (first === 'help') {
    const topic = COMMANDS.find((command) => command === rest[0]);
    terminal.out(topic ? HELP[topic] : OVERALL_HELP);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate === first);
  try {
    if (!command) {
      throw new UsageError(first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`);
    }
    return await RUN[command](rest, terminal);
  } catch (error) {
    return reportError(terminal, error);
  }
}

function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined;
  return typeof version === 'string' ? version : 'unknown';
}
