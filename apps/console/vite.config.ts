import { defineConfig } from 'vite';

// The console is served by the gateway at /console: every asset URL starts there. No inline script
// (the gateway's Content-Security-Policy forbids it), so the module preload polyfill stays out.
export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
