/**
 * Bucket responses: what an S3-compatible store or Azure Blob answers when it refuses, turned into
 * the TransferError the transfer layer acts on (src/storage/s3/errors.ts parseS3Error and
 * s3ResponseError; src/storage/azure/xml.ts parseErrorBody and failures.ts refusalError), and the
 * Azure list documents the transport reads (parseBlockList, parseBlobList). Seeds: error bodies as
 * AWS, Ceph RGW, MinIO, R2 and Azure/Azurite write them, their usual headers (Date, Retry-After,
 * x-amz-*, x-ms-error-code, Content-Range), block and blob lists. Mutations: XML-aware (element text,
 * entities, unclosed and repeated tags, a DTD, CDATA), text edits, header values, status codes.
 *
 * Oracles: always a TransferError with a known kind and code; never the secret or the SAS
 * signature in its message; a Retry-After wait that is a finite number of milliseconds; list
 * entries with numeric sizes and string names.
 */
import { parseContainerSasUrl } from '../../../src/storage/azure/sas.js';
import { refusalError } from '../../../src/storage/azure/failures.js';
import { parseBlobList, parseBlockList, parseErrorBody } from '../../../src/storage/azure/xml.js';
import { parseS3Error, s3ResponseError } from '../../../src/storage/s3/errors.js';
import { TRANSFER_FAILURE_CODES, TransferError } from '../../../src/storage/transfer/transport.js';
import { AWKWARD_NUMBERS, mutateText, mutateXml } from '../mutators.js';
import type { FuzzRandom } from '../random.js';
import { Finding, textPreview, type FuzzTarget } from '../runner.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SAS_SIGNATURE = 'c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';
const SAS = parseContainerSasUrl(`https://account.blob.core.windows.net/shares?sv=2022-11-02&sr=c&sp=rcwdl&st=2024-01-01T00:00:00Z&se=2024-01-02T00:00:00Z&sig=${SAS_SIGNATURE}`);
const NOW = Date.parse('2024-01-01T12:00:00Z');
const KINDS = new Set(['retry', 'resign', 'fatal']);
const CODES = new Set<string>(TRANSFER_FAILURE_CODES);

const S3_BODIES = [
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256 ' + SECRET + '</StringToSign><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>',
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AuthorizationHeaderMalformed</Code><Message>the region &apos;us-east-1&apos; is wrong; expecting &apos;eu-west-1&apos;</Message><Region>eu-west-1</Region><RequestId>1</RequestId></Error>',
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>b</Bucket></Error>',
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>900</X-Amz-Expires><Expires>2024-01-01T00:15:00Z</Expires><ServerTime>2024-01-01T01:00:00Z</ServerTime></Error>',
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><RequestTime>20240101T000000Z</RequestTime><ServerTime>2024-01-01T02:00:00Z</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds></Error>',
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message></Message><BucketName>b</BucketName><RequestId>tx0000</RequestId><HostId>rgw</HostId></Error>',
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><BucketName>b</BucketName><RequestId>tx0000000000000000000-0065</RequestId><HostId>1234-default-default</HostId></Error>',
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>BadDigest</Code><Message>The Content-Md5 you specified did not match what we received. &#x41;&#65;&amp;&lt;&gt;</Message><Key>tessera/x/1.tshare</Key><BucketName>b</BucketName><Resource>/b/tessera/x/1.tshare</Resource><RequestId>17A</RequestId><HostId>dd9025</HostId></Error>',
  '',
  'Service Unavailable',
];

