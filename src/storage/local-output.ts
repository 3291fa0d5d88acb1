/**
 * Rebuilt files waiting to be saved: a recovery streams its output into an OPFS file here (never
 * into memory), and the page later hands that file to the user as a download and deletes it.
 * Names are random ids chosen by the caller, never the original file name.
 */
import type { ByteSink } from '../core/io.js';
import { TesseraError, describeCause } from '../core/errors.js';
import { isNotFound, listFiles, openFileTarget, opfsDirectory, removeFile, removeFileWhenUnlocked, type WriteTarget } from './opfs.js';

const OUTPUT_ROOT = 'tessera-output';
const OUTPUT_NAME = /^[0-9a-f]{16,64}$/;

function assertOutputName(name: string): void {
  if (!OUTPUT_NAME.test(name)) throw new RangeError(`output name: expected 16 to 64 lowercase hex digits, got "${name}"`);
}

function outputFailed(error: unknown): TesseraError {
  if (error instanceof TesseraError) return error;
  return new TesseraError('output.failed', `could not write the rebuilt file: ${describeCause(error)}`, {}, { cause: error });
}

/**
 * A sink that writes the output file, through a sync access handle in a worker (several times
 * faster) or a writable stream on the page (opfs.ts openFileTarget). Until it is closed the page
 * does not hand it out.
 */
export async function openOutputSink(name: string): Promise<ByteSink> {
  assertOutputName(name);
  let target: WriteTarget;
  try {
    const directory = await opfsDirectory([OUTPUT_ROOT], true);
    // Relaxed (opfs.ts): the file lives only until the page hands it over, and flushing a 1 GiB
    // rebuilt file to the disk first would hold the recovery up for most of a second.
    target = await openFileTarget(await directory.getFileHandle(name, { create: true }), 'relaxed');
  } catch (error) {
    throw outputFailed(error);
  }
  return sinkOver(target, () => deleteOutput(name));
}

/**
 * The sink over a write target: failures become output.failed; abort is best effort (the handle or
 * stream may already be broken), once, never after close, and then runs `cleanUp`.
 */
function sinkOver(target: WriteTarget, cleanUp?: () => Promise<void>): ByteSink {
  let finished = false;
  return {
    async write(bytes) {
      try {
        await target.write(bytes);
      } catch (error) {
        throw outputFailed(error);
      }
    },
    async close() {
      finished = true;
      try {
        await target.close();
      } catch (error) {
        throw outputFailed(error);
      }
    },
    async abort() {
      if (finished) return;
      finished = true;
      await target.abort().catch(() => undefined);
      await cleanUp?.().catch(() => undefined);
    },
  };
}

/** The finished output as a File (backed by OPFS, not memory); output.failed if it is gone. */
export async function getOutputFile(name: string): Promise<File> {
  assertOutputName(name);
  try {
    const directory = await opfsDirectory([OUTPUT_ROOT], false);
    return await (await directory.getFileHandle(name)).getFile();
  } catch (error) {
    if (isNotFound(error)) throw new TesseraError('output.failed', 'the rebuilt file is no longer there', {}, { cause: error });
    throw outputFailed(error);
  }
}

export async function deleteOutput(name: string): Promise<void> {
  assertOutputName(name);
  try {
    // A recovery's worker that was just terminated may still hold the file open for a moment.
    await removeFileWhenUnlocked(await opfsDirectory([OUTPUT_ROOT], false), name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Removes every output file, e.g. leftovers of a previous visit. */
export async function clearOutputs(): Promise<void> {
  let directory: FileSystemDirectoryHandle;
  try {
    directory = await opfsDirectory([OUTPUT_ROOT], false);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  for (const { name } of await listFiles(directory)) await removeFile(directory, name).catch(() => undefined);
}

/**
 * A sink into a file the user chose (File System Access API, `showSaveFilePicker`): the rebuilt
 * file goes straight to its place on disk, never into memory and never through browser storage.
 * The browser writes to a temporary file and puts it in place only on close, so an aborted
 * recovery leaves the chosen file as it was.
 */
export async function openChosenFileSink(handle: FileSystemFileHandle): Promise<ByteSink> {
  let writable: FileSystemWritableFileStream;
  try {
    writable = await handle.createWritable();
  } catch (error) {
    throw outputFailed(error);
  }
  return sinkOver({ write: (bytes) => writable.write(bytes as Uint8Array<ArrayBuffer>), close: () => writable.close(), abort: () => writable.abort() });
}
