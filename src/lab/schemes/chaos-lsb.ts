import { checkImage } from '../pictures.js';
import type { Holding, LabImage, LabScheme, Protection } from '../types.js';

/**
 * Logistic-map chaos encryption with LSB steganography of the patient data and the key — seed 003
 * (Kurnaz & Jasim, "Cloud System for Encryption and Authentication Medical Images", IOSR-JCE 20(1),
 * 2018), section II: the DICOM partition (1st step, table 1), the encryption (2nd step, table 2),
 * the LSB embedding done by the cloud (3rd step, table 3), the extraction and decryption done by the
 * doctor's application (4th and 5th steps, tables 4–5).
 *
 * The system, as the paper builds it:
 * 1. The clinic partitions the DICOM file into its pixels and its patient data (a text file). In
 *    the Lab the pixels are the LabImage and the patient data is `params.patientData`.
 * 2. The clinic encrypts the pixels with the standard logistic map x_{n+1} = μ·x_n·(1 − x_n),
 *    x₀ = 0.4, μ = 3.87 (section II, "Encryption processes", numbered 1.2 in the text), in
 *    Fridrich's confusion-then-diffusion architecture, pixel by pixel, and writes the key into the
 *    patient-data text file (table 2 step 5).
 * 3. Both go to the cloud, which keeps the encrypted image in a file and the patient data with the
 *    key in its database (abstract; section II "the keys of this encrypted image will be saved in a
 *    data-base with patient information"). The Lab's two holdings are exactly these; the database
 *    row also carries the stego-key the cloud shares with the doctors registered with it.
 * 4. On a doctor's request, the cloud hides the stego-key, the patient data and the encryption key
 *    in the least significant bits of the encrypted image (table 3) and sends that stego image
 *    (stegoImageForDoctor; it is made on request, not stored).
 * 5. The doctor's application reads the LSBs, checks the stego-key, and decrypts (tables 4–5).
 *
 * What the paper leaves open, and what is chosen here (each also marked "paper silent" below): how
 * the map's values become a permutation and key bytes, the diffusion formula, how many map values
 * each stage uses, the bit order and the termination symbol of the embedding.
 *
 * WARNING: this protects nothing from the cloud, or from anyone who sees the stego image. The cloud
 * stores the key beside the encrypted image, and the stego image carries the key in its LSBs after a
 * stego-key that is itself written in the clear in the first pixels. Even without it, the key space
 * at the paper's precision (x₀ to one decimal, μ to two) is 9 × 43 = 387 keys, under 9 bits.
 * test/unit/lab-chaos-lsb.test.ts demonstrates each.
 */

export type ChaosLsbParams = {
  /** Initial condition x₀ of the logistic map (seed 003 "Encryption processes": 0.4). Part of the key. */
  readonly x0: number;
  /** Control parameter μ of the logistic map (seed 003 "Encryption processes": 3.87). Part of the key. */
  readonly mu: number;
  /**
   * The patient data the DICOM partition takes out of the file (seed 003 table 1; section II lists
   * the database's seven columns). A fictitious record by default.
   */
  readonly patientData: string;
  /** The stego-key written first and checked by the doctor's application (tables 3–4). Paper silent on its value. */
  readonly stegoKey: string;
};

export const CHAOS_LSB_DEFAULTS: ChaosLsbParams = {
  x0: 0.4,
  mu: 3.87,
  patientData: [
    'PATIENTID=TESSERA-DEMO-0001',
    'PATIENTNAME=DEMO^ALEX',
    'STUDYID=TDH-A0001',
    'SERIESNUMBER=1',
    'INSTANCENUMBER=1',
    'MODALITY=CT',
    'SOPCLASS=1.2.840.10008.5.1.4.1.1.2',
  ].join('\n'),
  stegoKey: 'doctor',
};

/** μ range where the map is chaotic, as the paper gives it ("Encryption processes": 3.58 ≤ μ ≤ 4). */
const CHAOTIC_MU_LOW = 3.58;
const CHAOTIC_MU_HIGH = 4;

/**
 * Table 3 step 5: 'Here the symbol used is "0" as a termination symbol.' Read as the character '0'
 * it would cut the key x0=0.4 short at its first digit, so it is read here as the byte 0 (NUL).
 */
const TERMINATOR = 0;

