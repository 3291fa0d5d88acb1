/**
 * `npm run licences`: builds the app (with source maps, into a temporary folder), lists every npm
 * package whose code ships in it with its version and licence, and rewrites docs/licences.md. Fails
 * when a shipped package's licence is not a permissive one (test/licences/shipped.ts PERMISSIVE).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { buildApp, root } from '../browser/serve-app.js';
import { permissive, shippedPackages } from './shipped.js';

const folder = await mkdtemp(join(os.tmpdir(), 'tessera-licences-'));
try {
  await buildApp(folder, { sourcemap: 'hidden' });
  const packages = await shippedPackages(folder, root);
  const lines = [
    '# What ships, and under which licences',
    '',
    'Written by `npm run licences` (test/licences/run.ts): the app is built as it ships, and every npm package with code in any file of the build',
    '(the page, the workers, the codecs, the service worker, the offline tool) is found from the build\'s source maps. Versions are those',
    '`package-lock.json` locks (with their integrity hashes; `npm ci` installs exactly these). Every licence below is permissive',
    '(test/unit/licences.test.ts checks every production dependency in the lock file, and this command refuses a shipped package that is not).',
    '',
    '| package | version | licence | in |',
    '| --- | --- | --- | --- |',
    ...packages.map((p) => `| \`${p.name}\` | ${p.version} | ${p.license} | ${p.files.length} file${p.files.length === 1 ? '' : 's'} (${p.files.slice(0, 3).map((file) => `\`${file.replace(/-[A-Za-z0-9_-]{8}(?=\.)/, '-*')}\``).join(', ')}${p.files.length > 3 ? ', …' : ''}) |`),
    '',
    `${packages.length} packages. \`jszip\` ships as its own prebuilt bundle, which holds \`pako\` (MIT AND Zlib) and small MIT helpers`,
    '(`lie`, `readable-stream`, `setimmediate`, …): they are in the lock file, where the unit test checks their licences, not in the source maps.',
    'Not shipped, and not listed: development tools (Vite, Svelte\'s compiler, TypeScript, ESLint, Vitest, Playwright, the peers the',
    'benchmark measures). Svelte\'s runtime is shipped and listed.',
    '',
  ];
  await writeFile(join(root, 'docs', 'licences.md'), lines.join('\n'));
  const refused = packages.filter((p) => !permissive(p.license));
  for (const p of packages) console.log(`${p.name}@${p.version}\t${p.license}`);
  if (refused.length > 0) {
    console.error(`licences: not permissive: ${refused.map((p) => `${p.name} (${p.license})`).join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
