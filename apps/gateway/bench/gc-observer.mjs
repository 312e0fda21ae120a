// Preloaded with `node --import` by p99-probe.mjs: prints every garbage collection of the process as
// `GCEV <epoch ms of its start> <duration ms> <kind>` on stderr, for matching against request times.
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';

const kinds = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const start = performance.timeOrigin + entry.startTime;
    process.stderr.write(
      `GCEV ${start.toFixed(2)} ${entry.duration.toFixed(2)} ${kinds[entry.detail?.kind] ?? 'other'}\n`,
    );
  }
}).observe({ entryTypes: ['gc'] });
