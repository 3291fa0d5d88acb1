import { chunkTag, importRecordKey, openChunk, sealChunk, streamNonce, type RecordKey } from './aead.js';
import { equalBytes } from './bytes.js';
import { TAG_SIZE, chunkLength, recordLength } from './format.js';
import { getGfKernel, workspaceCapacity, type GfKernel, type GfWorkspace } from './kernel.js';
import { defaultRandom } from './random.js';
import { ReedSolomon } from './reed-solomon.js';
import { evaluateAt, splitInto, xsUpTo } from './shamir.js';
import type { RandomSource, Scheme } from './types.js';

/**
 * The per-chunk work of both schemes (docs/share-format.md §6), in buffers of one kernel workspace
 * reused from chunk to chunk: what these classes return is valid until their next call. `protect`
 * and `recover` drive them in order; executors (executor.ts) run them elsewhere.
 */

/** What every share of a split agrees on (its header's common fields), and nothing secret. */
export interface SplitParameters {
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  readonly chunkSize: number;
  readonly size: number;
  readonly chunkCount: number;
  /** 16 bytes; its first 7 are the STREAM nonce prefix. */
  readonly splitId: Uint8Array;
  /** Header bytes 8..11 ‖ 16..43, the additional data of every chunk's tag (share-format.md §3). */
  readonly binding: Uint8Array;
  /**
   * When executors also digest each chunk's plaintext blocks for the file's fingerprint
   * (fingerprint.ts): the block size; only asked when chunks are whole multiples of it.
   */
  readonly fingerprintBlock?: number;
}

/**
 * Everything needed to protect the chunks of one split, and nothing about the data. Structured-
 * cloneable, so a coordinator can hand it to compute workers. SECRET: it holds the record key.
 */
export interface SplitSecrets extends SplitParameters {
  readonly recordKey: Uint8Array;
}

/**
 * Turns chunks of the original into their n records. Buffers live in one kernel workspace, sized
 * for a full chunk and reused: the arrays `protectChunk` returns are valid until its next call.
 */
export class ChunkProtector {
  private constructor(
    private readonly secrets: SplitSecrets,
    private readonly key: RecordKey,
    private readonly random: RandomSource,
    private readonly workspace: GfWorkspace,
    /** The n record buffers, and for shamir the secret (chunk ‖ tag) and its k−1 coefficient rows. */
    private readonly records: readonly Uint8Array[],
    private readonly shamir: { readonly secret: Uint8Array; readonly coefficients: readonly Uint8Array[] } | undefined,
    private readonly codec: ReedSolomon | undefined,
  ) {}

  static async create(secrets: SplitSecrets, random: RandomSource = defaultRandom, kernel: GfKernel = getGfKernel()): Promise<ChunkProtector> {
    const { scheme, k, n, chunkSize } = secrets;
    const key = await importRecordKey(secrets.recordKey);
    if (scheme === 'shamir') {
      // The secret (chunk ‖ tag), its k−1 coefficient rows, and the n records.
      const length = chunkSize + TAG_SIZE;
      const workspace = kernel.createWorkspace(workspaceCapacity(Array<number>(k + n).fill(length)));
      const secret = workspace.allocate(length);
      const coefficients = Array.from({ length: k - 1 }, () => workspace.allocate(length));
      const records = Array.from({ length: n }, () => workspace.allocate(length));
      return new ChunkProtector(secrets, key, random, workspace, records, { secret, coefficients }, undefined);
    }
    // ssms: the k data fragments of (ciphertext ‖ tag) and the n−k parity fragments.
    const length = recordLength('ssms', k, chunkSize);
    const workspace = kernel.createWorkspace(workspaceCapacity(Array<number>(n).fill(length)));
    const records = Array.from({ length: n }, () => workspace.allocate(length));
    return new ChunkProtector(secrets, key, random, workspace, records, undefined, new ReedSolomon(k, n));
  }

  /** Hands the buffers back to the kernel; only once no chunk of this protector is in progress. */
  dispose(): void {
    this.workspace.release();
  }

  /** The n records of chunk `index` (record i for x = i + 1), from its `plain` bytes. */
  async protectChunk(index: number, plain: Uint8Array): Promise<readonly Uint8Array[]> {
    return this.finish(await this.prepare(index, plain));
  }

