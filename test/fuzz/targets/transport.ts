/**
 * The transfer layer's reading of S3 answers (src/storage/s3/transport.ts): every operation of a
 * real S3 transport against a fetch that answers with a mutated status, headers (Content-Range,
 * Content-Length, ETag, Date, Retry-After) and body (part lists, InitiateMultipartUploadResult,
 * CompleteMultipartUploadResult, error XML) — or with no answer at all. Seeds are answers as AWS and
 * Ceph RGW give them.
 *
 * Oracles: an operation either returns what its contract says (getRange at most the bytes asked
 * for, exactly the bytes answered; head a whole size; listParts whole part numbers and sizes and
 * non-empty ETags; an upload id or ETag that is not empty) or rejects with a TransferError of a
 * known kind and code, whose message never carries the secret key.
 */
import { createS3Transport } from '../../../src/storage/s3/transport.js';
import { TRANSFER_FAILURE_CODES, TransferError } from '../../../src/storage/transfer/transport.js';
import { AWKWARD_NUMBERS, mutateBytes, mutateText, mutateXml } from '../mutators.js';
import type { FuzzRandom } from '../random.js';
import { Finding, textPreview, type FuzzTarget } from '../runner.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const CONFIG = { bucketId: 's3:fuzz', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'fuzz-bucket', addressing: 'path' as const, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET };
const KINDS = new Set(['retry', 'resign', 'fatal']);
const CODES = new Set<string>(TRANSFER_FAILURE_CODES);
const UPLOAD_ID = '2~abcDEF';

const XML = {
  initiate: `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key><UploadId>${UPLOAD_ID}</UploadId></InitiateMultipartUploadResult>`,
  parts: '<?xml version="1.0" encoding="UTF-8"?><ListPartsResult><Bucket>b</Bucket><UploadId>2~abcDEF</UploadId><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>5242880</Size></Part><Part><PartNumber>2</PartNumber><ETag>"7d793037a0760186574b0282f2f435e7"</ETag><Size>17</Size></Part></ListPartsResult>',
  complete: '<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Location>http://127.0.0.1:9/b/k</Location><Bucket>b</Bucket><Key>k</Key><ETag></ETag></CompleteMultipartUploadResult>',
  error: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match. ${SECRET}</Message><StringToSign>${SECRET}</StringToSign></Error>`,
  noSuchUpload: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code></Error>',
  noSuchKey: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>',
};
const BODIES = Object.values(XML);

type Operation = 'getRange' | 'head' | 'listParts' | 'createMultipart' | 'uploadPart' | 'completeMultipart' | 'abortMultipart' | 'deleteObject' | 'putObject';
const OPERATIONS: readonly Operation[] = ['getRange', 'getRange', 'getRange', 'head', 'listParts', 'listParts', 'createMultipart', 'uploadPart', 'completeMultipart', 'abortMultipart', 'deleteObject', 'putObject'];

const USUAL: Readonly<Record<Operation, { status: number; body: string; headers: Record<string, string> }>> = {
  getRange: { status: 206, body: '', headers: { 'content-range': 'bytes 10-19/100', 'content-length': '10' } },
  head: { status: 200, body: '', headers: { 'content-length': '617300', etag: '"abc"' } },
  listParts: { status: 200, body: XML.parts, headers: {} },
  createMultipart: { status: 200, body: XML.initiate, headers: {} },
  uploadPart: { status: 200, body: '', headers: { etag: '"5d41402abc4b2a76b9719d911017c592"' } },
  completeMultipart: { status: 200, body: XML.complete, headers: {} },
  abortMultipart: { status: 204, body: '', headers: {} },
  deleteObject: { status: 204, body: '', headers: {} },
  putObject: { status: 200, body: '', headers: { etag: '"x"' } },
};
const STATUSES = [200, 204, 206, 301, 307, 400, 403, 404, 409, 412, 416, 429, 500, 503];
const RANGES = ['bytes 10-19/100', 'bytes 10-19/*', 'bytes 0-9/100', 'bytes 10-9/100', 'bytes 10-1000000/2000000', 'bytes 9007199254740993-9007199254740999/*', 'bytes */100', 'bytes 10-19', ''];

function header(random: FuzzRandom, name: string, usual: string | undefined): string | undefined {
  if (random.chance(0.15)) return undefined;
  const value = name === 'content-range' && random.chance(0.5) ? random.pick(RANGES) : random.chance(0.5) ? (usual ?? '') : random.chance(0.5) ? random.pick(AWKWARD_NUMBERS) : mutateText(usual ?? 'x', random, RANGES, undefined, { most: 2 });
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000\r\n]/g, '').replace(/[^\u0000-\u00ff]/g, '?');
}

function checkFailure(error: unknown, what: string): string {
  if (!(error instanceof TransferError)) throw new Finding(`${what} rejected with ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 300));
  if (!KINDS.has(error.kind) || !CODES.has(error.code)) throw new Finding(`${what}: unknown kind or code ${error.kind} ${error.code}`);
  if (error.message.includes(SECRET)) throw new Finding(`${what}: the message carries the secret key`);
  return error.code;
}

