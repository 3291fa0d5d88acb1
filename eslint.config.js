// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

// Not type-aware on purpose: type-aware rules (no-floating-promises …) tripled the lint time on a
// 2-core machine. tsc and svelte-check, which run first in `npm run check`, do the type checking.
export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'test/.output/', '.tmp/', '**/*.generated.ts']),

  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,

  // Svelte components and rune modules (*.svelte.ts): Svelte's parser, TypeScript inside.
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },

  // Globals per realm (TypeScript checks names in .ts files itself; these matter for .js and .svelte).
  { files: ['src/app/**', 'src/main.ts'], languageOptions: { globals: globals.browser } },
  { files: ['workers/**'], languageOptions: { globals: globals.worker } },
  { files: ['src/cli/**', 'test/**', '*.config.{js,ts}'], languageOptions: { globals: globals.node } },

  {
    rules: {
      // `_name` marks a binding kept on purpose (a signature to satisfy, a destructured rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // The app logs through one error handler, never patient data to the console by accident.
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // The CLI, the benchmark and the test tooling talk to a terminal.
    files: ['src/cli/**', 'src/core/wasm/build.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
);
