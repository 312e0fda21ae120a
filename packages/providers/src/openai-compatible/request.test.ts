import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { PROVIDER_ADAPTERS, type SupportedProviderId } from '../registry/registry.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readFixtureText, readJsonFixture } from '../test-support/fixtures.js';
import { OPENAI_COMPATIBLE_CONFIGS } from './configs.js';
import { toOpenAICompatibleUpstreamError } from './errors.js';

function chatUrl(id: SupportedProviderId, target: Record<string, string>): string {
  return PROVIDER_ADAPTERS[id].buildRequest(
    preparedChat(id, { model: 'm', messages: [] }),
    testContext(id, target),
  ).upstream.url;
}

function refusal(id: SupportedProviderId, target: Record<string, string>): PkError {
  try {
    chatUrl(id, target);
  } catch (error) {
    if (error instanceof PkError) return error;
    throw error;
  }
  throw new Error(`${id} accepted ${JSON.stringify(target)}`);
}

describe('OpenAI-compatible configurations: URLs built from target options', () => {
  it('refuses a missing api_key, except for servers that may run without one', () => {
    const prepared = preparedChat('groq', { model: 'm', messages: [] });
    expect(() => PROVIDER_ADAPTERS.groq.buildRequest(prepared, testContext('groq', {}))).toThrow(PkError);
    for (const id of ['ollama', 'ovhcloud'] as const) {
      expect(
        PROVIDER_ADAPTERS[id].buildRequest(prepared, testContext(id, {})).upstream.headers,
      ).not.toHaveProperty('authorization');
    }
  });

  it('custom_host replaces the whole base URL, account placeholders included', () => {
    expect(chatUrl('workers-ai', { api_key: 'k', custom_host: 'https://gw.example.com/cf' })).toBe(
      'https://gw.example.com/cf/chat/completions',
    );
  });

  it.each([
    ['workers-ai', 'workers_ai_account_id', 'evil.example/x#'],
    ['workers-ai', 'workers_ai_account_id', '023E105F4ECEF8AD9CA31A8372D0C353'],
    ['cortex', 'snowflake_account', 'evil.example/x#'],
    ['cortex', 'snowflake_account', 'acct@evil.example'],
    ['oracle', 'oracle_region', 'us-chicago-1.evil.example'],
  ] as const)('%s refuses %s = %j before any call (it may come from a header)', (id, option, value) => {
    const error = refusal(id, { api_key: 'k', [option]: value });
    expect(error.code).toBe('PK_ERR_INVALID_CONFIG');
    expect(error.param).toBe(option);
  });

  it.each([
    ['workers-ai', 'workers_ai_account_id'],
    ['cortex', 'snowflake_account'],
    ['oracle', 'oracle_region'],
    ['azure-ai', 'azure_foundry_url'],
    ['modal', 'custom_host'],
  ] as const)('%s without %s is a clear 400', (id, option) => {
    const error = refusal(id, { api_key: 'k' });
    expect(error.status).toBe(400);
    expect(error.message).toContain(option);
  });

  it.each([
    'http://my-foundry.services.ai.azure.com/models',
    'https://my-foundry.services.ai.azure.com.evil.example/models',
    'https://user:pass@my-foundry.services.ai.azure.com/models',
    'not a url',
  ])('azure-ai refuses azure_foundry_url %j (use custom_host for other servers)', (url) => {
    expect(refusal('azure-ai', { api_key: 'k', azure_foundry_url: url }).param).toBe('azure_foundry_url');
  });

  it('azure-ai refuses an api-version that is not a version', () => {
    const error = refusal('azure-ai', {
      api_key: 'k',
      azure_foundry_url: 'https://my-foundry.services.ai.azure.com/models',
      azure_api_version: '2024-05-01&evil=1',
    });
    expect(error.param).toBe('azure_api_version');
  });

  it('huggingface_base_url points the call at a dedicated Inference Endpoint', () => {
    expect(
      chatUrl('huggingface', {
        api_key: 'hf',
        huggingface_base_url: 'https://xyz123.us-east-1.aws.endpoints.huggingface.cloud/',
      }),
    ).toBe('https://xyz123.us-east-1.aws.endpoints.huggingface.cloud/v1/chat/completions');
    expect(
      refusal('huggingface', { api_key: 'hf', huggingface_base_url: 'https://evil.example/' }).param,
    ).toBe('huggingface_base_url');
  });
});

const groq = OPENAI_COMPATIBLE_CONFIGS[0];

