import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FeatureGateway,
  portkeyHeadersOf,
  postJson,
  rejectionOf,
  startFeatureGateway,
} from '../support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: every config mode and their nesting (seed documents: fallback, load balancing with
// weights 0.7/0.3; behaviour reference §4: conditional on metadata, params and url.pathname), through
// the built gateway process, the official SDKs and raw HTTP.
const GATEWAY_KEY = 'pk-features-routing';
const STORED_KEY = 'sk-features-routing-stored';
let mock: ProviderMock;
let gateway: FeatureGateway;
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }],
      virtual_keys: {
        'openai-a': { provider: 'openai', api_key: STORED_KEY, options: { custom_host: `${mock.url}/v1` } },
      },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  expect(gateway.process.output()).not.toContain(STORED_KEY);
});

const portkey = (options: Record<string, unknown>) =>
  new Portkey({ baseURL: gateway.base, apiKey: GATEWAY_KEY, ...options });
const openai = (headers: Record<string, unknown>) =>
  new OpenAI({
    baseURL: gateway.base,
    apiKey: GATEWAY_KEY,
    maxRetries: 0,
    defaultHeaders: createHeaders({ apiKey: GATEWAY_KEY, ...headers }),
  });
const target = (name: string, model: string, extra: Record<string, unknown> = {}) => ({
  name,
  virtual_key: 'openai-a',
  override_params: { model },
  ...extra,
});

