import { defineConfig } from 'vite';
import { sriCspPlugin } from './build/sri-csp-plugin.js';

export default defineConfig({
  // Relative asset URLs: the same build works at any mount path of the broker's static server.
  base: './',
  resolve: {
    // Workspace packages are bundled from their TypeScript sources, with their browser seams.
    conditions: ['source', 'browser', 'module', 'import', 'default'],
  },
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // The polyfill would be injected as code we do not need; every target browser has modulepreload.
    modulePreload: { polyfill: false },
    // Keep every asset a separate file: inlined data: URLs would need a looser CSP.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
    // One script: lazily imported chunks could not carry an SRI attribute from index.html.
    rolldownOptions: { output: { codeSplitting: false } },
  },
  plugins: [sriCspPlugin()],
});
