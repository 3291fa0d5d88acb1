/**
 * A thread that only hashes: the job's coordinator sends it copies of the file's bytes in order
 * and asks for the SHA-256 at the end. With chunk workers doing the cryptography, hashing was half
 * of the coordinator's time (docs/benchmarks.md, CPU profile), and a file's SHA-256 cannot be split
 * between threads; here it runs beside the reads and writes instead of between them.
 */
import * as Comlink from 'comlink';
import { createSha256 } from './sha256.js';

let hasher = createSha256();

const api = {
  /** Hashes `bytes` and hands its buffer back, so the sender reuses it instead of allocating. */
  update(bytes: Uint8Array): Uint8Array {
    hasher.update(bytes);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
  /** The SHA-256 of everything sent since the last digest, hex; starts a new one. */
  digestHex(): string {
    const digest = hasher.digestHex();
    hasher = createSha256();
    return digest;
  },
} satisfies Record<string, (...args: never[]) => unknown>;

export type HashWorkerApi = typeof api;

Comlink.expose(api);
