import { resolveConfig } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { dialectHooksRefusal } from './request-guard.js';

const planOf = (config: Record<string, unknown>) => resolveConfig(config, {}, { configId: 'test' });
const INPUT = {
  input_guardrails: [{ 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true }],
};
const OUTPUT = { output_guardrails: [{ 'default.regexMatch': { rule: 'Paris' } }] };

describe('dialectHooksRefusal', () => {
  it.each([
    ['messages', '/v1/messages'],
    ['responses', '/v1/responses'],
  ] as const)('lets %s run input and output hooks on JSON answers', (endpoint, route) => {
    const plan = planOf({ virtual_key: 'anthropic-prod', ...INPUT, ...OUTPUT });
    expect(dialectHooksRefusal(endpoint, plan, false, route)).toBeUndefined();
  });

  it('lets a streamed request run its input hooks', () => {
    const plan = planOf({ virtual_key: 'anthropic-prod', ...INPUT });
    expect(dialectHooksRefusal('messages', plan, true, '/v1/messages')).toBeUndefined();
    expect(dialectHooksRefusal('responses', plan, true, '/v1/responses')).toBeUndefined();
  });

  it('lets a streamed Messages request run its output hooks (its stream is guarded)', () => {
    const plan = planOf({ virtual_key: 'anthropic-prod', ...OUTPUT });
    expect(dialectHooksRefusal('messages', plan, true, '/v1/messages')).toBeUndefined();
  });

  it('refuses a streamed Responses request whose fallback target has output hooks', () => {
    const plan = planOf({
      strategy: { mode: 'fallback' },
      targets: [{ virtual_key: 'anthropic-prod' }, { virtual_key: 'openai-prod', ...OUTPUT }],
    });
    expect(dialectHooksRefusal('responses', plan, true, '/v1/responses')).toContain(
      'streamed answers of /v1/responses',
    );
  });

  it('refuses count_tokens, which has no request type', () => {
    const plan = planOf({ virtual_key: 'anthropic-prod', ...INPUT });
    expect(dialectHooksRefusal('messages.count_tokens', plan, false, '/v1/messages/count_tokens')).toContain(
      'do not run on /v1/messages/count_tokens',
    );
  });
});
