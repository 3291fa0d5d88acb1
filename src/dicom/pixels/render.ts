/**
 * A decoded frame to RGBA for a canvas: grey frames through Modality LUT → VOI → Presentation
 * (PS3.3 C.11), colour frames as they are. Cheap enough to run on every mouse move while windowing:
 * for up to 16-bit stored values the whole pipeline is first tabulated over the frame's range of
 * stored values, then each pixel is one lookup.
 */
import type { ColourFrame, DecodedFrame, GreyFrame, GreyPipeline } from './decode.js';
import { fullRangeWindow, lookUp, windowLevel, type AppliedVoi, type VoiChoice } from './voi.js';

export interface RenderedFrame {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray<ArrayBuffer>;
  /** The VOI transform used; undefined for colour. */
  readonly voi: AppliedVoi | undefined;
}

/** Largest stored-value range tabulated (16-bit values); wider ones are computed per pixel. */
const MAX_TABLE = 65536;

export function renderFrame(frame: DecodedFrame, choice?: VoiChoice): RenderedFrame {
  return frame.kind === 'colour' ? renderColour(frame) : renderGrey(frame, choice ?? defaultVoi(frame));
}

/** Modality LUT (C.11.1): the table when the file has one, else rescale slope and intercept. */
function modalityValue(pipeline: GreyPipeline, stored: number): number {
  return pipeline.modalityTable !== undefined ? lookUp(pipeline.modalityTable, stored) : stored * pipeline.rescaleSlope + pipeline.rescaleIntercept;
}

/** Range of the frame after the Modality LUT (slope may be negative, a table need not be monotonic). */
export function modalityRange(frame: GreyFrame): { readonly min: number; readonly max: number } {
  const { pipeline, minStored, maxStored } = frame;
  if (pipeline.modalityTable === undefined) {
    const a = modalityValue(pipeline, minStored);
    const b = modalityValue(pipeline, maxStored);
    return { min: Math.min(a, b), max: Math.max(a, b) };
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let stored = minStored; stored <= maxStored && stored - minStored < MAX_TABLE; stored++) {
    const value = modalityValue(pipeline, stored);
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { min, max };
}

/**
 * The VOI a frame is first shown with: the file's first window (C.11.2.1.2: several pairs are
 * alternatives, the first is the default), else its first VOI LUT table, else the frame's full range.
 */
export function defaultVoi(frame: GreyFrame): VoiChoice {
  const first = frame.pipeline.windows[0];
  if (first !== undefined) return { kind: 'window', window: { centre: first.centre, width: first.width, function: frame.pipeline.voiFunction }, source: 'file' };
  if (frame.pipeline.voiTables.length > 0) return { kind: 'table', index: 0 };
  return fullRange(frame);
}

function fullRange(frame: GreyFrame): VoiChoice {
  const { min, max } = modalityRange(frame);
  return { kind: 'window', window: fullRangeWindow(min, max), source: 'full-range' };
}

function renderGrey(frame: GreyFrame, requested: VoiChoice): RenderedFrame {
  const { pipeline, stored, width, height } = frame;
  const choice = requested.kind === 'table' && pipeline.voiTables[requested.index] === undefined ? fullRange(frame) : requested;
  // Display value in 0…1 for a modality value; a table's output range is 0 … 2^bits − 1 (C.11.2.1.1).
  let voi: (x: number) => number;
  if (choice.kind === 'table') {
    const table = pipeline.voiTables[choice.index]!;
    const top = 2 ** table.bits - 1;
    voi = (x) => lookUp(table, x) / top;
  } else {
    const window = choice.window;
    voi = (x) => windowLevel(x, window);
  }
  const display = (storedValue: number): number => {
    const byte = Math.round(voi(modalityValue(pipeline, storedValue)) * 255);
    return pipeline.inverted ? 255 - byte : byte;
  };

  const rgba = new Uint8ClampedArray(width * height * 4);
  const pixels = width * height;
  const range = frame.maxStored - frame.minStored + 1;
  if (stored instanceof Int32Array && range <= MAX_TABLE) {
    const lut = new Uint8Array(range);
    for (let offset = 0; offset < range; offset++) lut[offset] = display(frame.minStored + offset);
    const base = frame.minStored;
    for (let pixel = 0, at = 0; pixel < pixels; pixel++, at += 4) {
      const grey = lut[stored[pixel]! - base]!;
      rgba[at] = grey;
      rgba[at + 1] = grey;
      rgba[at + 2] = grey;
      rgba[at + 3] = 255;
    }
  } else {
    for (let pixel = 0, at = 0; pixel < pixels; pixel++, at += 4) {
      const grey = display(stored[pixel]!);
      rgba[at] = grey;
      rgba[at + 1] = grey;
      rgba[at + 2] = grey;
      rgba[at + 3] = 255;
    }
  }
  const applied: AppliedVoi = choice.kind === 'table' ? choice : { kind: 'window', ...choice.window, source: choice.source };
  return { width, height, rgba, voi: applied };
}

function renderColour(frame: ColourFrame): RenderedFrame {
  const pixels = frame.width * frame.height;
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let pixel = 0; pixel < pixels; pixel++) {
    rgba[pixel * 4] = frame.rgb[pixel * 3]!;
    rgba[pixel * 4 + 1] = frame.rgb[pixel * 3 + 1]!;
    rgba[pixel * 4 + 2] = frame.rgb[pixel * 3 + 2]!;
    rgba[pixel * 4 + 3] = 255;
  }
  return { width: frame.width, height: frame.height, rgba, voi: undefined };
}
