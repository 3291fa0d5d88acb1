/**
 * De-identification of a two-instance study written by DCMTK in every transfer syntax Tessera
 * reads: DCMTK and pydicom read every output, pixel data is untouched, no identifying string is left
 * anywhere in the bytes, UIDs are consistent across the study, dates move together; the identity
 * part keeps what the copy lost; bad input gets a typed error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeidentificationContext,
  DeidentificationError,
  deidentify,
  identityPartFromJson,
  identityPartToJson,
  type DeidentificationErrorCode,
  type DeidentificationOptions,
  type DeidentificationResult,
} from '../../src/dicom/deid/index.js';
import { deterministicRandom, patternBytes } from '../helpers/deterministic-random.js';
import {
  dcmtkVerdict,
  FIXTURE_SYNTAXES,
  IDENTIFYING_STRINGS,
  PATIENT,
  readWithPydicom,
  STUDY,
  studyDump,
  TRANSFER_SYNTAX_UID,
  writeFixture,
  type FixtureSyntax,
  type PydicomFile,
} from '../helpers/dicom-deid-fixtures.js';
import { fixtureFolder, runPython } from '../helpers/dicom-tools.js';

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function read(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

async function expectDeidError(promise: Promise<unknown>, code: DeidentificationErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected DeidentificationError ${code}`).toBeInstanceOf(DeidentificationError);
  expect((error as DeidentificationError).code).toBe(code);
  for (const secret of IDENTIFYING_STRINGS) expect((error as Error).message).not.toContain(secret);
}

describe('de-identifying a study in every transfer syntax', () => {
  const folder = fixtureFolder('deid-study');
  const inputs = new Map<FixtureSyntax, { a: string; b: string }>();
  const outputs = new Map<FixtureSyntax, { a: DeidentificationResult; b: DeidentificationResult; aPath: string; bPath: string }>();
  let pydicom: Record<string, PydicomFile> = {};

  beforeAll(async () => {
    for (const syntax of FIXTURE_SYNTAXES) {
      const a = writeFixture(folder.path, 'a', studyDump({ sopInstanceUid: STUDY.instanceA, referencedInstanceUid: STUDY.instanceB, burnedIn: 'NO' }), syntax);
      const b = writeFixture(folder.path, 'b', studyDump({ sopInstanceUid: STUDY.instanceB, referencedInstanceUid: STUDY.instanceA, instanceNumber: 2, burnedIn: 'NO' }), syntax);
      inputs.set(syntax, { a, b });
      // One context per drop: the two files of the study share it.
      const context = createDeidentificationContext({ secret: SECRET });
      const resultA = await deidentify(read(a), {}, context);
      const resultB = await deidentify(read(b), {}, context);
      const aPath = join(folder.path, `a-${syntax}-deid.dcm`);
      const bPath = join(folder.path, `b-${syntax}-deid.dcm`);
      writeFileSync(aPath, resultA.bytes);
      writeFileSync(bPath, resultB.bytes);
      outputs.set(syntax, { a: resultA, b: resultB, aPath, bPath });
    }
    const paths = [...inputs.values()].flatMap(({ a, b }) => [a, b]).concat([...outputs.values()].flatMap(({ aPath, bPath }) => [aPath, bPath]));
    pydicom = readWithPydicom(paths);
  });

  afterAll(() => folder.remove());

  for (const syntax of FIXTURE_SYNTAXES) {
    describe(syntax, () => {
      it('gives files DCMTK reads without a warning and recognises as Part 10', () => {
        const { aPath, bPath } = outputs.get(syntax)!;
        for (const path of [aPath, bPath]) expect(dcmtkVerdict(path)).toEqual({ exitCode: 0, stderr: '', part10: true });
      });

      it('keeps the transfer syntax (a deflated input is written as explicit VR little endian)', () => {
        const { aPath } = outputs.get(syntax)!;
        const expected = syntax === 'deflated' ? TRANSFER_SYNTAX_UID.explicit : TRANSFER_SYNTAX_UID[syntax];
        expect(pydicom[aPath]!.meta['00020010']!.value).toBe(expected);
      });

      it('copies the pixel data byte for byte', () => {
        const { a } = inputs.get(syntax)!;
        const { aPath } = outputs.get(syntax)!;
        expect(pydicom[a]!.pixel).not.toBeNull();
        expect(pydicom[aPath]!.pixel).toBe(pydicom[a]!.pixel);
      });

      it('leaves no identifying string anywhere in the bytes', () => {
        const { a, b } = outputs.get(syntax)!;
        for (const result of [a, b]) {
          const text = latin1(result.bytes).toLowerCase();
          for (const secret of IDENTIFYING_STRINGS) expect(text.includes(secret.toLowerCase()), secret).toBe(false);
        }
      });

      it('replaces UIDs consistently across the study', () => {
        const { a: inA, b: inB } = inputs.get(syntax)!;
        const { aPath, bPath } = outputs.get(syntax)!;
        const [origA, origB, outA, outB] = [pydicom[inA]!.data, pydicom[inB]!.data, pydicom[aPath]!.data, pydicom[bPath]!.data];
        for (const tag of ['0020000D', '0020000E', '00200052']) {
          expect(outA[tag]!.value, tag).toBe(outB[tag]!.value);
          expect(outA[tag]!.value, tag).not.toBe(origA[tag]!.value);
          expect(outA[tag]!.value, tag).toMatch(/^2\.25\.\d{1,39}$/);
        }
        expect(outA['00080018']!.value).not.toBe(outB['00080018']!.value);
        expect(outA['00080018']!.value).not.toBe(origA['00080018']!.value);
        // A references B and B references A: each reference follows the referenced instance's new UID.
        expect(outA['00081140']!.items![0]!['00081155']!.value).toBe(outB['00080018']!.value);
        expect(outB['00081140']!.items![0]!['00081155']!.value).toBe(outA['00080018']!.value);
        expect(outA['00081140']!.items![0]!['00081150']!.value).toBe(origB['00080016']!.value);
        expect(pydicom[aPath]!.meta['00020003']!.value).toBe(outA['00080018']!.value);
      });

      it('removes or empties dates without the longitudinal option, and replaces the file meta information', () => {
        const { aPath } = outputs.get(syntax)!;
        const { data, meta } = pydicom[aPath]!;
        expect(data['00080020']!.value).toBe('');
        expect(data['00100030']!.value).toBe('');
        expect(data['00080012']).toBeUndefined();
        expect(data['00120062']!.value).toBe('YES');
        expect(meta['00020013']!.value).toBe('TESSERA_0_1');
        expect(Object.keys(meta).sort()).toEqual(['00020000', '00020001', '00020002', '00020003', '00020010', '00020012', '00020013']);
      });
    });
  }

  it('derives each new UID as 2.25.<HMAC-SHA-256 based UUID> (checked against Python\'s hmac)', () => {
    const { a } = outputs.get('explicit')!;
    const expected = runPython(
      `
import hmac, hashlib, sys
key = bytes(int(x) for x in sys.argv[1].split(','))
digest = bytearray(hmac.new(key, b'uid\\x00' + sys.argv[2].encode(), hashlib.sha256).digest()[:16])
digest[6] = (digest[6] & 0x0f) | 0x80
digest[8] = (digest[8] & 0x3f) | 0x80
print('2.25.' + str(int.from_bytes(digest, 'big')))
`,
      [Array.from(SECRET).join(','), STUDY.instanceA],
    ).trim();
    expect(a.identity.uidMap[STUDY.instanceA]).toBe(expected);
  });
});

describe('options on the study', () => {
  const folder = fixtureFolder('deid-options');
  afterAll(() => folder.remove());

  async function run(options: DeidentificationOptions, syntax: FixtureSyntax = 'explicit') {
    const a = writeFixture(folder.path, 'a', studyDump({ sopInstanceUid: STUDY.instanceA, referencedInstanceUid: STUDY.instanceB }), syntax);
    const b = writeFixture(folder.path, 'b', studyDump({ sopInstanceUid: STUDY.instanceB, referencedInstanceUid: STUDY.instanceA }), syntax);
    const context = createDeidentificationContext({ random: deterministicRandom(99) });
    const resultA = await deidentify(read(a), options, context);
    const resultB = await deidentify(read(b), options, context);
    const aPath = join(folder.path, 'a-out.dcm');
    const bPath = join(folder.path, 'b-out.dcm');
    writeFileSync(aPath, resultA.bytes);
    writeFileSync(bPath, resultB.bytes);
    const files = readWithPydicom([aPath, bPath]);
    return { resultA, resultB, outA: files[aPath]!, outB: files[bPath]!, aPath };
  }

  it('shifts every date of a patient by the same number of days with Modified Dates, keeping times', async () => {
    const { resultA, resultB, outA, outB, aPath } = await run({ retainLongitudinalTemporalInformation: 'modified-dates' });
    const offset = resultA.identity.dateOffsetDays!;
    expect(resultB.identity.dateOffsetDays).toBe(offset);
    expect(offset).toBeLessThanOrEqual(-1);
    expect(offset).toBeGreaterThanOrEqual(-3650);
    const study = new Date(Date.UTC(2024, 0, 15 + offset));
    const expected = `${study.getUTCFullYear()}${String(study.getUTCMonth() + 1).padStart(2, '0')}${String(study.getUTCDate()).padStart(2, '0')}`;
    for (const out of [outA, outB]) {
      expect(out.data['00080020']!.value).toBe(expected);
      expect(out.data['00080022']!.value).toBe(expected);
      expect(out.data['0008002A']!.value).toBe(`${expected}093000.000000+0100`);
      expect(out.data['00080030']!.value).toBe('093000');
      expect(out.data['00280303']!.value).toBe('MODIFIED');
      // Birth date has no longitudinal column: it goes whatever the option.
      expect(out.data['00100030']!.value).toBe('');
    }
    expect(dcmtkVerdict(aPath)).toEqual({ exitCode: 0, stderr: '', part10: true });
  });

  it('keeps dates unchanged with Full Dates', async () => {
    const { outA } = await run({ retainLongitudinalTemporalInformation: 'full-dates' });
    expect(outA.data['00080020']!.value).toBe('20240115');
    expect(outA.data['00080012']!.value).toBe('20240110');
    expect(outA.data['00280303']!.value).toBe('UNMODIFIED');
  });

  it('keeps original UIDs with Retain UIDs', async () => {
    const { outA } = await run({ retainUids: true });
    expect(outA.data['0020000D']!.value).toBe(STUDY.studyUid);
    expect(outA.data['00080018']!.value).toBe(STUDY.instanceA);
    expect(outA.meta['00020003']!.value).toBe(STUDY.instanceA);
  });

  it('keeps descriptors with Clean Descriptors, blanking the names and dates found elsewhere in the file', async () => {
    const { resultA, outA } = await run({ cleanDescriptors: true });
    expect(outA.data['00081030']!.value).toBe('CT chest for *** ***');
    expect(outA.data['001021B0']!.value).toBe('Smoker. Seen by *** on ***');
    expect(outA.data['0008103E']!.value).toBe('Chest 1mm');
    expect(resultA.warnings.map((w) => w.code)).toContain('descriptors-kept');
  });

  it('keeps patient characteristics and device and institution identity with their options', async () => {
    const { outA } = await run({ retainPatientCharacteristics: true, retainDeviceIdentity: true, retainInstitutionIdentity: true });
    expect(outA.data['00100040']!.value).toBe('M');
    expect(outA.data['00101010']!.value).toBe('062Y');
    expect(outA.data['00181000']!.value).toBe('SN-998877');
    expect(outA.data['00081010']!.value).toBe('CTSTATION7');
    expect(outA.data['00080080']!.value).toBe(PATIENT.institution);
  });
});

describe('burned-in annotation warnings', () => {
  const folder = fixtureFolder('deid-burned-in');
  afterAll(() => folder.remove());

  async function warningsFor(fixture: Parameters<typeof studyDump>[0]) {
    const path = writeFixture(folder.path, 'w', studyDump(fixture), 'explicit');
    const result = await deidentify(read(path), {}, createDeidentificationContext({ secret: SECRET }));
    return result.warnings.map((w) => w.code);
  }

  it('warns when the file says Burned In Annotation = YES', async () => {
    expect(await warningsFor({ sopInstanceUid: '1.2.3.4.1', referencedInstanceUid: '1.2.3.4.2', burnedIn: 'YES' })).toEqual(['burned-in-annotation']);
  });

  it('warns for ultrasound and secondary capture images that do not say NO', async () => {
    expect(await warningsFor({ sopInstanceUid: '1.2.3.4.1', referencedInstanceUid: '1.2.3.4.2', modality: 'US', sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1' })).toEqual(['burned-in-annotation-likely']);
    expect(await warningsFor({ sopInstanceUid: '1.2.3.4.1', referencedInstanceUid: '1.2.3.4.2', modality: 'OT', sopClassUid: '1.2.840.10008.5.1.4.1.1.7' })).toEqual(['burned-in-annotation-likely']);
  });

  it('does not warn for a CT that says NO, and words every warning plainly without patient data', async () => {
    expect(await warningsFor({ sopInstanceUid: '1.2.3.4.1', referencedInstanceUid: '1.2.3.4.2', burnedIn: 'NO' })).toEqual([]);
    const path = writeFixture(folder.path, 'w', studyDump({ sopInstanceUid: '1.2.3.4.1', referencedInstanceUid: '1.2.3.4.2', modality: 'US' }), 'explicit');
    const result = await deidentify(read(path), {}, createDeidentificationContext({ secret: SECRET }));
    for (const w of result.warnings) {
      expect(w.message.length).toBeGreaterThan(40);
      for (const secret of IDENTIFYING_STRINGS) expect(w.message).not.toContain(secret);
    }
  });
});

describe('the partition: identity part', () => {
  const folder = fixtureFolder('deid-partition');
  afterAll(() => folder.remove());

  it('holds what the copy lost, survives JSON, and leaves the original bytes untouched', async () => {
    const path = writeFixture(folder.path, 'p', studyDump({ sopInstanceUid: STUDY.instanceA, referencedInstanceUid: STUDY.instanceB }), 'explicit');
    const original = read(path);
    const before = original.slice();
    const result = await deidentify(original, { retainLongitudinalTemporalInformation: 'modified-dates' }, createDeidentificationContext({ secret: SECRET }));
    expect(original).toEqual(before);
    const part = identityPartFromJson(identityPartToJson(result.identity));
    expect(part).toEqual(result.identity);
    const name = part.entries.find((entry) => entry.path === '00100010')!;
    expect(name.action).toBe('Z');
    expect(latin1(Uint8Array.from(atob(name.original), (c) => c.charCodeAt(0)))).toContain(PATIENT.name);
    const nested = part.entries.find((entry) => entry.path === '00081140[0]/0040A170[0]/00100010');
    expect(nested?.action).toBe('Z');
    expect(part.uidMap[STUDY.instanceA]).toMatch(/^2\.25\./);
    expect(part.dateOffsetDays).toBe(result.identity.dateOffsetDays);
    // The list shown to a user names attributes, never values.
    expect(JSON.stringify(result.removed)).not.toContain('Smithson');
    expect(result.removed.some((removed) => removed.tag === '00100010' && removed.name === "Patient's Name")).toBe(true);
  });

  it('rejects an identity part that is not one', () => {
    for (const bad of ['', '{}', '{"version":2}', JSON.stringify({ version: 1, method: [], elementTransferSyntaxUid: 'x', entries: [{ path: 1 }], uidMap: {}, dateOffsetDays: null })]) {
      expect(() => identityPartFromJson(bad)).toThrow(TypeError);
    }
  });
});

describe('bad input', () => {
  const folder = fixtureFolder('deid-bad');
  let valid: Uint8Array;
  const context = createDeidentificationContext({ secret: SECRET });

  beforeAll(() => {
    valid = read(writeFixture(folder.path, 'v', studyDump({ sopInstanceUid: STUDY.instanceA, referencedInstanceUid: STUDY.instanceB }), 'explicit'));
  });
  afterAll(() => folder.remove());

  it('says not-dicom for empty, random and non-DICOM bytes', async () => {
    await expectDeidError(deidentify(new Uint8Array(0), {}, context), 'dicom.not-dicom');
    await expectDeidError(deidentify(patternBytes(4096), {}, context), 'dicom.not-dicom');
    await expectDeidError(deidentify(new TextEncoder().encode('%PDF-1.7 not an image'), {}, context), 'dicom.not-dicom');
  });

  it('says truncated for a file cut inside its pixel data or its meta information', async () => {
    await expectDeidError(deidentify(valid.subarray(0, valid.length - 5), {}, context), 'dicom.truncated');
    await expectDeidError(deidentify(valid.subarray(0, 150), {}, context), 'dicom.truncated');
  });

  it('never throws anything but a DeidentificationError, wherever the file is cut or corrupted', async () => {
    const random = deterministicRandom(7);
    const noise = new Uint8Array(1);
    for (let cut = 0; cut < valid.length; cut += 37) {
      const outcome = await deidentify(valid.subarray(0, cut), {}, context).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (outcome !== undefined) expect(outcome, `cut at ${cut}`).toBeInstanceOf(DeidentificationError);
    }
    for (let trial = 0; trial < 200; trial++) {
      const corrupted = valid.slice();
      random(noise);
      const position = 132 + ((noise[0]! * 131 + trial * 17) % (corrupted.length - 132));
      random(noise);
      corrupted[position] = noise[0]!;
      const outcome = await deidentify(corrupted, {}, context).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (outcome !== undefined) expect(outcome, `byte ${position}`).toBeInstanceOf(DeidentificationError);
    }
  });

  it('rejects wrong arguments with TypeError / RangeError', async () => {
    await expect(deidentify('not bytes' as unknown as Uint8Array, {}, context)).rejects.toBeInstanceOf(TypeError);
    await expect(deidentify(valid, { retainUids: 'yes' } as unknown as DeidentificationOptions, context)).rejects.toBeInstanceOf(TypeError);
    await expect(deidentify(valid, { retainLongitudinalTemporalInformation: 'shift' } as unknown as DeidentificationOptions, context)).rejects.toBeInstanceOf(RangeError);
    expect(() => createDeidentificationContext({ secret: new Uint8Array(5) })).toThrow(RangeError);
  });
});
