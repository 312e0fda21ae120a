import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEMANTIC_CACHE_UNSUPPORTED } from '../src/proxy/run-proxied-request.js';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';
import { vectorWithSimilarity } from './support/mock-embeddings.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// `cache.mode: semantic` on an endpoint semantic matching does not serve (legacy completions,
// embeddings, the Responses dialect), on a gateway whose settings do have `semantic_cache`: the
// request is matched exactly only, and the client is told so rather than left to guess why a
// similar question never hits.
let mock: ProviderMock;
let gateway: RunningGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  // Were these prompts ever embedded and compared, they would match (0.97).
  mock.embeddings.set('What is the capital of France?', vectorWithSimilarity(1));
  mock.embeddings.set("Tell me France's capital", vectorWithSimilarity(0.97));
  gateway = await startGatewayApp({
    virtual_keys: {
      chat: { provider: 'openai', api_key: 'sk-chat', options: { custom_host: `${mock.url}/v1` } },
      embedder: { provider: 'openai', api_key: 'sk-embed', options: { custom_host: `${mock.url}/v1` } },
    },
    semantic_cache: { virtual_key: 'embedder', model: 'text-embedding-3-small' },
  });
}, 30_000);
afterAll(async () => {
  await gateway?.close();
  await mock?.close();
});

function client(): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-config': JSON.stringify({ virtual_key: 'chat', cache: { mode: 'semantic', max_age: 3600 } }),
    },
  });
}

describe('cache mode semantic on an endpoint it does not serve', () => {
  it('legacy completions are matched exactly, and every answer says so in x-pk-warnings', async () => {
    const openai = client();
    const embeddingCalls = () =>
      mock.received.filter((request) => request.path.endsWith('/embeddings')).length;
    const completionCalls = () =>
      mock.received.filter((request) => request.path === '/v1/completions').length;
    const first = await openai.completions
      .create({ model: 'gpt-3.5-turbo-instruct', prompt: 'What is the capital of France?' })
      .withResponse();
    expect(first.response.headers.get('x-portkey-cache-status')).toBe('MISS');
    expect(first.response.headers.get('x-pk-warnings')).toBe(SEMANTIC_CACHE_UNSUPPORTED);
    expect(first.data.choices[0]?.text).toBe(' Paris.');
    // A similar prompt goes to the provider: nothing was embedded to compare it with.
    const similar = await openai.completions
      .create({ model: 'gpt-3.5-turbo-instruct', prompt: "Tell me France's capital" })
      .withResponse();
    expect(similar.response.headers.get('x-portkey-cache-status')).toBe('MISS');
    expect(similar.response.headers.get('x-pk-warnings')).toBe(SEMANTIC_CACHE_UNSUPPORTED);
    // The exact repeat is still a hit: the exact cache works as it does for every endpoint.
    const repeat = await openai.completions
      .create({ model: 'gpt-3.5-turbo-instruct', prompt: 'What is the capital of France?' })
      .withResponse();
    expect(repeat.response.headers.get('x-portkey-cache-status')).toBe('HIT');
    expect(repeat.response.headers.get('x-pk-warnings')).toBe(SEMANTIC_CACHE_UNSUPPORTED);
    expect(completionCalls()).toBe(2);
    expect(embeddingCalls()).toBe(0);
  });

  it('chat completions under the same config get no such warning (semantic matching serves them)', async () => {
    const chat = await client()
      .chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      })
      .withResponse();
    expect(chat.response.headers.get('x-portkey-cache-status')).toBe('SEMANTIC MISS');
    expect(chat.response.headers.get('x-pk-warnings')).toBeNull();
  });
});
