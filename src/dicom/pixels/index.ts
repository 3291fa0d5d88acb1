/**
 * Frames out of a DICOM instance, decoded and ready to draw. Pure TypeScript, no DOM: it runs in
 * the pixels worker (workers/pixels-worker.ts), on the main thread and under Node alike.
 *
 *   const opened = await openPixels(bytes);             // PreviewResult<PixelInstance>
 *   const info = describePreview(opened.value);           // frame count, size, windows, presets…
 *   const frame = await readFrame(opened.value, 0);       // PreviewResult<DecodedFrame>
 *   const image = renderFrame(frame.value, choice?);      // { width, height, rgba, voi }
 *
 * Nothing here throws for a bad file: every failure is `{ ok: false, problem }` with a code and
 * plain words (problems.ts). See README.md for the contract.
 */
import { decodeFrame, type DecodedFrame } from './decode.js';
import { openPixelInstance, type FileWindow, type PixelInstance, type VoiFunction } from './instance.js';
import { toProblem, type PreviewResult } from './problems.js';
import { renderFrame, type RenderedFrame } from './render.js';
import { CT_PRESETS, type VoiChoice, type WindowPreset } from './voi.js';

export type { ColourFrame, DecodedFrame, GreyFrame, GreyPipeline } from './decode.js';
export type { FileWindow, LookupTable, PixelInstance, VoiFunction } from './instance.js';
export { PREVIEW_PROBLEM_TITLE, type PreviewProblem, type PreviewProblemCode, type PreviewResult } from './problems.js';
export { defaultVoi, modalityRange, renderFrame, type RenderedFrame } from './render.js';
export { CT_PRESETS, fullRangeWindow, windowLevel, type AppliedVoi, type VoiChoice, type VoiWindow, type WindowPreset } from './voi.js';

/** What the viewer shows about an image, with nothing that identifies the patient. */
export interface PreviewInfo {
  readonly frameCount: number;
  readonly width: number;
  readonly height: number;
  /** False for MONOCHROME1/2: only grey images can be windowed. */
  readonly colour: boolean;
  readonly photometric: string;
  readonly bitsStored: number;
  readonly signed: boolean;
  readonly transferSyntax: { readonly uid: string; readonly name: string };
  readonly modality: string | undefined;
  /** Window Center/Width pairs of the file, first one the default. */
  readonly fileWindows: readonly FileWindow[];
  readonly voiFunction: VoiFunction;
  readonly voiTableCount: number;
  /** Presets that make sense for this image: the CT ones for a CT with Hounsfield values. */
  readonly presets: readonly WindowPreset[];
}

/** Opens a whole instance (the bytes of one file). The bytes are read, never changed. */
export async function openPixels(bytes: Uint8Array | ArrayBuffer): Promise<PreviewResult<PixelInstance>> {
  try {
    const array = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    return { ok: true, value: await openPixelInstance(array) };
  } catch (error) {
    return { ok: false, problem: toProblem(error, 'pixels.unreadable') };
  }
}

export function describePreview(instance: PixelInstance): PreviewInfo {
  const d = instance.description;
  const grey = d.photometric === 'MONOCHROME1' || d.photometric === 'MONOCHROME2';
  return {
    frameCount: d.frameCount,
    width: d.columns,
    height: d.rows,
    colour: !grey,
    photometric: d.photometric,
    bitsStored: d.bitsStored,
    signed: d.signed,
    transferSyntax: { uid: d.syntax.uid, name: d.syntax.name },
    modality: d.modality,
    fileWindows: d.windows,
    voiFunction: d.voiFunction,
    voiTableCount: d.voiTables.length,
    presets: grey && d.modality === 'CT' ? CT_PRESETS : [],
  };
}

/** Decodes frame `index` (0-based). */
export async function readFrame(instance: PixelInstance, index: number): Promise<PreviewResult<DecodedFrame>> {
  try {
    return { ok: true, value: await decodeFrame(instance, index) };
  } catch (error) {
    return { ok: false, problem: toProblem(error, 'pixels.corrupt') };
  }
}

/** Open, decode and draw one frame in one call (for tests, thumbnails and the CLI). */
export async function previewFrame(
  bytes: Uint8Array | ArrayBuffer,
  options: { readonly frame?: number; readonly voi?: VoiChoice } = {},
): Promise<PreviewResult<{ readonly info: PreviewInfo; readonly image: RenderedFrame }>> {
  const opened = await openPixels(bytes);
  if (!opened.ok) return opened;
  const frame = await readFrame(opened.value, options.frame ?? 0);
  if (!frame.ok) return frame;
  try {
    return { ok: true, value: { info: describePreview(opened.value), image: renderFrame(frame.value, options.voi) } };
  } catch (error) {
    return { ok: false, problem: toProblem(error, 'pixels.corrupt') };
  }
}
