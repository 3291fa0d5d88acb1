/**
 * What can be wrong with a file given to "Recover from share files" beyond the share format's own
 * codes (src/core/errors.ts): the zip around the shares and the bundle's manifest. Stable codes,
 * like the core's, carried at the front of the message (`[bundle.manifest] …`) so that they survive
 * a worker boundary, and words a patient understands for each.
 */
import { ERROR_ADVICE, type ErrorCode } from '../core/errors.js';

export const BUNDLE_CODES = [
  /** Not a zip at all (no end-of-archive record). */
  'bundle.not-zip',
  /** A zip whose structure is broken: cut short, or pointing outside itself. */
  'bundle.damaged',
  /** A zip this reader does not open: split over several disks, encrypted, an unknown compression. */
  'bundle.unsupported',
  /** A zip with no share file in it. */
  'bundle.empty',
  /** manifest.json is not a bundle manifest Tessera can read. */
  'bundle.manifest',
  /** The manifest is of a newer bundle format. */
  'bundle.version',
  /** A share's bytes do not have the SHA-256 its manifest gives: damaged or altered on the way. */
  'bundle.altered',
] as const;

export type BundleCode = (typeof BUNDLE_CODES)[number];

/** Any code a file given for recovery can be set aside with. */
export type ShareFileCode = ErrorCode | BundleCode;

const CODE_PATTERN = /^\[(bundle\.[a-z-]+)\] /;

export class BundleError extends Error {
  override readonly name = 'BundleError';

  constructor(
    readonly code: BundleCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[${code}] ${message}`, options);
  }

  /** The message without the `[code] ` prefix. */
  get detail(): string {
    return this.message.replace(CODE_PATTERN, '');
  }
}

/** A BundleError again from anything carrying one's message (e.g. after a worker boundary); else undefined. */
export function toBundleError(error: unknown): BundleError | undefined {
  if (error instanceof BundleError) return error;
  if (typeof error !== 'object' || error === null || !('message' in error)) return undefined;
  const message = String(error.message);
  const match = CODE_PATTERN.exec(message);
  if (!match || !(BUNDLE_CODES as readonly string[]).includes(match[1]!)) return undefined;
  return new BundleError(match[1] as BundleCode, message.slice(match[0].length));
}

export const BUNDLE_ADVICE: Record<BundleCode, { readonly title: string; readonly action: string }> = {
  'bundle.not-zip': {
    title: 'This is neither a share file nor a share bundle.',
    action: 'Give the .zip bundles as you received them, or the .tshare files from inside them.',
  },
  'bundle.damaged': {
    title: 'This zip file is damaged: it was cut short or changed.',
    action: 'Copy or download the bundle again, or use another bundle instead.',
  },
  'bundle.unsupported': {
    title: 'This zip file cannot be opened here (it is encrypted, split into parts, or compressed in an unusual way).',
    action: 'Unpack it with your computer’s own tools and give the .tshare file inside instead.',
  },
  'bundle.empty': {
    title: 'This zip file holds no share.',
    action: 'Check that it is a Tessera share bundle; give the bundles as you received them.',
  },
  'bundle.manifest': {
    title: 'This bundle’s description (manifest.json) is damaged.',
    action: 'Use another bundle instead, or give the .tshare file from inside this one.',
  },
  'bundle.version': {
    title: 'This bundle was made by a newer version of Tessera.',
    action: 'Open it with the latest version of Tessera, or give the .tshare file from inside it.',
  },
  'bundle.altered': {
    title: 'The share in this bundle is damaged: it is not the share the bundle was made with.',
    action: 'Use another bundle instead; any others of the same file will do, as long as there are enough.',
  },
};

/** Plain words for any code a share file can be set aside with. */
export function shareFileAdvice(code: ShareFileCode): { readonly title: string; readonly action: string } {
  return code.startsWith('bundle.') ? BUNDLE_ADVICE[code as BundleCode] : ERROR_ADVICE[code as ErrorCode];
}
