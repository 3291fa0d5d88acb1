import { HEADER_SIZE, protectBytes, recoverBytes, type Scheme } from '../../core/index.js';
import { bytesAsPicture } from '../pictures.js';
import type { LabImage, LabRandom, LabScheme, Protection } from '../types.js';

/**
 * Tessera's own schemes (DESIGN.md "Protection schemes") as Lab schemes, through the real core —
 * the same protectBytes / recoverBytes the app uses (see src/app/share-pictures.ts), so what the Lab
 * measures is the product, header and authentication included:
 *
 * - `shamir`: byte-wise Shamir over GF(2^8), fresh coefficients per byte; any k − 1 shares are
 *   independent of the picture. Each share is as large as the picture plus header and tag.
 * - `ssms`: AES-256-GCM under a fresh key, Reed–Solomon (k, n) fragments of the ciphertext, the key
 *   Shamir-shared. Storage ×n/k; security is AES-256's.
 *
 * Share x = i + 1 is kept by cloud i. The picture of a share is its record (the bytes after the
 * 108-byte header), drawn at the picture's width (../pictures.ts): pixel for pixel for shamir, a
 * fragment of ciphertext for ssms. The picture is one chunk (the default chunk size is 1 MiB). `random` feeds the
 * Shamir coefficients; the ssms key and nonce always come from the platform CSPRNG (src/core).
 */

export type TesseraParams = {
  /** Shares needed to rebuild. */
  readonly k: number;
  /** Shares made, one per cloud. */
  readonly n: number;
};

/** Not secret: the owner's note of the picture's size, to draw the rebuilt bytes. */
interface PictureSize {
  readonly width: number;
  readonly height: number;
}

function makeScheme(scheme: Scheme, title: string): LabScheme<TesseraParams> {
  return {
    id: `tessera-${scheme}`,
    title,
    // DESIGN.md's example: a hospital's 3-of-5 buckets.
    defaults: { k: 3, n: 5 },
    clouds: (params) => params.n,
    threshold: (params) => params.k,
    keySpaceBits: () => (scheme === 'ssms' ? 256 : undefined),
    lossless: true,

    async protect(image: LabImage, params: TesseraParams, random: LabRandom): Promise<Protection> {
      const { shares } = await protectBytes(image.pixels, { scheme, k: params.k, n: params.n, random });
      return {
        holdings: shares.map((bytes, i) => ({
          cloud: i,
          name: `share ${i + 1}`,
          bytes,
          // shamir: the record's first W·H bytes are the shares of the pixels, one for one.
          picture: bytesAsPicture(bytes.subarray(HEADER_SIZE, scheme === 'shamir' ? HEADER_SIZE + image.pixels.length : undefined), image.width),
        })),
        secret: { width: image.width, height: image.height } satisfies PictureSize,
      };
    },

    async recover(protection: Protection, clouds: readonly number[]): Promise<LabImage> {
      const wanted = new Set(clouds);
      const shares = protection.holdings.filter((holding) => wanted.has(holding.cloud)).map((holding) => holding.bytes);
      const { data } = await recoverBytes(shares);
      const { width, height } = protection.secret as PictureSize;
      if (data.length !== width * height) throw new Error(`the rebuilt ${data.length} bytes are not a ${width}×${height} picture`);
      return { width, height, pixels: data };
    },
  };
}

export const tesseraShamir = makeScheme('shamir', 'Tessera shamir: Shamir over GF(2^8), authenticated');
export const tesseraSsms = makeScheme('ssms', 'Tessera ssms: AES-256-GCM + Reed–Solomon, key Shamir-shared');
