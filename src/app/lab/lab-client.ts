/**
 * The page's door to the Lab worker (workers/lab-worker.ts). One worker for a run of every scheme,
 * started lazily, called once per scheme (so the page can say which one is running), and terminated
 * to stop a run: the only way to interrupt a scheme mid-way. A worker that crashes (out of memory on
 * a huge frame) rejects the call instead of leaving it pending.
 */
import * as Comlink from 'comlink';
import type { LabWorkerApi } from '../../../workers/lab-worker.js';
import type { PicturedRow } from '../../lab/pictured-run.js';
import type { LabImage } from '../../lab/types.js';

interface RunningWorker {
  readonly worker: Worker;
  readonly remote: Comlink.Remote<LabWorkerApi>;
  /** Rejects when the worker reports an uncaught error. */
  readonly crashed: Promise<never>;
}

export class LabWorkerClient {
  #running: RunningWorker | undefined;

  /** Runs one scheme (by LabScheme.id) on a copy of `image`. */
  runScheme(image: LabImage, schemeId: string): Promise<PicturedRow> {
    const { remote, crashed } = (this.#running ??= start());
    // The page keeps its picture: the worker gets a copy, transferred.
    const pixels = image.pixels.slice();
    return Promise.race([remote.runScheme(Comlink.transfer({ width: image.width, height: image.height, pixels }, [pixels.buffer]), schemeId), crashed]);
  }

  /** Ends the worker (and whatever it was running); the next call starts a new one. */
  stop(): void {
    this.#running?.worker.terminate();
    this.#running = undefined;
  }
}

function start(): RunningWorker {
  const worker = new Worker(new URL('../../../workers/lab-worker.ts', import.meta.url), { type: 'module', name: 'tessera-lab' });
  const crashed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      reject(new Error('the Lab worker stopped unexpectedly'));
    });
  });
  // Nobody may be waiting when it crashes: that is not an unhandled rejection.
  crashed.catch(() => {});
  return { worker, remote: Comlink.wrap<LabWorkerApi>(worker), crashed };
}