export const transportTarget: FuzzTarget = {
  name: 'S3 transport answers',
  description: 'every S3 transport operation against mutated statuses, headers and bodies',
  async setup() {
    const transport = createS3Transport(CONFIG);
    return (random) => {
      const operation = random.pick(OPERATIONS);
      const usual = USUAL[operation];
      const answers = Array.from({ length: 2 }, () => {
        const status = random.chance(0.5) ? usual.status : random.chance(0.9) ? random.pick(STATUSES) : random.between(200, 599);
        const body = operation === 'getRange'
          ? mutateBytes(new Uint8Array(10).fill(7), random, [new Uint8Array(10)], { maxLength: 4096 }).bytes
          : random.chance(0.2) ? usual.body : mutateText(random.chance(0.7) ? usual.body || random.pick(BODIES) : random.pick(BODIES), random, BODIES, mutateXml, { maxLength: 1 << 20 });
        const headers: Record<string, string> = {};
        for (const name of ['content-range', 'content-length', 'etag', 'date', 'retry-after']) {
          const value = header(random, name, usual.headers[name]);
          if (value !== undefined) headers[name] = value;
        }
        return { status, body, headers, fail: random.chance(0.05) };
      });
      const offset = random.pick([0, 10, 99]);
      const length = random.pick([1, 10, 100]);
      let calls = 0;
      const stub = async (): Promise<Response> => {
        const answer = answers[Math.min(calls++, answers.length - 1)]!;
        if (answer.fail) throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
        const empty = [204, 205, 304].includes(answer.status);
        try {
          return new Response(empty ? null : (answer.body as BodyInit), { status: answer.status, headers: answer.headers });
        } catch {
          return new Response(null, { status: 502 });
        }
      };
      return {
        mutations: `${operation}: ${answers.map((answer) => answer.status).join(', ')}`,
        preview: () => answers.map((answer) => `${answer.status} ${JSON.stringify(answer.headers).slice(0, 200)} ${typeof answer.body === 'string' ? textPreview(answer.body, 200) : `${answer.body.length} bytes`}`).join(' | '),
        async run() {
          const realFetch = globalThis.fetch;
          globalThis.fetch = stub as typeof fetch;
          try {
            switch (operation) {
              case 'getRange': {
                const bytes = await transport.getRange('tessera/k/1.tshare', offset, length);
                if (bytes.length > length) throw new Finding(`getRange gave ${bytes.length} bytes for ${length} asked`);
                return `accepted: ${bytes.length === length ? 'range' : 'short range'}`;
              }
              case 'head': {
                const found = await transport.head('tessera/k/1.tshare');
                if (found !== null && (!Number.isSafeInteger(found.size) || found.size < 0)) throw new Finding(`head gave size ${found.size}`);
                return found === null ? 'accepted: absent' : 'accepted: size';
              }
              case 'listParts': {
                const parts = await transport.listParts('tessera/k/1.tshare', UPLOAD_ID);
                for (const part of parts) if (!Number.isSafeInteger(part.partNumber) || part.partNumber < 1 || !Number.isSafeInteger(part.size) || part.size < 0 || part.etag === '') throw new Finding(`listParts gave ${JSON.stringify(part).slice(0, 100)}`);
                return 'accepted: parts';
              }
              case 'createMultipart': {
                if ((await transport.createMultipart('tessera/k/1.tshare', { contentType: 'application/octet-stream' })) === '') throw new Finding('an empty upload id');
                return 'accepted: upload id';
              }
              case 'uploadPart': {
                if ((await transport.uploadPart('tessera/k/1.tshare', UPLOAD_ID, 2, new Uint8Array(17))) === '') throw new Finding('an empty ETag');
                return 'accepted: etag';
              }
              case 'completeMultipart':
                await transport.completeMultipart('tessera/k/1.tshare', UPLOAD_ID, [{ partNumber: 1, etag: '"a"', size: 5_242_880 }, { partNumber: 2, etag: '"b"', size: 17 }], { contentType: 'application/octet-stream' });
                return 'accepted: completed';
              case 'abortMultipart':
                await transport.abortMultipart('tessera/k/1.tshare', UPLOAD_ID);
                return 'accepted: aborted';
              case 'deleteObject':
                await transport.deleteObject('tessera/k/1.tshare');
                return 'accepted: deleted';
              case 'putObject':
                await transport.putObject('tessera/k/1.tshare', new Uint8Array(3), { contentType: 'application/octet-stream' });
                return 'accepted: stored';
            }
          } catch (error) {
            if (error instanceof Finding) throw error;
            return checkFailure(error, operation);
          } finally {
            globalThis.fetch = realFetch;
          }
        },
      };
    };
  },
};
