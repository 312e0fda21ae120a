// Shared Vitest settings. Every package's vitest.config.ts spreads this.
// In CI (CI=true) each package also writes a JSON report to `test-results.json`, which
// `.ci/summarize-tests.mjs` adds up into the plain `N passed, N failed` line CI reads.
import { defineConfig } from 'vitest/config';

/**
 * @param {{ testTimeout?: number, hookTimeout?: number, include?: string[], fileParallelism?: boolean, alone?: string[], sharedWorkers?: number }} [options]
 * `fileParallelism: false` runs a package's test files one at a time: for suites that measure time
 * (abort latency, p99 under a failing store) on a 2-core machine. `alone` does that for the files it
 * names (globs) only: they run one at a time after all others, which run `sharedWorkers` (2) at a
 * time. `hookTimeout` bounds `beforeAll` and the like (Vitest's 10 s unless given): suites whose hooks
 * start processes and databases give more.
 */
export function createVitestConfig(options = {}) {
  const reporters =
    process.env.CI === 'true' || process.env.PK_TEST_REPORT === '1'
      ? ['default', ['json', { outputFile: 'test-results.json' }]]
      : ['default'];
  const include = options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'];
  const test = {
    testTimeout: options.testTimeout ?? 10_000,
    hookTimeout: options.hookTimeout ?? 10_000,
    reporters,
    passWithNoTests: false,
    fileParallelism: options.fileParallelism ?? true,
  };
  if (options.alone === undefined) return defineConfig({ test: { ...test, include } });
  return defineConfig({
    test: {
      ...test,
      // Each project names its files (a project extending the root would add the root's `include` to
      // its own). Vitest runs a project with one worker and the default group order after all others.
      projects: [
        {
          extends: true,
          test: { name: 'shared', include, exclude: options.alone, maxWorkers: options.sharedWorkers ?? 2 },
        },
        { extends: true, test: { name: 'alone', include: options.alone, fileParallelism: false } },
      ],
    },
  });
}
