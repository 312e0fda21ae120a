import { describe, expect, it } from 'vitest';
import { batchOptionsOf, samplerOf } from './otel-tracer.js';

describe('standard OTEL_* variables the SDK 2.x no longer reads itself', () => {
  it('OTEL_TRACES_SAMPLER and its argument', () => {
    expect(samplerOf({}).toString()).toContain('ParentBased{root=AlwaysOnSampler');
    expect(samplerOf({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
    expect(
      samplerOf({
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      }).toString(),
    ).toContain('TraceIdRatioBased{0.1}');
    expect(
      samplerOf({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'nope' }).toString(),
    ).toContain('TraceIdRatioBased{1}');
  });

  it('OTEL_BSP_*', () => {
    expect(batchOptionsOf({ OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_MAX_QUEUE_SIZE: 'x' })).toEqual({
      scheduledDelayMillis: 200,
    });
  });
});
