/**
 * The real `tessera` command, spawned as a user runs it (node src/cli/bin.js …), on files in a
 * temporary folder: what it writes, what it prints, and its exit codes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_SIZE, SCHEMES, type Scheme } from '../../src/core/index.js';

const BIN = join(import.meta.dirname, '../../src/cli/bin.js');
/** Spawning node + tsx takes a second or more on a busy 2-core machine; protecting 3 MiB a few more. */
const TIMEOUT = 120_000;
const ORIGINAL_NAME = 'Doe-Jane-1962-03-14-CT-thorax.dcm';
const SHARE_NAME = /^[0-9a-f]{8}-([1-5])-of-5\.tshare$/;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function tessera(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Share files in `folder`, by x. */
async function sharesIn(folder: string): Promise<Map<number, string>> {
  const shares = new Map<number, string>();
  for (const name of await readdir(folder)) {
    const match = SHARE_NAME.exec(name);
    if (match) shares.set(Number(match[1]), join(folder, name));
  }
  return shares;
}

/** A boolean, not toEqual: a failed toEqual on 3 MiB arrays spends minutes printing the diff. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function shareAt(shares: Map<number, string>, x: number): string {
  const path = shares.get(x);
  if (path === undefined) throw new Error(`no share with x = ${x}`);
  return path;
}

/** Flips one byte in the middle of the share's chunk data (well past its header). */
async function corruptCopy(share: string, to: string): Promise<string> {
  const bytes = await readFile(share);
  const at = HEADER_SIZE + Math.floor((bytes.length - HEADER_SIZE) / 2);
  bytes[at]! ^= 0x01;
  await writeFile(to, bytes);
  return to;
}

describe.for(SCHEMES)('tessera protect / recover with scheme %s', (scheme: Scheme) => {
  let folder: string;
  let original: Uint8Array;
  let input: string;
  let shareFolder: string;
  let shares: Map<number, string>;
  let protectRun: Run;

  beforeAll(async () => {
    folder = join(root, scheme);
    shareFolder = join(folder, 'shares');
    await mkdir(folder, { recursive: true });
    original = new Uint8Array(randomBytes(3 * 1024 * 1024 + 12_345));
    input = join(folder, ORIGINAL_NAME);
    await writeFile(input, original);
    protectRun = await tessera('protect', input, '-k', '3', '-n', '5', '--scheme', scheme, '--out', shareFolder);
    shares = await sharesIn(shareFolder);
  }, TIMEOUT);

  it('writes n share files named without the original name, and says so', async () => {
    expect(protectRun.stderr).toBe('');
    expect(protectRun.code).toBe(0);
    const names = await readdir(shareFolder);
    expect(names).toHaveLength(5);
    for (const name of names) {
      expect(name).toMatch(SHARE_NAME);
      expect(name).not.toContain('Doe');
      expect(name).not.toContain('.dcm');
    }
    expect([...shares.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    // All shares carry the same split id prefix: the first 8 hex digits of the split id printed.
    expect(new Set(names.map((name) => name.slice(0, 8))).size).toBe(1);
    const splitId = /^Split id ([0-9a-f]{32});/m.exec(protectRun.stdout)?.[1];
    expect(names[0]?.slice(0, 8)).toBe(splitId?.slice(0, 8));
    for (const path of shares.values()) expect(protectRun.stdout).toContain(path);
    expect(protectRun.stdout).toContain(scheme);
  });

  it('rebuilds the exact bytes from k of the n shares, after n − k are deleted', { timeout: TIMEOUT }, async () => {
    const remaining = join(folder, 'remaining');
    await cp(shareFolder, remaining, { recursive: true });
    const kept = await sharesIn(remaining);
    await rm(shareAt(kept, 1));
    await rm(shareAt(kept, 3));
    const output = join(folder, 'rebuilt-from-k.dcm');
    const run = await tessera('recover', ...(await sharesIn(remaining)).values(), '--out', output);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/x = [245], [245], [245]/);
    expect(sameBytes(await readFile(output), original)).toBe(true);
  });

  it('fails with share.corrupt, leaving no file behind, when one of exactly k shares is damaged', { timeout: TIMEOUT }, async () => {
    const damaged = await corruptCopy(shareAt(shares, 2), join(folder, 'damaged-exact.tshare'));
    const output = join(folder, 'out-exact', 'rebuilt.dcm');
    const run = await tessera('recover', shareAt(shares, 1), damaged, shareAt(shares, 3), '--out', output);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tessera: .+\(share\.corrupt\)$/m);
    expect(run.stdout).toBe('');
    // Neither the output nor a temporary file is left in its folder.
    expect(await readdir(join(folder, 'out-exact')).catch(() => [])).toEqual([]);
  });

  it('rebuilds from k + 1 shares when one is damaged, and names the damaged file', { timeout: TIMEOUT }, async () => {
    const damaged = await corruptCopy(shareAt(shares, 4), join(folder, 'damaged-spare.tshare'));
    const output = join(folder, 'rebuilt-despite-damage.dcm');
    const run = await tessera('recover', shareAt(shares, 1), shareAt(shares, 2), damaged, shareAt(shares, 5), '--out', output);
    expect(run.code).toBe(0);
    expect(sameBytes(await readFile(output), original)).toBe(true);
    expect(`${run.stdout}\n${run.stderr}`).toContain('damaged-spare.tshare');
    expect(run.stderr).toMatch(/damaged-spare\.tshare \(x = 4\).*\(share\.corrupt\)/);
  });

  it('fails with share.too-few given fewer than k shares', { timeout: TIMEOUT }, async () => {
    const output = join(folder, 'too-few.dcm');
    const run = await tessera('recover', shareAt(shares, 1), shareAt(shares, 5), '--out', output);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tessera: .+\(share\.too-few\)$/m);
    await expect(readFile(output)).rejects.toThrow(/ENOENT/);
  });

  it('describes a share with inspect, in words and as JSON', { timeout: TIMEOUT }, async () => {
    const share = shareAt(shares, 2);
    const text = await tessera('inspect', share);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(share);
    expect(text.stdout).toMatch(new RegExp(`scheme: +${scheme}`));
    expect(text.stdout).toMatch(/3 of 5 needed; this is share x = 2/);
    expect(text.stdout).toContain(`${original.length.toLocaleString('en-US')} bytes`);
    expect(text.stdout).toMatch(/structure: +OK/);
    expect(text.stdout).toMatch(/only be authenticated together with 2 other shares/);
    expect(text.stdout).not.toContain('Doe');

    const json = await tessera('inspect', '--json', share, shareAt(shares, 5));
    expect(json.code).toBe(0);
    const described = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(described).toHaveLength(2);
    expect(described[0]).toMatchObject({ file: share, ok: true, scheme, k: 3, n: 5, x: 2, size: original.length, structureOk: true });
    expect(described[1]).toMatchObject({ x: 5 });
    expect(described[0]?.['splitId']).toMatch(/^[0-9a-f]{32}$/);
    expect(described[0]?.['splitId']).toBe(described[1]?.['splitId']);
    expect(String(described[0]?.['splitId']).slice(0, 8)).toBe(basename(share).slice(0, 8));
    expect(described[0]?.['expectedSize']).toBe(described[0]?.['actualSize']);
    expect(described[0]).not.toHaveProperty('keyShare');
  });
});

