/**
 * What de-identification of the header cannot do, said in plain words. Above all: text burned into
 * the pixels (PS3.15 E.1.1 note 5; removing it is the Clean Pixel Data Option, E.3.1, which Tessera
 * does not offer). Messages name no patient data.
 */

export type DeidentificationWarningCode =
  | 'burned-in-annotation'
  | 'burned-in-annotation-likely'
  | 'recognizable-visual-features'
  | 'encapsulated-document'
  | 'descriptors-kept'
  | 'date-not-shifted';

export interface DeidentificationWarning {
  readonly code: DeidentificationWarningCode;
  readonly message: string;
}

const MESSAGES: Record<DeidentificationWarningCode, string> = {
  'burned-in-annotation':
    'The file says its image has text burned into the pixels (Burned In Annotation = YES). Names, dates or numbers written on the image are still there: check every image before sharing this copy.',
  'burned-in-annotation-likely':
    'Images of this kind (ultrasound, screen captures, scanned documents, video, X-ray angiography or fluoroscopy) often have the patient\'s name or dates written on the image itself. Removing them from the file\'s description does not remove them from the picture: check every image before sharing this copy.',
  'recognizable-visual-features':
    'The file says its image shows recognizable features (for example a face). Someone could recognise the person from the picture itself.',
  'encapsulated-document':
    'This file wraps a document (for example a PDF report). The text inside the document is not de-identified: do not share this copy unless you have checked the document.',
  'descriptors-kept':
    'Descriptions and comments were kept (Clean Descriptors). Names, identifiers and dates that also appear elsewhere in the file were blanked out in them, but anything else typed into them stays: read them before sharing this copy.',
  'date-not-shifted':
    'A date in this file was not in a valid DICOM format, so it could not be shifted; it was emptied instead.',
};

export function warning(code: DeidentificationWarningCode): DeidentificationWarning {
  return { code, message: MESSAGES[code] };
}

const ULTRASOUND_AND_CAPTURE_MODALITIES = new Set(['US', 'IVUS', 'SC', 'OT', 'DOC', 'XC', 'ES', 'GM', 'XA', 'RF']);
/** SOP classes where pixels commonly carry burned-in text (PS3.4 Annex B storage SOP classes). */
const LIKELY_SOP_CLASS_PREFIXES = [
  '1.2.840.10008.5.1.4.1.1.3.1', // Ultrasound Multi-frame Image
  '1.2.840.10008.5.1.4.1.1.6.', // Ultrasound Image, Enhanced US Volume
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture and the multi-frame secondary captures (7.1–7.4)
  '1.2.840.10008.5.1.4.1.1.12.', // X-Ray Angiographic, X-Ray Radiofluoroscopic
  '1.2.840.10008.5.1.4.1.1.77.1.', // Visible light: endoscopy, microscopy, photography, video
];
const DOCUMENT_SOP_CLASS_PREFIX = '1.2.840.10008.5.1.4.1.1.104.';
/** Conversion Type (0008,0064) values that mean a screen or a paper was captured (PS3.3 C.8.6.1). */
const CAPTURED_CONVERSION_TYPES = new Set(['WSD', 'SD', 'SI', 'DRW', 'SYN']);

export interface ImageFacts {
  readonly sopClassUid: string;
  readonly modality: string;
  readonly conversionType: string;
  readonly burnedInAnnotation: string;
  readonly recognizableVisualFeatures: string;
}

/**
 * Burned-in annotation: flagged by the file (0028,0301) = YES, or likely from the kind of image when
 * the file does not say NO. A file that says NO is believed: PS3.3 C.7.6.1.1.1 makes the modality
 * responsible for that statement.
 */
export function imageWarnings(facts: ImageFacts): DeidentificationWarning[] {
  const out: DeidentificationWarning[] = [];
  const flag = facts.burnedInAnnotation.trim().toUpperCase();
  const likely =
    ULTRASOUND_AND_CAPTURE_MODALITIES.has(facts.modality.trim().toUpperCase()) ||
    LIKELY_SOP_CLASS_PREFIXES.some((prefix) => facts.sopClassUid === prefix || facts.sopClassUid.startsWith(prefix.endsWith('.') ? prefix : `${prefix}.`)) ||
    CAPTURED_CONVERSION_TYPES.has(facts.conversionType.trim().toUpperCase());
  if (flag === 'YES') out.push(warning('burned-in-annotation'));
  else if (flag !== 'NO' && likely) out.push(warning('burned-in-annotation-likely'));
  if (facts.recognizableVisualFeatures.trim().toUpperCase() === 'YES') out.push(warning('recognizable-visual-features'));
  if (facts.sopClassUid.startsWith(DOCUMENT_SOP_CLASS_PREFIX)) out.push(warning('encapsulated-document'));
  return out;
}
