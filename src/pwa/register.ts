/**
 * The page's side of the service worker (src/pwa/sw.ts): registers it, notices when a new version
 * has installed and waits, and activates it only when asked (the Reload button of
 * UpdateNotice.svelte, which is disabled while a job runs), then reloads the page.
 */

type Listener = (ready: boolean) => void;

const listeners = new Set<Listener>();
let waiting: ServiceWorker | null = null;
/** The page asked for the new version: reload when it takes control. */
let applying = false;

function setWaiting(worker: ServiceWorker | null): void {
  waiting = worker;
  for (const listener of listeners) listener(worker !== null);
}

/** Calls `listener` now and whenever a new version becomes ready or stops being; returns the unsubscribe. */
export function onUpdateReady(listener: Listener): () => void {
  listeners.add(listener);
  listener(waiting !== null);
  return () => listeners.delete(listener);
}

/** Activates the waiting version; the page reloads once it controls the page. */
export function applyUpdate(): void {
  if (!waiting) return;
  // Another tab already activated it (it controls this page): only the reload is left to do.
  if (waiting.state === 'activated') {
    window.location.reload();
    return;
  }
  applying = true;
  waiting.postMessage({ type: 'skip-waiting' });
}

/** Checks for a new version this often while the page is open (browsers also check on each visit). */
const CHECK_EVERY_MS = 60 * 60 * 1000;

/**
 * Registers sw.js (production builds over http(s) only: main.ts decides). A failure is logged,
 * never shown: the app works without a service worker, only not offline.
 */
export async function registerServiceWorker(url: string): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const hadController = navigator.serviceWorker.controller !== null;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // First install: the worker claims the page, nothing to reload. Update: reload into the new
    // version. Another tab applied it: the code running here is the old one, so offer the reload.
    if (applying) window.location.reload();
    else if (hadController) setWaiting(waiting ?? navigator.serviceWorker.controller);
  });
  try {
    const registration = await navigator.serviceWorker.register(url, { scope: './' });
    const watch = (worker: ServiceWorker | null): void => {
      if (!worker) return;
      const check = (): void => {
        // Installed while another version controls the page: an update, waiting for the click.
        if (worker.state === 'installed' && navigator.serviceWorker.controller) setWaiting(worker);
        else if (worker.state === 'redundant' && waiting === worker) setWaiting(null);
      };
      worker.addEventListener('statechange', check);
      check();
    };
    watch(registration.waiting);
    registration.addEventListener('updatefound', () => watch(registration.installing));
    setInterval(() => void registration.update().catch(() => undefined), CHECK_EVERY_MS);
  } catch (error) {
    console.warn('The service worker could not be registered; the app will not work offline.', error);
  }
}
