#!/usr/bin/env node
// Entry point of `tessera` (package.json "bin"). Plain JavaScript so that it runs straight from a
// checkout after `npm ci`: tsx's loader is registered here and compiles main.ts (and core) on the
// fly, with no build step. `tsconfig: false`: the TypeScript is compiled the same way whatever
// folder the command is run from, rather than under whichever tsconfig.json tsx finds there.
import { register } from 'tsx/esm/api';

register({ tsconfig: false });
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
