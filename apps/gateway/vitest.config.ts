import { createVitestConfig } from '@pk/dev-config/vitest';

// The gateway's suites measure time (abort latency, p99 with a failing store, SIGTERM drains) and
// spawn gateway processes: one file at a time keeps them honest on a 2-core machine. Their hooks start
// gateways, databases and proxies: a hook that outran its limit left its process and database running.
export default createVitestConfig({ fileParallelism: false, testTimeout: 20_000, hookTimeout: 60_000 });
