/**
 * The offline tool's rebuild: on the page itself, because a page opened from disk (file://) may
 * not start workers from files, and has no OPFS to write to. Core recover is asynchronous chunk by
 * chunk (AES-GCM through WebCrypto, the GF(2^8) work in WebAssembly where there is SIMD), so the
 * page keeps answering between 1 MiB chunks; the rebuilt file is held as a Blob (blob-sink.ts).
 */
import { rebuildFromShareFiles } from '../bundles/rebuild.js';
import type { ShareFilesRebuilder } from '../app/state/share-files.svelte.js';
import { BlobSink } from './blob-sink.js';

export const rebuildOnPage: ShareFilesRebuilder = (shares, onProgress) => {
  const controller = new AbortController();
  const sink = new BlobSink();
  const done = rebuildFromShareFiles(shares, sink, { onProgress, signal: controller.signal }).then((rebuilt) => ({
    ...rebuilt,
    file: sink.blob(),
    discard: () => sink.abort(),
  }));
  return { done, cancel: () => controller.abort() };
};
