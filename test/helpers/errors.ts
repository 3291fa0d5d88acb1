import { expect } from 'vitest';
import { TesseraError, type ErrorCode } from '../../src/core/index.js';

/**
 * Awaits `promise`, which must reject with a TesseraError of `code` (and a message matching
 * `message`, when given); returns that error for further checks.
 */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<TesseraError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a TesseraError ${code}`).toBeInstanceOf(TesseraError);
  const tesseraError = error as TesseraError;
  expect(tesseraError.code).toBe(code);
  if (message) expect(tesseraError.message).toMatch(message);
  return tesseraError;
}
