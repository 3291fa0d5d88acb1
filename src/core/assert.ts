/** Argument checks with messages that name the argument, the expectation and what came (noble-style). */

export function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a Uint8Array, got ${value === null ? 'null' : typeof value}`);
  }
}

export function assertInteger(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${String(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
}

/** k and n as Tessera allows them: 2 ≤ k ≤ n ≤ 255 (x-coordinates 1..n must be distinct non-zero bytes). */
export function assertThreshold(k: unknown, n: unknown): asserts k is number {
  assertInteger(n, 'n', 2, 255);
  assertInteger(k, 'k', 2, 255);
  if (k > n) throw new RangeError(`k must not exceed n, got k = ${k}, n = ${n}`);
}
