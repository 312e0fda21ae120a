import type { EmbeddingOutcome } from '../cache/semantic/embedder.js';
import { PARSER_REFUSAL_REASONS, type ParserRefusalReason } from '../client-error.js';
import type { RequestEnd } from '../plugins/request-log.js';
import { CounterFamily, HistogramFamily, type RegisteredMetric } from './metric-families.js';
import {
  cacheStatusLabel,
  createModelLabeller,
  fallbacksIn,
  type ModelLookup,
  NONE,
  OTHER,
  providerLabel,
  retriesIn,
  statusClass,
  virtualKeyLabel,
} from './metric-labels.js';
import { registerProcessMetrics } from './process-metrics.js';
import { Counter, Gauge, Registry, type RegistryType } from './prom-client.js';

/** Latency buckets (seconds) of whole requests: 5 ms to 2 min. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Gateway overhead buckets (seconds): from 50 µs, as pk's own overhead is well under a millisecond. */
export const OVERHEAD_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
];
/** First-byte buckets (seconds): 1 ms to 1 min. */
export const FIRST_BYTE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** How deep a log queue is and what it dropped, read at scrape time. */
export interface LogQueueStats {
  /** Lines (or records) waiting to be written. */
  readonly depth: number;
  /** Dropped since the process started. */
  readonly dropped: number;
}

export interface GatewayMetricsOptions {
  /** Price-table lookup naming a model's label (default: `@pk/prices`' built-in table). */
  readonly lookupModel?: ModelLookup;
  /** Whether a virtual key slug is configured (settings or store): others are labelled `other`. */
  readonly isConfiguredVirtualKey?: (slug: string) => boolean;
  /** Register the `pk_process_*` and Node metrics (default true; tests of the pure part turn it off). */
  readonly processMetrics?: boolean;
}

/** Every `pk_*` metric of a gateway process, fed once per request by {@link GatewayMetrics.record}. */
export interface GatewayMetrics {
  readonly registry: RegistryType;
  /** Counts one finished request (an `onRequestEnd` subscriber: never throws). */
  record(end: RequestEnd): void;
  /** Reports a log queue (`stdout`, the log store …) at every scrape: depth and drops. */
  watchLogQueue(queue: string, stats: () => LogQueueStats): void;
  /** Counts a breaker opening or closing. */
  breakerTransition(transition: 'open' | 'half_open' | 'close'): void;
  /** Sets how many breakers are open (read at scrape time from the breaker watcher). */
  watchOpenBreakers(count: () => number): void;
  /** Reads the spans the OTLP collector did not take, at every scrape (tracing on only). */
  watchDroppedSpans(count: () => number): void;
  /** Counts a request Node's HTTP parser refused (no route ran: not in `pk_requests_total`). */
  parserRefusal(reason: ParserRefusalReason): void;
  /** Counts one embedding call of the semantic cache, by how it ended. */
  embeddingCall(outcome: EmbeddingOutcome): void;
  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string>;
  readonly contentType: string;
}

