/**
 * Child process of the benchmark: measures one configuration of the core table in a fresh process
 * and prints the row as one JSON line.
 *
 *   node --import tsx test/bench/core-child.ts ssms 3 5 67108864
 */
import { SCHEMES, type Scheme } from '../../src/core/index.js';
import { measureCore } from './core.js';
import { randomBytes } from '../helpers/bytes.js';

const [scheme, k, n, size] = process.argv.slice(2);
if (!SCHEMES.includes(scheme as Scheme)) throw new RangeError(`scheme must be one of ${SCHEMES.join(', ')}, got ${scheme}`);
const row = await measureCore(scheme as Scheme, Number(k), Number(n), randomBytes(Number(size)));
console.log(JSON.stringify(row));
