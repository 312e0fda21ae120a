import { describe, expect, it } from 'vitest';
import { openAIDuration, refusalHeaders, roomHeaders } from './limit-headers.js';

describe('rate-limit headers', () => {
  it('writes durations as OpenAI does', () => {
    expect(openAIDuration(20)).toBe('20ms');
    expect(openAIDuration(1000)).toBe('1s');
    expect(openAIDuration(360_000)).toBe('6m0s');
    expect(openAIDuration(3_723_000)).toBe('1h2m3s');
  });

  it('passing answers: x-pk-ratelimit-*; refusals: Retry-After and x-ratelimit-*', () => {
    expect(roomHeaders([{ measure: 'requests', limit: 50, remaining: 7, resetMs: 60_000 }])).toEqual({
      'x-pk-ratelimit-limit-requests': '50',
      'x-pk-ratelimit-remaining-requests': '7',
      'x-pk-ratelimit-reset-requests': '1m0s',
    });
    const refusal = {
      ok: false as const,
      reason: 'rate' as const,
      subject: { key: 'gk:a', kind: 'api_key' as const, label: 'a', limits: { windows: [] } },
      rooms: [{ measure: 'tokens' as const, limit: 1000, remaining: 0, resetMs: 1500 }],
      retryAfterMs: 1500,
      message: 'no',
    };
    expect(refusalHeaders(refusal)).toEqual({
      'retry-after': '2',
      'retry-after-ms': '1500',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '2s',
    });
    expect(refusalHeaders({ ...refusal, rooms: [], retryAfterMs: -1 })).toEqual({});
  });
});
