/**
 * Why a frame cannot be previewed, as data rather than a thrown string: the preview is a courtesy,
 * the file is still protected byte for byte, so every failure here ends as a `PreviewProblem` the
 * viewer shows in plain words. The messages name no patient, no file and no value from the file
 * beyond its technical shape (sizes, a transfer syntax UID), so they may be logged and shown.
 *
 * A problem crosses the worker boundary as a plain object (structured clone), so no code is lost
 * the way an Error's class is.
 */

export type PreviewProblemCode =
  /** Not a DICOM file we can read at all (no Part 10 header, broken element lengths). */
  | 'pixels.unreadable'
  /** A DICOM file without an image (a report, a dose summary, a DICOMDIR…). */
  | 'pixels.no-image'
  /** The pixel data stops before the frames its header announces. */
  | 'pixels.truncated'
  /** A frame that the header announces but the file does not hold (or a frame number out of range). */
  | 'pixels.frame-missing'
  /** A transfer syntax no decoder here handles (e.g. JPEG XL, HTJ2K, MPEG video). */
  | 'pixels.unsupported-syntax'
  /** An image layout the pipeline does not draw (1-bit, float pixels, a segmented palette…). */
  | 'pixels.unsupported-layout'
  /** The compressed data of a frame is damaged, or a decoder refused it. */
  | 'pixels.corrupt'
  /** The header contradicts itself (e.g. Bits Stored larger than Bits Allocated). */
  | 'pixels.inconsistent'
  /** A decoder could not be loaded (offline before it was cached, or WebAssembly unavailable). */
  | 'pixels.codec-unavailable';

export interface PreviewProblem {
  readonly code: PreviewProblemCode;
  /** One or two plain sentences, free of patient data; shown after PREVIEW_PROBLEM_TITLE. */
  readonly message: string;
}

/** A result that crosses the worker boundary as it is: never a thrown error. */
export type PreviewResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: PreviewProblem };

/** What the viewer says first, whatever the code: the file itself is safe. */
export const PREVIEW_PROBLEM_TITLE = 'This image cannot be previewed here. The file is still protected exactly as it is.';

/**
 * Thrown inside the module only, caught at its public functions (`toProblem`) and returned as
 * `{ ok: false, problem }`.
 */
export class PreviewFailure extends Error {
  override readonly name = 'PreviewFailure';
  constructor(
    readonly code: PreviewProblemCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Anything caught → a problem. Our own failures keep their code; anything else (dicom-parser
 * throws strings and `{ exception, dataSet }` objects, a codec throws numbers or Emscripten
 * aborts) becomes `fallback` with a generic message, because its text may quote file contents.
 */
export function toProblem(error: unknown, fallback: PreviewProblemCode = 'pixels.corrupt'): PreviewProblem {
  if (error instanceof PreviewFailure) return { code: error.code, message: error.message };
  return { code: fallback, message: FALLBACK_MESSAGES[fallback] };
}

const FALLBACK_MESSAGES: Record<PreviewProblemCode, string> = {
  'pixels.unreadable': 'The file could not be read as DICOM.',
  'pixels.no-image': 'The file holds no image.',
  'pixels.truncated': 'The image data is cut short.',
  'pixels.frame-missing': 'The requested frame is not in the file.',
  'pixels.unsupported-syntax': 'The image is compressed in a way this preview does not decode.',
  'pixels.unsupported-layout': 'The image is stored in a layout this preview does not draw.',
  'pixels.corrupt': 'The image data is damaged and could not be decoded.',
  'pixels.inconsistent': 'The image description in the file contradicts itself.',
  'pixels.codec-unavailable': 'The decoder for this image could not be loaded.',
};

export function failure<T>(code: PreviewProblemCode, message: string): PreviewResult<T> {
  return { ok: false, problem: { code, message } };
}