/** How the key is written into the patient-data text file (table 2 step 5; paper silent on the format). */
const KEY_X0 = 'KEY_X0=';
const KEY_MU = 'KEY_MU=';
/** The stego-key the cloud shares with the registered doctor, kept on the last line of its database row. */
const STEGO_KEY = 'STEGO_KEY=';

export const chaosLsb: LabScheme<ChaosLsbParams> = {
  id: 'chaos-lsb',
  title: 'Logistic-map chaos encryption, key and patient data hidden in the LSBs (x₀ = 0.4, μ = 3.87)',
  paper: {
    seed: '003_55d8d27888ebd1d3.txt',
    title: 'Kurnaz & Jasim, "Cloud System for Encryption and Authentication Medical Images"',
    where: 'section II, steps 1–5 (tables 1–5); results in section III, table 6',
  },
  defaults: CHAOS_LSB_DEFAULTS,
  // One cloud keeps everything (and is trusted with the key).
  clouds: () => 1,
  threshold: () => 1,
  keySpaceBits: (params) => keySpaceBits(params),
  // The paper claims a lossless retrieval, but its own table 6 shows MSE > 0, and so does this code:
  // the LSBs overwritten in the encrypted image decrypt to wrong pixels.
  lossless: false,

  async protect(image, params) {
    checkImage(image, 'image');
    checkParams(params);
    const stored = encryptImage(image, params.x0, params.mu);
    const row = `${patientTextFile(params)}\n${STEGO_KEY}${params.stegoKey}`;
    const holdings: Holding[] = [
      { cloud: 0, name: 'encrypted image', bytes: stored.pixels, picture: stored },
      { cloud: 0, name: 'database row (patient data, key, stego-key)', bytes: new TextEncoder().encode(row) },
    ];
    // Fail at protection, not at the doctor's request, if the stego image could not carry the data.
    stegoImageForDoctor({ holdings });
    // The owner keeps nothing: the key is in the cloud's database (and, on request, in the image).
    return { holdings, cipherImage: stored };
  },

  async recover(protection, clouds, params) {
    checkParams(params);
    if (!clouds.includes(0)) throw new Error('chaos-lsb: the one cloud (cloud 0) holds the encrypted image; without it nothing can be rebuilt');
    const stego = stegoImageForDoctor(protection);
    // The doctor's application (tables 4–5): read the LSBs, check the stego-key, decrypt.
    const hidden = extractLsb(stego);
    if (hidden.stegoKey !== params.stegoKey) throw new Error('chaos-lsb: the stego-key hidden in the image does not match the one given (table 4 step 4)');
    const key = parseKey(hidden.text);
    return decryptImage(stego, key.x0, key.mu);
  },
};

/**
 * What the cloud sends a doctor (seed 003 table 3), made from nothing but what the cloud holds: its
 * stored encrypted image with the stego-key, the patient data and the encryption key from its
 * database row written into the LSBs.
 */
export function stegoImageForDoctor(protection: Pick<Protection, 'holdings'>): LabImage {
  const stored = protection.holdings.find((holding) => holding.cloud === 0 && holding.picture !== undefined)?.picture;
  const row = protection.holdings.find((holding) => holding.cloud === 0 && holding.picture === undefined)?.bytes;
  if (stored === undefined || row === undefined) throw new Error('chaos-lsb: the cloud must hold the encrypted image and the database row');
  const text = new TextDecoder().decode(row);
  const cut = text.lastIndexOf(`\n${STEGO_KEY}`);
  if (cut < 0) throw new Error('chaos-lsb: the database row has no stego-key');
  return embedLsb(stored, stegoPayload(text.slice(cut + 1 + STEGO_KEY.length), text.slice(0, cut)));
}

/**
 * x_1, x_2, …, x_count of the standard logistic map x_{n+1} = μ·x_n·(1 − x_n) from x₀ (seed 003
 * "Encryption processes"), in IEEE-754 double precision as Java (the paper's language) and
 * JavaScript compute it.
 */
export function logisticSequence(x0: number, mu: number, count: number): Float64Array {
  checkKey(x0, mu);
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const out = new Float64Array(count);
  let x = x0;
  for (let i = 0; i < count; i++) {
    x = mu * x * (1 - x);
    out[i] = x;
  }
  return out;
}