describe('groq, the representative configuration', () => {
  const context = testContext('groq', { api_key: 'gsk-test' });
  it.each(['request-text.json', 'request-tools.json'])(
    'sends the documented example %s field for field',
    (name) => {
      const documented = readJsonFixture('openai-compatible', `groq/${name}`);
      const { upstream } = PROVIDER_ADAPTERS.groq.buildRequest(preparedChat('groq', documented), context);
      expect(upstream.headers).toEqual({
        authorization: 'Bearer gsk-test',
        'content-type': 'application/json',
      });
      expect(JSON.parse(String(upstream.body))).toEqual(documented);
    },
  );

  it('maps its error bodies, keeping the vendor code', () => {
    const limited = toOpenAICompatibleUpstreamError(groq, {
      provider: 'groq',
      status: 429,
      body: readFixtureText('openai-compatible', 'groq/error-429-rate-limit.json'),
      headers: { 'retry-after': '6' },
      now: 0,
    });
    expect(limited).toMatchObject({
      retryable: true,
      retryAfterMs: 6000,
      code: 'rate_limit_exceeded',
      type: 'tokens',
    });
    const auth = toOpenAICompatibleUpstreamError(groq, {
      provider: 'groq',
      status: 401,
      body: readFixtureText('openai-compatible', 'groq/error-401-invalid-key.json'),
      headers: {},
      now: 0,
    });
    expect(auth.toEnvelope().error).toEqual({
      message: 'Invalid API Key',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    });
  });
});

describe('mistral-ai quirks', () => {
  it('renames seed and max_completion_tokens and sends no stream_options', () => {
    const prepared = preparedChat('mistral-ai', {
      model: 'm',
      messages: [],
      seed: 1,
      max_completion_tokens: 9,
      stream: true,
    });
    const body = JSON.parse(
      String(
        PROVIDER_ADAPTERS['mistral-ai'].buildRequest(prepared, testContext('mistral-ai', { api_key: 'k' }))
          .upstream.body,
      ),
    );
    expect(body).toEqual({ model: 'm', messages: [], random_seed: 1, max_tokens: 9, stream: true });
  });
});

describe('the cap of vendors that document only max_tokens', () => {
  const bodyFor = (provider: SupportedProviderId, body: Record<string, unknown>) =>
    JSON.parse(
      String(
        PROVIDER_ADAPTERS[provider].buildRequest(
          preparedChat(provider, body),
          testContext(provider, { api_key: 'k' }),
        ).upstream.body,
      ),
    ) as Record<string, unknown>;

  it.each([
    // No parameter quirks of their own.
    'deepseek',
    'together-ai',
    // Names other parameters differently (seed → random_seed).
    'mistral-ai',
    // Drops parameters it rejects, and takes no stream_options.
    'lemonfox-ai',
  ] as const)('%s gets max_completion_tokens as max_tokens, the field it documents', (provider) => {
    const body = bodyFor(provider, { model: 'm', messages: [], max_completion_tokens: 9 });
    expect(body.max_tokens).toBe(9);
    expect(body).not.toHaveProperty('max_completion_tokens');
  });

  it.each(['groq', 'cerebras'] as const)(
    '%s keeps max_completion_tokens, the field it documents (groq calls max_tokens deprecated)',
    (provider) => {
      const body = bodyFor(provider, { model: 'm', messages: [], max_completion_tokens: 9 });
      expect(body.max_completion_tokens).toBe(9);
      expect(body).not.toHaveProperty('max_tokens');
    },
  );

  it('keeps the client’s own max_tokens when it sent both', () => {
    const body = bodyFor('deepseek', { model: 'm', messages: [], max_tokens: 5, max_completion_tokens: 9 });
    expect(body.max_tokens).toBe(5);
    expect(body).not.toHaveProperty('max_completion_tokens');
  });
});

describe('vendors without tools', () => {
  it('perplexity-ai gets no tools, and the client is told (the provider table says tools: no)', () => {
    const built = PROVIDER_ADAPTERS['perplexity-ai'].buildRequest(
      preparedChat('perplexity-ai', {
        model: 'sonar',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        tool_choice: 'auto',
      }),
      testContext('perplexity-ai', { api_key: 'k' }),
    );
    const body = JSON.parse(String(built.upstream.body)) as Record<string, unknown>;
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
    expect(built.warnings).toEqual([
      "parameter 'tools' is not supported by perplexity-ai and was dropped",
      "parameter 'tool_choice' is not supported by perplexity-ai and was dropped",
    ]);
  });
});
