import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

/**
 * prom-client's metric classes, loaded from their own modules rather than the package's index: the
 * index also loads its default process metrics, whose CPU counter requires `@opentelemetry/api` (for
 * exemplars). A gateway started without `OTEL_EXPORTER_OTLP_ENDPOINT` loads no OpenTelemetry module
 * at all (a test checks it), so the process metrics are assembled in `process-metrics.ts` without it.
 * The deep paths are prom-client 15's files (pinned in package.json; no `exports` map restricts them).
 */
const require = createRequire(import.meta.url);

export const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
export const Counter = require('prom-client/lib/counter') as typeof PromClient.Counter;
export const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge;
export const Histogram = require('prom-client/lib/histogram') as typeof PromClient.Histogram;

/** One of prom-client's default process metrics: `(registry, { prefix })` registers it. */
type DefaultMetric = (
  registry: PromClient.Registry,
  config: { prefix: string; eventLoopMonitoringPrecision?: number },
) => void;

/**
 * prom-client's default process metrics (memory, heap spaces, file descriptors, event-loop lag, GC,
 * handles, Node version, start time) except `processCpuTotal` (see above), by module name.
 */
export function defaultProcessMetrics(): DefaultMetric[] {
  const names = [
    'processStartTime',
    'osMemoryHeap',
    'processOpenFileDescriptors',
    'processMaxFileDescriptors',
    'eventLoopLag',
    ...(typeof process.getActiveResourcesInfo === 'function' ? ['processResources'] : []),
    'processHandles',
    'processRequests',
    'heapSizeAndUsed',
    'heapSpacesSizeAndUsed',
    'version',
    // Not 'gc': its PerformanceObserver runs a callback (and a labelled histogram observation) on
    // every garbage collection, which measured ~10 % of a request's CPU at saturation
    // (`pnpm bench:observability`: metrics on 1.15× of off with it, 1.02–1.06× without).
  ];
  return names.map((name) => require(`prom-client/lib/metrics/${name}`) as DefaultMetric);
}

export type {
  Counter as CounterType,
  Gauge as GaugeType,
  Histogram as HistogramType,
  Registry as RegistryType,
} from 'prom-client';
