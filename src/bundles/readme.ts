/**
 * README.txt of a share bundle: plain words for whoever opens the zip, years later perhaps, without
 * Tessera at hand. It says what the bundle is and how to use it, and nothing about the person or
 * the file (not even its name, which only the manifest carries, and only when asked).
 */
import { RECOVERY_TOOL_NAME } from './bundle-names.js';

export interface ReadmeFacts {
  readonly bundle: number;
  readonly bundles: number;
  readonly bundlesNeeded: number;
  readonly k: number;
  readonly n: number;
  /** The x of each share this bundle holds. */
  readonly xs: readonly number[];
}

/** Lines of at most about 80 characters, CRLF, so that every text editor shows it alike. */
export function bundleReadme({ bundle, bundles, bundlesNeeded, k, n, xs }: ReadmeFacts): string {
  const holds = xs.length === 1 ? `one share (share ${xs[0]} of ${n})` : `${xs.length} shares (shares ${xs.join(', ')} of ${n})`;
  const lines = [
    'TESSERA SHARE BUNDLE',
    '',
    `This is bundle ${bundle} of ${bundles} of a file that was protected with Tessera.`,
    `It holds ${holds}.`,
    '',
    'What this is',
    '------------',
    `The file was split into ${n} shares. Any ${k} of them rebuild it exactly.`,
    `Fewer than ${k} reveal nothing about what is in it: not a word, not a pixel.`,
    bundlesNeeded === 1
      ? 'This bundle alone holds enough shares to rebuild the file.'
      : `Any ${bundlesNeeded} of the ${bundles} bundles together hold enough shares.`,
    '',
    'Keep this bundle safe, and apart from the other bundles: whoever gathers',
    `${bundlesNeeded} bundles can rebuild the file.`,
    '',
    'How to rebuild the file',
    '-----------------------',
    `1. Gather at least ${bundlesNeeded} different bundles of this file (the .zip files).`,
    `2. Open ${RECOVERY_TOOL_NAME} (it is in every bundle) in a web browser:`,
    '   double-click it, or drag it into a browser window. No internet is needed,',
    '   nothing is installed and nothing leaves the computer.',
    '3. Drop the bundles (the .zip files, as they are) onto the page, or choose',
    '   them with its button. The .tshare files from inside them work too.',
    '4. Press "Rebuild", then "Save file".',
    '',
    'The rebuilt file is checked piece by piece: if a bundle was damaged or',
    'changed, the tool says so instead of giving a wrong file. The tool holds the',
    'rebuilt file in the computer\'s memory, so it suits files up to about 1 GB;',
    'the Tessera app rebuilds larger ones ("Recover from share files").',
    '',
    'What is inside',
    '--------------',
    '- README.txt: this text.',
    `- ${RECOVERY_TOOL_NAME}: the recovery tool, a single web page that works offline.`,
    '- manifest.json: which shares this bundle holds, and their fingerprints (SHA-256),',
    '  so that a damaged share is found before it is used.',
    '- A .tshare file for each share: random-looking data, useless on its own.',
    '',
    'The share format is described openly in docs/share-format.md of Tessera, so',
    'that anyone can write a tool to rebuild the file without this one.',
    '',
  ];
  return lines.join('\r\n');
}
