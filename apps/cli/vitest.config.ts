import { createVitestConfig } from '@pk/dev-config/vitest';

// Every test spawns the built gateway and the built CLI: one file at a time on a 2-core machine.
export default createVitestConfig({ fileParallelism: false, testTimeout: 30_000, hookTimeout: 60_000 });
