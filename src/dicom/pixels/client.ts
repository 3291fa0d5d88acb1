/**
 * The page's door to the pixels worker (workers/pixels-worker.ts): one worker per open preview,
 * started on open and terminated on close. A decode that takes too long (a codec caught in damaged
 * data) or a crashed worker ends the preview with a problem instead of a hang: the worker is
 * terminated, the only way to stop WebAssembly that is running.
 */
import * as Comlink from 'comlink';
import type { PixelsWorkerApi } from '../../../workers/pixels-worker.js';
import type { DecodedFrame } from './decode.js';
import type { PreviewInfo } from './index.js';
import { failure, type PreviewResult } from './problems.js';

export interface PreviewSession {
  readonly info: PreviewInfo;
  /** Decodes frame `index` (0-based) in the worker. */
  frame(index: number): Promise<PreviewResult<DecodedFrame>>;
  /** Ends the worker; later calls resolve with a problem. */
  close(): void;
}

/** Longest a single open or decode may take; a 4k × 4k JPEG 2000 frame takes about a second. */
const TIME_LIMIT_MS = 30_000;

export async function openPreview(bytes: ArrayBuffer | Uint8Array): Promise<PreviewResult<PreviewSession>> {
  const worker = new Worker(new URL('../../../workers/pixels-worker.ts', import.meta.url), { type: 'module', name: 'tessera-pixels' });
  const remote = Comlink.wrap<PixelsWorkerApi>(worker);
  let ended: PreviewResult<never> | undefined;
  let crash: ((result: PreviewResult<never>) => void) | undefined;
  const crashed = new Promise<PreviewResult<never>>((resolve) => (crash = resolve));

  const end = (result: PreviewResult<never>): PreviewResult<never> => {
    ended ??= result;
    worker.terminate();
    crash?.(ended);
    return ended;
  };
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    end(failure('pixels.codec-unavailable', 'The image decoder stopped unexpectedly; reload the page to try again.'));
  });

  /** Runs one call against the time limit and a crash; never rejects. */
  const call = async <T>(work: () => Promise<PreviewResult<T>>): Promise<PreviewResult<T>> => {
    if (ended !== undefined) return ended;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<PreviewResult<never>>((resolve) => {
      timer = setTimeout(() => resolve(end(failure('pixels.corrupt', 'Decoding this image took too long; it is probably damaged.'))), TIME_LIMIT_MS);
    });
    try {
      return await Promise.race([work(), timeout, crashed]);
    } catch {
      return end(failure('pixels.codec-unavailable', 'The image decoder stopped unexpectedly; reload the page to try again.'));
    } finally {
      clearTimeout(timer);
    }
  };

  // The caller keeps its bytes (they are what gets protected): the worker gets a copy, transferred.
  const copy = bytes instanceof Uint8Array ? bytes.slice().buffer : bytes.slice(0);
  const opened = await call(() => remote.open(Comlink.transfer(copy, [copy])));
  if (!opened.ok) {
    worker.terminate();
    return opened;
  }
  const { session, info } = opened.value;
  return {
    ok: true,
    value: {
      info,
      frame: (index) => call(() => remote.frame(session, index)),
      close: () => {
        if (ended === undefined) end(failure('pixels.unreadable', 'The image was closed.'));
      },
    },
  };
}