/** Creates the metrics of one gateway (its own registry: nothing global, several apps per test process work). */
export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const modelLabel = createModelLabeller(options.lookupModel ? { lookup: options.lookupModel } : {});
  const isConfiguredVirtualKey = options.isConfiguredVirtualKey ?? (() => false);
  const family = <T extends RegisteredMetric>(metric: T): T => {
    registry.registerMetric(metric as unknown as Parameters<RegistryType['registerMetric']>[0]);
    return metric;
  };
  const requests = family(
    new CounterFamily(
      'pk_requests_total',
      'Requests answered, by provider, model (the price table’s id of the model that answered, else of the one requested, else other), status class, cache status and virtual key.',
      ['provider', 'model', 'status_class', 'cache_status', 'virtual_key'],
    ),
  );
  const duration = family(
    new HistogramFamily(
      'pk_request_duration_seconds',
      'Time from a request’s arrival to the end of its answer (streams: the last byte).',
      ['provider', 'status_class'],
      DURATION_BUCKETS,
    ),
  );
  const overhead = family(
    new HistogramFamily(
      'pk_gateway_overhead_seconds',
      'Time of a request spent in the gateway: its latency minus the time spent waiting on providers.',
      ['provider'],
      OVERHEAD_BUCKETS,
    ),
  );
  const firstByte = family(
    new HistogramFamily(
      'pk_first_byte_seconds',
      'Time from a request’s arrival to the first byte sent to the client.',
      ['provider', 'stream'],
      FIRST_BYTE_BUCKETS,
    ),
  );
  const tokens = family(
    new CounterFamily(
      'pk_tokens_total',
      'Tokens reported by providers, by type: input (cached included), output (reasoning included), cached_input, cache_write, reasoning.',
      ['provider', 'model', 'type'],
    ),
  );
  const cost = family(
    new CounterFamily(
      'pk_cost_usd_total',
      'Cost of answered requests in USD, from @pk/prices (requests of unpriced models add nothing: see pk_requests_unpriced_total).',
      ['provider', 'model'],
    ),
  );
  const unpriced = family(
    new CounterFamily(
      'pk_requests_unpriced_total',
      'Requests with usage whose model has no price, so their cost is unknown (not 0).',
      ['provider'],
    ),
  );
  const attempts = family(
    new CounterFamily(
      'pk_provider_attempts_total',
      'Calls made to providers (retries and fallbacks included; cache hits and attempts the gateway refused itself, a limit or an input guardrail, not), by provider and status class.',
      ['provider', 'status_class'],
    ),
  );
  const streamsFailed = family(
    new CounterFamily(
      'pk_streams_failed_total',
      'Streams answered 200 that ended with an error event instead of their end: reason provider_error (the provider’s in-band error), guardrail_denied (an output guardrail’s deny) or interrupted (a break, a stall past PK_STREAM_IDLE_TIMEOUT_MS, an end before the end marker).',
      ['provider', 'reason'],
    ),
  );
  const retries = family(
    new CounterFamily(
      'pk_retries_total',
      'Retries made (another attempt on the same target), by the provider of the request’s last attempt.',
      ['provider'],
    ),
  );
  const fallbacks = family(
    new CounterFamily(
      'pk_fallbacks_total',
      'Moves to another target of a config (a fallback), by the status class of the failed attempt that made the move (not of the answer the client got).',
      ['status_class'],
    ),
  );
  // Only a gateway with a semantic cache calls it: without one the family has no series.
  const embeddingCalls = family(
    new CounterFamily(
      'pk_cache_embedding_calls_total',
      'Embedding calls of the semantic cache (one per semantic lookup after an exact miss; not in pk_provider_attempts_total), by outcome: ok, error, timeout (longer than semantic_cache.timeout_ms) or client_left.',
      ['outcome'],
    ),
  );
  const breakerTransitions = new Counter({
    name: 'pk_circuit_breaker_transitions_total',
    help: 'Circuit breakers that opened, went half-open (a probe taken) or closed in this process.',
    labelNames: ['transition'] as const,
    registers,
  });
  const parserRefusals = new Counter({
    name: 'pk_http_parser_refusals_total',
    help: 'Requests Node’s HTTP parser refused before any route ran (answered 400, 408 or 431, or the connection closed), by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  // Every reason from 0, so a first refusal is an increase a rate() sees.
  for (const reason of PARSER_REFUSAL_REASONS) parserRefusals.inc({ reason }, 0);
  let openBreakers: () => number = () => 0;
  new Gauge({
    name: 'pk_circuit_breakers_open',
    help: 'Circuit breakers open, as this process last saw them.',
    registers,
    collect() {
      this.set(openBreakers());
    },
  });
  const logQueues = new Map<string, () => LogQueueStats>();
  const readQueues = (): [string, LogQueueStats][] => {
    const read: [string, LogQueueStats][] = [];
    for (const [queue, stats] of logQueues) {
      try {
        read.push([queue, stats()]);
      } catch {
        // A queue that cannot say is left out of this scrape.
      }
    }
    return read;
  };
  new Gauge({
    name: 'pk_log_queue_depth',
    help: 'Log lines or records waiting to be written, by queue.',
    labelNames: ['queue'] as const,
    registers,
    collect() {
      for (const [queue, stats] of readQueues()) this.set({ queue }, stats.depth);
    },
  });
  // A counter kept by the queue itself (it only grows): its value is copied at scrape time.
  new Counter({
    name: 'pk_log_dropped_total',
    help: 'Log lines or records dropped since the process started, by queue.',
    labelNames: ['queue'] as const,
    registers,
    collect() {
      this.reset();
      for (const [queue, stats] of readQueues()) this.inc({ queue }, stats.dropped);
    },
  });
  let droppedSpans: (() => number) | undefined;
  // A counter kept by the span exporter, copied at scrape time (0 without tracing).
  new Counter({
    name: 'pk_spans_dropped_total',
    help: 'Spans the OTLP collector did not take (it refused them, could not be reached or did not answer in time), dropped since the process started.',
    registers,
    collect() {
      this.reset();
      if (droppedSpans !== undefined) this.inc(droppedSpans());
    },
  });
  if (options.processMetrics !== false) registerProcessMetrics(registry);

  return {
    registry,
    contentType: registry.contentType,
    record({ status, latencyMs, fields }) {
      // A deny by hooks every target shares names its only target in the log, yet no provider answered.
      const provider = providerLabel(fields.refusedBeforeRouting ? undefined : fields.provider);
      // A request refused before any provider call keeps `provider="none"`, its model labelled as
      // the provider it was planned for would label it (a priced model is not `other`). An answer is
      // labelled as its cost was priced: by the model that answered (a deployment name or alias the
      // table does not know, answered by a priced model, is that model), else the one asked for.
      const pricedBy = fields.provider ?? fields.plannedProvider;
      const answered =
        fields.answeredModel === undefined ? OTHER : modelLabel(pricedBy, fields.answeredModel);
      const model = answered !== OTHER && answered !== NONE ? answered : modelLabel(pricedBy, fields.model);
      const statusLabel = statusClass(status);
      requests.add([
        provider,
        model,
        statusLabel,
        cacheStatusLabel(fields.cacheStatus),
        virtualKeyLabel(fields.virtualKey, isConfiguredVirtualKey),
      ]);
      duration.observe([provider, statusLabel], latencyMs / 1000);
      if (fields.overheadMs !== undefined && fields.overheadMs >= 0) {
        overhead.observe([provider], fields.overheadMs / 1000);
      }
      if (fields.firstByteMs !== undefined && fields.firstByteMs >= 0) {
        firstByte.observe([provider, fields.stream === true ? 'true' : 'false'], fields.firstByteMs / 1000);
      }
      const usage = fields.usage;
      if (usage) {
        const add = (type: string, value: number | undefined): void => {
          if (typeof value === 'number' && value > 0 && Number.isFinite(value))
            tokens.add([provider, model, type], value);
        };
        add('input', usage.prompt_tokens);
        add('output', usage.completion_tokens);
        add('cached_input', usage.cached_tokens);
        add('cache_write', usage.cache_write_tokens);
        add('reasoning', usage.reasoning_tokens);
      }
      if (typeof fields.cost === 'number' && fields.cost > 0 && Number.isFinite(fields.cost)) {
        cost.add([provider, model], fields.cost);
      } else if (fields.costStatus === 'unknown_price') {
        unpriced.add([provider]);
      }
      if (fields.attemptLog) {
        for (const attempt of fields.attemptLog) {
          // An attempt the gateway refused itself (a limit, an input guardrail) called no provider.
          if (attempt.notSent !== true)
            attempts.add([providerLabel(attempt.provider), statusClass(attempt.status)]);
        }
      }
      // A stream that failed after its start is a 200 with an error code (pk's, or the provider's).
      if (fields.stream === true && fields.errorCode !== undefined && status < 300) {
        streamsFailed.add([
          provider,
          fields.errorCode === 'PK_ERR_STREAM_INTERRUPTED'
            ? 'interrupted'
            : fields.errorCode === 'PK_ERR_GUARDRAIL_DENIED'
              ? 'guardrail_denied'
              : 'provider_error',
        ]);
      }
      const retried = retriesIn(fields.attemptLog);
      if (retried > 0) retries.add([provider], retried);
      // A fallback is labelled by the attempt that failed and made it (a 446 is 4xx, though the
      // request may end 2xx on the next target).
      const attemptLog = fields.attemptLog;
      if (attemptLog !== undefined && fallbacksIn(attemptLog) > 0) {
        for (let index = 1; index < attemptLog.length; index += 1) {
          const failed = attemptLog[index - 1];
          if (failed !== undefined && attemptLog[index]?.targetPath !== failed.targetPath) {
            fallbacks.add([statusClass(failed.status)], 1);
          }
        }
      }
    },
    watchLogQueue(queue, stats) {
      logQueues.set(queue, stats);
    },
    breakerTransition(transition) {
      breakerTransitions.inc({ transition });
    },
    watchOpenBreakers(count) {
      openBreakers = count;
    },
    watchDroppedSpans(count) {
      droppedSpans = count;
    },
    parserRefusal(reason) {
      parserRefusals.inc({ reason });
    },
    embeddingCall(outcome) {
      embeddingCalls.add([outcome]);
    },
    scrape: () => registry.metrics(),
  };
}

export { NONE };