describe('config modes', () => {
  it('single: the one target answers; override_params beat the body', async () => {
    const config = {
      strategy: { mode: 'single' },
      targets: [
        target('only', 'single-model', { override_params: { model: 'single-model', temperature: 0 } }),
      ],
    };
    const completion = await portkey({ config }).chat.completions.create({
      model: 'ignored',
      messages,
      temperature: 1,
    });
    expect(completion.choices[0]?.message?.content).toContain('Paris');
    expect(portkeyHeadersOf(completion)['last-used-option-index']).toBe('config.targets[0]');
    const [upstream] = mock.forModel('single-model');
    expect(upstream?.body).toMatchObject({ model: 'single-model', temperature: 0, messages });
    expect(upstream?.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
  });

  it('fallback (SDK guide): the first target fails, the second answers; both were called in order', async () => {
    const config = {
      strategy: { mode: 'fallback' },
      targets: [target('primary', 'fail-503'), target('backup', 'fallback-backup')],
    };
    const before = mock.received.length;
    const completion = await portkey({ config }).chat.completions.create({ model: 'gpt-4o', messages });
    expect(completion.choices[0]?.message?.content).toContain('Paris');
    expect(portkeyHeadersOf(completion)).toMatchObject({
      'last-used-option-index': 'config.targets[1]',
      provider: 'openai',
    });
    expect(mock.received.slice(before).map((request) => request.model)).toEqual([
      'fail-503',
      'fallback-backup',
    ]);
  });

  it('fallback with strategy.on_status_codes moves on only after those statuses', async () => {
    const config = {
      strategy: { mode: 'fallback', on_status_codes: [503] },
      targets: [target('primary', 'fail-400'), target('backup', 'never-called-backup')],
    };
    const before = mock.received.length;
    const error = await rejectionOf(
      portkey({ config }).chat.completions.create({ model: 'gpt-4o', messages }),
    );
    expect(error).toMatchObject({ status: 400 });
    expect(mock.received.slice(before).map((request) => request.model)).toEqual(['fail-400']);
  });

  it('loadbalance with weights 0.7/0.3 (SDK guide) sends about 70 % to the first target; weight 0 never', async () => {
    const config = {
      strategy: { mode: 'loadbalance' },
      targets: [
        target('a', 'lb-seventy', { weight: 0.7 }),
        target('b', 'lb-thirty', { weight: 0.3 }),
        target('c', 'lb-zero', { weight: 0 }),
      ],
    };
    const client = portkey({ config });
    const paths: string[] = [];
    for (let index = 0; index < 60; index += 1) {
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });
      paths.push(portkeyHeadersOf(completion)['last-used-option-index'] ?? '');
    }
    const seventy = mock.forModel('lb-seventy').length;
    const thirty = mock.forModel('lb-thirty').length;
    expect(seventy + thirty).toBe(60);
    expect(mock.forModel('lb-zero')).toHaveLength(0);
    expect(thirty).toBeGreaterThan(0);
    // Binomial(60, 0.7): fewer than 31 to the first target has a probability below 0.1 %.
    expect(seventy).toBeGreaterThan(30);
    expect(paths.filter((path) => path === 'config.targets[0]')).toHaveLength(seventy);
  });

  it('fallback moves on past a target pk refuses itself and past a conditional group with no route (Portkey stops there)', async () => {
    // Embeddings on Anthropic: refused before anything is sent; Portkey's gateway exception ends the fallback.
    const embeddings = await portkey({
      config: {
        strategy: { mode: 'fallback' },
        targets: [{ provider: 'anthropic', api_key: 'sk-ant-unused' }, target('openai', 'fallback-embed')],
      },
    }).embeddings.create({ model: 'text-embedding-3-small', input: 'Paris' });
    expect(portkeyHeadersOf(embeddings)['last-used-option-index']).toBe('config.targets[1]');
    expect(mock.forModel('fallback-embed')).toHaveLength(1);
    // A conditional group that finds no route: Portkey's router error answers the whole request 400.
    const routed = await portkey({
      config: {
        strategy: { mode: 'fallback' },
        targets: [
          {
            strategy: {
              mode: 'conditional',
              conditions: [{ query: { 'metadata.tier': 'pro' }, then: 'pro' }],
            },
            targets: [target('pro', 'no-route-pro')],
          },
          target('backup', 'no-route-backup'),
        ],
      },
    }).chat.completions.create({ model: 'gpt-4o', messages });
    expect(portkeyHeadersOf(routed)['last-used-option-index']).toBe('config.targets[1]');
    expect(mock.forModel('no-route-pro')).toHaveLength(0);
    expect(mock.forModel('no-route-backup')).toHaveLength(1);
  });

  it('nesting: a fallback inside a loadbalance answers from config.targets[0].targets[1]', async () => {
    const config = {
      strategy: { mode: 'loadbalance' },
      targets: [
        {
          weight: 1,
          strategy: { mode: 'fallback' },
          targets: [target('first', 'fail-500'), target('second', 'nested-second')],
        },
        target('unused', 'nested-unused', { weight: 0 }),
      ],
    };
    const completion = await portkey({ config }).chat.completions.create({ model: 'gpt-4o', messages });
    expect(portkeyHeadersOf(completion)['last-used-option-index']).toBe('config.targets[0].targets[1]');
    expect(mock.forModel('nested-second')).toHaveLength(1);
    expect(mock.forModel('nested-unused')).toHaveLength(0);
  });
});