  /**
   * The asynchronous half of a chunk: its AES-GCM step (the crypto backend, aead.ts). Touches no
   * shared buffer, so it may run while the previous chunk is being finished: where the backend
   * works on a thread of its own (Node's WebCrypto, on its thread pool) the two overlap; Chromium's
   * WebCrypto and node:crypto run it on the calling thread.
   */
  async prepare(index: number, plain: Uint8Array): Promise<PreparedChunk> {
    const { scheme, k, size, chunkSize, chunkCount: chunks, splitId, binding } = this.secrets;
    const length = chunkLength(size, chunkSize, index);
    if (plain.length !== length) throw new RangeError(`chunk ${index} must be ${length} bytes, got ${plain.length}`);
    const nonce = streamNonce(splitId, index, index === chunks - 1);
    const recordBytes = recordLength(scheme, k, length);
    return this.shamir
      ? { plain, recordBytes, sealed: await chunkTag(this.key, nonce, binding, plain) }
      : { plain, recordBytes, sealed: await sealChunk(this.key, nonce, binding, plain) };
  }

  /** The synchronous half: the GF(2^8) work, into this protector's reused record buffers. */
  finish(prepared: PreparedChunk): readonly Uint8Array[] {
    const { k, n } = this.secrets;
    const { plain, recordBytes, sealed } = prepared;
    const records = this.records.map((record) => record.subarray(0, recordBytes));
    if (this.shamir) {
      // Scheme shamir (§6.2): chunk ‖ tag Shamir-shared together, coefficient by coefficient.
      const { secret } = this.shamir;
      secret.set(plain, 0);
      secret.set(sealed, plain.length);
      const coefficients = this.shamir.coefficients.map((row) => row.subarray(0, recordBytes));
      for (const row of coefficients) this.random(row);
      splitInto(secret, recordBytes, xsUpTo(n), coefficients, records, this.workspace);
      return records;
    }
    // Scheme ssms (§6.3): ciphertext ‖ tag cut into k zero-padded data fragments, n−k parity fragments.
    for (let j = 0; j < k; j++) {
      const piece = sealed.subarray(j * recordBytes, (j + 1) * recordBytes);
      records[j]!.set(piece);
      records[j]!.fill(0, piece.length);
    }
    this.codec!.encodeInto(records.slice(0, k), records.slice(k), recordBytes, this.workspace);
    return records;
  }
}

/** A chunk after its AES-GCM step: shamir: the plaintext and its tag; ssms: ciphertext ‖ tag. */
export interface PreparedChunk {
  readonly plain: Uint8Array;
  readonly recordBytes: number;
  readonly sealed: Uint8Array;
}

/** A verified rebuild of one chunk, and a way to check any other share's fragment against it. */
export interface RebuiltChunk {
  readonly plaintext: Uint8Array;
  /** Whether `fragment` is what the share at x should hold for this chunk, given the verified data. */
  consistent(x: number, fragment: Uint8Array): boolean;
}

/**
 * Rebuilds and authenticates single chunks from k fragments, in buffers of one kernel workspace
 * reused across chunks. What it returns (plaintext, and the `consistent` check) is valid until the
 * next call.
 */
export class ChunkRebuilder {
  private readonly workspace: GfWorkspace;
  private readonly inputs: Uint8Array[];
  private readonly outputs: Uint8Array[];
  private readonly scratch: Uint8Array;
  private readonly sealed: Uint8Array;
  private readonly codec: ReedSolomon | undefined;

  constructor(
    private readonly scheme: Scheme,
    private readonly k: number,
    n: number,
    chunkSize: number,
    private readonly binding: Uint8Array,
    kernel: GfKernel = getGfKernel(),
  ) {
    const row = recordLength(scheme, k, chunkSize);
    // k inputs, then shamir: the rebuilt secret; ssms: k decoded fragments and their concatenation.
    const lengths = scheme === 'shamir' ? Array<number>(k + 2).fill(row) : [...Array<number>(2 * k + 1).fill(row), k * row];
    this.workspace = kernel.createWorkspace(workspaceCapacity(lengths));
    this.inputs = Array.from({ length: k }, () => this.workspace.allocate(row));
    this.outputs = Array.from({ length: scheme === 'shamir' ? 1 : k }, () => this.workspace.allocate(row));
    this.scratch = this.workspace.allocate(row);
    this.sealed = scheme === 'shamir' ? this.scratch : this.workspace.allocate(k * row);
    this.codec = scheme === 'ssms' ? new ReedSolomon(k, n) : undefined;
  }

