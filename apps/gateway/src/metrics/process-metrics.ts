import { Counter, defaultProcessMetrics, type RegistryType } from './prom-client.js';

/**
 * The process metrics, prefixed `pk_`: prom-client's defaults (resident memory, heap, event-loop lag,
 * GC, file descriptors, handles, start time, Node version) and the CPU counters
 * (`pk_process_cpu_user_seconds_total`, `…_system_…`, `pk_process_cpu_seconds_total`), read at scrape
 * time only.
 */
export function registerProcessMetrics(registry: RegistryType): void {
  for (const register of defaultProcessMetrics()) {
    register(registry, { prefix: 'pk_', eventLoopMonitoringPrecision: 10 });
  }
  let last = process.cpuUsage();
  const user = new Counter({
    name: 'pk_process_cpu_user_seconds_total',
    help: 'User CPU time spent, in seconds.',
    registers: [registry],
    collect() {
      const now = process.cpuUsage();
      const userSeconds = (now.user - last.user) / 1e6;
      const systemSeconds = (now.system - last.system) / 1e6;
      last = now;
      user.inc(userSeconds);
      system.inc(systemSeconds);
      total.inc(userSeconds + systemSeconds);
    },
  });
  const system = new Counter({
    name: 'pk_process_cpu_system_seconds_total',
    help: 'System CPU time spent, in seconds.',
    registers: [registry],
  });
  const total = new Counter({
    name: 'pk_process_cpu_seconds_total',
    help: 'User and system CPU time spent, in seconds.',
    registers: [registry],
  });
}
