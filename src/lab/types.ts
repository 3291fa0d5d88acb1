/**
 * The Lab: every scheme of the seed papers (../../../shared/seeds, DESIGN.md "Seed schemes"),
 * implemented as its paper describes it, beside Tessera's own, on one common interface so that
 * one runner measures them all with the same metrics (src/lab/metrics.ts).
 *
 * Everything here is pure (no DOM, no storage) and deterministic given its random source, so a
 * test can pin every figure.
 */

/** An 8-bit greyscale picture: the common input of every Lab scheme. */
export interface LabImage {
  readonly width: number;
  readonly height: number;
  /** width·height bytes, row by row, 0 = black. */
  readonly pixels: Uint8Array;
}

/** Fills `out` with random bytes: the platform CSPRNG in the app, a seeded generator in tests. */
export type LabRandom = (out: Uint8Array) => void;

/** What one cloud (one provider) keeps of a protected picture. */
export interface Holding {
  /** 0-based index of the cloud that keeps it. Two holdings may share a cloud (DepSky placement). */
  readonly cloud: number;
  /** Short name of the piece, e.g. "share 3", "region 2", "piece b…f". */
  readonly name: string;
  /** Every byte the cloud stores for this piece (what it could read or leak). */
  readonly bytes: Uint8Array;
  /**
   * The piece drawn as a picture where the scheme makes pictures (shares as images, an encrypted
   * image, a region): what the cloud would see if it opened the object in an image viewer.
   */
  readonly picture?: LabImage;
}

/** A picture protected by one scheme: what each cloud holds, and what the owner keeps aside. */
export interface Protection {
  readonly holdings: readonly Holding[];
  /**
   * What the owner keeps off the clouds (a key, a sequence key, an index), as text for the table;
   * undefined when nothing is kept (the secret is entirely in the holdings, as with Shamir).
   */
  readonly ownerKeeps?: string;
  /**
   * For schemes whose paper measures an encrypted image against the plain one (NPCR, UACI,
   * correlation): that encrypted image. Undefined where no such image exists.
   */
  readonly cipherImage?: LabImage;
  /** Scheme-private state that recover needs besides the holdings (keys, the owner's index…). */
  readonly secret?: unknown;
}

export interface LabPaper {
  /** The seed file, e.g. "000_1fb43644c2cd193b.txt". */
  readonly seed: string;
  /** Authors and title, as the seed index gives them. */
  readonly title: string;
  /** Where in the paper the scheme is, e.g. "sections VI–VII, Algorithms 1 and 2". */
  readonly where: string;
}

export interface LabScheme<Params = Record<string, unknown>> {
  /** Stable id, e.g. "shamir-gf257". */
  readonly id: string;
  /** Words for the table, e.g. "Shamir over GF(257) on pixels, (4, 8)". */
  readonly title: string;
  /** undefined for Tessera's own schemes. */
  readonly paper?: LabPaper;
  /** The paper's own parameters. */
  readonly defaults: Params;
  /** How many clouds hold pieces with these parameters. */
  clouds(params: Params): number;
  /** How many clouds must cooperate to rebuild (all of them for a scheme with no threshold). */
  threshold(params: Params): number;
  /** log2 of the key space an attacker must search, or undefined where no key exists (Shamir). */
  keySpaceBits(params: Params): number | undefined;
  /** Whether the paper claims (and the code achieves) a byte-exact rebuild. */
  readonly lossless: boolean;
  protect(image: LabImage, params: Params, random: LabRandom): Promise<Protection>;
  /**
   * Rebuild from what the clouds listed in `clouds` hold (and `protection.secret`, the owner's
   * part). Throws an Error with a clear message when those clouds are not enough.
   */
  recover(protection: Protection, clouds: readonly number[], params: Params): Promise<LabImage>;
}
