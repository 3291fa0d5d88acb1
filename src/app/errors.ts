import { ERROR_ADVICE, describeCause, isAbort, toTesseraError, type ErrorCode } from '../core/errors.js';

/** An error as the page shows it: plain words first, the technical detail last. */
export interface ShownError {
  readonly code: ErrorCode | 'unexpected';
  readonly title: string;
  readonly action: string;
  readonly detail: string;
}

/**
 * The one place errors are turned into words (and logged, without file names or contents).
 * Returns undefined for a cancellation: cancelling is not an error and is never shown.
 */
export function describeError(error: unknown, context: string): ShownError | undefined {
  if (isAbort(error)) return undefined;
  const known = toTesseraError(error);
  if (known) {
    console.warn(`tessera: ${context} failed [${known.code}]`);
    return { code: known.code, ...ERROR_ADVICE[known.code], detail: known.detail };
  }
  console.error(`tessera: ${context} failed unexpectedly`, error);
  return {
    code: 'unexpected',
    title: 'Something went wrong.',
    action: 'Try again. If it keeps failing, reload the page.',
    detail: describeCause(error),
  };
}
