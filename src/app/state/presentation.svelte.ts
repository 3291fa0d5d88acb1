/**
 * How the page is laid out for the person looking at it: the projector layout (larger type, high
 * contrast, the width of the screen) is a presenter's choice for this browser, remembered in
 * localStorage. Nothing about files or patients is kept here.
 */

const STORAGE_KEY = 'tessera-presentation';
/** Bump when the saved shape changes; a saved value of another version is ignored. */
const VERSION = 1;

interface SavedPresentation {
  readonly version: typeof VERSION;
  readonly projector: boolean;
}

function readSaved(): SavedPresentation | undefined {
  try {
    const text = localStorage.getItem(STORAGE_KEY);
    if (text === null) return undefined;
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { version, projector } = value as Record<string, unknown>;
    return version === VERSION && typeof projector === 'boolean' ? { version, projector } : undefined;
  } catch {
    // Storage refused (a locked-down browser) or a value that is not JSON: the default layout.
    return undefined;
  }
}

export class Presentation {
  projector = $state(readSaved()?.projector ?? false);

  setProjector(on: boolean): void {
    this.projector = on;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ version: VERSION, projector: on } satisfies SavedPresentation));
    } catch {
      // Not remembered: it still holds for this visit.
      console.warn('tessera: the layout could not be remembered in this browser');
    }
  }
}
