/**
 * Zip archives in a drop, expanded with jszip into entries under the archive's own path
 * (`study.zip/DICOM/IM000001`), so the archive's folder structure is kept. A zip inside a zip is
 * expanded too, two levels deep; deeper ones are kept as files.
 *
 * Nothing is lost: an archive that cannot be opened, or one of whose entries cannot be inflated, is
 * kept whole as one file (with a problem saying so), never half expanded. Entries whose names would
 * leave the archive's folder are left out with a problem each (safeRelativePath).
 *
 * WARNING: jszip reads the whole archive into memory, and each entry is inflated in memory before
 * it becomes a Blob. Archives are therefore limited by the memory of the tab (about 1–2 GB in
 * today's browsers); folders have no such limit. Runs in the DICOM worker, so the page stays
 * responsive. Only names ending in `.zip` are opened: Office documents (.docx) are zips too, and
 * must stay single files.
 */
import JSZip from 'jszip';
import { ingestProblem, joinPath, safeRelativePath, type Collected, type DropEntry, type IngestProblem } from './entries.js';

/** A zip in the drop is level 1, a zip inside it level 2; deeper archives are kept as they are. */
const MAX_ARCHIVE_DEPTH = 2;

export function isZipPath(path: string): boolean {
  return /\.zip$/i.test(path);
}

/**
 * Expands the zip `archive`, found at `archivePath` in the drop, `depth` levels deep (1 for a zip
 * dropped by the user). Never throws for the archive's content.
 */
export async function expandArchive(archive: Blob, archivePath: string, depth = 1): Promise<Collected> {
  if (!(archive instanceof Blob)) throw new TypeError(`archive: expected a Blob or File, got ${Object.prototype.toString.call(archive)}`);
  if (!Number.isSafeInteger(depth) || depth < 1) throw new RangeError(`depth: expected an integer ≥ 1, got ${depth}`);
  const keepWhole: Collected = {
    entries: [{ path: archivePath, file: archive, size: archive.size }],
    problems: [ingestProblem('ingest.archive-unreadable', archivePath)],
  };
  let zip: JSZip;
  let declaredEntries: number | undefined;
  try {
    const bytes = new Uint8Array(await archive.arrayBuffer());
    declaredEntries = centralDirectoryEntries(bytes);
    zip = await JSZip.loadAsync(bytes, { checkCRC32: true, createFolders: false });
  } catch {
    return keepWhole;
  }
  // jszip keys entries by their sanitised name, so `../a.dcm` or a second `a.dcm` silently replaces
  // an entry `a.dcm`. If fewer entries came out than the archive declares, some are hidden: the
  // archive is kept whole rather than expanded without them.
  if (declaredEntries !== undefined && Object.keys(zip.files).length < declaredEntries) {
    const hidden: IngestProblem[] = [];
    zip.forEach((_relativePath, entry) => {
      const written = entry.unsafeOriginalName ?? entry.name;
      if (safeRelativePath(written) === undefined) hidden.push(ingestProblem('ingest.unsafe-path', joinPath(archivePath, written)));
    });
    return { entries: keepWhole.entries, problems: [...hidden, ...keepWhole.problems] };
  }

  const files: JSZip.JSZipObject[] = [];
  const folders = new Set<string>();
  const problems: IngestProblem[] = [];
  zip.forEach((_relativePath, entry) => {
    // jszip strips `../` and leading slashes from `name`; the name as written is what must be judged.
    const written = entry.unsafeOriginalName ?? entry.name;
    const path = safeRelativePath(written);
    if (path === undefined) {
      problems.push(ingestProblem('ingest.unsafe-path', joinPath(archivePath, written)));
      return;
    }
    if (entry.dir) folders.add(path);
    else files.push(entry);
  });

  const entries: DropEntry[] = [];
  for (const entry of files) {
    const path = safeRelativePath(entry.unsafeOriginalName ?? entry.name)!;
    let bytes: Uint8Array;
    try {
      bytes = await entry.async('uint8array');
    } catch {
      return keepWhole;
    }
    const fullPath = joinPath(archivePath, path);
    const file = new File([bytes as Uint8Array<ArrayBuffer>], path.slice(path.lastIndexOf('/') + 1), { lastModified: entry.date.getTime() });
    if (isZipPath(path) && depth < MAX_ARCHIVE_DEPTH) {
      const inner = await expandArchive(file, fullPath, depth + 1);
      entries.push(...inner.entries);
      problems.push(...inner.problems);
    } else {
      entries.push({ path: fullPath, file, size: file.size });
    }
    for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) folders.delete(path.slice(0, slash));
  }
  // Folders left are those no file lies under; report the deepest of them (`a/b/` rather than `a/`).
  const empty = [...folders].filter((folder) => ![...folders].some((other) => other.startsWith(`${folder}/`)));
  for (const folder of empty.sort()) problems.push(ingestProblem('ingest.empty-folder', joinPath(archivePath, folder)));
  return { entries, problems };
}

/**
 * The number of entries the End of Central Directory record declares (APPNOTE.TXT §4.3.16), found
 * by its signature in the last 64 KiB + 22 bytes; undefined when absent or ZIP64 (0xFFFF).
 */
function centralDirectoryEntries(bytes: Uint8Array): number | undefined {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let offset = bytes.length - 22; offset >= lowest; offset--) {
    if (bytes[offset] === 0x50 && bytes[offset + 1] === 0x4b && bytes[offset + 2] === 0x05 && bytes[offset + 3] === 0x06) {
      const total = bytes[offset + 10]! | (bytes[offset + 11]! << 8);
      return total === 0xffff ? undefined : total;
    }
  }
  return undefined;
}
