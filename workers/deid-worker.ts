/**
 * Makes de-identified copies (src/dicom/deid/copy.ts) off the main thread: one copy per call, every
 * file of it through one de-identification context. Thin; the page reaches it through
 * src/dicom/deid/client.ts, which terminates it to cancel.
 */
import * as Comlink from 'comlink';
import { deidentifiedCopy } from '../src/dicom/deid/copy.js';

const api = {
  deidentifiedCopy,
} satisfies Record<string, (...args: never[]) => unknown>;

export type DeidWorkerApi = typeof api;

Comlink.expose(api);
