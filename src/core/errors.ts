/**
 * Stable error codes for everything that can go wrong with data (as opposed to programming errors,
 * which throw TypeError / RangeError). A code never changes meaning once released: the UI, the CLI
 * and the tests key on it, and recovery tools written from docs/share-format.md report the same.
 *
 * Comlink carries only `name`, `message` and `stack` across a worker boundary, so the code travels
 * at the front of the message as `[code] text`; `toTesseraError` restores it on the other side.
 */

export const ERROR_CODES = [
  'share.magic',
  'share.version',
  'share.truncated',
  'share.header-corrupt',
  'share.corrupt',
  'share.mismatch',
  'share.duplicate',
  'share.too-few',
  'share.unreadable',
  'input.unreadable',
  'output.failed',
  'bucket.offline',
  'bucket.not-found',
  'bucket.failed',
  'job.aborted',
  'vault.wrong-passphrase',
  'vault.locked',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const CODE_PATTERN = /^\[([a-z0-9.-]+)\] /;

export interface TesseraErrorDetails {
  /** Position of the offending share in the list the caller gave (0-based), when one share is at fault. */
  readonly shareIndex?: number;
  /** x-coordinate (1..n) of the offending share, when it could be read. */
  readonly shareX?: number;
}

export class TesseraError extends Error {
  override readonly name = 'TesseraError';
  readonly code: ErrorCode;
  readonly shareIndex: number | undefined;
  readonly shareX: number | undefined;

  constructor(code: ErrorCode, message: string, details: TesseraErrorDetails = {}, options?: { cause?: unknown }) {
    super(`[${code}] ${message}`, options);
    this.code = code;
    this.shareIndex = details.shareIndex;
    this.shareX = details.shareX;
  }

  /** The message without the `[code] ` prefix. */
  get detail(): string {
    return this.message.replace(CODE_PATTERN, '');
  }
}

function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Turns anything thrown (including an Error that crossed a worker boundary and lost its class) back
 * into a TesseraError when its message carries a known code; returns undefined otherwise.
 */
export function toTesseraError(error: unknown): TesseraError | undefined {
  if (error instanceof TesseraError) return error;
  if (!(error instanceof Error) && !(typeof error === 'object' && error !== null && 'message' in error)) {
    return undefined;
  }
  const message = String((error as { message: unknown }).message);
  const match = CODE_PATTERN.exec(message);
  if (!match || !isErrorCode(match[1]!)) return undefined;
  return new TesseraError(match[1]!, message.slice(match[0].length));
}

/** What a caught value says about itself, for a message: "NotFoundError: …", or the value as text. */
export function describeCause(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Cancelling is not an error: true for AbortError from fetch / AbortSignal and for job.aborted. */
export function isAbort(error: unknown): boolean {
  if (error instanceof TesseraError) return error.code === 'job.aborted';
  if (typeof error === 'object' && error !== null && 'name' in error && error.name === 'AbortError') return true;
  return toTesseraError(error)?.code === 'job.aborted';
}

/**
 * Words a patient understands, and what to do next. Keyed by code so that the UI, the CLI and the
 * tests agree; nothing here may contain data about a patient.
 */
export const ERROR_ADVICE: Record<ErrorCode, { readonly title: string; readonly action: string }> = {
  'share.magic': {
    title: 'This is not a Tessera share file.',
    action: 'Check that you picked the share files (they end in .tshare), not the original or another file.',
  },
  'share.version': {
    title: 'This share was made by a newer version of Tessera.',
    action: 'Open it with the latest version of Tessera.',
  },
  'share.truncated': {
    title: 'This share file is incomplete: it was cut short.',
    action: 'Download or copy the share again, or use another share instead.',
  },
  'share.header-corrupt': {
    title: 'This share file is damaged (its description block does not check out).',
    action: 'Use another share instead: the file can be rebuilt from any other shares of it, as long as there are enough.',
  },
  'share.corrupt': {
    title: 'A share is damaged or was altered.',
    action: 'Use other shares instead; with one more share than needed, Tessera finds the damaged one.',
  },
  'share.mismatch': {
    title: 'These shares do not belong to the same protected file.',
    action: 'Pick shares made together for one file (they carry the same split id, which `tessera inspect` shows).',
  },
  'share.duplicate': {
    title: 'The same share was given twice.',
    action: 'Pick different shares: each one counts once.',
  },
  'share.too-few': {
    title: 'Not enough shares to rebuild the file.',
    action: 'Add more shares of this file, or switch more storage locations back on.',
  },
  'share.unreadable': {
    title: 'A share could not be read.',
    action: 'Check that the share is still where it was saved, then try again.',
  },
  'input.unreadable': {
    title: 'The file could not be read.',
    action: 'Check that the file still exists and is not open in another program, then try again.',
  },
  'output.failed': {
    title: 'The result could not be saved.',
    action: 'Check that there is free space, then try again.',
  },
  'bucket.offline': {
    title: 'This storage location is switched off or cannot be reached.',
    action: 'Switch it back on, or use the other locations: as long as enough of them hold a share, the file can still be rebuilt.',
  },
  'bucket.not-found': {
    title: 'The share is missing from this storage location.',
    action: 'Use the shares in the other locations.',
  },
  'bucket.failed': {
    title: 'The storage location refused the request.',
    action: 'Try again; if it keeps failing, check the location settings.',
  },
  'job.aborted': {
    title: 'Cancelled.',
    action: '',
  },
  'vault.locked': {
    title: 'Your vault is locked.',
    action: 'Unlock it with your passphrase (at the top of the page), then try again.',
  },
  'vault.wrong-passphrase': {
    title: 'That passphrase does not open the saved keys.',
    action:
      'Nothing was changed; try again (check that Caps Lock is off). If you no longer know it, choose “Forget saved keys” and give each location its key again.',
  },
};
