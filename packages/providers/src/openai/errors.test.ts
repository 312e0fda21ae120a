import { describe, expect, it } from 'vitest';
import { readFixtureText } from '../test-support/fixtures.js';
import { toOpenAIUpstreamError } from './errors.js';

const now = Date.parse('2025-01-01T00:00:00Z');

describe('toOpenAIUpstreamError', () => {
  it('keeps context_length_exceeded as the code clients test', () => {
    const error = toOpenAIUpstreamError({
      provider: 'openai',
      status: 400,
      body: readFixtureText('openai', 'error-400-context-length.json'),
      headers: {},
      now,
    });
    expect(error.toEnvelope().error).toMatchObject({
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
      param: 'messages',
    });
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^openai: 400 /);
    expect(error.toEnvelope().error.message).not.toMatch(/^openai/);
  });

  it('is retryable on 429 with retry-after-ms', () => {
    const body = readFixtureText('openai', 'error-429-rate-limit.json');
    const error = toOpenAIUpstreamError({
      provider: 'openai',
      status: 429,
      body,
      headers: { 'retry-after-ms': '1420' },
      now,
    });
    expect(error).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 1420,
      code: 'rate_limit_exceeded',
      provider: 'openai',
    });
  });

  it('reads retry-after as seconds or an HTTP date', () => {
    const body = readFixtureText('openai', 'error-401-invalid-key.json');
    expect(
      toOpenAIUpstreamError({ provider: 'openai', status: 503, body, headers: { 'retry-after': '3' }, now })
        .retryAfterMs,
    ).toBe(3000);
    const date = new Date(now + 5000).toUTCString();
    expect(
      toOpenAIUpstreamError({ provider: 'openai', status: 503, body, headers: { 'retry-after': date }, now })
        .retryAfterMs,
    ).toBe(5000);
  });

  it('copes with bodies that are not the envelope', () => {
    expect(
      toOpenAIUpstreamError({
        provider: 'x',
        status: 502,
        body: '<html>bad gateway</html>',
        headers: {},
        now,
      }).vendorMessage,
    ).toBe('<html>bad gateway</html>');
    expect(
      toOpenAIUpstreamError({
        provider: 'x',
        status: 422,
        body: '{"detail":"extra fields"}',
        headers: {},
        now,
      }).vendorMessage,
    ).toBe('extra fields');
    expect(
      toOpenAIUpstreamError({ provider: 'x', status: 500, body: '{"error":"boom"}', headers: {}, now })
        .vendorMessage,
    ).toBe('boom');
  });
});
