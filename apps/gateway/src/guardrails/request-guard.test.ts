import { describe, expect, it } from 'vitest';
import { dialectHooksRefusal } from './request-guard.js';

describe('dialectHooksRefusal', () => {
  it.each([
    ['messages', '/v1/messages'],
    ['responses', '/v1/responses'],
  ] as const)('lets %s run its hooks', (endpoint, route) => {
    expect(dialectHooksRefusal(endpoint, route)).toBeUndefined();
  });

  it('refuses count_tokens, which has no request type', () => {
    expect(dialectHooksRefusal('messages.count_tokens', '/v1/messages/count_tokens')).toContain(
      'do not run on /v1/messages/count_tokens',
    );
  });
});
