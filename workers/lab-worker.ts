/**
 * The Lab worker: runs one scheme of the Lab (src/lab) on a picture off the main thread — GA-ES
 * alone takes about 1.5 s on a 512 × 512 frame. Thin on purpose: the work is runPictured
 * (src/lab/pictured-run.ts). The page reaches it only through src/app/lab/lab-client.ts, which
 * calls it once per scheme to show progress, and terminates it to stop.
 *
 * Randomness is the platform CSPRNG (in 64 KiB calls, src/core/random.ts). Pictures go back transferred, not copied; the protection
 * itself (every byte the clouds would keep) stays here.
 */
import * as Comlink from 'comlink';
import { defaultRandom } from '../src/core/index.js';
import { LAB_SCHEMES, type LabImage } from '../src/lab/index.js';
import { runPictured, type PicturedRow } from '../src/lab/pictured-run.js';

const api = {
  runScheme: async (image: LabImage, schemeId: string): Promise<PicturedRow> => {
    const scheme = LAB_SCHEMES.find((candidate) => candidate.id === schemeId);
    if (scheme === undefined) throw new RangeError(`schemeId must be one of ${LAB_SCHEMES.map((s) => s.id).join(', ')}, got ${schemeId}`);
    const { protection: _kept, ...pictured } = await runPictured(image, scheme, defaultRandom);
    const buffers = new Set<ArrayBuffer>();
    for (const picture of [pictured.cloudView?.picture, pictured.colludingPicture]) {
      if (picture !== undefined) buffers.add(picture.pixels.buffer as ArrayBuffer);
    }
    return Comlink.transfer(pictured, [...buffers]);
  },
} satisfies Record<string, (...args: never[]) => Promise<unknown>>;

export type LabWorkerApi = typeof api;

Comlink.expose(api);