/**
 * The encryption (seed 003 table 2), N = W·H pixels in row order, one orbit of the map from x₀:
 *
 * Confusion (step 3, "rearrangement of pixel positions depending on the generated values"):
 *   the first N values x_1 … x_N are ranked; s_i = p_{π(i)}, where π(i) is the pixel whose value
 *   has rank i (ties by pixel index). Paper silent on how values become positions: ranking is the
 *   usual way.
 * Diffusion (step 4, "changing the values of pixels depending on the key generated by the SLM"):
 *   key bytes k_i = ⌊256·x_{N+1+i}⌋ from the next N values, chained through the previous cipher
 *   pixel as in Fridrich's architecture [paper ref. 23/27]:  c_i = s_i ⊕ k_i ⊕ c_{i−1}, c_{−1} = 0.
 *   Paper silent on the formula. XOR rather than Fridrich's addition mod 256, because the paper's
 *   own table 6 says so: in every row UACI·255 = NPCR, i.e. every pixel the LSB embedding spoilt
 *   decrypts off by exactly one grey level. An addition chain would turn some of those into
 *   0 ↔ 255 jumps (we tried: PSNR ≈ 25 dB instead of the paper's ≈ 77 dB on a picture with a black
 *   background); XOR turns an LSB flip of c_i into LSB flips of s_i and s_{i+1}.
 *
 * WARNING: the chain is linear (XOR) and runs once, in one direction. A change of one plain pixel by
 * δ XORs every later cipher pixel with the same δ and leaves every earlier one alone: NPCR is the
 * share of the chain after that pixel, and for δ = 1 the UACI is NPCR/255 (the test measures both).
 */
export function encryptImage(image: LabImage, x0: number, mu: number): LabImage {
  checkImage(image, 'image');
  const { order, key } = keyStream(x0, mu, image.pixels.length);
  const out = new Uint8Array(image.pixels.length);
  let previous = 0;
  for (let i = 0; i < out.length; i++) {
    previous = image.pixels[order[i]!]! ^ key[i]! ^ previous;
    out[i] = previous;
  }
  return { width: image.width, height: image.height, pixels: out };
}

/** The decryption (seed 003 table 5): undo the diffusion, then put the pixels back in place. */
export function decryptImage(cipher: LabImage, x0: number, mu: number): LabImage {
  checkImage(cipher, 'cipher');
  const { order, key } = keyStream(x0, mu, cipher.pixels.length);
  const out = new Uint8Array(cipher.pixels.length);
  let previous = 0;
  for (let i = 0; i < out.length; i++) {
    const c = cipher.pixels[i]!;
    out[order[i]!] = c ^ key[i]! ^ previous;
    previous = c;
  }
  return { width: cipher.width, height: cipher.height, pixels: out };
}

/**
 * The embedding (seed 003 table 3) into a copy of `image`: the bytes of `payload`, one bit per pixel
 * in the least significant bit, most significant bit of each byte first, from the first pixel in
 * row order. The paper's pictures are 24-bit PNG and it writes into "the first component" of each
 * pixel; a Lab picture has one component.
 */
export function embedLsb(image: LabImage, payload: Uint8Array): LabImage {
  checkImage(image, 'image');
  if (!(payload instanceof Uint8Array)) throw new TypeError('payload must be a Uint8Array');
  const bits = payload.length * 8;
  if (bits > image.pixels.length) {
    throw new RangeError(`the image has ${image.pixels.length} pixels, one hidden bit each; the data needs ${bits} bits`);
  }
  const pixels = image.pixels.slice();
  for (let bit = 0; bit < bits; bit++) {
    const value = (payload[bit >> 3]! >> (7 - (bit & 7))) & 1;
    pixels[bit] = (pixels[bit]! & 0xfe) | value;
  }
  return { width: image.width, height: image.height, pixels };
}

/**
 * Reading the LSBs (seed 003 table 4): the stego-key up to the first termination symbol, then the
 * text up to the next. Needs nothing but the image — which is the weakness: anyone holding the stego
 * image gets the stego-key, the patient data and the encryption key.
 */
export function extractLsb(image: LabImage): { readonly stegoKey: string; readonly text: string } {
  checkImage(image, 'image');
  const bytes = new Uint8Array(image.pixels.length >> 3);
  for (let i = 0; i < bytes.length; i++) {
    let value = 0;
    for (let b = 0; b < 8; b++) value = (value << 1) | (image.pixels[i * 8 + b]! & 1);
    bytes[i] = value;
  }
  const first = bytes.indexOf(TERMINATOR);
  const second = first < 0 ? -1 : bytes.indexOf(TERMINATOR, first + 1);
  if (second < 0) throw new Error('chaos-lsb: no hidden data (no termination symbols in the LSBs)');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return { stegoKey: decoder.decode(bytes.subarray(0, first)), text: decoder.decode(bytes.subarray(first + 1, second)) };
}

