// Shared Vitest settings. Every package's vitest.config.ts spreads this.
// In CI (CI=true) each package also writes a JSON report to `test-results.json`, which
// `.ci/summarize-tests.mjs` adds up into the plain `N passed, N failed` line CI reads.
import { defineConfig } from 'vitest/config';

/**
 * @param {{ testTimeout?: number, hookTimeout?: number, include?: string[], fileParallelism?: boolean }} [options]
 * `fileParallelism: false` runs a package's test files one at a time: for suites that measure time
 * (abort latency, p99 under a failing store) on a 2-core machine. `hookTimeout` bounds `beforeAll` and
 * the like (Vitest's 10 s unless given): suites whose hooks start processes and databases give more.
 */
export function createVitestConfig(options = {}) {
  const reporters =
    process.env.CI === 'true' || process.env.PK_TEST_REPORT === '1'
      ? ['default', ['json', { outputFile: 'test-results.json' }]]
      : ['default'];
  return defineConfig({
    test: {
      include: options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 10_000,
      hookTimeout: options.hookTimeout ?? 10_000,
      reporters,
      passWithNoTests: false,
      fileParallelism: options.fileParallelism ?? true,
    },
  });
}
