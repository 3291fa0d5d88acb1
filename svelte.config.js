/** Read by vite-plugin-svelte, svelte-check and eslint-plugin-svelte alike. */
export default {
  compilerOptions: {
    // Svelte 5 runes everywhere: legacy syntax (`export let`, `$:`) is a compile error, not a mode.
    runes: true,
  },
};
