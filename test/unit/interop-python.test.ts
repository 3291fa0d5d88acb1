// An independent reader: test/interop/tessera_recover.py was written from docs/share-format.md alone
// (without reading src/), in Python with python3-cryptography. These tests run it against the
// known-answer vectors and against fresh shares from `protectBytes`, so a format change that the
// document does not describe breaks here. Needs Debian's /usr/bin/python3 with python3-cryptography
// (`apt-get install python3-cryptography`); without it the tests FAIL, they do not skip.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_SIZE, protectBytes, type Scheme } from '../../src/core/index.js';
import { patternBytes } from '../helpers/deterministic-random.js';

const PYTHON = '/usr/bin/python3';
const TOOL = fileURLToPath(new URL('../interop/tessera_recover.py', import.meta.url));
const VECTORS = fileURLToPath(new URL('../vectors/share-format-v1.json', import.meta.url));
const CHUNK = 64;
const TIMEOUT = 30_000;

let dir = '';
let runs = 0;

/** Why the Python reader cannot run here, or undefined if it can. Checked once, reported by every test. */
const setupProblem = ((): string | undefined => {
  const advice = `The Python interop test needs ${PYTHON} with python3-cryptography (Debian: apt-get install python3-cryptography).`;
  if (!existsSync(PYTHON)) return `${advice} ${PYTHON} does not exist.`;
  const probe = spawnSync(PYTHON, ['-c', 'from cryptography.hazmat.primitives.ciphers.aead import AESGCM'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${advice} ${probe.error?.message ?? probe.stderr}`;
})();

function python(args: string[]): SpawnSyncReturns<string> {
  // Fail (never skip) every test when Python or python3-cryptography is missing.
  if (setupProblem) throw new Error(setupProblem);
  return spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 20_000 });
}

/** Writes the shares to files and runs the Python tool on them. */
function recoverWithPython(shares: Uint8Array[]): { status: number | null; stdout: string; stderr: string; data: Buffer | undefined } {
  const run = join(dir, `run-${runs++}`);
  const paths = shares.map((share, i) => {
    const path = `${run}-share-${i}.tsr`;
    writeFileSync(path, share);
    return path;
  });
  const out = `${run}.out`;
  const result = python([TOOL, ...paths, '--out', out]);
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, data: existsSync(out) ? readFileSync(out) : undefined };
}

/** Shares by x (1-based), copied so a test may damage them. */
const pick = (shares: Uint8Array[], xs: number[]): Uint8Array[] => xs.map((x) => shares[x - 1]!.slice());

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-interop-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('independent Python reader (test/interop/tessera_recover.py)', () => {
  it(`finds ${PYTHON} with python3-cryptography`, () => {
    expect(setupProblem ?? 'available').toBe('available');
  });

  it('rebuilds every known-answer vector from every k-subset, and reproduces the share bytes', () => {
    const result = python([TOOL, '--vectors', VECTORS]);
    expect(result.stderr).toBe('');
    expect(result.status, result.stdout).toBe(0);
    const count = (JSON.parse(readFileSync(VECTORS, 'utf8')) as { vectors: unknown[] }).vectors.length;
    expect(result.stdout.match(/^ok /gm)).toHaveLength(count);
    expect(result.stdout).toContain(`vectors: ${count} ok, 0 failed`);
  }, TIMEOUT);

  // k-subsets that include parity shares (x > k) and are not in ascending order.
  const subsets: Record<string, number[][]> = {
    '2/3': [[3, 1], [2, 3], [3, 2]],
    '3/5': [[5, 2, 4], [4, 5, 1], [3, 5, 4]],
  };
  const sizes = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5];

  for (const scheme of ['shamir', 'ssms'] as const) {
    for (const [k, n] of [[2, 3], [3, 5]] as const) {
      it(`${scheme} ${k}-of-${n}: rebuilds shares made by protectBytes, sizes ${sizes.join(', ')}`, async () => {
        for (const [i, size] of sizes.entries()) {
          const data = patternBytes(size, i);
          const { shares } = await protectBytes(data, { scheme, k, n, chunkSize: CHUNK });
          const xs = subsets[`${k}/${n}`]![i % 3]!;
          const run = recoverWithPython(pick(shares, xs));
          expect(run.stderr, `size ${size}, x=${xs.join(',')}`).toBe('');
          expect(run.status, `size ${size}, x=${xs.join(',')}`).toBe(0);
          expect(run.data?.equals(data), `size ${size}, x=${xs.join(',')}: rebuilt bytes differ`).toBe(true);
        }
      }, TIMEOUT);
    }
  }

  const make = (scheme: Scheme, size = 3 * CHUNK + 5, salt = 0) =>
    protectBytes(patternBytes(size, salt), { scheme, k: 3, n: 5, chunkSize: CHUNK });

  for (const scheme of ['shamir', 'ssms'] as const) {
    it(`${scheme}: a flipped data bit in one of exactly k shares is refused (share.corrupt)`, async () => {
      const { shares } = await make(scheme);
      for (const victim of [0, 2]) {
        const picked = pick(shares, [2, 4, 5]);
        picked[victim]![HEADER_SIZE + 70]! ^= 0x01;
        const run = recoverWithPython(picked);
        expect(run.status).toBe(1);
        expect(run.stderr).toMatch(/^error share\.corrupt: /m);
        expect(run.data, 'no output file on refusal').toBeUndefined();
      }
    }, TIMEOUT);

    it(`${scheme}: with k+1 shares and one flipped bit the original is rebuilt and the damaged share named`, async () => {
      const data = patternBytes(3 * CHUNK + 5);
      const { shares } = await make(scheme);
      const xs = [1, 2, 4, 5];
      // victim 0 (x=1) is in the first subset tried; victim 3 (x=5) is the spare, damaged in the last chunk.
      for (const [victim, position] of [[0, HEADER_SIZE + 70], [3, -1]] as const) {
        const picked = pick(shares, xs);
        const share = picked[victim]!;
        share[position < 0 ? share.length + position : position]! ^= 0x01;
        const run = recoverWithPython(picked);
        expect(run.status, run.stderr).toBe(0);
        expect(run.data?.equals(data)).toBe(true);
        const named = [...`${run.stdout}\n${run.stderr}`.matchAll(/^warning share\.corrupt: share #\d+ \(x=(\d+),/gm)].map((m) => Number(m[1]));
        expect(named).toEqual([xs[victim]]);
      }
    }, TIMEOUT);
  }

  it('a share of another split is refused with exactly k, and left out with more (share.mismatch)', async () => {
    const a = await make('ssms');
    const again = await make('ssms'); // the same file protected again: another splitId
    const other = await make('ssms', 100, 1); // another file
    for (const stranger of [again.shares[2]!, other.shares[2]!]) {
      const refused = recoverWithPython([a.shares[0]!, a.shares[1]!, stranger]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^error share\.mismatch: /m);
      const rebuilt = recoverWithPython([a.shares[0]!, a.shares[1]!, stranger, a.shares[3]!]);
      expect(rebuilt.status, rebuilt.stderr).toBe(0);
      expect(rebuilt.data?.equals(patternBytes(3 * CHUNK + 5))).toBe(true);
      expect(rebuilt.stderr).toMatch(/^warning share\.mismatch: share #3 /m);
    }
  }, TIMEOUT);

  it('fewer than k shares: share.too-few; the same x twice: share.duplicate', async () => {
    for (const scheme of ['shamir', 'ssms'] as const) {
      const { shares } = await make(scheme);
      const run = recoverWithPython(pick(shares, [1, 5]));
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^error share\.too-few: /m);
      const twice = recoverWithPython(pick(shares, [1, 2, 2]));
      expect(twice.status).toBe(1);
      expect(twice.stderr).toMatch(/^error share\.duplicate: /m);
    }
  }, TIMEOUT);

  it('per-share checks: magic, version, truncated, header-corrupt, extra bytes — set aside with their code', async () => {
    const { shares } = await make('shamir');
    const good = pick(shares, [2, 3, 4]);
    const base = shares[0]!;
    const withVersion2 = base.slice();
    withVersion2[8] = 2;
    const withHeaderFlip = base.slice();
    withHeaderFlip[50]! ^= 0x04;
    const longer = new Uint8Array(base.length + 1);
    longer.set(base);
    const cases: [string, Uint8Array][] = [
      ['share.magic', new TextEncoder().encode('%PDF-1.7 not a share'.padEnd(400, '.'))],
      ['share.version', withVersion2],
      ['share.truncated', base.slice(0, 50)],
      ['share.truncated', base.slice(0, base.length - 1)],
      ['share.header-corrupt', withHeaderFlip],
      ['share.corrupt', longer],
    ];
    for (const [code, bad] of cases) {
      const run = recoverWithPython([bad, ...good]);
      expect(run.status, `${code}: ${run.stderr}`).toBe(0);
      expect(run.stderr).toMatch(new RegExp(`^warning ${code.replace('.', '\\.')}: share #1 `, 'm'));
      expect(run.data?.equals(patternBytes(3 * CHUNK + 5))).toBe(true);
    }
  }, TIMEOUT);
});
