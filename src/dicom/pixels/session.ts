/**
 * Open instances kept by number, so that the viewer sends a file's bytes once and then asks for
 * frames one by one (what workers/pixels-worker.ts exposes). Pure: no worker API here. Instances
 * live as long as their worker: the client starts one worker per preview and terminates it to close.
 */
import type { DecodedFrame } from './decode.js';
import { describePreview, openPixels, readFrame, type PreviewInfo } from './index.js';
import type { PixelInstance } from './instance.js';
import { failure, type PreviewResult } from './problems.js';

export interface PreviewSessions {
  open(bytes: ArrayBuffer | Uint8Array): Promise<PreviewResult<{ readonly session: number; readonly info: PreviewInfo }>>;
  frame(session: number, index: number): Promise<PreviewResult<DecodedFrame>>;
}

export function createPreviewSessions(): PreviewSessions {
  const open = new Map<number, PixelInstance>();
  let next = 1;
  return {
    async open(bytes) {
      const opened = await openPixels(bytes);
      if (!opened.ok) return opened;
      const session = next++;
      open.set(session, opened.value);
      return { ok: true, value: { session, info: describePreview(opened.value) } };
    },
    async frame(session, index) {
      const instance = open.get(session);
      if (instance === undefined) return failure('pixels.unreadable', 'The image was closed before this frame was drawn.');
      return readFrame(instance, index);
    },
  };
}

/** The buffers a decoded frame owns, to transfer rather than copy across the worker boundary. */
export function frameTransferables(frame: DecodedFrame): ArrayBuffer[] {
  const buffer = frame.kind === 'grey' ? frame.stored.buffer : frame.rgb.buffer;
  return buffer instanceof ArrayBuffer ? [buffer] : [];
}
