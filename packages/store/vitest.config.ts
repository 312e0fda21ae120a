import { createVitestConfig } from '@pk/dev-config/vitest';

// The files mostly wait on PostgreSQL and SQLite's disk writes (~50 s of CPU in ~95 s one at a
// time): three at a time take ~65 s. Each file uses a database or folder of its own.
export default createVitestConfig({ maxWorkers: 3 });
