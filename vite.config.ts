import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  worker: { format: 'es' },
  build: { target: 'es2022' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  test: {
    // The default reporter for people, then one plain last line for CI: `tests: N passed, N failed`.
    reporters: ['default', './test/reporter.ts'],
    // Unit tests first, then the browser tests, so the two never compete for the 2 cores.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // The tests drive Debian's Chromium through playwright-core; they run in Node.
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One Chromium at a time.
          fileParallelism: false,
          // Builds the app once and serves it; tests get the URL with inject('baseUrl').
          globalSetup: ['./test/browser/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
