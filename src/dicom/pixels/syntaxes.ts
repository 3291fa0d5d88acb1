/**
 * The transfer syntaxes the preview knows (PS3.5 §10 and Annex A; UIDs from PS3.6 Annex A), and how
 * each one's pixel data is laid out: native (PS3.5 §8.1.1, A.1–A.3), deflated (A.5: the whole data
 * set after the File Meta Information is deflated, pixels native inside) or encapsulated (A.4:
 * fragments, one codec per syntax).
 */

export type PixelEncoding =
  | 'native'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-extended'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg-2000';

export interface TransferSyntax {
  readonly uid: string;
  /** Plain name, as the viewer shows it. */
  readonly name: string;
  readonly encoding: PixelEncoding;
  readonly bigEndian: boolean;
  readonly deflated: boolean;
}

const SYNTAXES: readonly TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', encoding: 'native', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', encoding: 'native', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', encoding: 'native', bigEndian: false, deflated: true },
  // Retired since 2004 but still written by DCMTK (`dcmconv +tb`) and found in old archives.
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', encoding: 'native', bigEndian: true, deflated: false },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', encoding: 'rle', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', encoding: 'jpeg-baseline', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg-extended', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless (Process 14)', encoding: 'jpeg-lossless', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless (Process 14, SV1)', encoding: 'jpeg-lossless', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', encoding: 'jpeg-ls', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 (Lossless Only)', encoding: 'jpeg-2000', bigEndian: false, deflated: false },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', encoding: 'jpeg-2000', bigEndian: false, deflated: false },
];

const BY_UID = new Map(SYNTAXES.map((syntax) => [syntax.uid, syntax]));

/** The syntax for a Transfer Syntax UID (0002,0010), or undefined when the preview has no decoder for it. */
export function transferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

