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
