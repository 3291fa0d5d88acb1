/**
 * A drop of several files (a folder, a CD with its DICOMDIR, zips, reports) protected as one record:
 * its tar archive (tar.ts) under the folder's name.
 */
import { buildTar, type TarInput } from './tar.js';

/** The name a drop goes by: its one top-level folder or archive, else a plain description. */
export function folderName(paths: readonly string[]): string {
  const tops = new Set(paths.map((path) => path.split('/')[0] ?? ''));
  if (tops.size === 1 && paths.some((path) => path.includes('/'))) return [...tops][0]!;
  if (paths.length === 1) return paths[0]!.replace(/\.zip$/i, '');
  return 'Protected files';
}

/** The record's file: the archive of `entries`, named `<name>.tar`, referring to the files (nothing is read). */
export function folderArchive(name: string, entries: readonly TarInput[]): File {
  return new File([buildTar(entries)], `${name}.tar`, { type: 'application/x-tar' });
}
