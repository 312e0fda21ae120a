import type { UserConfig } from 'vitest/config';

/** Shared Vitest settings; in CI also writes `test-results.json` for the CI summary line. */
export function createVitestConfig(options?: {
  testTimeout?: number;
  hookTimeout?: number;
  include?: string[];
  fileParallelism?: boolean;
}): UserConfig;
