/**
 * Tessera's sharing engine: pure TypeScript, no DOM, no buckets, no DICOM. Importable from the main
 * thread, from workers and from Node alike.
 *
 *   protect(source, sinks, { scheme, k, n })  → n share streams (sinks[i] receives the share at x = i + 1)
 *   recover(shareSources, sink)               → the original bytes, verified, with a report of bad shares
 *   inspectShare(source)                      → what a single share is and whether it is intact
 */
export { protect, protectBytes, beginSplit, type SplitPlan } from './protect.js';
export { ChunkProtector, ChunkRebuilder, type SplitParameters, type SplitSecrets, type PreparedChunk, type RebuiltChunk } from './chunks.js';
export * from './executor.js';
export { BufferPool, threadBufferPool } from './buffer-pool.js';
export { recover, recoverBytes } from './recover.js';
export { repairShares, type RepairTarget, type RepairOptions, type RepairResult } from './repair.js';
export { inspectShare } from './inspect.js';
export {
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  HEADER_SIZE,
  SHARE_EXTENSION,
  shareSize,
  chunkCount,
  parseHeader,
} from './format.js';
export { splitSecret, combineSecret } from './shamir.js';
export { ReedSolomon } from './reed-solomon.js';
export { setGfKernel, getGfKernel, defaultKernel, javascriptKernel, type GfKernel } from './kernel.js';
export { setCryptoBackend, getCryptoBackend, webCryptoBackend, type CryptoBackend, type RecordKey } from './aead.js';
export { defaultRandom } from './random.js';
export * from './errors.js';
export * from './io.js';
export * from './types.js';
export {
  FINGERPRINT_BLOCK,
  FINGERPRINT_PATTERN,
  FingerprintBuilder,
  LEGACY_FINGERPRINT_BLOCK,
  digestBlocks,
  fingerprintBlockOf,
  fingerprintBytes,
  fingerprintDigits,
  fingerprintSource,
} from './fingerprint.js';
