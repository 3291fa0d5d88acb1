/**
 * What the DICOM viewer shows, as a rune class: the open preview (a worker session), the current
 * frame and the VOI choice. Decoding happens in the pixels worker; drawing (a table lookup per
 * pixel, src/dicom/pixels/render.ts) on the page, so windowing follows the mouse without a round
 * trip. Decoded frames are kept in a small cache so that scrolling back and forth stays instant.
 */
import { openPreview, type PreviewSession } from '../../dicom/pixels/client.js';
import {
  defaultVoi,
  fullRangeWindow,
  modalityRange,
  type DecodedFrame,
  type PreviewInfo,
  type PreviewProblem,
  type VoiChoice,
  type VoiWindow,
  type WindowPreset,
} from '../../dicom/pixels/view.js';

export type ViewerStatus =
  | { readonly state: 'opening' }
  | { readonly state: 'ready'; readonly info: PreviewInfo }
  | { readonly state: 'failed'; readonly problem: PreviewProblem };

/** Frames kept decoded (a 512 × 512 grey frame is 1 MiB as Int32). */
const CACHED_FRAMES = 24;

export class ViewerState {
  status = $state<ViewerStatus>({ state: 'opening' });
  frameIndex = $state(0);
  /** The frame on screen; kept while the next one decodes, so the canvas never flashes blank. */
  frame = $state.raw<DecodedFrame | undefined>(undefined);
  frameProblem = $state.raw<PreviewProblem | undefined>(undefined);
  /** The user's VOI choice; undefined means each frame's default (defaultVoi). */
  choice = $state.raw<VoiChoice | undefined>(undefined);
  /** How the current choice is named in words, e.g. "Lung preset" or "from the file: SOFT". */
  choiceName = $state<string | undefined>(undefined);

  private session: PreviewSession | undefined;
  // A cache read only inside methods: nothing renders from it, so it is not reactive on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly cache = new Map<number, DecodedFrame>();
  private latestRequest = 0;
  private closed = false;

  /** The VOI the frame is drawn with. */
  readonly voi = $derived.by((): VoiChoice | undefined => {
    const frame = this.frame;
    if (frame === undefined || frame.kind !== 'grey') return undefined;
    return this.choice ?? defaultVoi(frame);
  });

  async open(bytes: ArrayBuffer | Uint8Array): Promise<void> {
    const opened = await openPreview(bytes);
    if (this.closed) {
      if (opened.ok) opened.value.close();
      return;
    }
    if (!opened.ok) {
      this.status = { state: 'failed', problem: opened.problem };
      return;
    }
    this.session = opened.value;
    this.status = { state: 'ready', info: opened.value.info };
    await this.showFrame(0);
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.cache.clear();
  }

  get frameCount(): number {
    return this.status.state === 'ready' ? this.status.info.frameCount : 0;
  }

  /** Shows frame `index` (clamped to the frames there are); the latest request wins. */
  async showFrame(index: number): Promise<void> {
    const session = this.session;
    if (session === undefined || this.frameCount === 0) return;
    const target = Math.min(this.frameCount - 1, Math.max(0, Math.round(index)));
    this.frameIndex = target;
    const request = ++this.latestRequest;
    const cached = this.cache.get(target);
    if (cached !== undefined) {
      this.frame = cached;
      this.frameProblem = undefined;
      return;
    }
    const result = await session.frame(target);
    if (request !== this.latestRequest || this.closed) return;
    if (!result.ok) {
      this.frameProblem = result.problem;
      return;
    }
    this.remember(target, result.value);
    this.frame = result.value;
    this.frameProblem = undefined;
  }

  step(delta: number): Promise<void> {
    return this.showFrame(this.frameIndex + delta);
  }

  /** The current window as centre/width, also when a table or nothing is chosen yet (then the full range). */
  currentWindow(): VoiWindow | undefined {
    const frame = this.frame;
    if (frame === undefined || frame.kind !== 'grey') return undefined;
    const voi = this.voi;
    if (voi?.kind === 'window') return voi.window;
    const { min, max } = modalityRange(frame);
    return fullRangeWindow(min, max);
  }

  /** Changes the window by the given amounts (from a drag or a key), keeping its function. */
  adjustWindow(widthChange: number, centreChange: number): void {
    const window = this.currentWindow();
    if (window === undefined) return;
    this.choice = {
      kind: 'window',
      window: { centre: window.centre + centreChange, width: Math.max(1, window.width + widthChange), function: window.function },
      source: 'user',
    };
    this.choiceName = 'adjusted';
  }

  /** A step for window changes that suits the image: 1/256 of its value range, at least 1. */
  windowStep(): number {
    const frame = this.frame;
    if (frame === undefined || frame.kind !== 'grey') return 1;
    const { min, max } = modalityRange(frame);
    return Math.max(1, (max - min) / 256);
  }

  usePreset(preset: WindowPreset): void {
    this.choice = { kind: 'window', window: { centre: preset.centre, width: preset.width, function: 'LINEAR' }, source: 'preset' };
    this.choiceName = `${preset.label} preset`;
  }

  useFileWindow(index: number): void {
    if (this.status.state !== 'ready') return;
    const window = this.status.info.fileWindows[index];
    if (window === undefined) return;
    this.choice = { kind: 'window', window: { centre: window.centre, width: window.width, function: this.status.info.voiFunction }, source: 'file' };
    this.choiceName = window.explanation === undefined ? `from the file (${index + 1})` : `from the file: ${window.explanation}`;
  }

  useFullRange(): void {
    const frame = this.frame;
    if (frame === undefined || frame.kind !== 'grey') return;
    const { min, max } = modalityRange(frame);
    this.choice = { kind: 'window', window: fullRangeWindow(min, max), source: 'full-range' };
    this.choiceName = 'full range of this frame';
  }

  /** Back to what the file asks for (or the full range when it asks for nothing). */
  reset(): void {
    this.choice = undefined;
    this.choiceName = undefined;
  }

  private remember(index: number, frame: DecodedFrame): void {
    this.cache.set(index, frame);
    if (this.cache.size > CACHED_FRAMES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}

/** The VOI in words, for the line under the image and the canvas's label. */
export function describeVoi(voi: VoiChoice | undefined, name: string | undefined): string {
  if (voi === undefined) return 'Colour image, shown as stored.';
  if (voi.kind === 'table') return `Grey levels from lookup table ${voi.index + 1} of the file.`;
  const { centre, width } = voi.window;
  const shape = voi.window.function === 'LINEAR' ? '' : `, ${voi.window.function === 'SIGMOID' ? 'sigmoid' : 'exact linear'} curve`;
  const origin = name ?? (voi.source === 'file' ? 'from the file' : voi.source === 'full-range' ? 'full range of this frame' : 'adjusted');
  return `Window centre ${formatLevel(centre)}, width ${formatLevel(width)}${shape} (${origin}).`;
}

function formatLevel(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
