/**
 * Third-party DICOM writers and readers for the tests: DCMTK (img2dcm, dump2dcm, dcmconv, dcmcrle,
 * dcmcjpeg, dcmcjpls, dcm2pnm, dcmdump…), GDCM (gdcmconv) and pydicom, all from Debian's packages
 * (`.ci/run` installs them). Fixtures are made with these in the test setup, never by Tessera's own
 * code, so a test compares Tessera against somebody else's reading of the standard.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Debian's Python, which has python3-pydicom and python3-numpy (not a pyenv shim on PATH). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const OUTPUT_ROOT = resolve(import.meta.dirname, '../.output/dicom');

/** A fresh folder under test/.output/dicom (gitignored) for one suite's fixtures; removed by `remove`. */
export function fixtureFolder(suite: string): { readonly path: string; remove(): void } {
  mkdirSync(OUTPUT_ROOT, { recursive: true });
  const path = mkdtempSync(join(OUTPUT_ROOT, `${suite}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Runs a command-line tool and returns its stdout; throws with the tool's stderr when it fails, so a
 * fixture that could not be made says why.
 */
export function runTool(tool: string, args: readonly string[], options: { readonly input?: string | Uint8Array; readonly cwd?: string } = {}): string {
  try {
    return execFileSync(tool, args, {
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
  } catch (error) {
    const failure = error as { stderr?: string | Buffer; status?: number | null };
    throw new Error(`${tool} ${args.join(' ')} failed (exit ${failure.status ?? '?'}): ${String(failure.stderr ?? error).trim()}`, { cause: error });
  }
}

/** Runs a Python script with Debian's pydicom and numpy; `args` become sys.argv[1:]. */
export function runPython(script: string, args: readonly string[] = []): string {
  return runTool(DEBIAN_PYTHON, ['-c', script, ...args]);
}
