/**
 * The DICOM attributes Tessera reads, as one plain table: keyword → tag and VR, from the data
 * dictionary (PS3.6 §6 for data elements, §7 for File Meta Elements, §8 for directory records).
 * Tags are written the way dicom-parser keys its `elements`: `x` and eight lower-case hex digits,
 * group then element (`x00100010` is (0010,0010)).
 *
 * This is not a dictionary: only what the header reader, the study model and the DICOMDIR reader
 * use. Add a row when a module needs one more attribute.
 */

export interface TagDefinition {
  /** dicom-parser's key: `x` + group (4 hex digits) + element (4 hex digits), lower case. */
  readonly tag: string;
  /** The Value Representation from PS3.6, needed where the transfer syntax is implicit VR. */
  readonly vr: string;
}

export const TAGS = {
  // File Meta Information (PS3.10 §7.1, always Explicit VR Little Endian).
  MediaStorageSOPClassUID: { tag: 'x00020002', vr: 'UI' },
  MediaStorageSOPInstanceUID: { tag: 'x00020003', vr: 'UI' },
  TransferSyntaxUID: { tag: 'x00020010', vr: 'UI' },

  // Basic Directory IOD (PS3.3 §F.3, F.5).
  FileSetID: { tag: 'x00041130', vr: 'CS' },
  DirectoryRecordSequence: { tag: 'x00041220', vr: 'SQ' },
  DirectoryRecordType: { tag: 'x00041430', vr: 'CS' },
  ReferencedFileID: { tag: 'x00041500', vr: 'CS' },
  ReferencedSOPClassUIDInFile: { tag: 'x00041510', vr: 'UI' },
  ReferencedSOPInstanceUIDInFile: { tag: 'x00041511', vr: 'UI' },
  ReferencedTransferSyntaxUIDInFile: { tag: 'x00041512', vr: 'UI' },

  SpecificCharacterSet: { tag: 'x00080005', vr: 'CS' },
  SOPClassUID: { tag: 'x00080016', vr: 'UI' },
  SOPInstanceUID: { tag: 'x00080018', vr: 'UI' },
  StudyDate: { tag: 'x00080020', vr: 'DA' },
  StudyTime: { tag: 'x00080030', vr: 'TM' },
  AccessionNumber: { tag: 'x00080050', vr: 'SH' },
  Modality: { tag: 'x00080060', vr: 'CS' },
  InstitutionName: { tag: 'x00080080', vr: 'LO' },
  ReferringPhysicianName: { tag: 'x00080090', vr: 'PN' },
  StudyDescription: { tag: 'x00081030', vr: 'LO' },
  SeriesDescription: { tag: 'x0008103e', vr: 'LO' },

  PatientName: { tag: 'x00100010', vr: 'PN' },
  PatientID: { tag: 'x00100020', vr: 'LO' },
  PatientBirthDate: { tag: 'x00100030', vr: 'DA' },
  PatientSex: { tag: 'x00100040', vr: 'CS' },

  BodyPartExamined: { tag: 'x00180015', vr: 'CS' },

  StudyInstanceUID: { tag: 'x0020000d', vr: 'UI' },
  SeriesInstanceUID: { tag: 'x0020000e', vr: 'UI' },
  StudyID: { tag: 'x00200010', vr: 'SH' },
  SeriesNumber: { tag: 'x00200011', vr: 'IS' },
  InstanceNumber: { tag: 'x00200013', vr: 'IS' },

  SamplesPerPixel: { tag: 'x00280002', vr: 'US' },
  PhotometricInterpretation: { tag: 'x00280004', vr: 'CS' },
  NumberOfFrames: { tag: 'x00280008', vr: 'IS' },
  Rows: { tag: 'x00280010', vr: 'US' },
  Columns: { tag: 'x00280011', vr: 'US' },
  BitsAllocated: { tag: 'x00280100', vr: 'US' },
  BitsStored: { tag: 'x00280101', vr: 'US' },
  PixelRepresentation: { tag: 'x00280103', vr: 'US' },
  BurnedInAnnotation: { tag: 'x00280301', vr: 'CS' },

  PixelData: { tag: 'x7fe00010', vr: 'OW' },
} as const satisfies Record<string, TagDefinition>;

export type Keyword = keyof typeof TAGS;

/**
 * The last top-level tag any reader here needs before Pixel Data: everything Tessera reads lies in
 * groups 0002 to 0028, and a data set is sorted by tag (PS3.5 §7.1), so once a reader has passed
 * (0028,FFFF) the rest of the header can be left unread.
 */
export const LAST_NEEDED_TAG = 'x0028ffff';

/** Transfer Syntax UIDs whose data set encoding the header reader must know (PS3.5 §10, Annex A). */
export const TRANSFER_SYNTAX = {
  implicitLittleEndian: '1.2.840.10008.1.2',
  explicitLittleEndian: '1.2.840.10008.1.2.1',
  deflatedExplicitLittleEndian: '1.2.840.10008.1.2.1.99',
  explicitBigEndian: '1.2.840.10008.1.2.2',
} as const;

/** Media Storage Directory Storage: the SOP Class of a DICOMDIR (PS3.4 Annex I, PS3.10 §8.6). */
export const MEDIA_STORAGE_DIRECTORY_SOP_CLASS = '1.2.840.10008.1.3.10';

const VR_BY_TAG: ReadonlyMap<string, string> = new Map(Object.values(TAGS).map((definition) => [definition.tag, definition.vr]));

/** The VR of a tag in this table, for implicit VR data sets; undefined for any other tag. */
export function vrOf(tag: string): string | undefined {
  return VR_BY_TAG.get(tag);
}

/** `x00100010` → `(0010,0010)`, the way the standard and DCMTK write a tag, for messages. */
export function formatTag(tag: string): string {
  return `(${tag.slice(1, 5).toUpperCase()},${tag.slice(5, 9).toUpperCase()})`;
}
