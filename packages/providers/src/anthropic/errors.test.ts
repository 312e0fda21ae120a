import { describe, expect, it } from 'vitest';
import { readFixtureText } from '../test-support/fixtures.js';
import { toAnthropicUpstreamError } from './errors.js';

describe('toAnthropicUpstreamError', () => {
  it('keeps overloaded_error, retryable on 529', () => {
    const error = toAnthropicUpstreamError({
      provider: 'anthropic',
      status: 529,
      body: readFixtureText('anthropic', 'error-529-overloaded.json'),
      headers: {},
      now: 0,
    });
    expect(error).toMatchObject({
      status: 529,
      retryable: true,
      type: 'overloaded_error',
      vendorMessage: 'Overloaded',
    });
    expect(error.toEnvelope()).toEqual({
      error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: null },
    });
  });

  it('gives a too-long prompt the code context_length_exceeded', () => {
    const error = toAnthropicUpstreamError({
      provider: 'anthropic',
      status: 400,
      body: readFixtureText('anthropic', 'error-400-prompt-too-long.json'),
      headers: {},
      now: 0,
    });
    expect(error).toMatchObject({
      retryable: false,
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
    });
  });

  it('honours retry-after on 429', () => {
    const error = toAnthropicUpstreamError({
      provider: 'anthropic',
      status: 429,
      body: readFixtureText('anthropic', 'error-429-rate-limit.json'),
      headers: { 'retry-after': '12' },
      now: 0,
    });
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 12_000, type: 'rate_limit_error' });
  });
});
