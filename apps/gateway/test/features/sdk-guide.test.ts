import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, portkeyHeadersOf, startFeatureGateway } from '../support/feature-gateway.js';
import { MOCK_ANSWER, type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: the examples of the seed SDK guide (shared/reference/seeds/README.md), written with
// the official portkey-ai SDK against the built gateway process. Each one asserts what the provider
// mock received and what the client got.
const GATEWAY_KEY = 'pk-features-sdk-guide';
let mock: ProviderMock;
let gateway: FeatureGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }],
      virtual_keys: {
        'openai-virtual-key-xxx': {
          provider: 'openai',
          api_key: 'sk-guide-openai',
          options: { custom_host: `${mock.url}/v1` },
        },
        'anthropic-key': {
          provider: 'anthropic',
          api_key: 'sk-guide-anthropic',
          options: { custom_host: `${mock.url}/v1` },
        },
      },
      configs: { 'pc-config-xxx': { virtual_key: 'openai-virtual-key-xxx' } },
      semantic_cache: { virtual_key: 'openai-virtual-key-xxx', model: 'text-embedding-3-small' },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

const portkey = (options: Record<string, unknown> = {}) =>
  new Portkey({
    baseURL: gateway.base,
    apiKey: GATEWAY_KEY,
    virtualKey: 'openai-virtual-key-xxx',
    ...options,
  });
const last = () => mock.received.at(-1);

describe('the SDK guide’s examples', () => {
  it('quick start and a basic request with a system prompt; usage.total_tokens is read', async () => {
    const completion = await portkey().chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
    });
    expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(completion.usage?.total_tokens).toBe(21);
    expect(last()?.body).toMatchObject({
      model: 'gpt-4o',
      messages: [{ role: 'system' }, { role: 'user', content: 'What is the capital of France?' }],
    });
  });

  it('a config id (config: "pc-config-xxx")', async () => {
    const completion = await new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      config: 'pc-config-xxx',
    }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(last()?.headers.authorization).toBe('Bearer sk-guide-openai');
  });

  it('streaming with for await', async () => {
    const stream = await portkey().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Tell me a story' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? '';
    expect(text).toBe(MOCK_ANSWER);
    expect(last()?.body).toMatchObject({ stream: true });
  });

  it('concurrent calls (the guide’s AsyncPortkey: every call is already async here)', async () => {
    const client = portkey();
    const questions = ['one', 'two', 'three'].map((word) => `Concurrent question ${word}`);
    const answers = await Promise.all(
      questions.map((content) =>
        client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
      ),
    );
    expect(answers.map((answer) => answer.choices[0]?.message?.content)).toEqual([
      MOCK_ANSWER,
      MOCK_ANSWER,
      MOCK_ANSWER,
    ]);
    const received = mock.received.map(
      (request) => (request.body?.messages as { content: string }[] | undefined)?.[0]?.content,
    );
    for (const question of questions) expect(received).toContain(question);
  });

  it('a multi-turn conversation reaches the provider whole', async () => {
    const messages = [
      { role: 'user' as const, content: 'My name is Ada.' },
      { role: 'assistant' as const, content: 'Hello Ada.' },
      { role: 'user' as const, content: 'What is my name?' },
    ];
    await portkey().chat.completions.create({ model: 'gpt-4o', messages });
    expect(last()?.body?.messages).toEqual(messages);
  });

  it('JSON output: response_format { type: "json_object" } reaches the provider', async () => {
    await portkey().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Answer in JSON' }],
      response_format: { type: 'json_object' },
    });
    expect(last()?.body?.response_format).toEqual({ type: 'json_object' });
  });

  it('per-request options: cacheForceRefresh for one call only', async () => {
    // The official SDK keeps per-request options on its client afterwards: one client per call.
    const client = () => portkey({ config: { cache: { mode: 'simple' } } });
    const messages = [{ role: 'user' as const, content: 'Per-request refresh question' }];
    const first = await client().chat.completions.create({ model: 'gpt-4o', messages });
    const refreshed = await client().chat.completions.create(
      { model: 'gpt-4o', messages },
      { cacheForceRefresh: true },
    );
    const cached = await client().chat.completions.create({ model: 'gpt-4o', messages });
    expect([first, refreshed, cached].map((answer) => portkeyHeadersOf(answer)['cache-status'])).toEqual([
      'MISS',
      'REFRESH',
      'HIT',
    ]);
    expect(
      mock.received.filter((request) => JSON.stringify(request.body).includes('Per-request refresh')),
    ).toHaveLength(2);
  });

  it('the production setup: fallback across two providers with retries, a semantic cache, trace id and metadata', async () => {
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      config: {
        strategy: { mode: 'fallback' },
        cache: { mode: 'semantic', max_age: 3600 },
        targets: [
          {
            virtual_key: 'openai-virtual-key-xxx',
            override_params: { model: 'fail-429' },
            // The guide's retry, with pk's back-off shortened so the suite stays fast.
            retry: { attempts: 2, on_status_codes: [429, 500], backoff: { initial_ms: 20 } },
          },
          {
            virtual_key: 'anthropic-key',
            override_params: { model: 'claude-sonnet-4', max_tokens: 512 },
            retry: { attempts: 2, on_status_codes: [429, 500] },
          },
        ],
      },
    });
    const messages = [{ role: 'user' as const, content: 'Production question: capital of France?' }];
    const options = { traceID: 'prod-trace-1', metadata: { _user: 'user-42', environment: 'production' } };
    const first = await client.chat.completions.create({ model: 'gpt-4o', messages }, options);
    expect(first.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(portkeyHeadersOf(first)).toMatchObject({
      'last-used-option-index': 'config.targets[1]',
      provider: 'anthropic',
      'cache-status': 'SEMANTIC MISS',
      'trace-id': 'prod-trace-1',
    });
    expect(last()).toMatchObject({
      path: '/v1/messages',
      body: { model: 'claude-sonnet-4', max_tokens: 512 },
    });
    const before = mock.received.filter((request) => request.model !== 'text-embedding-3-small').length;
    const second = await client.chat.completions.create({ model: 'gpt-4o', messages }, options);
    expect(portkeyHeadersOf(second)).toMatchObject({
      'cache-status': 'HIT',
      provider: 'anthropic',
      'last-used-option-index': 'config.targets[1]',
    });
    expect(mock.received.filter((request) => request.model !== 'text-embedding-3-small')).toHaveLength(
      before,
    );
    const lines = await gateway.waitForRequestLines('prod-trace-1', 2);
    expect(lines[0]).toMatchObject({
      metadata: { _user: 'user-42' },
      attempts: 4,
      targetPath: 'config.targets[1]',
    });
  });
});
