import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { PROVIDER_ADAPTERS } from '../registry/registry.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readFixtureText, readJsonFixture } from '../test-support/fixtures.js';
import { OPENAI_COMPATIBLE_CONFIGS } from './configs.js';
import { toOpenAICompatibleUpstreamError } from './errors.js';

const EXPECTED_CHAT_URLS: Record<string, string> = {
  groq: 'https://api.groq.com/openai/v1/chat/completions',
  'mistral-ai': 'https://api.mistral.ai/v1/chat/completions',
  'together-ai': 'https://api.together.xyz/v1/chat/completions',
  deepseek: 'https://api.deepseek.com/chat/completions',
  'fireworks-ai': 'https://api.fireworks.ai/inference/v1/chat/completions',
  'perplexity-ai': 'https://api.perplexity.ai/chat/completions',
  openrouter: 'https://openrouter.ai/api/v1/chat/completions',
  'x-ai': 'https://api.x.ai/v1/chat/completions',
  cerebras: 'https://api.cerebras.ai/v1/chat/completions',
  deepinfra: 'https://api.deepinfra.com/v1/openai/chat/completions',
  ollama: 'http://localhost:11434/v1/chat/completions',
  sambanova: 'https://api.sambanova.ai/v1/chat/completions',
  nebius: 'https://api.studio.nebius.com/v1/chat/completions',
  'novita-ai': 'https://api.novita.ai/v3/openai/chat/completions',
  moonshot: 'https://api.moonshot.cn/v1/chat/completions',
  dashscope: 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions',
};

describe('OpenAI-compatible configurations (smoke: URL and auth of every vendor)', () => {
  it.each(OPENAI_COMPATIBLE_CONFIGS.map((config) => config.id))('%s', (id) => {
    const adapter = PROVIDER_ADAPTERS[id];
    const { upstream } = adapter.buildRequest(
      preparedChat(id, { model: 'm', messages: [] }),
      testContext(id, { api_key: 'key-1' }),
    );
    expect(upstream.url).toBe(EXPECTED_CHAT_URLS[id]);
    expect(upstream.headers.authorization).toBe('Bearer key-1');
  });

  it('refuses a missing api_key, except for a local ollama', () => {
    const prepared = preparedChat('groq', { model: 'm', messages: [] });
    expect(() => PROVIDER_ADAPTERS.groq.buildRequest(prepared, testContext('groq', {}))).toThrow(PkError);
    expect(
      PROVIDER_ADAPTERS.ollama.buildRequest(prepared, testContext('ollama', {})).upstream.headers,
    ).not.toHaveProperty('authorization');
  });
});

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
    const limited = toOpenAICompatibleUpstreamError({
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
    const auth = toOpenAICompatibleUpstreamError({
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
