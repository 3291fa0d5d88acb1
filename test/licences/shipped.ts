/**
 * What ships: the npm packages whose code is in the built app (every script of the build, the
 * workers' and the offline tool's included), found from the build's own source maps, with each
 * package's version and licence as its package.json declares them. Pure functions over a build
 * folder and node_modules; test/licences/run.ts writes docs/licences.md with them.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface ShippedPackage {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  /** Build files (relative to the build folder) holding some of its code. */
  readonly files: readonly string[];
}

/** Licences whose terms let the app ship the package's code in a browser bundle as it does. */
export const PERMISSIVE = new Set(['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', 'Zlib', '0BSD', 'CC0-1.0', 'BlueOak-1.0.0']);

/** Whether an SPDX expression can be met with permissive terms alone (an OR offers a choice, an AND needs all). */
export function permissive(expression: string): boolean {
  const text = expression.replace(/[()]/g, ' ').trim();
  return text.split(/\s+OR\s+/).some((alternative) => alternative.split(/\s+AND\s+/).every((id) => PERMISSIVE.has(id.trim())));
}

/** The package a node_modules path belongs to ("@scope/name" or "name"), or undefined. */
export function packageOf(source: string): string | undefined {
  const at = source.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const parts = source.slice(at + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

async function mapFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.map')) found.push(join(entry.parentPath, entry.name));
  }
  return found.sort();
}

/** Every package with code in the build at `buildFolder` (built with source maps), from `root`'s node_modules. */
export async function shippedPackages(buildFolder: string, root: string): Promise<ShippedPackage[]> {
  const files = new Map<string, Set<string>>();
  for (const map of await mapFiles(buildFolder)) {
    const { sources } = JSON.parse(await readFile(map, 'utf8')) as { sources?: string[] };
    for (const source of sources ?? []) {
      const name = packageOf(source);
      if (name) (files.get(name) ?? files.set(name, new Set()).get(name)!).add(relative(buildFolder, map).replace(/\.map$/, ''));
    }
  }
  const packages: ShippedPackage[] = [];
  for (const [name, where] of files) {
    const manifest = JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string; license?: string };
    packages.push({ name, version: manifest.version, license: manifest.license ?? 'UNKNOWN', files: [...where].sort() });
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name));
}
