import { assertThreshold } from './assert.js';
import { gfInv, gfInvertMatrix } from './gf256.js';
import { getGfKernel, type GfMultiply } from './kernel.js';

/**
 * Systematic Reed–Solomon (k, n) erasure code over GF(2^8) with a Cauchy parity matrix.
 *
 * Fragment i (0 ≤ i < n) of a block is row i of the n×k generator matrix G times the k data
 * fragments. G = [ I_k ; C ] where C is the (n−k)×k Cauchy matrix
 *
 *   C[i][j] = 1 / ((k + i) XOR j)        0 ≤ i < n − k,  0 ≤ j < k
 *
 * The points k..n−1 and 0..k−1 are distinct and disjoint, so every square submatrix of C is
 * invertible, hence every k×k selection of rows of G is: any k fragments decode (MacWilliams &
 * Sloane ch. 11 §4; Blömer et al., "An XOR-based erasure-resilient coding scheme", 1995).
 */
export class ReedSolomon {
  readonly k: number;
  readonly n: number;
  /** Row-major n×k generator matrix. */
  readonly generator: Uint8Array;
  private readonly decoders = new Map<string, Uint8Array>();

  constructor(k: number, n: number) {
    assertThreshold(k, n);
    this.k = k;
    this.n = n;
    this.generator = new Uint8Array(n * k);
    for (let j = 0; j < k; j++) this.generator[j * k + j] = 1;
    for (let i = 0; i < n - k; i++) {
      for (let j = 0; j < k; j++) this.generator[(k + i) * k + j] = gfInv((k + i) ^ j);
    }
  }

  /** Row `index` of the generator matrix: the coefficients that make fragment `index` from the data. */
  row(index: number): Uint8Array {
    return this.generator.subarray(index * this.k, (index + 1) * this.k);
  }

  /**
   * Computes the n−k parity fragments from the k data fragments (all at least `length` bytes) into
   * `parity` (n−k arrays).
   */
  encodeInto(data: readonly Uint8Array[], parity: readonly Uint8Array[], length: number, engine: GfMultiply = getGfKernel()): void {
    if (data.length !== this.k) throw new RangeError(`expected ${this.k} data fragments, got ${data.length}`);
    if (parity.length !== this.n - this.k) throw new RangeError(`expected ${this.n - this.k} parity outputs, got ${parity.length}`);
    if (parity.length === 0) return;
    engine.matrixMultiply(this.generator.subarray(this.k * this.k), this.n - this.k, this.k, data, parity, length);
  }

  /** Convenience form of encodeInto for equal-length fragments. */
  encode(data: readonly Uint8Array[]): Uint8Array[] {
    const length = data[0]?.length ?? 0;
    if (data.some((fragment) => fragment.length !== length)) throw new RangeError('all data fragments must have the same length');
    const parity = Array.from({ length: this.n - this.k }, () => new Uint8Array(length));
    this.encodeInto(data, parity, length);
    return parity;
  }

  /**
   * Rebuilds the k data fragments from any k fragments. `indices[i]` is the fragment number
   * (0..n−1) of `fragments[i]`; exactly k distinct indices. Data fragments present among the inputs
   * are copied through; the others are decoded.
   */
  decodeInto(
    indices: readonly number[],
    fragments: readonly Uint8Array[],
    outputs: readonly Uint8Array[],
    length: number,
    engine: GfMultiply = getGfKernel(),
  ): void {
    if (indices.length !== this.k || fragments.length !== this.k) {
      throw new RangeError(`exactly ${this.k} fragments are needed to decode, got ${fragments.length}`);
    }
    if (new Set(indices).size !== this.k || indices.some((i) => !Number.isInteger(i) || i < 0 || i >= this.n)) {
      throw new RangeError(`fragment indices must be ${this.k} distinct integers in 0..${this.n - 1}`);
    }
    // Data fragments at hand are copied; only the missing ones take arithmetic: their rows of the
    // inverted selection times the fragments at hand.
    const missing: number[] = [];
    for (let i = 0; i < this.k; i++) {
      const at = indices.indexOf(i);
      if (at < 0) missing.push(i);
      else if (outputs[i] !== fragments[at]) outputs[i]!.set(fragments[at]!.subarray(0, length));
    }
    if (missing.length === 0) return;
    const inverse = this.decoder(indices);
    const rows = new Uint8Array(missing.length * this.k);
    missing.forEach((i, r) => rows.set(inverse.subarray(i * this.k, (i + 1) * this.k), r * this.k));
    engine.matrixMultiply(rows, missing.length, this.k, fragments, missing.map((i) => outputs[i]!), length);
  }

  /** Convenience form: `fragments` has n entries, undefined where a fragment is missing. */
  decode(fragments: readonly (Uint8Array | undefined)[]): Uint8Array[] {
    const indices: number[] = [];
    const present: Uint8Array[] = [];
    fragments.forEach((fragment, index) => {
      if (fragment && present.length < this.k) {
        indices.push(index);
        present.push(fragment);
      }
    });
    if (present.length < this.k) throw new RangeError(`at least ${this.k} fragments are needed, got ${present.length}`);
    const length = present[0]!.length;
    const outputs = Array.from({ length: this.k }, () => new Uint8Array(length));
    this.decodeInto(indices, present, outputs, length);
    return outputs;
  }

  private decoder(indices: readonly number[]): Uint8Array {
    const cacheKey = indices.join(',');
    let inverse = this.decoders.get(cacheKey);
    if (!inverse) {
      const selection = new Uint8Array(this.k * this.k);
      indices.forEach((index, i) => selection.set(this.row(index), i * this.k));
      inverse = gfInvertMatrix(selection, this.k);
      this.decoders.set(cacheKey, inverse);
    }
    return inverse;
  }
}
