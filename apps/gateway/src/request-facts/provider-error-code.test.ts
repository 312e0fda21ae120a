import { describe, expect, it } from 'vitest';
import { providerErrorCodeOf } from './provider-error-code.js';

describe('the code a log records for a provider’s error', () => {
  it('is the provider’s code, else its type, else none', () => {
    // OpenAI's rate limit, its server error (code null), Anthropic's overload (a type only).
    expect(providerErrorCodeOf({ type: 'requests', code: 'rate_limit_exceeded' })).toBe(
      'rate_limit_exceeded',
    );
    expect(providerErrorCodeOf({ type: 'server_error', code: null })).toBe('server_error');
    expect(providerErrorCodeOf({ type: 'overloaded_error' })).toBe('overloaded_error');
    // Some providers' codes are numbers (Gemini's 429 in `error.code`).
    expect(providerErrorCodeOf({ code: 429, type: 'RESOURCE_EXHAUSTED' })).toBe('429');
    expect(providerErrorCodeOf({ code: '', type: '' })).toBeUndefined();
    expect(providerErrorCodeOf({})).toBeUndefined();
  });
});
