/**
 * The pixels worker: opens DICOM instances and decodes their frames off the main thread (a JPEG
 * 2000 or JPEG-LS frame can take well over 50 ms, and the codecs' WebAssembly is compiled here,
 * not on the page). Thin on purpose: the work is in src/dicom/pixels. The page reaches it only
 * through src/dicom/pixels/client.ts.
 *
 * Nothing here throws for a bad file: results are `{ ok: false, problem }` (plain objects, which
 * survive structured cloning whole). Decoded frames are transferred, not copied.
 */
import * as Comlink from 'comlink';
import { createPreviewSessions, frameTransferables } from '../src/dicom/pixels/session.js';

const sessions = createPreviewSessions();

const api = {
  open: (bytes: ArrayBuffer) => sessions.open(bytes),
  frame: async (session: number, index: number) => {
    const result = await sessions.frame(session, index);
    return result.ok ? Comlink.transfer(result, frameTransferables(result.value)) : result;
  },
} satisfies Record<string, (...args: never[]) => Promise<unknown>>;

export type PixelsWorkerApi = typeof api;

Comlink.expose(api);
