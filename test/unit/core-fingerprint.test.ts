import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FINGERPRINT_BLOCK,
  FingerprintBuilder,
  LEGACY_FINGERPRINT_BLOCK,
  fingerprintBlockOf,
  fingerprintDigits,
  MemorySink,
  bytesSource,
  createLocalProtectExecutor,
  createLocalRecoverExecutor,
  digestBlocks,
  fingerprintBytes,
  fingerprintSource,
  protect,
  protectBytes,
  recover,
  type ProtectExecutorFactory,
  type RecoverExecutorFactory,
  type Scheme,
} from '../../src/core/index.js';
import { randomBytes, sameBytes } from '../helpers/bytes.js';

/** A block (256 KiB). */
const MiB = FINGERPRINT_BLOCK;

/**
 * The fingerprint as docs/fingerprint.md defines it, computed independently with Node's own
 * SHA-256: the digest of the concatenated digests of the 256 KiB blocks, after `256k:`; with 1 MiB
 * blocks (fingerprints of 2026-11-21), the digest alone.
 */
function reference(bytes: Uint8Array, block = 256 * 1024): string {
  const list = createHash('sha256');
  for (let at = 0; at < bytes.length; at += block) list.update(createHash('sha256').update(bytes.subarray(at, at + block)).digest());
  return (block === 256 * 1024 ? '256k:' : '') + list.digest('hex');
}

/** Local executors behind one, taking the plain chunk away as a worker would (transfer). */
const takingProtect: ProtectExecutorFactory = async (secrets) => {
  const inner = await createLocalProtectExecutor(secrets, { window: 3 });
  return {
    window: 3,
    protectChunk: (index, plain) => inner.protectChunk(index, structuredClone(plain, { transfer: [plain.buffer as ArrayBuffer] })),
    release: (records) => inner.release?.(records),
    close: () => inner.close(),
  };
};
const windowedRecover: RecoverExecutorFactory = (context) => Promise.resolve(createLocalRecoverExecutor(context, { window: 3 }));

const SIZES = [0, 1, MiB - 1, MiB, MiB + 1, 3 * MiB + MiB / 2];

