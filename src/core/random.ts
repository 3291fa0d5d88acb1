import type { RandomSource } from './types.js';

/** getRandomValues refuses more than 65,536 bytes per call (WebCrypto §10.1.1). */
const MAX_RANDOM_BYTES_PER_CALL = 65536;

/**
 * The platform CSPRNG, filled in 64 KiB calls: one call per byte (as the audited Shamir libraries
 * do) is what makes them three orders of magnitude too slow for images.
 */
export const defaultRandom: RandomSource = (out) => {
  for (let offset = 0; offset < out.length; offset += MAX_RANDOM_BYTES_PER_CALL) {
    crypto.getRandomValues(out.subarray(offset, Math.min(out.length, offset + MAX_RANDOM_BYTES_PER_CALL)));
  }
};