const AZURE_BODIES = [
  '\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nRequestId:5a2b\nTime:2024-01-01T12:00:00.0000000Z</Message><AuthenticationErrorDetail>Signed expiry time [Mon, 01 Jan 2024 00:00:00 GMT] must be after signed start time [Mon, 01 Jan 2024 12:00:00 GMT]</AuthenticationErrorDetail></Error>',
  '\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message><AuthenticationErrorDetail>Signature not valid in the specified time frame: Start [Mon, 01 Jan 2024 13:00:00 GMT] - Expiry [Tue, 02 Jan 2024 00:00:00 GMT] - Current [Mon, 01 Jan 2024 12:00:00 GMT]</AuthenticationErrorDetail></Error>',
  '\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message><AuthenticationErrorDetail>Signature did not match. String to sign used was rcwdl\n\n2024-01-02T00:00:00Z\n/blob/account/shares\nsig=' + SAS_SIGNATURE + '</AuthenticationErrorDetail></Error>',
  '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.</Message></Error>',
  '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is currently unable to receive requests. Please retry your request.</Message></Error>',
  '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationFailure</Code><Message>This request is not authorized to perform this operation.\nRequestId:1</Message></Error>',
  '<?xml version="1.0" encoding="utf-8"?><Error><Code>Md5Mismatch</Code><Message>The MD5 value specified in the request did not match with the MD5 value calculated by the server.</Message><UserSpecifiedMd5>abc=</UserSpecifiedMd5><ServerCalculatedMd5>def=</ServerCalculatedMd5></Error>',
  '',
];

const AZURE_LISTS = [
  '<?xml version="1.0" encoding="utf-8"?><BlockList><CommittedBlocks><Block><Name>dGVzc2VyYS0wMDAwMQ==</Name><Size>4194304</Size></Block><Block><Name>dGVzc2VyYS0wMDAwMg==</Name><Size>10</Size></Block></CommittedBlocks><UncommittedBlocks><Block><Name>dGVzc2VyYS0wMDAwMw==</Name><Size>7</Size></Block></UncommittedBlocks></BlockList>',
  '<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://account.blob.core.windows.net/" ContainerName="shares"><Blobs><Blob><Name>tessera/0123/1.tshare</Name><Properties><Content-Length>617300</Content-Length></Properties></Blob><Blob><Name>a&amp;b</Name><Properties><Content-Length>0</Content-Length></Properties></Blob></Blobs><NextMarker>2!88!MDAwMDE</NextMarker></EnumerationResults>',
];

const OPERATIONS = ['Put Blob', 'Put Block', 'Put Block List', 'Get Block List', 'Get Blob', 'Get Blob Properties', 'Delete Blob', 'List Blobs', 'Copy Blob'];
const STATUSES = [200, 206, 301, 304, 307, 400, 401, 403, 404, 408, 409, 412, 416, 429, 500, 501, 503, 504];

const DATES = ['Mon, 01 Jan 2024 12:00:00 GMT', 'Mon, 01 Jan 2024 14:00:00 GMT', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', '2024-01-01T12:00:00Z', 'yesterday', '', '0', '-1', '+275760-09-13T00:00:00.000Z'];

/** Header values as a fetch Response could carry them (Headers refuses the rest). */
function headerValue(random: FuzzRandom, seed: string): string {
  const roll = random.below(6);
  const value = roll === 0 ? random.pick(AWKWARD_NUMBERS) : roll === 1 ? random.pick(DATES) : roll === 2 ? ' '.repeat(random.below(3)) + seed + 'x'.repeat(random.pick([0, 5, 9000])) : mutateText(seed, random, DATES, undefined, { most: 2 });
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000\r\n]/g, '').replace(/[^\u0000-\u00ff]/g, '?');
}

function headersOf(random: FuzzRandom, names: readonly string[], seeds: Readonly<Record<string, string>>): Headers {
  const headers = new Headers();
  for (const name of names) {
    if (random.chance(0.3)) continue;
    const seed = seeds[name] ?? '';
    headers.set(name, random.chance(0.5) ? seed : headerValue(random, seed));
  }
  return headers;
}

