import { createVitestConfig } from '@pk/dev-config/vitest';

// Every test spawns the built gateway and the built CLI: one file at a time on a 2-core machine.
// A test runs `pk` up to ~20 times, each a Node start (~0.3 s idle, over 1 s on a loaded CI
// machine): 60 s is room for that load, and a hang still fails within a minute.
export default createVitestConfig({ fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 });
