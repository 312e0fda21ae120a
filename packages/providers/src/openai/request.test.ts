import { describe, expect, it } from 'vitest';
import { preparedChat, testContext } from '../test-support/context.js';
import { readJsonFixture } from '../test-support/fixtures.js';
import { toOpenAIRequest } from './request.js';

const context = testContext('openai', { provider: 'openai', api_key: 'sk-test' });

describe('toOpenAIRequest', () => {
  it.each(['request-text.json', 'request-tools.json'])(
    'sends the documented example %s field for field',
    (name) => {
      const documented = readJsonFixture('openai', name);
      const { upstream, warnings } = toOpenAIRequest(preparedChat('openai', documented), context);
      expect(upstream.url).toBe('https://api.openai.com/v1/chat/completions');
      expect(upstream.method).toBe('POST');
      expect(upstream.headers).toEqual({
        authorization: 'Bearer sk-test',
        'content-type': 'application/json',
      });
      expect(JSON.parse(String(upstream.body))).toEqual(documented);
      expect(warnings).toEqual([]);
    },
  );

  it('passes unknown parameters through untouched and always asks for stream usage', () => {
    const body = {
      model: 'gpt-4.1',
      messages: [],
      stream: true,
      some_new_parameter: { a: 1 },
      verbosity: 'low',
    };
    const sent = JSON.parse(String(toOpenAIRequest(preparedChat('openai', body), context).upstream.body));
    expect(sent).toEqual({ ...body, stream_options: { include_usage: true } });
  });

  it("merges only the answering provider's provider_options and removes the rest", () => {
    const body = {
      model: 'gpt-4.1',
      messages: [],
      provider_options: { openai: { service_tier: 'flex' }, anthropic: { top_k: 5 } },
    };
    const sent = JSON.parse(String(toOpenAIRequest(preparedChat('openai', body), context).upstream.body));
    expect(sent).toEqual({ model: 'gpt-4.1', messages: [], service_tier: 'flex' });
  });

  it('uses custom_host and the organization and project headers', () => {
    const target = {
      api_key: 'k',
      custom_host: 'http://127.0.0.1:9/v1/',
      openai_organization: 'org',
      openai_project: 'proj',
    };
    const { upstream } = toOpenAIRequest(
      preparedChat('openai', { model: 'm', messages: [] }),
      testContext('openai', target),
    );
    expect(upstream.url).toBe('http://127.0.0.1:9/v1/chat/completions');
    expect(upstream.headers).toMatchObject({ 'openai-organization': 'org', 'openai-project': 'proj' });
  });
});
