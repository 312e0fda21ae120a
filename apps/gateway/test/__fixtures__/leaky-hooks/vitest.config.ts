import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Run only by server-process.test.ts, as a vitest of its own: test files that lose their gateways.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: { include: ['*.fixture.ts'], reporters: ['dot'], testTimeout: 20_000 },
});
