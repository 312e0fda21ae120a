// Shared Vitest settings. Every package's vitest.config.ts spreads this.
// In CI (CI=true) each package also writes a JSON report to `test-results.json`, which
// `.ci/summarize-tests.mjs` adds up into the plain `N passed, N failed` line CI reads.
import { defineConfig } from 'vitest/config';

/**
 * @param {{ testTimeout?: number, hookTimeout?: number, include?: string[], fileParallelism?: boolean, isolate?: boolean, maxWorkers?: number, alone?: string[], isolatedAlone?: string[], sharedWorkers?: number }} [options]
 * `fileParallelism: false` runs a package's test files one at a time: for suites that measure time
 * (abort latency, p99 under a failing store) on a 2-core machine. `alone` does that for the files it
 * names (globs) only: they run one at a time after all others, which run `sharedWorkers` (2) at a
 * time; those of them also in `isolatedAlone` run last, each with its own modules. `hookTimeout` bounds `beforeAll` and the like (Vitest's 10 s unless given): suites whose hooks
 * start processes and databases give more. `isolate: false` lets a worker's test files share their
 * imported modules instead of loading them again for each file (Vitest's default isolates): for
 * suites of pure units with no module mocks, global stubs or module state a file changes, where
 * loading is most of the time (the providers' 74 files: 42 s isolated, 8 s not). With `alone`, it
 * applies to the shared and the alone files; `isolatedAlone` files stay isolated. `maxWorkers`: files at a time,
 * for suites that mostly wait on a database (Vitest's default is the cores less one).
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
    isolate: options.isolate ?? true,
    // Vitest's default is one worker less than the cores: one worker on a 2-core machine.
    ...(options.maxWorkers === undefined ? {} : { maxWorkers: options.maxWorkers }),
  };
  if (options.alone === undefined) return defineConfig({ test: { ...test, include } });
  const isolated = options.isolatedAlone ?? [];
  const sharedAlone = options.alone.filter((file) => !isolated.includes(file));
  return defineConfig({
    test: {
      ...test,
      // Each project names its files (a project extending the root would add the root's `include` to
      // its own). Vitest runs groups by `sequence.groupOrder`, lowest first; an isolated project with one
      // worker and the default order runs after every group.
      projects: [
        {
          extends: true,
          test: {
            name: 'shared',
            include,
            exclude: options.alone,
            maxWorkers: options.sharedWorkers ?? 2,
            sequence: { groupOrder: 0 },
          },
        },
        // One at a time in one worker that keeps what it loaded (with `isolate: false`): a file that
        // measures time has the machine to itself without paying to load openai, portkey-ai and the
        // store again (about 3 s a file on 2 cores).
        ...(sharedAlone.length === 0
          ? []
          : [
              {
                extends: true,
                test: {
                  name: 'alone',
                  include: sharedAlone,
                  fileParallelism: false,
                  maxWorkers: 1,
                  sequence: { groupOrder: 1 },
                },
              },
            ]),
        // Files that measure the test process's own heap or work see only their own modules.
        ...(isolated.length === 0
          ? []
          : [
              {
                extends: true,
                test: { name: 'isolated', include: isolated, fileParallelism: false, isolate: true },
              },
            ]),
      ],
    },
  });
}
