/**
 * The machine's own ceilings in Node, for the core table: memory copy, AES-256-GCM through
 * node:crypto (the backend the pipelines use here) and through Node's WebCrypto, and the CSPRNG.
 * Measured in a process of its own (core-child.ts), as each pipeline is: in the benchmark's main
 * process, after the peers and kernels had filled its heap, AES-GCM read 689–904 MB/s while the
 * pipelines that run it, each in a fresh process, went faster than that.
 */
import { nodeCryptoBackend } from '../../src/cli/node-crypto.js';
import { DEFAULT_CHUNK_SIZE, webCryptoBackend, type CryptoBackend } from '../../src/core/index.js';
import { randomBytes } from '../helpers/bytes.js';
import { runsFor } from './core.js';
import { KiB, measure, type Measurement } from './measure.js';

export interface Ceilings {
  readonly memoryCopy: Measurement;
  /** Through node:crypto, the backend the pipelines here use (test/bench/core.ts). */
  readonly aesGcm: Measurement;
  /** Through Node's WebCrypto (crypto.subtle), for comparison: core's default, which the app uses. */
  readonly aesGcmWebCrypto: Measurement;
  readonly randomValues: Measurement;
}

export async function measureCeilings(size: number): Promise<Ceilings> {
  const runs = runsFor(size);
  const source = randomBytes(size);
  const target = new Uint8Array(size);
  const memoryCopy = await measure(size, () => target.set(source), runs);

  // One chunk at a time, each awaited, as the pipeline seals them.
  const chunk = DEFAULT_CHUNK_SIZE;
  const additionalData = randomBytes(32);
  const aesThrough = async (backend: CryptoBackend): Promise<Measurement> => {
    const key = await backend.importKey(randomBytes(32));
    let counter = 0;
    return measure(
      size,
      async () => {
        for (let offset = 0; offset < size; offset += chunk) {
          const iv = new Uint8Array(12);
          new DataView(iv.buffer).setUint32(8, counter++);
          await backend.seal(key, iv, additionalData, source.subarray(offset, offset + chunk));
        }
      },
      runs,
    );
  };
  const aesGcm = await aesThrough(nodeCryptoBackend);
  const aesGcmWebCrypto = await aesThrough(webCryptoBackend);

  const randomValues = await measure(
    size,
    () => {
      for (let offset = 0; offset < size; offset += 64 * KiB) crypto.getRandomValues(target.subarray(offset, offset + 64 * KiB));
    },
    runs,
  );
  return { memoryCopy, aesGcm, aesGcmWebCrypto, randomValues };
}
