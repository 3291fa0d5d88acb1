/**
 * Child process of the benchmark: measures one configuration of the core table, or the machine's
 * ceilings, in a fresh process and prints the result as one JSON line.
 *
 *   node --import tsx test/bench/core-child.ts core ssms 3 5 67108864
 *   node --import tsx test/bench/core-child.ts ceilings 67108864
 */
import { SCHEMES, type Scheme } from '../../src/core/index.js';
import { measureCeilings } from './ceilings-node.js';
import { measureCore } from './core.js';
import { randomBytes } from '../helpers/bytes.js';

const [what, ...rest] = process.argv.slice(2);
if (what === 'ceilings') {
  console.log(JSON.stringify(await measureCeilings(Number(rest[0]))));
} else if (what === 'core') {
  const [scheme, k, n, size] = rest;
  if (!SCHEMES.includes(scheme as Scheme)) throw new RangeError(`scheme must be one of ${SCHEMES.join(', ')}, got ${scheme}`);
  console.log(JSON.stringify(await measureCore(scheme as Scheme, Number(k), Number(n), randomBytes(Number(size)))));
} else {
  throw new RangeError(`core-child: the first argument must be core or ceilings, got ${what}`);
}