  /** Hands the buffers back to the kernel; only once no rebuild of this rebuilder is in progress. */
  dispose(): void {
    this.workspace.release();
  }

  /**
   * Chunk `length` bytes long from the records of the shares at `xs` (same order as `fragments`),
   * or undefined if it does not authenticate under `key`.
   */
  async rebuild(xs: readonly number[], fragments: readonly Uint8Array[], key: RecordKey, nonce: Uint8Array<ArrayBuffer>, length: number): Promise<RebuiltChunk | undefined> {
    const fragmentLength = recordLength(this.scheme, this.k, length);
    return this.codec
      ? this.rebuildSsms(this.codec, xs, fragments, key, nonce, length, fragmentLength)
      : this.rebuildShamir(xs, this.stage(fragments, fragmentLength), key, nonce, length);
  }

  /** The fragments copied into this rebuilder's input buffers, where the kernel works in place. */
  private stage(fragments: readonly Uint8Array[], fragmentLength: number): Uint8Array[] {
    return this.inputs.map((input, j) => {
      const part = input.subarray(0, fragmentLength);
      part.set(fragments[j]!);
      return part;
    });
  }

  private async rebuildShamir(xs: readonly number[], parts: readonly Uint8Array[], key: RecordKey, nonce: Uint8Array<ArrayBuffer>, length: number): Promise<RebuiltChunk | undefined> {
    const secretLength = length + TAG_SIZE;
    const secret = this.outputs[0]!.subarray(0, secretLength);
    evaluateAt(xs, parts, 0, secret, secretLength, this.workspace);
    const plaintext = secret.subarray(0, length);
    const tag = await chunkTag(key, nonce, this.binding, plaintext);
    if (!equalBytes(tag, secret.subarray(length))) return undefined;
    return {
      plaintext,
      consistent: (x, fragment) => {
        const expected = this.scratch.subarray(0, secretLength);
        evaluateAt(xs, parts, x, expected, secretLength, this.workspace);
        return equalBytes(expected, fragment);
      },
    };
  }

  private async rebuildSsms(
    codec: ReedSolomon,
    xs: readonly number[],
    fragments: readonly Uint8Array[],
    key: RecordKey,
    nonce: Uint8Array<ArrayBuffer>,
    length: number,
    fragmentLength: number,
  ): Promise<RebuiltChunk | undefined> {
    const k = this.k;
    const indices = xs.map((x) => x - 1);
    // The data fragments laid end to end are ciphertext ‖ tag ‖ padding. Shares x = 1..k hold them
    // as they are (copied once, straight into place); otherwise they are decoded first.
    const data = this.sealed.subarray(0, k * fragmentLength);
    const inData = Array.from({ length: k }, (_, j) => data.subarray(j * fragmentLength, (j + 1) * fragmentLength));
    let dataFragments: readonly Uint8Array[] = inData;
    if (indices.every((index, j) => index === j)) {
      fragments.forEach((fragment, j) => inData[j]!.set(fragment));
    } else {
      dataFragments = this.outputs.map((output) => output.subarray(0, fragmentLength));
      codec.decodeInto(indices, this.stage(fragments, fragmentLength), dataFragments, fragmentLength, this.workspace);
      dataFragments.forEach((fragment, j) => inData[j]!.set(fragment));
    }
    // The zero padding after ciphertext ‖ tag is part of the data fragments: a flipped bit there
    // must be refused too, and GCM does not cover it.
    const sealedLength = length + TAG_SIZE;
    for (let i = sealedLength; i < data.length; i++) if (data[i] !== 0) return undefined;
    const plaintext = await openChunk(key, nonce, this.binding, data.subarray(0, sealedLength));
    if (!plaintext) return undefined;
    return {
      plaintext,
      consistent: (x, fragment) => {
        const expected = this.scratch.subarray(0, fragmentLength);
        this.workspace.matrixMultiply(codec.row(x - 1), 1, k, dataFragments, [expected], fragmentLength);
        return equalBytes(expected, fragment);
      },
    };
  }
}

