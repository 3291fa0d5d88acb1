import { TesseraError, toTesseraError } from './errors.js';
import { HEADER_SIZE, chunkCount, parseHeader, shareSize } from './format.js';
import type { ByteSource } from './io.js';
import type { ShareInspection } from './types.js';

/**
 * What one share says about itself, and what it can prove alone: the signature, the version, the
 * header's SHA-256 and the exact length its header implies. Throws a TesseraError when not even
 * the header can be read (not a share, newer version, damaged header); returns `structureOk: false`
 * with the problem when the header is sound but the length is wrong.
 *
 * The data cannot be authenticated from one share: its authentication tags are shared with the
 * data (shamir) or cover the reassembled ciphertext (ssms). That takes k shares: `recover`.
 */
export async function inspectShare(source: ByteSource): Promise<ShareInspection> {
  let headerBytes: Uint8Array;
  try {
    headerBytes = await source.read(0, Math.min(source.size, HEADER_SIZE));
  } catch (error) {
    throw toTesseraError(error) ?? new TesseraError('share.unreadable', 'The share could not be read.', {}, { cause: error });
  }
  const header = await parseHeader(headerBytes);
  const expectedSize = shareSize(header.scheme, header.k, header.n, header.size, header.chunkSize);
  const base = {
    header,
    expectedSize,
    actualSize: source.size,
    chunkCount: chunkCount(header.size, header.chunkSize),
  };
  if (source.size < expectedSize) {
    return { ...base, structureOk: false, problem: { code: 'share.truncated', message: `The share is cut short: ${source.size} of ${expectedSize} bytes.` } };
  }
  if (source.size > expectedSize) {
    return { ...base, structureOk: false, problem: { code: 'share.corrupt', message: `The share has ${source.size - expectedSize} bytes more than its header says.` } };
  }
  return { ...base, structureOk: true };
}
