import { mount } from 'svelte';
import App from './app/App.svelte';
import { AppState } from './app/state/app.svelte.js';
import './app/app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const app = new AppState();
mount(App, { target, props: { app } });
void app.load();
