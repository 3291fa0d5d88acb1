/**
 * The Lab page's state (issue 8): which picture, and a run of every scheme on it. The schemes run in
 * the Lab worker one after the other (lab-client.ts), so the page shows which one is running and
 * fills the table as each finishes. Nothing here is persisted: a picture from the viewer stays in
 * memory for this visit only.
 */
import { LAB_SCHEMES } from '../../lab/index.js';
import type { PicturedRow } from '../../lab/pictured-run.js';
import { openPreview } from '../../dicom/pixels/client.js';
import { renderFrame } from '../../dicom/pixels/view.js';
import { GRADIENT_SIDE, greyFromRenderedFrame, LAB_SAMPLES, syntheticGradient, type LabSample } from '../../lab/samples.js';
import type { LabImage } from '../../lab/types.js';
import { LabWorkerClient } from './lab-client.js';

/** The address of the Lab page, in the fragment (never sent to a server). */
export const LAB_HASH = '#/lab';

/** A picture to run the schemes on, with words that name it (never patient data). */
export interface LabPicture {
  readonly image: LabImage;
  readonly label: string;
}

export type PictureStatus =
  | { readonly state: 'loading' }
  | { readonly state: 'ready'; readonly picture: LabPicture }
  | { readonly state: 'failed'; readonly message: string };

export type LabRun =
  | { readonly state: 'idle' }
  | { readonly state: 'running'; readonly picture: LabPicture; readonly rows: readonly PicturedRow[]; readonly current: string }
  | { readonly state: 'done'; readonly picture: LabPicture; readonly rows: readonly PicturedRow[] }
  | { readonly state: 'failed'; readonly picture: LabPicture; readonly rows: readonly PicturedRow[]; readonly message: string };

/** The choice for the frame handed over by the DICOM viewer ("Open in the Lab"). */
export const VIEWER_CHOICE = 'viewer';

class LabRoute {
  open = $state(false);

  constructor() {
    if (typeof window === 'undefined') return;
    const read = (): void => {
      this.open = window.location.hash === LAB_HASH;
    };
    read();
    window.addEventListener('hashchange', read);
  }
}

/** Whether the address shows the Lab (`#/lab`); App.svelte switches on it. */
export const labRoute = new LabRoute();

class ViewerFrame {
  picture = $state<LabPicture | undefined>(undefined);
}

/** The frame the viewer last sent to the Lab, for this visit. */
export const viewerFrame = new ViewerFrame();

/** The viewer's "Open in the Lab": keeps the frame and goes to the Lab page. */
export function openInLab(picture: LabPicture): void {
  viewerFrame.picture = picture;
  window.location.hash = LAB_HASH;
}

/**
 * A sample's pixels: its DICOM file from the app's own samples, decoded in the pixels worker and drawn
 * with the file's first window, as the viewer first shows it (src/lab/samples.ts); or the gradient.
 */
async function loadSample(sample: LabSample): Promise<LabImage> {
  if (sample.dicomPath === undefined) return syntheticGradient(GRADIENT_SIDE);
  const response = await fetch(`${import.meta.env.BASE_URL}${sample.dicomPath}`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const opened = await openPreview(await response.arrayBuffer());
  if (!opened.ok) throw new Error(opened.problem.code);
  try {
    const frame = await opened.value.frame(0);
    if (!frame.ok) throw new Error(frame.problem.code);
    return greyFromRenderedFrame(renderFrame(frame.value));
  } finally {
    opened.value.close();
  }
}

export class LabState {
  /** A sample id (src/lab/samples.ts) or VIEWER_CHOICE. */
  choice = $state(viewerFrame.picture !== undefined ? VIEWER_CHOICE : LAB_SAMPLES[0]!.id);
  picture = $state<PictureStatus>({ state: 'loading' });
  run = $state<LabRun>({ state: 'idle' });
  readonly total = LAB_SCHEMES.length;
  #client = new LabWorkerClient();
  #generation = 0;

  /** Loads the chosen picture; a run of another picture is stopped. */
  async choose(choice: string): Promise<void> {
    this.stop();
    this.run = { state: 'idle' };
    this.choice = choice;
    const generation = ++this.#generation;
    if (choice === VIEWER_CHOICE) {
      const picture = viewerFrame.picture;
      this.picture = picture === undefined ? { state: 'failed', message: 'No frame from the viewer yet: open a DICOM image, then "Open in the Lab".' } : { state: 'ready', picture };
      return;
    }
    const sample = LAB_SAMPLES.find((candidate) => candidate.id === choice);
    if (sample === undefined) {
      this.picture = { state: 'failed', message: 'That sample does not exist.' };
      return;
    }
    this.picture = { state: 'loading' };
    try {
      const image = await loadSample(sample);
      if (generation === this.#generation) this.picture = { state: 'ready', picture: { image, label: sample.title } };
    } catch (error) {
      console.warn('tessera: a Lab sample could not be loaded', error);
      if (generation === this.#generation) this.picture = { state: 'failed', message: 'The sample picture could not be loaded. Reload the page to try again.' };
    }
  }

  /** Runs every scheme of the Lab on the chosen picture, one after the other. */
  async runAll(): Promise<void> {
    if (this.picture.state !== 'ready' || this.run.state === 'running') return;
    const picture = this.picture.picture;
    const generation = this.#generation;
    const rows: PicturedRow[] = [];
    for (const scheme of LAB_SCHEMES) {
      this.run = { state: 'running', picture, rows: [...rows], current: scheme.title };
      try {
        rows.push(await this.#client.runScheme(picture.image, scheme.id));
      } catch (error) {
        if (generation !== this.#generation) return;
        console.warn('tessera: the Lab worker failed', error);
        this.#client.stop();
        this.run = { state: 'failed', picture, rows, message: `The Lab stopped while running "${scheme.title}". Run it again, or reload the page.` };
        return;
      }
      if (generation !== this.#generation) return;
    }
    this.run = { state: 'done', picture, rows };
  }

  /** Stops a run (ends the worker); what finished stays shown. */
  stop(): void {
    this.#generation++;
    this.#client.stop();
    if (this.run.state === 'running') this.run = { state: 'idle' };
  }

  close(): void {
    this.stop();
  }
}
