import { describe, expect, it } from 'vitest';
import { otelTraceIdOf, parseTraceparent } from './trace-context.js';

describe('W3C trace context', () => {
  it('reads a traceparent, refusing malformed and all-zero ids', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    expect(parseTraceparent(undefined)).toBeUndefined();
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeUndefined();
    expect(parseTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra')).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
  });

  it('maps pk trace ids that are hex or UUIDs to OpenTelemetry trace ids', () => {
    expect(otelTraceIdOf('4BF92F3577B34DA6A3CE929D0E0E4736')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(otelTraceIdOf('0b6d4c1e-8a8f-4c51-9f0e-2f7c2d7a9e10')).toBe('0b6d4c1e8a8f4c519f0e2f7c2d7a9e10');
    expect(otelTraceIdOf('checkout-42')).toBeUndefined();
    expect(otelTraceIdOf('0'.repeat(32))).toBeUndefined();
  });
});
