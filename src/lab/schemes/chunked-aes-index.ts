import type { Holding, LabImage, LabRandom, LabScheme, Protection } from '../types.js';
import { decryptCbc, encryptCbc, hex } from './aes-cbc.js';

/**
 * Seed 002 — Anuja & Jeyamala, "A Survey on Security Issues and Solutions for Storage and Exchange
 * of Medical Images in Cloud" (../../../../shared/seeds/002_f89c45f9e959cfef.txt), the cloud PACS of
 * its reference [7] (Bastião Silva, Costa & Oliveira, "A PACS archive architecture supported on
 * cloud services", 2012), as the survey describes it in its sections on confidentiality, integrity
 * and privacy: "The data is divided into chunks, encrypted with AES and send to blobstore. The patient
 * name, {study, instance UID}, encryption session key are securely transmitted and stored in
 * MasterIndex", with the blobstore on two providers, "Amazon S3 and Google Storage".
 *
 * What the survey fixes: chunks, AES, a session key and the object list in a master index kept off
 * the storage clouds (here: by the owner), two storage clouds. What it leaves open, and what was
 * chosen: the chunk size (1 KiB by default, so that even a small picture makes several chunks on each cloud); the
 * AES mode and key size (CBC with a random IV per chunk and a 256-bit session key, as the survey
 * reports for the same group's XDS-I proxy, its [10]); the placement (chunk i on cloud i mod c);
 * object names (random, so a cloud does not learn the order of what it keeps — the order is in the
 * index). Each object is IV ‖ AES-CBC(chunk).
 *
 * WARNING, measured by the Lab: the survey credits AES with integrity ("The integrity is provided by
 * the encryption algorithm AES"); CBC gives none — an altered chunk decrypts to altered pixels with
 * no error. Availability needs every cloud (no redundancy), and the master index, holding the one
 * session key, is the single point of failure and of compromise: the key management problem the
 * survey itself names as open.
 */

export type ChunkedAesParams = {
  /** Storage clouds (the survey: two, Amazon S3 and Google Storage). */
  readonly clouds: number;
  /** Bytes of the picture per chunk, a positive multiple of 16. */
  readonly chunkSize: number;
};

/** One line of the master index: where chunk i is. */
interface IndexEntry {
  readonly cloud: number;
  readonly object: string;
}

interface MasterIndex {
  readonly sessionKey: Uint8Array;
  /** In picture order. */
  readonly chunks: readonly IndexEntry[];
  readonly width: number;
  readonly height: number;
}

const IV_SIZE = 16;

function assertParams(params: ChunkedAesParams): ChunkedAesParams {
  if (!Number.isSafeInteger(params.clouds) || params.clouds < 1) throw new RangeError(`clouds must be a positive integer, got ${params.clouds}`);
  if (!Number.isSafeInteger(params.chunkSize) || params.chunkSize < 16 || params.chunkSize % 16 !== 0) {
    throw new RangeError(`chunkSize must be a positive multiple of 16, got ${params.chunkSize}`);
  }
  return params;
}

export const chunkedAesIndex: LabScheme<ChunkedAesParams> = {
  id: 'chunked-aes-index',
  title: 'Cloud PACS: AES chunks on two clouds, master index kept by the owner',
  paper: {
    seed: '002_f89c45f9e959cfef.txt',
    title: 'Anuja & Jeyamala, "A Survey on Security Issues and Solutions for Storage and Exchange of Medical Images in Cloud"',
    where: 'the cloud-based PACS of its reference [7] (Bastião Silva et al. 2012): confidentiality, integrity and privacy tables',
  },
  defaults: { clouds: 2, chunkSize: 1024 },
  clouds: (params) => assertParams(params).clouds,
  // Every cloud keeps chunks of every picture larger than (clouds − 1) chunks: all are needed.
  threshold: (params) => assertParams(params).clouds,
  keySpaceBits: () => 256,
  lossless: true,

  async protect(image: LabImage, params: ChunkedAesParams, random: LabRandom): Promise<Protection> {
    assertParams(params);
    const sessionKey = new Uint8Array(32);
    random(sessionKey);
    const holdings: Holding[] = [];
    const chunks: IndexEntry[] = [];
    const ciphertexts: Uint8Array[] = [];
    const count = Math.max(1, Math.ceil(image.pixels.length / params.chunkSize));
    for (let i = 0; i < count; i++) {
      const iv = new Uint8Array(IV_SIZE);
      random(iv);
      const ciphertext = await encryptCbc(sessionKey, iv, image.pixels.subarray(i * params.chunkSize, (i + 1) * params.chunkSize));
      const object = new Uint8Array(IV_SIZE + ciphertext.length);
      object.set(iv);
      object.set(ciphertext, IV_SIZE);
      const name = new Uint8Array(8);
      random(name);
      const entry = { cloud: i % params.clouds, object: hex(name) };
      chunks.push(entry);
      ciphertexts.push(ciphertext);
      holdings.push({ cloud: entry.cloud, name: `object ${entry.object}`, bytes: object });
    }
    const index: MasterIndex = { sessionKey, chunks, width: image.width, height: image.height };
    // The chunks' ciphertexts in picture order, padding blocks left out: the encrypted picture.
    const cipher = new Uint8Array(image.pixels.length);
    ciphertexts.forEach((ciphertext, i) => cipher.set(ciphertext.subarray(0, Math.min(params.chunkSize, cipher.length - i * params.chunkSize)), i * params.chunkSize));
    return {
      holdings,
      ownerKeeps: `master index: AES-256 session key ${hex(sessionKey)} and the names of ${count} chunk${count === 1 ? '' : 's'} in order`,
      cipherImage: { width: image.width, height: image.height, pixels: cipher },
      secret: index,
    };
  },

  async recover(protection: Protection, clouds: readonly number[], params: ChunkedAesParams): Promise<LabImage> {
    assertParams(params);
    const index = protection.secret as MasterIndex | undefined;
    if (index === undefined) throw new Error('cannot rebuild: the master index (session key and chunk list) is missing');
    const wanted = new Set(clouds);
    const byName = new Map<string, Uint8Array>();
    for (const holding of protection.holdings) if (wanted.has(holding.cloud)) byName.set(holding.name, holding.bytes);
    const parts: Uint8Array[] = [];
    for (const [i, entry] of index.chunks.entries()) {
      const object = byName.get(`object ${entry.object}`);
      if (object === undefined) {
        throw new Error(`cannot rebuild: chunk ${i + 1} of ${index.chunks.length} is on cloud ${entry.cloud}, which is not among the clouds given (${[...wanted].join(', ') || 'none'})`);
      }
      try {
        parts.push(await decryptCbc(index.sessionKey, object.subarray(0, IV_SIZE), object.subarray(IV_SIZE)));
      } catch (cause) {
        throw new Error(`cannot decrypt chunk ${i + 1}: wrong key or altered padding`, { cause });
      }
    }
    const pixels = new Uint8Array(index.width * index.height);
    let offset = 0;
    for (const part of parts) {
      if (offset + part.length > pixels.length) throw new Error('the chunks decrypt to more bytes than the picture has');
      pixels.set(part, offset);
      offset += part.length;
    }
    if (offset !== pixels.length) throw new Error(`the chunks decrypt to ${offset} bytes, expected ${pixels.length}`);
    return { width: index.width, height: index.height, pixels };
  },
};