function checkError(error: unknown, forbidden: string, what: string): string {
  if (!(error instanceof TransferError)) throw new Finding(`${what} did not give a TransferError`);
  if (!KINDS.has(error.kind) || !CODES.has(error.code)) throw new Finding(`${what}: unknown kind or code ${error.kind} ${error.code}`);
  if (error.message.includes(forbidden)) throw new Finding(`${what}: the message carries the secret`);
  const wait = (error as { retryAfterMs?: unknown }).retryAfterMs;
  // Both stores cap the wait a server asks for at 10 minutes.
  if (wait !== undefined && (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0 || wait > 600_000)) throw new Finding(`${what}: retryAfterMs ${String(wait)}`);
  return error.code;
}

export const bucketTarget: FuzzTarget = {
  name: 'bucket responses',
  description: 'S3 and Azure error bodies and headers to TransferError; Azure block and blob lists',
  async setup() {
    return (random) => {
      const which = random.below(10);
      const status = random.chance(0.85) ? random.pick(STATUSES) : random.between(100, 599);
      if (which < 5) {
        const text = mutateText(random.pick(S3_BODIES), random, S3_BODIES, mutateXml, { maxLength: 5 << 20 });
        const headers = headersOf(random, ['date', 'retry-after', 'x-amz-request-id', 'x-amz-bucket-region', 'content-type'], { date: DATES[0]!, 'retry-after': '3', 'x-amz-request-id': 'ABC', 'x-amz-bucket-region': 'eu-west-1', 'content-type': 'application/xml' });
        const signing = random.chance(0.5) ? { signedAt: NOW - random.pick([0, 60_000, 3_600_000]), expiresSeconds: random.pick([1, 900, 604_800]), receivedAt: NOW } : undefined;
        return {
          mutations: `S3 ${status}`,
          preview: () => `${textPreview(text)} headers ${JSON.stringify([...headers]).slice(0, 300)}`,
          async run() {
            const body = parseS3Error(text);
            if (body) for (const value of Object.values(body)) if (value !== undefined && (typeof value !== 'string' || value.length > 300)) throw new Finding('parseS3Error: a field is not a short string');
            return checkError(s3ResponseError('upload part 3', status, body, headers, { redact: [SECRET], ...(signing ? { signing } : {}) }), SECRET, 's3ResponseError');
          },
        };
      }
      if (which < 8) {
        const text = mutateText(random.pick(AZURE_BODIES), random, AZURE_BODIES, mutateXml, { maxLength: 5 << 20 });
        const headers = headersOf(random, ['x-ms-error-code', 'x-ms-request-id', 'retry-after'], { 'x-ms-error-code': 'ServerBusy', 'x-ms-request-id': 'r-1', 'retry-after': '2' });
        const operation = random.pick(OPERATIONS);
        return {
          mutations: `Azure ${operation} ${status}`,
          preview: () => `${textPreview(text)} headers ${JSON.stringify([...headers]).slice(0, 300)}`,
          async run() {
            const body = parseErrorBody(text);
            const error = refusalError(
              { operation, status, error: { ...body, code: body.code ?? headers.get('x-ms-error-code') ?? undefined }, requestId: headers.get('x-ms-request-id'), retryAfter: headers.get('retry-after') },
              SAS,
              NOW,
            );
            return checkError(error, decodeURIComponent(SAS_SIGNATURE), 'refusalError') && checkError(error, SAS_SIGNATURE, 'refusalError');
          },
        };
      }
      const text = mutateText(random.pick(AZURE_LISTS), random, AZURE_LISTS, mutateXml, { maxLength: 5 << 20 });
      return {
        mutations: 'Azure list',
        preview: () => textPreview(text),
        async run() {
          const blocks = parseBlockList(text);
          const { blobs, nextMarker } = parseBlobList(text);
          if (!blocks.every((block) => typeof block.name === 'string' && typeof block.size === 'number' && typeof block.committed === 'boolean')) throw new Finding('parseBlockList: a malformed block');
          if (!blobs.every((blob) => blob.key !== '' && Number.isSafeInteger(blob.size)) || typeof nextMarker !== 'string') throw new Finding('parseBlobList: a malformed blob');
          return blocks.length + blobs.length > 0 ? 'accepted: list' : 'accepted: empty list';
        },
      };
    };
  },
};
