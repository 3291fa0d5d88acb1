/**
 * A de-identified copy of a drop, to hand to someone else (the other half of the partition: the
 * protected record keeps the originals, identity and all). Every DICOM file is de-identified with
 * one context, so UIDs and shifted dates stay consistent across the whole copy; files that are not
 * DICOM (reports, photos, the DICOMDIR, which lists names and IDs) are left out, since nothing here
 * can clean them. The result is a zip with the same folder paths.
 */
import JSZip from 'jszip';
import { createDeidentificationContext } from './context.js';
import { deidentify } from './deidentify.js';
import { DeidentificationError } from './errors.js';
import type { DeidentificationOptions } from './profile.js';
import type { DeidentificationWarningCode } from './warnings.js';

export interface CopyInput {
  readonly path: string;
  readonly file: Blob;
}

export interface DeidentifiedCopy {
  readonly zip: Blob;
  /** DICOM files in the copy. */
  readonly files: number;
  /** Files left out, and why: not DICOM (or a DICOMDIR), or DICOM that could not be read. */
  readonly leftOut: readonly { readonly path: string; readonly reason: 'not-dicom' | 'damaged' }[];
  /** Each kind of warning once, with how many files raised it. */
  readonly warnings: readonly { readonly code: DeidentificationWarningCode; readonly message: string; readonly files: number }[];
}

/** `inputs` are the DICOM instances of a drop (paths as in the drop); `onProgress` after each file. */
export async function deidentifiedCopy(
  inputs: readonly CopyInput[],
  options: DeidentificationOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<DeidentifiedCopy> {
  const context = createDeidentificationContext();
  const zip = new JSZip();
  const leftOut: { path: string; reason: 'not-dicom' | 'damaged' }[] = [];
  const warnings = new Map<DeidentificationWarningCode, { message: string; files: number }>();
  let files = 0;
  for (const [index, input] of inputs.entries()) {
    try {
      const result = await deidentify(new Uint8Array(await input.file.arrayBuffer()), options, context);
      zip.file(input.path, result.bytes, { binary: true });
      files++;
      for (const warning of result.warnings) {
        const seen = warnings.get(warning.code);
        warnings.set(warning.code, { message: warning.message, files: (seen?.files ?? 0) + 1 });
      }
    } catch (error) {
      if (!(error instanceof DeidentificationError)) throw error;
      leftOut.push({ path: input.path, reason: error.code === 'dicom.not-dicom' ? 'not-dicom' : 'damaged' });
    }
    onProgress?.(index + 1, inputs.length);
  }
  const blob = await zip.generateAsync({ type: 'blob', compression: 'DEFLATE', compressionOptions: { level: 1 }, mimeType: 'application/zip' });
  return { zip: blob, files, leftOut, warnings: [...warnings].map(([code, { message, files: count }]) => ({ code, message, files: count })) };
}