describe('tessera on the wrong input', () => {
  let shares: Map<number, string>;
  let folder: string;

  beforeAll(async () => {
    folder = join(root, 'wrong-input');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'small.txt'), 'A small record: a few bytes are enough here.\n');
    const run = await tessera('protect', join(folder, 'small.txt'), '-k', '2', '-n', '5', '--out', join(folder, 'shares'));
    expect(run.code).toBe(0);
    shares = await sharesIn(join(folder, 'shares'));
  }, TIMEOUT);

  it('refuses to overwrite an existing file unless --force', { timeout: TIMEOUT }, async () => {
    const output = join(folder, 'existing.txt');
    await writeFile(output, 'keep me');
    const refused = await tessera('recover', shareAt(shares, 1), shareAt(shares, 2), '--out', output);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists.*--force/);
    expect(await readFile(output, 'utf8')).toBe('keep me');

    const forced = await tessera('recover', shareAt(shares, 1), shareAt(shares, 2), '--out', output, '--force');
    expect(forced.code).toBe(0);
    expect(await readFile(output, 'utf8')).toBe('A small record: a few bytes are enough here.\n');
  });

  it.for([
    ['no command', []],
    ['an unknown command', ['split', 'file']],
    ['protect without -k', ['protect', 'file', '-n', '3', '--out', 'dir']],
    ['k greater than n', ['protect', 'file', '-k', '4', '-n', '3', '--out', 'dir']],
    ['k not a number', ['protect', 'file', '-k', 'three', '-n', '5', '--out', 'dir']],
    ['an unknown scheme', ['protect', 'file', '-k', '2', '-n', '3', '--scheme', 'xor', '--out', 'dir']],
    ['an unknown option', ['recover', 'a.tshare', '--out', 'x', '--frobnicate']],
    ['recover without --out', ['recover', 'a.tshare', 'b.tshare']],
    ['inspect without shares', ['inspect']],
  ] as const)('exits with 2 on a usage error: %s', { timeout: TIMEOUT }, async ([, args]) => {
    const run = await tessera(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tessera: /);
    expect(run.stdout).toBe('');
  });

  it('reports a file that is not a share with share.magic, on inspect and recover', { timeout: TIMEOUT }, async () => {
    const notAShare = join(folder, 'small.txt');
    const inspected = await tessera('inspect', notAShare);
    expect(inspected.code).toBe(1);
    expect(inspected.stderr).toMatch(/^tessera: .*small\.txt.*\(share\.magic\)$/m);

    const recovered = await tessera('recover', notAShare, shareAt(shares, 3), '--out', join(folder, 'never.txt'));
    expect(recovered.code).toBe(1);
    // Too few usable shares, and the one left out is named with its own reason.
    expect(recovered.stderr).toContain('Left out: #1 (share.magic). (share.too-few)');
  });

  it('reports a share file that does not exist as unreadable, and recovers without it', { timeout: TIMEOUT }, async () => {
    const missing = join(folder, 'missing.tshare');
    const inspected = await tessera('inspect', missing);
    expect(inspected.code).toBe(1);
    expect(inspected.stderr).toMatch(/missing\.tshare.*\(share\.unreadable\)/);

    const output = join(folder, 'without-missing.txt');
    const recovered = await tessera('recover', missing, shareAt(shares, 4), shareAt(shares, 5), '--out', output);
    expect(recovered.code).toBe(0);
    expect(recovered.stderr).toMatch(/warning: left out .*missing\.tshare.*\(share\.unreadable\)/);
    expect(await readFile(output, 'utf8')).toBe('A small record: a few bytes are enough here.\n');
  });

  it('prints help and the version, with exit code 0', { timeout: TIMEOUT }, async () => {
    const overall = await tessera('--help');
    expect(overall.code).toBe(0);
    expect(overall.stdout).toMatch(/Usage: tessera <command>/);
    for (const command of ['protect', 'recover', 'inspect']) {
      const help = await tessera(command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: tessera ${command}`);
    }
    const version = await tessera('--version');
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^tessera \d+\.\d+\.\d+/);
  });
});
