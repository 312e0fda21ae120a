import { createVitestConfig } from '@pk/dev-config/vitest';

/**
 * Files that measure time, memory, CPU or work per request (abort latency, p99 with a failing store,
 * SIGTERM drains, RSS, allocations), start a browser, or stop and pause Redis: they run one at a time,
 * after the others, so nothing else on a 2-core machine skews what they measure. A new file that
 * asserts a duration or a resource figure belongs here.
 */
const ALONE = [
  // Work, memory and CPU per request or at idle.
  'test/allocations-per-request.test.ts',
  'test/hidden-classes-per-request.test.ts',
  'test/hot-path-work.test.ts',
  'test/next-tick-after-startup.test.ts',
  'test/idle-memory.test.ts',
  'test/stream-memory.test.ts',
  'test/batch-output-memory.test.ts',
  'test/cache-memory-bound.test.ts',
  // Latency, timeouts, drains and deadlines.
  'test/server.test.ts',
  'test/connections.test.ts',
  'test/shutdown.test.ts',
  'test/shutdown-log-records.test.ts',
  'test/slow-client-e2e.test.ts',
  'test/log-spill-e2e.test.ts',
  'test/log-spill-path-e2e.test.ts',
  'test/hook-feedback-spill-e2e.test.ts',
  'test/proxy-faults-e2e.test.ts',
  'test/stream-reset-e2e.test.ts',
  'test/stream-cut-usage-e2e.test.ts',
  'test/hostile-input.test.ts',
  'test/admin-hostile-input.test.ts',
  'test/prompts-e2e.test.ts',
  'test/guardrails-e2e.test.ts',
  'test/seed-headers.test.ts',
  'test/sdk-examples.test.ts',
  'test/log-record-fields-e2e.test.ts',
  'test/provider-defects.test.ts',
  'test/console-api.test.ts',
  'test/cache-single-flight-e2e.test.ts',
  // A session's close is asserted to reach the provider within a second.
  'test/realtime-ws-e2e.test.ts',
  'test/cache-semantic-embedder.test.ts',
  'test/cache-semantic-accounting.test.ts',
  'test/features/retries-and-timeouts.test.ts',
  'test/features/provider-families.test.ts',
  'test/features/time-rules.test.ts',
  'test/features/logs-and-tracing.test.ts',
  'test/features/cache.test.ts',
  'test/features/log-store.test.ts',
  'test/features/limits-billed-work.test.ts',
  'test/features/limits-period-boundary.test.ts',
  // Stores that fail, stall or wait for a lock (Redis paused or stopped, PostgreSQL refusing).
  'test/redis-stall.test.ts',
  'test/breaker-redis.test.ts',
  'test/cache-redis.test.ts',
  'test/log-store-faults.test.ts',
  'test/postgres-refusing-connections.test.ts',
  'test/sqlite-write-lock-e2e.test.ts',
  'test/store-sqlite.test.ts',
  'test/store-postgres.test.ts',
  // Two replicas on PostgreSQL, a revocation timed to a second.
  'test/admin-permission-matrix-e2e.test.ts',
  'test/features/breakers.test.ts',
  'test/features/limits.test.ts',
  'test/features/limits-redis-mending.test.ts',
  // Chromium.
  'test/console-browser.test.ts',
  'test/console-browser-scale.test.ts',
  'test/console-browser-guardrail-secrets.test.ts',
  'test/console-browser-hostile-names.test.ts',
  'test/cors-browser.test.ts',
  // In-process, with wall-clock bounds.
  'src/proxy/send-sse.test.ts',
  'src/prompts/render-prompt.test.ts',
  'src/cache/cache-flights.test.ts',
  'src/stores/redis-stall-guard.test.ts',
];

// Of the alone files, those that measure the test process itself (its heap growth under hostile input,
// the JSON work per request counted through hooks on its globals): each loads its own modules, last.
// The other alone files start the processes they measure, so they share one worker's loaded modules.
const ISOLATED_ALONE = ['test/hot-path-work.test.ts', 'test/hostile-input.test.ts'];

// The other files (in-process units, and end-to-end files that assert what was sent and answered)
// run three at a time (most of their time is spent waiting on the processes, databases and stores
// they start, so a third file fits beside two on 2 cores), sharing loaded modules (openai, portkey-ai, the store: loading them again for
// each file was a fifth of their time; none of them mocks a module or stubs a global). Hooks start
// gateways, databases and proxies: a hook that outran its limit left its process and database running.
export default createVitestConfig({
  alone: ALONE,
  isolatedAlone: ISOLATED_ALONE,
  sharedWorkers: 3,
  isolate: false,
  testTimeout: 20_000,
  hookTimeout: 60_000,
});