describe('conditional routing through the gateway', () => {
  const conditional = (conditions: unknown[]) => ({
    strategy: { mode: 'conditional', conditions, default: 'basic' },
    targets: [target('pro', 'cond-pro'), target('basic', 'cond-basic')],
  });

  it('[defect 1] metadata.tier = pro routes to the pro target, anything else to the default', async () => {
    const config = conditional([{ query: { 'metadata.tier': { $eq: 'pro' } }, then: 'pro' }]);
    const pro = await portkey({ config, metadata: { tier: 'pro', _user: 'user-1' } }).chat.completions.create(
      {
        model: 'gpt-4o',
        messages,
      },
    );
    expect(portkeyHeadersOf(pro)['last-used-option-index']).toBe('config.targets[0]');
    expect(mock.received.at(-1)?.model).toBe('cond-pro');
    const free = await portkey({ config, metadata: { tier: 'free' } }).chat.completions.create({
      model: 'gpt-4o',
      messages,
    });
    expect(portkeyHeadersOf(free)['last-used-option-index']).toBe('config.targets[1]');
    expect(mock.received.at(-1)?.model).toBe('cond-basic');
  });

  it('[defect 1] metadata._user is visible to queries', async () => {
    const config = conditional([{ query: { 'metadata._user': { $in: ['vip-1', 'vip-2'] } }, then: 'pro' }]);
    const completion = await openai({ config, metadata: { _user: 'vip-2' } }).chat.completions.create({
      model: 'gpt-4o',
      messages,
    });
    expect(completion.choices[0]?.message?.content).toContain('Paris');
    expect(mock.received.at(-1)?.model).toBe('cond-pro');
  });

  it('[defect 1] params (the request body) are visible to queries', async () => {
    const config = conditional([{ query: { 'params.max_tokens': { $gte: 1000 } }, then: 'pro' }]);
    const client = openai({ config });
    await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 2000 });
    expect(mock.received.at(-1)).toMatchObject({ model: 'cond-pro', body: { max_tokens: 2000 } });
    await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 10 });
    expect(mock.received.at(-1)?.model).toBe('cond-basic');
  });

  it('[defect 1] url.pathname is visible to queries (one config for chat and embeddings)', async () => {
    const config = {
      strategy: {
        mode: 'conditional',
        conditions: [{ query: { 'url.pathname': { $regex: '/embeddings$' } }, then: 'embed' }],
        default: 'chat',
      },
      targets: [target('embed', 'path-embed'), target('chat', 'path-chat')],
    };
    const client = openai({ config });
    const embedding = await client.embeddings.create({
      model: 'x',
      input: 'hello',
      encoding_format: 'float',
    });
    expect(embedding.data[0]?.embedding).toHaveLength(4);
    expect(mock.received.at(-1)).toMatchObject({ model: 'path-embed', path: '/v1/embeddings' });
    await client.chat.completions.create({ model: 'x', messages });
    expect(mock.received.at(-1)).toMatchObject({ model: 'path-chat', path: '/v1/chat/completions' });
  });

  it('a $regex written with JavaScript’s \\uXXXX escapes, as Portkey’s RegExp reads it, routes on the text it names', async () => {
    const config = {
      strategy: {
        mode: 'conditional',
        conditions: [{ query: { 'metadata.locale_name': { $regex: '^fran\\u00e7ais$' } }, then: 'fr' }],
        default: 'other',
      },
      targets: [target('fr', 'route-francais'), target('other', 'route-other')],
    };
    const answer = (name: string) =>
      portkey({ config, metadata: { locale_name: name } }).chat.completions.create({
        model: 'gpt-4o',
        messages,
      });
    expect(portkeyHeadersOf(await answer('français'))['last-used-option-index']).toBe('config.targets[0]');
    expect(portkeyHeadersOf(await answer('francais'))['last-used-option-index']).toBe('config.targets[1]');
    expect(mock.forModel('route-francais')).toHaveLength(1);
    expect(mock.forModel('route-other')).toHaveLength(1);
  });

  it('an empty conditions list with a default routes to the default, as Portkey’s router does', async () => {
    const before = mock.received.length;
    const completion = await portkey({
      config: conditional([]),
      metadata: { tier: 'pro' },
    }).chat.completions.create({ model: 'gpt-4o', messages });
    expect(completion.choices[0]?.message?.content).toContain('Paris');
    expect(portkeyHeadersOf(completion)['last-used-option-index']).toBe('config.targets[1]');
    expect(mock.received.slice(before).map((request) => request.model)).toEqual(['cond-basic']);
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
  });

  it('no condition matches and no default: 400 PK_ERR_NO_ROUTE, no upstream call', async () => {
    const before = mock.received.length;
    const response = await postJson(
      `${gateway.base}/chat/completions`,
      { model: 'gpt-4o', messages },
      {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-config': JSON.stringify({
          strategy: { mode: 'conditional', conditions: [{ query: { 'metadata.tier': 'pro' }, then: 'pro' }] },
          targets: [target('pro', 'cond-pro')],
        }),
      },
    );
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 'PK_ERR_NO_ROUTE' } });
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(mock.received.length).toBe(before);
  });
});
