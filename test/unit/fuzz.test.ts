/**
 * The CI-sized fuzzing run (test/fuzz, docs/fuzzing.md): every target with a fixed seed and a few
 * thousand inputs, each under a deadline; any crash or hang fails. The long mode is `npm run fuzz`.
 * Below, the inputs the fuzzer found bugs with, kept as regression tests.
 */
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TesseraError, protectBytes, recoverBytes } from '../../src/core/index.js';
import { RecoveryKitError, parseRecoveryKit } from '../../src/vault/recovery-kit.js';
import { refusalError } from '../../src/storage/azure/failures.js';
import { parseContainerSasUrl } from '../../src/storage/azure/sas.js';
import { parseBlobList, parseBlockList, parseErrorBody } from '../../src/storage/azure/xml.js';
import { ShareLinkError, decodeShareLink } from '../../src/storage/share-links.js';
import { errorCodesSeen, figuresTable, runTarget, type TargetFigures } from '../fuzz/runner.js';
import { TARGETS } from '../fuzz/targets/index.js';

const SEED = 0x7e55e4a1;
/** Per input; generous for a loaded 2-core CI machine (typical inputs take well under 10 ms). */
const DEADLINE_MS = 2000;
const INPUTS: Readonly<Record<string, number>> = {
  'DICOM header': 4000,
  'share decoder': 4000,
  'zip/bundle import': 2000,
  'recovery kit': 2000,
  'share link': 4000,
  'bucket responses': 4000,
  'S3 transport answers': 3000,
};

const figures: TargetFigures[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`fuzz (seed ${SEED}):\n${figuresTable(figures)}`);
});

describe(`fuzzing, CI budget (seed ${SEED.toString(16)})`, () => {
  for (const target of TARGETS) {
    const inputs = INPUTS[target.name] ?? 1000;
    it(`${target.name}: ${inputs} inputs, no crash, no hang`, { timeout: 120_000 }, async () => {
      const result = await runTarget(target, { seed: SEED, inputs, deadlineMs: DEADLINE_MS });
      figures.push(result);
      // Each failure says how to replay it: FUZZ_SEED=<seed> FUZZ_REPLAY="<target>:<index>" npm run fuzz
      expect(result.failures.map((failure) => `${failure.kind} at input ${failure.index} (${failure.mutations}): ${failure.error} — ${failure.input.slice(0, 300)}`)).toEqual([]);
      expect(result.crashes).toBe(0);
      expect(result.hangs).toBe(0);
      expect(result.inputs).toBe(inputs);
      // The mutations reach refusals of several kinds and accepted inputs alike.
      expect(errorCodesSeen(result.outcomes).length).toBeGreaterThanOrEqual(3);
      expect([...result.outcomes.keys()].some((label) => label.startsWith('accepted'))).toBe(true);
    });
  }
});

