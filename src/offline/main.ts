/**
 * The offline recovery tool (docs/bundles.md): the app's "Recover from share files" on a page of
 * its own, built by vite.config.ts into one HTML file with everything inlined, that works opened
 * from disk with no network. Only pure modules and the shared panel come in: no worker, no
 * storage, no catalog.
 */
import { mount } from 'svelte';
import '../app/app.css';
import RecoveryTool from './RecoveryTool.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('the recovery tool has no #app element');
mount(RecoveryTool, { target });
