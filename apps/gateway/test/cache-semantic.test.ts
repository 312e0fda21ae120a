import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';
import { type MockEmbeddings, startMockEmbeddings, vectorWithSimilarity } from './support/mock-embeddings.js';
import { requestLineOf } from './support/output-lines.js';

// Semantic cache with fixed vectors of known cosine, fetched through @pk/providers from a mock in
// the OpenAI embeddings wire format.
const vectors = new Map<string, number[]>([
  ['What is the capital of France?', vectorWithSimilarity(1)],
  ["Tell me France's capital", vectorWithSimilarity(0.97)],
  ['What is the capital of Germany?', vectorWithSimilarity(0.93)],
  ['Shadow question A', [0, 0, 1, 0]],
  ['Shadow question B', [0, 0, 0.99, Math.sqrt(1 - 0.99 ** 2)]],
]);
let upstream: MockOpenAI;
let embeddings: MockEmbeddings;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true });
  embeddings = await startMockEmbeddings(vectors);
  gateway = await startGatewayApp({
    gateway_keys: [
      { id: 'team-a', key: 'pk-a' },
      { id: 'team-b', key: 'pk-b' },
    ],
    virtual_keys: {
      chat: { provider: 'openai', api_key: 'sk-chat', options: { custom_host: `${upstream.url}/v1` } },
      embedder: { provider: 'openai', api_key: 'sk-embed', options: { custom_host: `${embeddings.url}/v1` } },
    },
    semantic_cache: { virtual_key: 'embedder', model: 'text-embedding-3-small' },
  });
});
afterAll(async () => {
  await gateway.close();
  await embeddings.close();
  await upstream.close();
});

const semantic = { virtual_key: 'chat', cache: { mode: 'semantic', max_age: 3600 } };

async function ask(
  question: string,
  options: { key?: string; system?: string; model?: string; tools?: unknown; config?: unknown } = {},
) {
  const messages = [
    ...(options.system ? [{ role: 'system', content: options.system }] : []),
    { role: 'user', content: question },
  ];
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-portkey-api-key': options.key ?? 'pk-a',
      'x-portkey-config': JSON.stringify(options.config ?? semantic),
      'x-portkey-trace-id': `semantic-${question.length}-${Math.random()}`,
    },
    body: JSON.stringify({
      model: options.model ?? 'gpt-4o-mini',
      messages,
      ...(options.tools ? { tools: options.tools } : {}),
    }),
  });
  return {
    status: response.status,
    cacheStatus: response.headers.get('x-portkey-cache-status'),
    traceId: response.headers.get('x-portkey-trace-id') ?? '',
    body: (await response.json()) as { choices?: { message: { content: string } }[] },
  };
}

describe('semantic cache', () => {
  it('similarity 0.97 → SEMANTIC HIT (served without calling the provider); 0.93 → SEMANTIC MISS', async () => {
    const first = await ask('What is the capital of France?');
    expect(first.cacheStatus).toBe('SEMANTIC MISS');
    const calls = upstream.received.length;
    const similar = await ask("Tell me France's capital");
    expect(similar.cacheStatus).toBe('SEMANTIC HIT');
    expect(similar.body.choices?.[0]?.message.content).toBe('The capital of France is Paris.');
    expect(upstream.received.length).toBe(calls);
    const farther = await ask('What is the capital of Germany?');
    expect(farther.cacheStatus).toBe('SEMANTIC MISS');
    expect(upstream.received.length).toBe(calls + 1);
  });

  it('an exact repeat is a plain HIT', async () => {
    expect((await ask('What is the capital of France?')).cacheStatus).toBe('HIT');
  });

  it.each([
    ['another system prompt', { system: 'Answer in French.' }],
    ['another model', { model: 'gpt-4o' }],
    [
      'another tool set',
      { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] },
    ],
    ['another gateway key (tenant)', { key: 'pk-b' }],
  ])('the same question under %s → SEMANTIC MISS even at similarity 1.0', async (_name, options) => {
    // "Tell me France's capital" has similarity 0.97 and the France entry has 1.0; neither may cross scopes.
    const result = await ask("Tell me France's capital", options);
    expect(result.cacheStatus).toBe('SEMANTIC MISS');
  });

  it('shadow mode looks up and logs the would-be hit with its similarity, but never serves it', async () => {
    const config = { virtual_key: 'chat', cache: { mode: 'semantic', shadow: true } };
    await ask('Shadow question A', { config });
    const calls = upstream.received.length;
    const shadowed = await ask('Shadow question B', { config });
    expect(shadowed.cacheStatus).toBe('SEMANTIC MISS');
    expect(upstream.received.length).toBe(calls + 1);
    const line = await gateway.waitForLine(requestLineOf(shadowed.traceId));
    expect(line.shadowHitSimilarity).toBe(0.99);
  });
});
