declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The trace the request's provider calls carry (`traceparent`), made at its first call while spans
     * are exported; the request is decorated with it (null) only then.
     */
    otelTrace?: RequestTrace | null;
  }
}

/** A W3C trace context: the parent a request's span hangs under. */
export interface ParentContext {
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** 16 lower-case hex digits: the caller's span. */
  readonly spanId: string;
  /** W3C trace flags (bit 0: sampled). */
  readonly traceFlags: number;
}

const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(?:-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * The parent of a W3C `traceparent` header (version 00, or a later one read as 00 as the spec asks),
 * or undefined when it is absent or malformed (all-zero ids, version ff), in which case the span is
 * a root.
 */
export function parseTraceparent(header: string | string[] | undefined): ParentContext | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags] = match;
  if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  if (version === '00' && header.trim().length !== 55) return undefined;
  return {
    traceId: traceId as string,
    spanId: spanId as string,
    traceFlags: Number.parseInt(flags as string, 16),
  };
}

const HEX32 = /^[\da-f]{32}$/;
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

/**
 * The OpenTelemetry trace id a pk trace id (`x-portkey-trace-id`) maps to, when it has one: 32 hex
 * digits as they are, a UUID (what pk generates) without its dashes. Other spellings (`checkout-42`)
 * have none: their spans get a new trace id and carry the pk id as `pk.trace_id`.
 */
export function otelTraceIdOf(portkeyTraceId: string): string | undefined {
  const lower = portkeyTraceId.toLowerCase();
  if (HEX32.test(lower)) return lower === ZERO_TRACE ? undefined : lower;
  if (UUID.test(lower)) {
    const hex = lower.replaceAll('-', '');
    return hex === ZERO_TRACE ? undefined : hex;
  }
  return undefined;
}

/**
 * How a request's provider calls carry its trace while spans are exported (`otel-tracer.ts` makes
 * it; without tracing there is none, and calls carry nothing): the W3C `traceparent` of each call
 * names the span of its attempt, so what a provider (or a proxy before it) traces hangs under it.
 */
export interface TracePropagation {
  /**
   * The trace a request's spans go in and whether they are sampled, decided once, at its first call,
   * as the exporter decides it at the request's end: the caller's trace, else the trace id pk's own
   * trace id maps to, else a new one.
   */
  traceOf(parent: ParentContext | undefined, pkTraceId: string): RequestTrace;
  /** A new span id: 16 hex digits, never all zero. */
  spanId(): string;
}

/** The trace a request's calls carry, and the span id each call named (its attempt span's). */
export interface RequestTrace {
  readonly traceId: string;
  readonly sampled: boolean;
  /** Span ids of the attempt log's entries, in its order (none for a call never sent); set at the end. */
  attemptSpanIds?: readonly (string | undefined)[];
}

/** The `traceparent` of a call made in `trace` by the span `spanId`. */
export function traceparentOf(trace: RequestTrace, spanId: string): string {
  return `00-${trace.traceId}-${spanId}-${trace.sampled ? '01' : '00'}`;
}