/** The key (x₀, μ) read back from the patient-data text file (table 2 step 5, table 5 step 2). */
export function parseKey(text: string): { readonly x0: number; readonly mu: number } {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  const value = (prefix: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(prefix));
    if (line === undefined) throw new Error(`chaos-lsb: the hidden text has no ${prefix.slice(0, -1)} line`);
    return Number(line.slice(prefix.length));
  };
  const x0 = value(KEY_X0);
  const mu = value(KEY_MU);
  checkKey(x0, mu);
  return { x0, mu };
}

/**
 * log2 of the number of keys (x₀, μ) at the precision the key is given with (the paper's: one decimal
 * for x₀ = 0.4, two for μ = 3.87): x₀ ∈ (0, 1) with d₀ decimals, 10^d₀ − 1 values; μ in the paper's
 * chaotic range [3.58, 4] with d₁ decimals. At the paper's precision: log2(9 · 43) ≈ 8.6 bits.
 * With full doubles (up to 17 significant digits) it would be ≈ 2^52 · 2^51 ≈ 103 bits — but the
 * key travels as text in the clear either way.
 */
function keySpaceBits(params: ChaosLsbParams): number {
  checkParams(params);
  const d0 = decimals(params.x0);
  const d1 = decimals(params.mu);
  const x0Values = 10 ** d0 - 1;
  const muValues = Math.floor(CHAOTIC_MU_HIGH * 10 ** d1 + 1e-9) - Math.ceil(CHAOTIC_MU_LOW * 10 ** d1 - 1e-9) + 1;
  return Math.log2(x0Values) + Math.log2(Math.max(1, muValues));
}

/** The patient-data text file with the key appended (table 2 step 5), as the cloud's database keeps it. */
function patientTextFile(params: ChaosLsbParams): string {
  return `${params.patientData}\n${KEY_X0}${String(params.x0)}\n${KEY_MU}${String(params.mu)}`;
}

/** Table 3: stego-key, termination symbol, the text file (patient data and key), termination symbol. */
function stegoPayload(stegoKey: string, textFile: string): Uint8Array {
  const encoder = new TextEncoder();
  const key = encoder.encode(stegoKey);
  const text = encoder.encode(textFile);
  const out = new Uint8Array(key.length + text.length + 2);
  out.set(key, 0);
  out[key.length] = TERMINATOR;
  out.set(text, key.length + 1);
  out[out.length - 1] = TERMINATOR;
  return out;
}

/** The permutation (ranks of x_1 … x_N) and the N key bytes (from x_{N+1} … x_{2N}). */
function keyStream(x0: number, mu: number, n: number): { order: Uint32Array; key: Uint8Array } {
  const orbit = logisticSequence(x0, mu, 2 * n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => orbit[a]! - orbit[b]! || a - b);
  const key = new Uint8Array(n);
  for (let i = 0; i < n; i++) key[i] = Math.min(255, Math.floor(256 * orbit[n + i]!));
  return { order, key };
}

/** The fewest decimals that write x exactly as JavaScript prints it (0.4 → 1, 3.87 → 2). */
function decimals(x: number): number {
  for (let d = 0; d <= 20; d++) if (Number(x.toFixed(d)) === x) return d;
  return 20;
}

function checkKey(x0: number, mu: number): void {
  if (!(typeof x0 === 'number' && x0 > 0 && x0 < 1)) throw new RangeError(`x0 must be a number strictly between 0 and 1, got ${x0}`);
  if (!(typeof mu === 'number' && mu > 0 && mu <= 4)) throw new RangeError(`mu must be a number in (0, 4], got ${mu}`);
}

function checkParams(params: ChaosLsbParams): void {
  if (typeof params !== 'object' || params === null) throw new TypeError('params must be chaos-lsb parameters');
  checkKey(params.x0, params.mu);
  for (const name of ['patientData', 'stegoKey'] as const) {
    const value = params[name];
    if (typeof value !== 'string') throw new TypeError(`params.${name} must be a string`);
    if (value.includes('\0')) throw new RangeError(`params.${name} must not contain the termination symbol NUL`);
  }
  if (params.stegoKey.includes('\n')) throw new RangeError('params.stegoKey must be one line');
}
