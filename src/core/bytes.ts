/** Small byte helpers shared by the core. */

export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(text: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(text)) throw new RangeError(`not a hex string: ${text.slice(0, 16)}…`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Whether a and b hold the same bytes. Looks at every byte whatever it finds (no early exit, so the
 * time does not tell where a tag differs), 32 bits at a time where both are word-aligned: recovery
 * compares each spare share's fragment with what the others predict, a third of a MiB per chunk.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  let i = 0;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && a.length >= 64) {
    const words = a.length >>> 2;
    const wa = new Uint32Array(a.buffer, a.byteOffset, words);
    const wb = new Uint32Array(b.buffer, b.byteOffset, words);
    for (let w = 0; w < words; w++) difference |= wa[w]! ^ wb[w]!;
    i = words * 4;
  }
  for (; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** WebCrypto in TypeScript 5.9 wants views over ArrayBuffer (not SharedArrayBuffer). */
export function toArrayBufferView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
