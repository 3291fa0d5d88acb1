/**
 * Share-link decoding (src/storage/share-links.ts decodeShareLink): the payload after `#/receive/`.
 * Seeds are payloads encodeShareLink makes (S3 and presign-endpoint URLs, loopback http, with and
 * without a file name, a folder, old links with a plain SHA-256). Mutations: on the decoded JSON
 * (JSON-aware, unicode, huge numbers, deep nesting) then encoded again, or on the base64url text
 * itself.
 *
 * Oracles: a refusal is a ShareLinkError with a known code; an accepted payload is encoded again
 * (or refused as too long, since its canonical form may be longer) and decodes to the same payload.
 */
import { isDeepStrictEqual } from 'node:util';
import { SHARE_LINK_ERROR_CODES, ShareLinkError, decodeShareLink, encodeShareLink, type ShareLinkPayload } from '../../../src/storage/share-links.js';
import { mutateJson, mutateText } from '../mutators.js';
import { Finding, textPreview, type FuzzTarget } from '../runner.js';

const CODES = new Set<string>(SHARE_LINK_ERROR_CODES);

const URL_S3 = 'https://hospital-shares.s3.eu-west-1.amazonaws.com/tessera/0123456789abcdef0123456789abcdef/1.tshare?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240101%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=' + 'f'.repeat(64);

const PAYLOADS: readonly ShareLinkPayload[] = [
  {
    version: 1, scheme: 'ssms', k: 2, n: 3, size: 1_234_567, splitId: '0123456789abcdef0123456789abcdef', fingerprint: 'ab'.repeat(32), expiresAt: 1_700_000_000,
    shares: [{ x: 1, url: URL_S3 }, { x: 2, url: URL_S3.replace('/1.tshare', '/2.tshare') }, { x: 3, url: 'https://sign.example.org/bucket/3.tshare?token-free=1' }],
  },
  {
    version: 1, scheme: 'shamir', k: 3, n: 5, size: 0, splitId: 'ffffffffffffffffffffffffffffffff', sha256: 'cd'.repeat(32), expiresAt: 1, fileName: 'Brustkorb CT — Müller.dcm', folder: true,
    shares: [{ x: 1, url: 'http://127.0.0.1:9000/b/1' }, { x: 3, url: 'http://localhost/b/3' }, { x: 5, url: 'http://127.0.0.1:8080/b/5' }],
  },
  {
    version: 1, scheme: 'ssms', k: 2, n: 255, size: Number.MAX_SAFE_INTEGER, splitId: '00000000000000000000000000000000', fingerprint: '00'.repeat(32), sha256: '11'.repeat(32), expiresAt: Number.MAX_SAFE_INTEGER, fileName: 'a',
    shares: [{ x: 1, url: 'https://a.example/1' }, { x: 255, url: 'https://a.example/255' }],
  },
];

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decodedJson(encoded: string): string {
  return Buffer.from(encoded, 'base64url').toString('utf8');
}

export const linkTarget: FuzzTarget = {
  name: 'share link',
  description: 'decodeShareLink on mutated payloads (JSON inside, and the base64url text)',
  async setup() {
    const encoded = PAYLOADS.map((payload) => encodeShareLink(payload));
    const jsons = encoded.map(decodedJson);

    return (random) => {
      const index = random.below(encoded.length);
      let text: string;
      let how: string;
      if (random.chance(0.75)) {
        text = base64url(mutateText(jsons[index]!, random, jsons, mutateJson, { most: 3, maxLength: 7000 }));
        how = 'payload JSON';
      } else {
        text = mutateText(encoded[index]!, random, encoded, undefined, { most: 2 });
        how = 'base64url text';
      }
      return {
        mutations: how,
        preview: () => `${textPreview(text, 200)} = ${textPreview(decodedJson(text.replace(/[^A-Za-z0-9_-]/g, '')), 300)}`,
        async run() {
          let payload: ShareLinkPayload;
          try {
            payload = decodeShareLink(text);
          } catch (error) {
            if (error instanceof ShareLinkError && CODES.has(error.code)) return error.code;
            throw error;
          }
          let again: string;
          try {
            again = encodeShareLink(payload);
          } catch (error) {
            if (error instanceof ShareLinkError && error.code === 'link.too-long') return 'accepted, too long to write again';
            throw new Finding(`an accepted payload cannot be written again: ${error instanceof Error ? error.message : String(error)}`);
          }
          if (!isDeepStrictEqual(JSON.parse(JSON.stringify(decodeShareLink(again))), JSON.parse(JSON.stringify(payload)))) throw new Finding('an accepted payload does not survive being written again');
          return 'accepted';
        },
      };
    };
  },
};
