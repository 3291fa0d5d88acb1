/**
 * The part of src/dicom/pixels the page needs to draw frames the worker decoded: the grayscale
 * pipeline and the VOI choices. It imports neither dicom-parser nor the codecs, so the page's
 * bundle carries none of them (they are in the pixels worker and its lazy chunks).
 */
export type { ColourFrame, DecodedFrame, GreyFrame } from './decode.js';
export type { PreviewInfo } from './index.js';
export { PREVIEW_PROBLEM_TITLE, type PreviewProblem } from './problems.js';
export { defaultVoi, modalityRange, renderFrame, type RenderedFrame } from './render.js';
export { fullRangeWindow, type VoiChoice, type VoiWindow, type WindowPreset } from './voi.js';
