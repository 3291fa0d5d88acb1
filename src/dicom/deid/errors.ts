/**
 * Errors of the de-identifier. Like `TesseraError` (src/core/errors.ts) the code travels at the
 * front of the message as `[code] text`, so it survives a worker boundary (Comlink carries only
 * name, message and stack). Messages never contain a value read from the file: they name the
 * problem and where in the byte stream it was found, nothing about the patient.
 */

export const DEIDENTIFICATION_ERROR_CODES = [
  /** Not a DICOM Part 10 file (no "DICM" after the 128-byte preamble). */
  'dicom.not-dicom',
  /** The file ends inside an element, an item or the file meta information. */
  'dicom.truncated',
  /** The bytes are DICOM but contradict themselves (a length that does not fit, a missing Transfer Syntax UID…). */
  'dicom.malformed',
] as const;

export type DeidentificationErrorCode = (typeof DEIDENTIFICATION_ERROR_CODES)[number];

export class DeidentificationError extends Error {
  override readonly name = 'DeidentificationError';
  readonly code: DeidentificationErrorCode;

  constructor(code: DeidentificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[${code}] ${message}`, options);
    this.code = code;
  }
}
