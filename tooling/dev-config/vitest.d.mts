import type { UserConfig } from 'vitest/config';

/** Shared Vitest settings; in CI also writes `test-results.json` for the CI summary line. */
export function createVitestConfig(options?: {
  testTimeout?: number;
  hookTimeout?: number;
  include?: string[];
  fileParallelism?: boolean;
  /**
   * `false`: a worker's files share imported modules (no reload per file). Only for pure units with
   * no `vi.mock`, global stubs or module state a file changes. Default `true`.
   */
  isolate?: boolean;
  /** Files at a time (Vitest's default: the cores less one), for suites that mostly wait on a database. */
  maxWorkers?: number;
  /** Globs of files that run one at a time, after all the others (which run `sharedWorkers` at a time). */
  alone?: string[];
  /**
   * Of `alone`, the files that measure the test process's own heap or work: they run last, each loading
   * its own modules. The other alone files share a worker's modules when `isolate` is `false`.
   */
  isolatedAlone?: string[];
  /** How many of the other files run at a time when `alone` is given (2). */
  sharedWorkers?: number;
}): UserConfig;
