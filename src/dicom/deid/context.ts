/**
 * What the files of one drop share while they are de-identified: a secret, from which every
 * replacement UID and every patient's date offset is derived, so that the same original UID becomes
 * the same new UID in every file (PS3.15 E.1.1: "internally consistent within a set of Instances"),
 * and the same patient's dates all move by the same number of days (PS3.15 E.3.6).
 *
 * Replacement UIDs are `2.25.<128-bit integer>` (PS3.5 B.2): the first 16 bytes of
 * HMAC-SHA-256(secret, "uid" ‖ 0 ‖ original), with the RFC 9562 version (8, "custom") and variant
 * bits set so that the number is a well-formed UUID as ITU-T X.667 requires for the 2.25 arc.
 * Without the secret nobody can recompute the mapping from a guessed original UID; with it, the
 * mapping is reproducible (known-answer tests use a fixed secret).
 */

export type RandomSource = (out: Uint8Array) => void;

const SECRET_LENGTH = 32;
/** Dates move back by 1 to 3650 days: never zero (a shifted date never equals the original), at most ten years. */
const MAX_OFFSET_DAYS = 3650;
const STANDARD_UID_ROOT = '1.2.840.10008.';

export interface DeidentificationContext {
  /** The replacement for `original` (the same answer for the same UID for the life of this context). */
  replaceUid(original: string): Promise<string>;
  /** Days to add to this patient's dates (negative: dates move into the past). */
  dateOffsetDays(patientKey: string): Promise<number>;
}

const defaultRandom: RandomSource = (out) => {
  crypto.getRandomValues(out);
};

/**
 * A context for one drop. `secret` (32 bytes) makes the mapping reproducible; without it a fresh
 * one comes from `random` (default: the platform CSPRNG). The secret never leaves the context.
 */
export function createDeidentificationContext(options: { secret?: Uint8Array; random?: RandomSource } = {}): DeidentificationContext {
  let secret: Uint8Array;
  if (options.secret !== undefined) {
    if (!(options.secret instanceof Uint8Array)) throw new TypeError(`secret must be a Uint8Array, got ${typeof options.secret}`);
    if (options.secret.length !== SECRET_LENGTH) throw new RangeError(`secret must be ${SECRET_LENGTH} bytes, got ${options.secret.length}`);
    secret = options.secret.slice();
  } else {
    const random = options.random ?? defaultRandom;
    if (typeof random !== 'function') throw new TypeError(`random must be a function, got ${typeof random}`);
    secret = new Uint8Array(SECRET_LENGTH);
    random(secret);
  }
  const key = crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const encoder = new TextEncoder();
  const uids = new Map<string, Promise<string>>();
  const offsets = new Map<string, Promise<number>>();

  async function mac(label: string, input: string): Promise<Uint8Array> {
    const message = encoder.encode(`${label}\0${input}`);
    return new Uint8Array(await crypto.subtle.sign('HMAC', await key, message));
  }

  return {
    replaceUid(original: string): Promise<string> {
      // UIDs of the standard itself (SOP classes, transfer syntaxes, coding schemes) identify nobody.
      if (original.startsWith(STANDARD_UID_ROOT)) return Promise.resolve(original);
      let replacement = uids.get(original);
      if (replacement === undefined) {
        replacement = mac('uid', original).then((digest) => {
          const bytes = digest.slice(0, 16);
          bytes[6] = (bytes[6]! & 0x0f) | 0x80;
          bytes[8] = (bytes[8]! & 0x3f) | 0x80;
          let value = 0n;
          for (const byte of bytes) value = (value << 8n) | BigInt(byte);
          return `2.25.${value.toString(10)}`;
        });
        uids.set(original, replacement);
      }
      return replacement;
    },
    dateOffsetDays(patientKey: string): Promise<number> {
      let offset = offsets.get(patientKey);
      if (offset === undefined) {
        offset = mac('date-offset', patientKey).then((digest) => {
          const n = new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
          return -(1 + (n % MAX_OFFSET_DAYS));
        });
        offsets.set(patientKey, offset);
      }
      return offset;
    },
  };
}
