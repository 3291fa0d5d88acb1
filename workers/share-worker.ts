/**
 * The share worker: protects files into buckets and rebuilds them, off the main thread. Thin on
 * purpose; the work is in share-jobs.ts. The page talks to it only through src/jobs.
 *
 * Errors cross the boundary as Error with the code at the front of the message (`[share.too-few]
 * …`); the page restores them with toTesseraError. Cancelling is done by terminating the worker.
 */
import * as Comlink from 'comlink';
import { recoverFromLink } from './link-jobs.js';
import { makeShareBundles, recoverFromFiles } from './file-jobs.js';
import { protectFile, recoverFile, refreshFile, rehearseFile, repairFile, uploadShares } from './share-jobs.js';

const api = {
  protectFile,
  recoverFile,
  uploadShares,
  repairFile,
  refreshFile,
  rehearseFile,
  recoverFromLink,
  recoverFromFiles,
  makeShareBundles,
} satisfies Record<string, (...args: never[]) => Promise<unknown>>;

export type ShareWorkerApi = typeof api;

Comlink.expose(api);
