/**
 * Tessera's own schemes in the Lab (src/lab/schemes/tessera.ts), through the real core: every
 * k-subset of clouds rebuilds, k − 1 do not, an altered share is caught, and a single cloud's share
 * looks like noise.
 */
import { describe, expect, it } from 'vitest';
import { adjacentCorrelation, entropy } from '../../src/lab/metrics.js';
import { tesseraShamir, tesseraSsms } from '../../src/lab/schemes/tessera.js';
import type { LabImage } from '../../src/lab/types.js';
import { deterministicRandom } from '../helpers/deterministic-random.js';
import { subsetsOf } from '../helpers/subsets.js';

function framePicture(size = 64): LabImage {
  const pixels = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) pixels[y * size + x] = Math.hypot(x - size / 2, y - size / 2) > size / 2 - 2 ? 0 : 60 + x + y;
  }
  return { width: size, height: size, pixels };
}

describe.each([
  ['shamir', tesseraShamir],
  ['ssms', tesseraSsms],
])('tessera %s, 3 of 5', (name, scheme) => {
  const params = scheme.defaults;

  it('rebuilds from every 3 of the 5 clouds, byte for byte, and from no 2', async () => {
    const image = framePicture();
    const protection = await scheme.protect(image, params, deterministicRandom(1));
    expect([scheme.clouds(params), scheme.threshold(params)]).toEqual([5, 3]);
    for (const clouds of subsetsOf(5, 3)) {
      const rebuilt = await scheme.recover(protection, clouds, params);
      expect(Buffer.from(rebuilt.pixels).equals(Buffer.from(image.pixels)), clouds.join(', ')).toBe(true);
    }
    for (const clouds of subsetsOf(5, 2)) await expect(scheme.recover(protection, clouds, params)).rejects.toThrow(/\[[a-z]+\.[a-z-]+\]/);
  });

  it('catches an altered share instead of rebuilding something else', async () => {
    const image = framePicture();
    const protection = await scheme.protect(image, params, deterministicRandom(2));
    const holdings = protection.holdings.map((holding, i) => {
      if (i !== 0) return holding;
      const bytes = holding.bytes.slice();
      bytes[500] = bytes[500]! ^ 0x01;
      return { ...holding, bytes };
    });
    // With exactly k shares, one of them altered: an error, never a wrong picture.
    await expect(scheme.recover({ ...protection, holdings }, [0, 1, 2], params)).rejects.toThrow(/\[[a-z]+\.[a-z-]+\]/);
  });

  it('gives each cloud bytes that look like noise', async () => {
    const image = framePicture(128);
    const protection = await scheme.protect(image, params, deterministicRandom(3));
    for (const holding of protection.holdings) {
      expect(entropy(holding.picture!.pixels), `${name} ${holding.name}`).toBeGreaterThan(7.9);
      expect(Math.abs(adjacentCorrelation(holding.picture!, 'horizontal'))).toBeLessThan(0.05);
    }
  });
});
