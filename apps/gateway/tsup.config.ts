import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  entry: ['src/index.ts', 'src/server.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The version spans name as their instrumentation scope's and `service.version`.
  define: { __PACKAGE_VERSION__: JSON.stringify(version) },
});