describe('regressions found by fuzzing', () => {
  it('a share link whose version is an object that cannot become text is link.version, not a TypeError', () => {
    for (const json of ['{"v":{"toString":1}}', '{"v":[{"toString":null}]}', '{"v":{"valueOf":{},"toString":{}},"s":5}']) {
      const encoded = Buffer.from(json).toString('base64url');
      expect(() => decodeShareLink(encoded)).toThrow(ShareLinkError);
      try {
        decodeShareLink(encoded);
      } catch (error) {
        expect((error as ShareLinkError).code).toBe('link.version');
      }
    }
  });

  it('a recovery kit nested thousands deep is kit.malformed or kit.not-a-kit, not a stack overflow', () => {
    const deep = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
    const cases: [string, string][] = [
      [`{"format":"tessera-recovery-kit","version":1,"shares":${deep(2000)}}`, 'kit.malformed'],
      [`{"format":"tessera-recovery-kit","version":${deep(100_000)}}`, 'kit.malformed'],
      [`{"tessera-kit":${deep(100_000)}}`, 'kit.malformed'],
      [deep(400_000), 'kit.not-a-kit'],
      [`{"a":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`, 'kit.not-a-kit'],
    ];
    for (const [text, code] of cases) {
      let thrown: unknown;
      try {
        parseRecoveryKit(text);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RecoveryKitError);
      expect((thrown as RecoveryKitError).code).toBe(code);
    }
    // Brackets inside strings do not count.
    expect(() => parseRecoveryKit(`{"format":"tessera-recovery-kit","version":2,"note":"${'['.repeat(50)}"}`)).toThrow(/kit\.version/);
  });

  it('Azure XML with thousands of unclosed tags is read in linear time, and real bodies as before', () => {
    for (const unclosed of ['<Error>', '<Error ', '<Blob>', '<Block>']) {
      const text = `<Blobs><BlockList><CommittedBlocks>${unclosed.repeat(50_000)}`;
      const started = performance.now();
      expect(parseErrorBody(text)).toEqual({ code: undefined, message: undefined, authenticationDetail: undefined });
      parseBlobList(text);
      parseBlockList(text);
      expect(performance.now() - started).toBeLessThan(500);
    }
    const body = '\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed.\nRequestId:1</Message><AuthenticationErrorDetail>Signed expiry time [a] must be after signed start time [b]</AuthenticationErrorDetail></Error>';
    expect(parseErrorBody(body)).toEqual({ code: 'AuthenticationFailed', message: 'Server failed.', authenticationDetail: 'Signed expiry time [a] must be after signed start time [b]' });
    expect(parseBlobList('<EnumerationResults><Blobs><Blob><Name>a&amp;b</Name><Properties><Content-Length>5</Content-Length></Properties></Blob><Blob a="1"><Name>c</Name><Properties><Content-Length>0</Content-Length></Properties></Blob></Blobs><NextMarker>m</NextMarker></EnumerationResults>')).toEqual({
      blobs: [{ key: 'a&b', size: 5 }, { key: 'c', size: 0 }],
      nextMarker: 'm',
    });
    expect(parseBlockList('<BlockList><CommittedBlocks><Block><Name>QQ==</Name><Size>3</Size></Block></CommittedBlocks><UncommittedBlocks><Block><Name>Qg==</Name><Size>4</Size></Block></UncommittedBlocks></BlockList>')).toEqual([
      { name: 'QQ==', size: 3, committed: true },
      { name: 'Qg==', size: 4, committed: false },
    ]);
  });

  it('an Azure Retry-After is a finite wait (never Infinity), capped at 10 minutes as for S3', () => {
    const sas = parseContainerSasUrl('https://account.blob.core.windows.net/shares?sv=2022-11-02&sr=c&sp=rcwdl&sig=abc');
    const waitFor = (retryAfter: string): unknown =>
      (refusalError({ operation: 'Put Block', status: 503, error: { code: 'ServerBusy', message: undefined, authenticationDetail: undefined }, requestId: null, retryAfter }, sas, 0) as { retryAfterMs?: unknown }).retryAfterMs;
    expect(waitFor('9'.repeat(400))).toBeUndefined();
    expect(waitFor('99999')).toBe(600_000);
    expect(waitFor('7')).toBe(7000);
    expect(waitFor('Thu, 01 Jan 1970 00:00:05 GMT')).toBe(5000);
    expect(waitFor('soon')).toBeUndefined();
  });

  it('recover with two pairs of different shares claiming one x each is refused or rebuilt, never a RangeError', async () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 7) & 0xff);
    const { shares } = await protectBytes(data, { scheme: 'shamir', k: 2, n: 4, chunkSize: 16 });
    /** The share with its key share changed and its header's SHA-256 written again: same x, another share. */
    const resealed = (share: Uint8Array): Uint8Array => {
      const out = share.slice();
      out[44]! ^= 0x5a;
      out.set(createHash('sha256').update(out.subarray(0, 76)).digest(), 76);
      return out;
    };
    const flipped = shares[2]!.slice();
    flipped[150]! ^= 1;
    // The input the fuzzer found (share decoder, seed 2119558305, input 20849), and the same without the identical twin.
    for (const given of [[shares[3]!, shares[2]!, flipped, shares[0]!, resealed(shares[0]!)], [shares[0]!, resealed(shares[0]!), shares[2]!, resealed(shares[2]!)]]) {
      try {
        const { data: rebuilt } = await recoverBytes(given);
        expect(rebuilt).toEqual(data);
      } catch (error) {
        expect(error).toBeInstanceOf(TesseraError);
        expect((error as TesseraError).code).toBe('share.duplicate');
      }
    }
  });
});
