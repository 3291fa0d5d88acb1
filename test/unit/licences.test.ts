import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packageOf, permissive } from '../licences/shipped.js';

const root = new URL('../../', import.meta.url);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, { version?: string; license?: string; dev?: boolean; devOptional?: boolean; integrity?: string; resolved?: string }>;
};
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string> };

describe('licences of what ships', () => {
  it('reads SPDX expressions: a choice needs one permissive side, a conjunction all of them', () => {
    expect(permissive('MIT')).toBe(true);
    expect(permissive('(MIT OR GPL-3.0-or-later)')).toBe(true);
    expect(permissive('(MIT AND Zlib)')).toBe(true);
    expect(permissive('GPL-3.0-only')).toBe(false);
    expect(permissive('(MIT AND GPL-2.0-only)')).toBe(false);
    expect(permissive('UNKNOWN')).toBe(false);
  });

  it('names the package of a node_modules path, scoped or not', () => {
    expect(packageOf('../../node_modules/comlink/dist/esm/comlink.mjs')).toBe('comlink');
    expect(packageOf('../node_modules/@noble/hashes/esm/sha2.js')).toBe('@noble/hashes');
    expect(packageOf('../../src/core/protect.ts')).toBeUndefined();
  });

  it('locks every production dependency to one version with an integrity hash, under a permissive licence', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(3);
    const production = Object.entries(lock.packages).filter(([path, info]) => path !== '' && !info.dev && !info.devOptional);
    expect(production.length).toBeGreaterThan(10);
    for (const [path, info] of production) {
      expect(info.version, path).toMatch(/^\d+\.\d+\.\d+/);
      expect(info.integrity, path).toMatch(/^sha512-/);
      expect(permissive(info.license ?? 'UNKNOWN'), `${path}: ${info.license}`).toBe(true);
    }
    for (const name of Object.keys(manifest.dependencies)) expect(lock.packages[`node_modules/${name}`], name).toBeDefined();
  });

  it('lists in docs/licences.md every direct dependency that ships code', () => {
    const listed = readFileSync(new URL('docs/licences.md', root), 'utf8');
    for (const name of Object.keys(manifest.dependencies)) expect(listed, name).toContain(`\`${name}\``);
  });
});
