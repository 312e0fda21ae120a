// Loaded only with `await import()` when OTEL_EXPORTER_OTLP_ENDPOINT is set (see `tracing.ts`):
// nothing of OpenTelemetry is in a gateway process that does not export traces.
import { context, type Span, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  RandomIdGenerator,
  type Sampler,
  SamplingDecision,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { RequestEnd } from '../plugins/request-log.js';
import { HEALTH_PATHS } from '../routes/health.js';
import { exportFailureReason } from './export-failures.js';
import { requestSpansOf, SEMCONV_VERSION, type SpanPlan } from './request-spans.js';
import { otelTraceIdOf, type RequestTrace, type TracePropagation } from './trace-context.js';

const SPAN_KINDS: Readonly<Record<SpanPlan['kind'], SpanKind>> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
};

/**
 * The batch processor's standard variables (`OTEL_BSP_SCHEDULE_DELAY`, `…_MAX_QUEUE_SIZE`,
 * `…_MAX_EXPORT_BATCH_SIZE`, `…_EXPORT_TIMEOUT`), which SDK 2.x's processor no longer reads itself.
 */
export function batchOptionsOf(env: Readonly<Record<string, string | undefined>>): {
  scheduledDelayMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  exportTimeoutMillis?: number;
} {
  const read = (name: string): number | undefined => {
    const value = Number(env[name]);
    return env[name] !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
  };
  const options: Record<string, number> = {};
  const pairs: [string, string][] = [
    ['scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY'],
    ['maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'],
    ['maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
    ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'],
  ];
  for (const [option, name] of pairs) {
    const value = read(name);
    if (value !== undefined) options[option] = value;
  }
  return options;
}

/**
 * The sampler of the standard `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` (which SDK 2.x's
 * provider no longer reads itself): `parentbased_always_on` by default, so a caller's `traceparent`
 * decides; `parentbased_traceidratio` with an argument of 0.1 exports one trace in ten.
 */
export function samplerOf(env: Readonly<Record<string, string | undefined>>): Sampler {
  const ratio = (): Sampler => {
    const value = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
    return new TraceIdRatioBasedSampler(Number.isFinite(value) && value >= 0 && value <= 1 ? value : 1);
  };
  switch ((env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase()) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/** What `server.ts` holds while spans are exported. */
export interface OtelTracing {
  /** Records one finished request's spans (an `onRequestEnd` subscriber: never throws). */
  record(end: RequestEnd): void;
  /** Exports what is batched and stops (on SIGTERM, before exit). */
  shutdown(): Promise<void>;
  /** Spans the collector did not take (refused, unreachable, too slow) since the process started. */
  droppedSpans(): number;
  /** The trace context provider calls carry (`traceparent`), in the trace and sampling of the spans. */
  readonly propagation: TracePropagation;
}

/** `ExportResultCode.SUCCESS` of `@opentelemetry/core` (the SDK's own dependency, not pk's). */
const EXPORT_SUCCESS = 0;

/**
 * The exporter with its failures counted and reported: the SDK drops a batch the collector refused
 * (after the exporter's own retries) without a word, so an operator would not know traces are lost.
 */
function countingExporter(
  inner: SpanExporter,
  onFailure: (spans: number, reason: string) => void,
): SpanExporter & { readonly dropped: number } {
  let dropped = 0;
  return {
    get dropped() {
      return dropped;
    },
    export(spans, done) {
      inner.export(spans, (result) => {
        if (result.code !== EXPORT_SUCCESS) {
          dropped += spans.length;
          try {
            onFailure(spans.length, exportFailureReason(result.error));
          } catch {
            // Reporting never stops the export pipeline.
          }
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/**
 * Spans over OTLP/HTTP (JSON), batched by the SDK's `BatchSpanProcessor`. The exporter and processor
 * read the standard variables themselves: `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/traces` appended) or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`, `…_TIMEOUT`, `OTEL_BSP_*`; the
 * resource takes `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` (service name default `pk-gateway`).
 */
export function createOtelTracing(
  options: {
    readonly serviceVersion?: string;
    /** Told of each batch the collector did not take: its spans, and why (never a credential). */
    readonly onExportFailure?: (spans: number, reason: string) => void;
  } = {},
): OtelTracing {
  const random = new RandomIdGenerator();
  // A root span takes the trace id pk already gave the request (a UUID without dashes) when it has
  // one, so `x-portkey-trace-id` finds the trace in the tracing backend.
  let nextTraceId: string | undefined;
  // An attempt's span takes the id its provider call named in its `traceparent`.
  let nextSpanId: string | undefined;
  const idGenerator = {
    generateTraceId: () => {
      const id = nextTraceId ?? random.generateTraceId();
      nextTraceId = undefined;
      return id;
    },
    generateSpanId: () => {
      const id = nextSpanId ?? random.generateSpanId();
      nextSpanId = undefined;
      return id;
    },
  };
  const sampler = samplerOf(process.env);
  const resource = resourceFromAttributes({
    'service.name': 'pk-gateway',
    ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
  }).merge(detectResources({ detectors: [envDetector] }));
  const exporter = countingExporter(new OTLPTraceExporter(), options.onExportFailure ?? (() => undefined));
  const provider = new TracerProvider({
    resource,
    idGenerator,
    sampler,
    spanProcessors: [new BatchSpanProcessor({ exporter, ...batchOptionsOf(process.env) })],
  });
  const tracer = provider.getTracer('pk-gateway', options.serviceVersion, {
    schemaUrl: `https://opentelemetry.io/schemas/${SEMCONV_VERSION}`,
  });

  const start = (plan: SpanPlan, parent: ReturnType<typeof context.active>): Span => {
    const span = tracer.startSpan(
      plan.name,
      {
        kind: SPAN_KINDS[plan.kind],
        startTime: plan.startMs,
        attributes: plan.attributes as Record<string, string | number | boolean | string[]>,
      },
      parent,
    );
    if (plan.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: plan.error });
    return span;
  };

  const propagation: TracePropagation = {
    traceOf(parent, pkTraceId): RequestTrace {
      const traceId = parent?.traceId ?? otelTraceIdOf(pkTraceId) ?? random.generateTraceId();
      const parentContext = parent
        ? trace.setSpanContext(context.active(), {
            traceId: parent.traceId,
            spanId: parent.spanId,
            traceFlags: parent.traceFlags & TraceFlags.SAMPLED,
            isRemote: true,
          })
        : context.active();
      // The request span's own decision, made ahead (the samplers pk reads decide by the parent and
      // the trace id alone): a call says `sampled` only when the span it names is exported.
      const decision = sampler.shouldSample(parentContext, traceId, '', SpanKind.SERVER, {}, []);
      return { traceId, sampled: decision.decision === SamplingDecision.RECORD_AND_SAMPLED };
    },
    spanId: () => random.generateSpanId(),
  };

  return {
    propagation,
    record(end) {
      try {
        const path = end.request.url.split('?', 1)[0];
        // Probes and scrapes are not traced.
        if (path === undefined || HEALTH_PATHS.includes(path) || path === '/metrics') return;
        const spans = requestSpansOf(end);
        let root = context.active();
        if (spans.parent) {
          root = trace.setSpanContext(root, {
            traceId: spans.parent.traceId,
            spanId: spans.parent.spanId,
            traceFlags: spans.parent.traceFlags & TraceFlags.SAMPLED,
            isRemote: true,
          });
        } else {
          nextTraceId = spans.traceId;
        }
        const requestSpan = start(spans.request, root);
        nextTraceId = undefined;
        const inside = trace.setSpan(root, requestSpan);
        for (const attempt of spans.attempts) {
          nextSpanId = attempt.spanId;
          start(attempt, inside).end(attempt.endMs);
          nextSpanId = undefined;
        }
        requestSpan.end(spans.request.endMs);
      } catch {
        // Tracing never fails a request; a span that cannot be made is skipped.
        nextTraceId = undefined;
        nextSpanId = undefined;
      }
    },
    shutdown: () => provider.shutdown(),
    droppedSpans: () => exporter.dropped,
  };
}
