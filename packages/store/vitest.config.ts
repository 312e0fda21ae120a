import { createVitestConfig } from '@pk/dev-config/vitest';

// The files mostly wait on PostgreSQL and SQLite's disk writes: three at a time. Each file uses a
// database or folder of its own, and they share a worker's loaded modules (kysely, pg,
// better-sqlite3 and the store loaded once per worker rather than once per file).
// The one file that replaces a module (node:worker_threads, to fail the log sink's start) loads its
// own, alone and last.
const ISOLATED_ALONE = ['src/request-logs/sqlite-log-sink-start-failure.test.ts'];

export default createVitestConfig({
  isolate: false,
  sharedWorkers: 3,
  alone: ISOLATED_ALONE,
  isolatedAlone: ISOLATED_ALONE,
});