describe('fingerprint', () => {
  it.each(SIZES)('of %i bytes is SHA-256 over the SHA-256 of each 256 KiB block', async (size) => {
    const bytes = randomBytes(size);
    expect(await fingerprintBytes(bytes)).toBe(reference(bytes));
    expect(await fingerprintSource(bytesSource(bytes))).toBe(reference(bytes));
  });

  it('of the empty file is the SHA-256 of nothing', async () => {
    expect(await fingerprintBytes(new Uint8Array(0))).toBe('256k:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('is made with 1 MiB blocks, as on 2026-11-21, when asked: plain hex, which says so', async () => {
    const bytes = randomBytes(3 * LEGACY_FINGERPRINT_BLOCK + 7);
    const legacy = await fingerprintBytes(bytes, LEGACY_FINGERPRINT_BLOCK);
    expect(legacy).toBe(reference(bytes, LEGACY_FINGERPRINT_BLOCK));
    expect(await fingerprintSource(bytesSource(bytes), undefined, LEGACY_FINGERPRINT_BLOCK)).toBe(legacy);
    const current = await fingerprintBytes(bytes);
    expect(fingerprintBlockOf(legacy)).toBe(LEGACY_FINGERPRINT_BLOCK);
    expect(fingerprintBlockOf(current)).toBe(FINGERPRINT_BLOCK);
    expect(fingerprintDigits(current)).not.toBe(legacy);
    expect(fingerprintDigits(legacy)).toBe(legacy);
    for (const wrong of ['', '256k:', `1m:${legacy}`, legacy.toUpperCase(), `${current}0`, ` ${legacy}`]) expect(fingerprintBlockOf(wrong)).toBeUndefined();
    expect(() => new FingerprintBuilder(10, 4096)).toThrow(RangeError);
  });

  it('checks a file against a 1 MiB-block fingerprint in protect and recover alike (recover is told the block)', async () => {
    const bytes = randomBytes(2 * LEGACY_FINGERPRINT_BLOCK + 11);
    for (const chunkSize of [LEGACY_FINGERPRINT_BLOCK, 3 * FINGERPRINT_BLOCK]) {
      const { shares } = await protectBytes(bytes, { scheme: 'ssms', k: 2, n: 3, chunkSize });
      for (const executor of [undefined, windowedRecover]) {
        const rebuilt = await recover(shares.slice(1).map(bytesSource), new MemorySink(), { fingerprint: true, fingerprintBlock: LEGACY_FINGERPRINT_BLOCK, ...(executor ? { executor } : {}) });
        expect(rebuilt.fingerprint).toBe(reference(bytes, LEGACY_FINGERPRINT_BLOCK));
      }
    }
  });

  it('differs from the plain SHA-256, and changes with any byte', async () => {
    const bytes = randomBytes(2 * MiB + 5);
    const plain = createHash('sha256').update(bytes).digest('hex');
    const before = await fingerprintBytes(bytes);
    expect(before).not.toBe(plain);
    bytes[MiB + 3]! ^= 1;
    expect(await fingerprintBytes(bytes)).not.toBe(before);
  });

  it('takes block digests in any order, and refuses to finish with one missing', async () => {
    const bytes = randomBytes(3 * MiB);
    const builder = new FingerprintBuilder(bytes.length);
    builder.add(2, await digestBlocks(bytes.subarray(2 * MiB)));
    await expect(builder.value()).rejects.toThrow(/2 of the file's 3 blocks/);
    builder.add(0, await digestBlocks(bytes.subarray(0, 2 * MiB)));
    expect(await builder.value()).toBe(reference(bytes));
    expect(() => builder.add(3, new Uint8Array(32))).toThrow(RangeError);
  });

  it('is not computed unless asked for', async () => {
    const { result } = await protectBytes(randomBytes(1000), { scheme: 'ssms', k: 2, n: 3 });
    expect(result.fingerprint).toBeUndefined();
  });

  it.each([
    ['smaller than a block', 300_000],
    ['larger than a block, not a multiple', 1_500_000],
  ])('is the same with chunks %s (digested in order instead)', async (_, chunkSize) => {
    const input = randomBytes(3 * MiB + 777);
    const { result, shares } = await protectBytes(input, { scheme: 'ssms', k: 2, n: 3, chunkSize, fingerprint: true });
    expect(result.fingerprint).toBe(reference(input));
    const output = new MemorySink();
    const rebuilt = await recover(shares.slice(1).map(bytesSource), output, { fingerprint: true, executor: windowedRecover });
    expect(sameBytes(output.bytes(), input)).toBe(true);
    expect(rebuilt.fingerprint).toBe(reference(input));
  });

  it('of an empty file, through protect and recover', async () => {
    const { result, shares } = await protectBytes(new Uint8Array(0), { scheme: 'shamir', k: 2, n: 2, fingerprint: true });
    expect(result.fingerprint).toBe(reference(new Uint8Array(0)));
    expect((await recover(shares.map(bytesSource), new MemorySink(), { fingerprint: true })).fingerprint).toBe(reference(new Uint8Array(0)));
  });


  describe.each<Scheme>(['shamir', 'ssms'])('%s: protect and recover compute it on the way through', (scheme) => {
    const size = 5 * MiB + 12_345;
    const input = randomBytes(size);
    const expected = reference(input);

    it.each([
      ['in this thread', undefined],
      ['through an executor that takes the chunks', takingProtect],
    ] as const)('protect, %s', async (_, executor) => {
      const sinks = Array.from({ length: 4 }, () => new MemorySink());
      // Each read a fresh array, so an executor may take it.
      const source = { size, read: (offset: number, length: number) => Promise.resolve(input.slice(offset, offset + length)) };
      const result = await protect(source, sinks, { scheme, k: 2, n: 4, fingerprint: true, ...(executor ? { executor } : {}) });
      expect(result.fingerprint).toBe(expected);

      for (const [label, chosen] of [
        ['the first shares', [0, 1]],
        ['the last shares', [2, 3]],
      ] as const) {
        for (const recoverExecutor of [undefined, windowedRecover]) {
          const output = new MemorySink();
          const rebuilt = await recover(chosen.map((i) => bytesSource(sinks[i]!.bytes())), output, { fingerprint: true, ...(recoverExecutor ? { executor: recoverExecutor } : {}) });
          expect(sameBytes(output.bytes(), input), label).toBe(true);
          expect(rebuilt.fingerprint, label).toBe(expected);
        }
      }
    });

    it('recover, past a share altered in one chunk (found by the search)', async () => {
      const { shares } = await protectBytes(input, { scheme, k: 2, n: 4 });
      const altered = shares[0]!.slice();
      altered[altered.length - 100]! ^= 0xff;
      const output = new MemorySink();
      const rebuilt = await recover([altered, shares[1]!, shares[2]!].map(bytesSource), output, { fingerprint: true, executor: windowedRecover });
      expect(sameBytes(output.bytes(), input)).toBe(true);
      expect(rebuilt.problems.map((problem) => problem.code)).toContain('share.corrupt');
      expect(rebuilt.fingerprint).toBe(expected);
    });
  });
});
