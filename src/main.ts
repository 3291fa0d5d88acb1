import { mount } from 'svelte';
import App from './app/App.svelte';
import { AppState } from './app/state/app.svelte.js';
import { registerServiceWorker } from './pwa/register.js';
import './app/app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const app = new AppState();
mount(App, { target, props: { app } });
void app.load();

// Offline after the first visit (src/pwa, docs/offline.md). Not in `npm start`, whose modules are
// not a fixed set of files, and not from file:// (where service workers do not exist).
if (import.meta.env.PROD && (location.protocol === 'https:' || location.protocol === 'http:')) {
  void registerServiceWorker(`${import.meta.env.BASE_URL}sw.js`);
}
