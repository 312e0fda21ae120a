import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/testing/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Kysely bundled (tree-shaken: only what the store uses), not its 260 modules loaded at start: idle RSS.
  noExternal: ['kysely'],
});
