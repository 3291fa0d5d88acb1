/**
 * Writes test/vectors/share-format-v1.json: complete shares for small inputs, produced by `protect`
 * with the deterministic random stream of test/helpers/deterministic-random.ts. Run with
 * `npx tsx test/vectors/generate.ts` ONLY when the format version changes; the unit tests check
 * that the code still produces and reads these bytes exactly.
 */
import { writeFileSync } from 'node:fs';
import { hex } from '../../src/core/bytes.js';
import { protectBytes, type Scheme } from '../../src/core/index.js';

import { deterministicRandom, patternBytes } from '../helpers/deterministic-random.js';

interface Case {
  readonly name: string;
  readonly scheme: Scheme;
  readonly k: number;
  readonly n: number;
  readonly chunkSize: number;
  readonly size: number;
  readonly seed: number;
}

const cases: Case[] = [
  { name: 'shamir-2of3-empty', scheme: 'shamir', k: 2, n: 3, chunkSize: 16, size: 0, seed: 1 },
  { name: 'shamir-2of3-one-byte', scheme: 'shamir', k: 2, n: 3, chunkSize: 16, size: 1, seed: 2 },
  { name: 'shamir-3of5-three-chunks', scheme: 'shamir', k: 3, n: 5, chunkSize: 16, size: 40, seed: 3 },
  { name: 'ssms-2of3-empty', scheme: 'ssms', k: 2, n: 3, chunkSize: 16, size: 0, seed: 4 },
  { name: 'ssms-2of3-one-byte', scheme: 'ssms', k: 2, n: 3, chunkSize: 16, size: 1, seed: 5 },
  { name: 'ssms-3of5-three-chunks', scheme: 'ssms', k: 3, n: 5, chunkSize: 16, size: 40, seed: 6 },
  { name: 'ssms-4of6-exact-chunks', scheme: 'ssms', k: 4, n: 6, chunkSize: 32, size: 64, seed: 7 },
];

const vectors = [];
for (const c of cases) {
  const plaintext = patternBytes(c.size);
  const { result, shares } = await protectBytes(plaintext, { ...c, random: deterministicRandom(c.seed) });
  vectors.push({
    name: c.name,
    scheme: c.scheme,
    k: c.k,
    n: c.n,
    chunkSize: c.chunkSize,
    randomSeed: c.seed,
    plaintext: hex(plaintext),
    splitId: result.splitId,
    shares: shares.map((share, i) => ({ x: i + 1, bytes: hex(share) })),
  });
}
const file = new URL('./share-format-v1.json', import.meta.url);
writeFileSync(file, JSON.stringify({ format: 'tessera-share', version: 1, vectors }, null, 1) + '\n');
console.log(`wrote ${vectors.length} vectors to ${file.pathname}`);
