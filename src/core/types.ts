export type Scheme = 'shamir' | 'ssms';

export const SCHEMES: readonly Scheme[] = ['shamir', 'ssms'];

/** Fills the array with cryptographically secure random bytes. Injectable for known-answer tests. */
export type RandomSource = (out: Uint8Array) => void;

export interface Progress {
  /** Bytes of the original file processed so far. */
  readonly done: number;
  readonly total: number;
}

export interface ProtectOptions {
  readonly scheme: Scheme;
  /** Shares needed to rebuild, 2 ≤ k ≤ n. */
  readonly k: number;
  /** Shares made, k ≤ n ≤ 255. */
  readonly n: number;
  /** Bytes of the original per chunk (default DEFAULT_CHUNK_SIZE). */
  readonly chunkSize?: number;
  readonly random?: RandomSource;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /**
   * Where chunks are protected (e.g. a pool of workers); by default in this thread. Chunk
   * coefficients then come from the executor's own CSPRNG, not from `random`.
   */
  readonly executor?: import('./executor.js').ProtectExecutorFactory;
  /**
   * Also compute the original's fingerprint (fingerprint.ts) on the way through: chunk by chunk
   * where each chunk is protected when chunks are whole blocks (the default), here otherwise.
   */
  readonly fingerprint?: boolean;
}

export interface ProtectResult {
  /** Random id of this split, hex; shared by all n shares, unrelated to the content. */
  readonly splitId: string;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  readonly chunkSize: number;
  /** Size of the original in bytes. */
  readonly size: number;
  /** Size of every share in bytes (all n are the same size). */
  readonly shareSize: number;
  /** The original's fingerprint (fingerprint.ts), when asked for. */
  readonly fingerprint?: string;
}

export interface RecoverOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /**
   * Also check every share beyond the k used against the rebuilt data, so that a damaged spare
   * share is reported (default true). Costs extra work only when more than k shares are given.
   */
  readonly verifySpares?: boolean;
  /** Where chunks are rebuilt (e.g. a pool of workers); by default in this thread. */
  readonly executor?: import('./executor.js').RecoverExecutorFactory;
  /**
   * Called after each chunk is written, in order, with the positions (in the list given) of the k
   * shares whose records rebuilt and authenticated it. Awaited. repair.ts uses it to derive lost
   * shares from records known to be good.
   */
  readonly onChunk?: (chunk: { readonly index: number; readonly shares: readonly number[] }) => Promise<void> | void;
  /**
   * Also compute the rebuilt file's fingerprint (fingerprint.ts): chunk by chunk where each chunk
   * is rebuilt when chunks are whole blocks (the default), here otherwise.
   */
  readonly fingerprint?: boolean;
  /**
   * The fingerprint's block size: FINGERPRINT_BLOCK (the default), or LEGACY_FINGERPRINT_BLOCK to
   * check a file against a fingerprint made with 1 MiB blocks (fingerprintBlockOf tells which).
   */
  readonly fingerprintBlock?: number;
}

export interface ShareProblem {
  /** Position in the list given to recover (0-based). */
  readonly shareIndex: number;
  /** The share's x-coordinate, if its header could be read. */
  readonly shareX: number | undefined;
  readonly code: import('./errors.js').ErrorCode;
  readonly message: string;
}

export interface RecoverResult {
  readonly splitId: string;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  readonly size: number;
  /** x-coordinates of the shares any chunk was rebuilt from, ascending. */
  readonly usedShares: readonly number[];
  /** The rebuilt file's fingerprint (fingerprint.ts), when asked for. */
  readonly fingerprint?: string;
  /** Shares that were given but left out, each with why (damaged, of another file, …). */
  readonly problems: readonly ShareProblem[];
}

export interface ShareHeader {
  readonly version: number;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  readonly x: number;
  readonly chunkSize: number;
  readonly size: number;
  /** 16 bytes, hex. */
  readonly splitId: string;
  /** This share of the 32-byte record key, Shamir over GF(2^8) at x. */
  readonly keyShare: Uint8Array;
}

export interface ShareInspection {
  readonly header: ShareHeader;
  /** Bytes the share should have, from its header. */
  readonly expectedSize: number;
  readonly actualSize: number;
  readonly chunkCount: number;
  /**
   * What a single share can prove about itself: magic, version, header digest and length. Its data
   * can only be authenticated together with k−1 other shares (see docs/share-format.md §7).
   */
  readonly structureOk: boolean;
  readonly problem?: { readonly code: import('./errors.js').ErrorCode; readonly message: string };
}
