import Anthropic from '@anthropic-ai/sdk';
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
import { openAIError } from '../support/provider-answers.js';
import { MOCK_ANSWER, type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: the four ways of naming a provider (seed headers document; gateway README "Naming a
// provider"), their precedence, and where stored credentials may go, through the built gateway.
const GATEWAY_KEY = 'pk-features-naming';
const STORED = 'sk-features-naming-stored';
/** The stored key of `openai-budget`, a second virtual key (with a budget) for the `@slug/model` tests. */
const BUDGET_STORED = 'sk-features-naming-budget';
const CALLER_KEY = 'sk-features-naming-caller';
/** Another gateway key of the same gateway (another team's). */
const OTHER_GATEWAY_KEY = 'pk-other-team-of-naming';
/** The gateway's admin key (settings file). */
const ADMIN_KEY = 'pk-admin-of-naming';
let mock: ProviderMock;
let gateway: FeatureGateway;
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'team-a', key: 'env:PK_FEATURES_KEY' },
        { id: 'team-b', key: 'env:PK_FEATURES_OTHER_KEY' },
        { id: 'naming-admin', key: 'env:PK_FEATURES_ADMIN_KEY', role: 'admin' },
      ],
      virtual_keys: {
        'openai-prod': {
          provider: 'openai',
          api_key: 'env:PK_FEATURES_STORED',
          options: { custom_host: `${mock.url}/v1` },
        },
        'openai-budget': {
          provider: 'openai',
          api_key: 'env:PK_FEATURES_BUDGET_STORED',
          options: { custom_host: `${mock.url}/v1` },
          usage_limits: { credit_limit: 100 },
        },
      },
      configs: {
        'pc-prod-fallback': {
          strategy: { mode: 'fallback' },
          targets: [
            { virtual_key: 'openai-prod', override_params: { model: 'fail-500' } },
            { virtual_key: 'openai-prod', override_params: { model: 'saved-backup' } },
          ],
        },
        'pc-catalog-fallback': {
          strategy: { mode: 'fallback' },
          targets: [
            { override_params: { model: '@openai-prod/fail-500' } },
            { override_params: { model: '@openai-budget/saved-catalog-backup' } },
          ],
        },
      },
    },
    env: {
      PK_FEATURES_KEY: GATEWAY_KEY,
      PK_FEATURES_OTHER_KEY: OTHER_GATEWAY_KEY,
      PK_FEATURES_ADMIN_KEY: ADMIN_KEY,
      PK_FEATURES_STORED: STORED,
      PK_FEATURES_BUDGET_STORED: BUDGET_STORED,
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  for (const secret of [GATEWAY_KEY, OTHER_GATEWAY_KEY, ADMIN_KEY, STORED, BUDGET_STORED, CALLER_KEY])
    expect(gateway.process.output()).not.toContain(secret);
});

const chat = (headers: Record<string, string>, model = 'gpt-4o-mini') =>
  postJson(
    `${gateway.base}/chat/completions`,
    { model, messages },
    { 'x-portkey-api-key': GATEWAY_KEY, ...headers },
  );
const last = () => mock.received.at(-1);

describe('1. x-portkey-provider and the provider’s own key', () => {
  it('Authorization: Bearer <provider key> goes to the provider as it came', async () => {
    const response = await chat({
      'x-portkey-provider': 'openai',
      authorization: `Bearer ${CALLER_KEY}`,
      'x-portkey-custom-host': `${mock.url}/v1`,
    });
    expect(response.status).toBe(200);
    expect((response.json.choices as { message: { content: string } }[])[0]?.message.content).toBe(
      MOCK_ANSWER,
    );
    expect(response.headers.get('x-portkey-provider')).toBe('openai');
    expect(last()).toMatchObject({
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${CALLER_KEY}` },
    });
    expect(last()?.headers['x-portkey-api-key']).toBeUndefined();
  });

  it('api-key (or x-api-key) works as the provider key too', async () => {
    const response = await chat({
      'x-portkey-provider': 'openai',
      'api-key': CALLER_KEY,
      'x-portkey-custom-host': `${mock.url}/v1`,
    });
    expect(response.status).toBe(200);
    expect(last()?.headers.authorization).toBe(`Bearer ${CALLER_KEY}`);
  });

  it('Authorization: Bearer with an empty key (the README’s curl with $OPENAI_API_KEY unset) is no key, never “Bearer Bearer”', async () => {
    const before = mock.received.length;
    for (const authorization of ['Bearer ', 'Bearer', 'bearer  ']) {
      const keyless = await chat({
        'x-portkey-provider': 'openai',
        authorization,
        'x-portkey-custom-host': `${mock.url}/v1`,
      });
      expect(keyless.status, authorization).toBe(200);
      expect(last()?.headers.authorization, authorization).toBeUndefined();
      // The next header is the provider key.
      const next = await chat({
        'x-portkey-provider': 'openai',
        authorization,
        'x-api-key': CALLER_KEY,
        'x-portkey-custom-host': `${mock.url}/v1`,
      });
      expect(next.status, authorization).toBe(200);
      expect(last()?.headers.authorization, authorization).toBe(`Bearer ${CALLER_KEY}`);
    }
    expect(mock.received.length).toBe(before + 6);
    // A provider that needs a key: refused as with none, nothing sent.
    const refused = await chat(
      { 'x-portkey-provider': 'groq', authorization: 'Bearer ', 'x-portkey-custom-host': `${mock.url}/v1` },
      'needs-key',
    );
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: 'PK_ERR_INVALID_CONFIG', param: 'api_key' } });
    expect(mock.received.length).toBe(before + 6);
  });

  it('an unknown provider id is a 400 PK_ERR_INVALID_PROVIDER, nothing sent', async () => {
    const before = mock.received.length;
    const response = await chat({ 'x-portkey-provider': 'not-a-provider', authorization: 'Bearer x' });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({
      error: {
        code: 'PK_ERR_INVALID_PROVIDER',
        message: 'x-portkey-provider: the provider is not a Portkey provider id',
        param: 'x-portkey-provider',
      },
    });
    const sdk = await rejectionOf(
      new Portkey({ baseURL: gateway.base, apiKey: GATEWAY_KEY, provider: 'nopeai' }).chat.completions.create(
        {
          model: 'gpt-4o-mini',
          messages,
        },
      ),
    );
    expect(sdk.status).toBe(400);
    expect(sdk.message).toContain('x-portkey-provider: the provider is not a Portkey provider id');
    expect(mock.received.length).toBe(before);
  });
});

describe('2. a virtual key', () => {
  it('x-portkey-virtual-key (the SDK’s virtualKey): the stored key goes upstream, the gateway key never', async () => {
    const client = new Portkey({ baseURL: gateway.base, apiKey: GATEWAY_KEY, virtualKey: 'openai-prod' });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(last()?.headers.authorization).toBe(`Bearer ${STORED}`);
    expect(JSON.stringify(last()?.headers)).not.toContain(GATEWAY_KEY);
  });

  it('x-portkey-provider: @openai-prod, and "model": "@openai-prod/gpt-4o-mini"', async () => {
    const byProvider = await new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      provider: '@openai-prod',
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(byProvider.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    const byModel = await new Portkey({ baseURL: gateway.base, apiKey: GATEWAY_KEY }).chat.completions.create(
      {
        model: '@openai-prod/gpt-4o',
        messages,
      },
    );
    expect(byModel.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(last()).toMatchObject({ model: 'gpt-4o', headers: { authorization: `Bearer ${STORED}` } });
  });

  it('an unknown virtual key is a 404 PK_ERR_VIRTUAL_KEY_NOT_FOUND', async () => {
    const response = await chat({ 'x-portkey-virtual-key': 'nope' });
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({
      error: {
        code: 'PK_ERR_VIRTUAL_KEY_NOT_FOUND',
        message: 'x-portkey-virtual-key: no virtual key has this id',
        param: 'x-portkey-virtual-key',
      },
    });
    const sdk = await rejectionOf(
      new Portkey({ baseURL: gateway.base, apiKey: GATEWAY_KEY, virtualKey: 'nope' }).chat.completions.create(
        {
          model: 'gpt-4o-mini',
          messages,
        },
      ),
    );
    expect(sdk.status).toBe(404);
    expect(sdk.message).toContain('x-portkey-virtual-key: no virtual key has this id');
    const byModel = await chat({}, '@nope/gpt-4o');
    expect(byModel.json).toMatchObject({
      error: { message: 'model: no virtual key has this id', param: 'model' },
    });
    const inConfig = await chat({
      'x-portkey-config': JSON.stringify({
        strategy: { mode: 'single' },
        targets: [{ virtual_key: 'nope' }],
      }),
    });
    expect(inConfig.json).toMatchObject({
      error: {
        message: 'config.targets[0]: no virtual key has this id',
        param: 'config.targets[0].virtual_key',
      },
    });
  });

  it('a stored credential is never sent to a host the caller chose: 400 PK_ERR_CUSTOM_HOST_NOT_ALLOWED', async () => {
    const before = mock.received.length;
    const response = await chat({
      'x-portkey-virtual-key': 'openai-prod',
      'x-portkey-custom-host': 'https://attacker.example.com/v1',
    });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 'PK_ERR_CUSTOM_HOST_NOT_ALLOWED' } });
    expect(mock.received.length).toBe(before);
  });
});

describe('3. x-portkey-config', () => {
  it('a JSON object with provider and api_key (headers document example)', async () => {
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({
        apiKey: GATEWAY_KEY,
        config: {
          retry: { attempts: 3 },
          cache: { mode: 'simple' },
          provider: 'openai',
          api_key: CALLER_KEY,
          custom_host: `${mock.url}/v1`,
        },
      }),
    });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(last()?.headers.authorization).toBe(`Bearer ${CALLER_KEY}`);
  });

  it('a saved config’s id (pc-prod-fallback): its fallback runs from the settings file', async () => {
    const client = new Portkey({ baseURL: gateway.base, apiKey: GATEWAY_KEY, config: 'pc-prod-fallback' });
    const completion = await client.chat.completions.create({ model: 'ignored', messages });
    expect(portkeyHeadersOf(completion)['last-used-option-index']).toBe('config.targets[1]');
    expect(last()).toMatchObject({ model: 'saved-backup', headers: { authorization: `Bearer ${STORED}` } });
  });

  it('a config with targets wins over x-portkey-provider and Authorization, which are never forwarded', async () => {
    const response = await chat({
      'x-portkey-provider': 'anthropic',
      authorization: `Bearer ${CALLER_KEY}`,
      'x-portkey-config': JSON.stringify({
        strategy: { mode: 'single' },
        targets: [{ virtual_key: 'openai-prod' }],
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-provider')).toBe('openai');
    expect(last()?.headers.authorization).toBe(`Bearer ${STORED}`);
  });

  it('an unknown saved config is a 404 PK_ERR_CONFIG_NOT_FOUND; an invalid config a 400 naming the path', async () => {
    const unknown = await chat({ 'x-portkey-config': 'pc-missing' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { code: 'PK_ERR_CONFIG_NOT_FOUND' } });
    const invalid = await chat({
      'x-portkey-config': JSON.stringify({ virtual_key: 'openai-prod', retry: { attempts: -1 } }),
    });
    expect(invalid.status).toBe(400);
    expect(String((invalid.json.error as { message: string }).message)).toContain('config.retry.attempts');
  });
});

describe('3b. a virtual key named in a config: "@slug/model" and "@slug" (Portkey’s model catalog form)', () => {
  const admin = () => new Portkey({ baseURL: gateway.base, apiKey: ADMIN_KEY });
  const spentOf = async (slug: string): Promise<number> => {
    const key = (await admin().virtualKeys.retrieve({ slug })) as unknown as {
      current_usage: { cost_usd: number };
    };
    return key.current_usage.cost_usd;
  };

  it('portkey-ai with a fallback of override_params.model "@slug/model" targets: each target’s stored key, the bare model upstream, the budget and the log priced by it', async () => {
    const spentBefore = await spentOf('openai-budget');
    const before = mock.received.length;
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      traceID: 'catalog-fallback',
      config: {
        strategy: { mode: 'fallback' },
        targets: [
          { override_params: { model: '@openai-prod/fail-500' } },
          { override_params: { model: '@openai-budget/gpt-4o' } },
        ],
      },
    });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(portkeyHeadersOf(completion)['last-used-option-index']).toBe('config.targets[1]');
    const sent = mock.received.slice(before);
    expect(sent.map((request) => [request.model, request.headers.authorization])).toEqual([
      ['fail-500', `Bearer ${STORED}`],
      ['gpt-4o', `Bearer ${BUDGET_STORED}`],
    ]);
    expect(JSON.stringify(sent.map((request) => request.body))).not.toContain('@');
    const [line] = await gateway.waitForRequestLines('catalog-fallback');
    expect(line).toMatchObject({
      targetPath: 'config.targets[1]',
      virtualKey: 'openai-budget',
      provider: 'openai',
      answeredModel: 'gpt-4o',
      costStatus: 'priced',
    });
    const cost = line?.cost as number;
    expect(cost).toBeGreaterThan(0);
    // The virtual key's budget is charged the gpt-4o answer's price, as the log has it.
    expect((await spentOf('openai-budget')) - spentBefore).toBeCloseTo(cost, 9);
  });

  it('a config without targets: "@slug/model" alone names the virtual key, and beats the body’s own "@slug/model"', async () => {
    const client = (config: Record<string, unknown>) =>
      new Portkey({ baseURL: gateway.base, apiKey: GATEWAY_KEY, config });
    const alone = await client({ override_params: { model: '@openai-prod/gpt-4o' } }).chat.completions.create(
      {
        model: 'gpt-4o-mini',
        messages,
      },
    );
    expect(alone.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(last()).toMatchObject({ model: 'gpt-4o', headers: { authorization: `Bearer ${STORED}` } });
    await client({ override_params: { model: '@openai-prod/gpt-4o' } }).chat.completions.create({
      model: '@openai-budget/gpt-4o-mini',
      messages,
    });
    expect(last()).toMatchObject({ model: 'gpt-4o', headers: { authorization: `Bearer ${STORED}` } });
    // With a provider written "@slug" too.
    await client({
      provider: '@openai-budget',
      override_params: { model: '@openai-budget/gpt-4o' },
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(last()).toMatchObject({ model: 'gpt-4o', headers: { authorization: `Bearer ${BUDGET_STORED}` } });
  });

  it('a target’s "@slug" provider with an "@slug/model" model, and a saved config of "@slug/model" targets', async () => {
    await new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      config: {
        strategy: { mode: 'single' },
        targets: [{ provider: '@openai-prod', override_params: { model: '@openai-prod/gpt-4o' } }],
      },
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(last()).toMatchObject({ model: 'gpt-4o', headers: { authorization: `Bearer ${STORED}` } });
    const saved = await new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      config: 'pc-catalog-fallback',
    }).chat.completions.create({ model: 'ignored', messages });
    expect(portkeyHeadersOf(saved)['last-used-option-index']).toBe('config.targets[1]');
    expect(last()).toMatchObject({
      model: 'saved-catalog-backup',
      headers: { authorization: `Bearer ${BUDGET_STORED}` },
    });
  });

  it('an unknown slug in an "@slug/model" model is a 404 naming the config path, nothing sent', async () => {
    const before = mock.received.length;
    const inTarget = await rejectionOf(
      new Portkey({
        baseURL: gateway.base,
        apiKey: GATEWAY_KEY,
        config: {
          strategy: { mode: 'fallback' },
          targets: [
            { override_params: { model: '@openai-prod/gpt-4o' } },
            { override_params: { model: '@nope/gpt-4o' } },
          ],
        },
      }).chat.completions.create({ model: 'gpt-4o-mini', messages }),
    );
    expect(inTarget.status).toBe(404);
    expect(inTarget.message).toContain('config.targets[1].override_params.model: no virtual key has this id');
    const atRoot = await chat({
      'x-portkey-config': JSON.stringify({ override_params: { model: '@nope/gpt-4o' } }),
    });
    expect(atRoot.status).toBe(404);
    expect(atRoot.json).toMatchObject({
      error: {
        code: 'PK_ERR_VIRTUAL_KEY_NOT_FOUND',
        message: 'config.override_params.model: no virtual key has this id',
        param: 'config.override_params.model',
      },
    });
    expect(mock.received.length).toBe(before);
  });
});

describe('4. x-portkey-custom-host', () => {
  it('with x-portkey-provider: ollama (no key): a self-hosted endpoint gets the request', async () => {
    const response = await chat(
      { 'x-portkey-provider': 'ollama', 'x-portkey-custom-host': `${mock.url}/v1` },
      'llama3.2',
    );
    expect(response.status).toBe(200);
    expect(last()).toMatchObject({ path: '/v1/chat/completions', model: 'llama3.2' });
    expect(last()?.headers.authorization).toBeUndefined();
  });

  it('a custom host at an internal address (cloud metadata, private ranges) is refused before any connection', async () => {
    const before = mock.received.length;
    for (const host of ['http://169.254.169.254/v1', 'http://10.0.0.8/v1']) {
      const response = await chat({
        'x-portkey-provider': 'openai',
        authorization: `Bearer ${CALLER_KEY}`,
        'x-portkey-custom-host': host,
      });
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ error: { code: 'PK_ERR_INVALID_CUSTOM_HOST' } });
    }
    expect(mock.received.length).toBe(before);
  });

  it('x-portkey-forward-headers sends the named client headers upstream untouched', async () => {
    const response = await chat({
      'x-portkey-virtual-key': 'openai-prod',
      'x-portkey-forward-headers': 'x-custom-a,x-custom-b',
      'x-custom-a': 'alpha',
      'x-custom-b': 'beta',
      'x-not-forwarded': 'gamma',
    });
    expect(response.status).toBe(200);
    expect(last()?.headers).toMatchObject({ 'x-custom-a': 'alpha', 'x-custom-b': 'beta' });
    expect(last()?.headers['x-not-forwarded']).toBeUndefined();
  });

  it('a forwarded custom header still arrives, on a JSON route and on a pass-through route', async () => {
    const headers = {
      'x-portkey-api-key': GATEWAY_KEY,
      'x-portkey-virtual-key': 'openai-prod',
      'x-portkey-forward-headers': 'x-custom-trace',
      'x-custom-trace': 'trace-42',
    };
    expect((await chat(headers)).status).toBe(200);
    expect(last()?.headers['x-custom-trace']).toBe('trace-42');
    const files = await fetch(`${gateway.base}/files`, { headers });
    expect(files.status).toBe(200);
    expect(last()).toMatchObject({ path: '/v1/files', headers: { 'x-custom-trace': 'trace-42' } });
  });
});

describe('forwarded headers never carry a gateway key, nor replace a stored credential', () => {
  it('portkey-ai with virtualKey and forwardHeaders: [Authorization]: the stored key goes upstream (pass-through)', async () => {
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      virtualKey: 'openai-prod',
      forwardHeaders: ['Authorization'],
    });
    const models = await client.models.list();
    expect(models.data[0]?.id).toBe('gpt-4o-mini');
    expect(last()).toMatchObject({ path: '/v1/models', headers: { authorization: `Bearer ${STORED}` } });
    expect(JSON.stringify(last()?.headers)).not.toContain(GATEWAY_KEY);
  });

  it('openai + createHeaders with forwardHeaders: [authorization]: the stored key goes upstream (JSON route)', async () => {
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: createHeaders({
        apiKey: GATEWAY_KEY,
        virtualKey: 'openai-prod',
        forwardHeaders: ['authorization'],
      }),
    });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(last()?.headers.authorization).toBe(`Bearer ${STORED}`);
    expect(JSON.stringify(last()?.headers)).not.toContain(GATEWAY_KEY);
  });

  it('raw HTTP: Authorization with the gateway key, forwarded with a virtual key, on a JSON and a pass-through route', async () => {
    const headers = {
      'x-portkey-api-key': GATEWAY_KEY,
      authorization: `Bearer ${GATEWAY_KEY}`,
      'x-portkey-virtual-key': 'openai-prod',
      'x-portkey-forward-headers': 'authorization,x-custom-trace',
      'x-custom-trace': 'trace-7',
    };
    expect((await chat(headers)).status).toBe(200);
    expect(last()?.headers).toMatchObject({ authorization: `Bearer ${STORED}`, 'x-custom-trace': 'trace-7' });
    const images = await postJson(`${gateway.base}/images/generations`, { prompt: 'a cat' }, headers);
    expect(images.status).toBe(200);
    expect(last()).toMatchObject({
      path: '/v1/images/generations',
      headers: { authorization: `Bearer ${STORED}`, 'x-custom-trace': 'trace-7' },
    });
    expect(JSON.stringify(last()?.headers)).not.toContain(GATEWAY_KEY);
  });

  it('a forwarded header never replaces the key a config’s api_key supplies', async () => {
    const response = await chat({
      'x-portkey-config': JSON.stringify({
        provider: 'openai',
        api_key: CALLER_KEY,
        custom_host: `${mock.url}/v1`,
      }),
      authorization: 'Bearer sk-some-other-key',
      'x-portkey-forward-headers': 'authorization',
    });
    expect(response.status).toBe(200);
    expect(last()?.headers.authorization).toBe(`Bearer ${CALLER_KEY}`);
  });

  it('with no credential upstream: this or any other gateway key, or DUMMY-KEY, is still never forwarded', async () => {
    for (const [name, value] of [
      ['authorization', `Bearer ${GATEWAY_KEY}`],
      ['x-api-key', GATEWAY_KEY],
      ['api-key', GATEWAY_KEY],
      ['x-goog-api-key', OTHER_GATEWAY_KEY],
      ['authorization', 'Bearer DUMMY-KEY'],
    ] as const) {
      const response = await chat(
        {
          'x-portkey-provider': 'ollama',
          'x-portkey-custom-host': `${mock.url}/v1`,
          'x-portkey-forward-headers': `${name},x-custom-trace`,
          [name]: value,
          'x-custom-trace': 'kept',
        },
        'llama3.2',
      );
      expect(response.status).toBe(200);
      expect(last()?.headers[name]).toBeUndefined();
      expect(last()?.headers['x-custom-trace']).toBe('kept');
      for (const secret of [GATEWAY_KEY, OTHER_GATEWAY_KEY, 'DUMMY-KEY'])
        expect(JSON.stringify(last()?.headers)).not.toContain(secret);
    }
  });
});

describe('a gateway key is never a provider key, in whichever header it comes', () => {
  // OpenAI's and Anthropic's answers to a request without a key (401, their error shapes): what a
  // client of pk gets from them when it sends no provider key at all. The mock gives them for these
  // two models when the key header is missing, and its usual answer otherwise.
  const OPENAI_NO_KEY =
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.";
  const ANTHROPIC_NO_KEY = 'x-api-key header is required';
  beforeAll(() => {
    mock.script('needs-key', (request) =>
      request.headers.authorization === undefined
        ? { status: 401, json: openAIError(401, OPENAI_NO_KEY) }
        : undefined,
    );
    mock.script('claude-needs-key', (request) =>
      request.headers['x-api-key'] === undefined
        ? {
            status: 401,
            json: { type: 'error', error: { type: 'authentication_error', message: ANTHROPIC_NO_KEY } },
          }
        : undefined,
    );
  });
  /** No request the mock received since `from` carried a gateway key, in any header. */
  const sentNoGatewaySecret = (from: number) => {
    const sent = JSON.stringify(mock.received.slice(from).map((request) => request.headers));
    for (const secret of [GATEWAY_KEY, OTHER_GATEWAY_KEY, ADMIN_KEY]) expect(sent).not.toContain(secret);
  };

  it('openai SDK: another gateway key in x-api-key is skipped, the api-key after it is the provider key', async () => {
    const before = mock.received.length;
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${mock.url}/v1`,
        'x-api-key': ADMIN_KEY,
        'api-key': CALLER_KEY,
      },
    });
    const completion = await client.chat.completions.create({ model: 'needs-key', messages });
    expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(last()?.headers.authorization).toBe(`Bearer ${CALLER_KEY}`);
    sentNoGatewaySecret(before);
  });

  it('openai SDK: with only another gateway key as Authorization, nothing is sent as a key and the client gets OpenAI’s 401, as with no key', async () => {
    const before = mock.received.length;
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: OTHER_GATEWAY_KEY,
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${mock.url}/v1`,
      },
    });
    const refused = await rejectionOf(client.chat.completions.create({ model: 'needs-key', messages }));
    expect(refused.status).toBe(401);
    expect(refused.message).toContain("You didn't provide an API key");
    expect(mock.received.length).toBe(before + 1);
    expect(last()?.headers.authorization).toBeUndefined();
    sentNoGatewaySecret(before);
  });

  it('Anthropic SDK: its apiKey (x-api-key) set to another gateway key never reaches Anthropic; a real key does', async () => {
    const before = mock.received.length;
    const anthropic = (apiKey: string) =>
      new Anthropic({
        baseURL: gateway.url,
        apiKey,
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-custom-host': `${mock.url}/v1` },
      });
    const create = (apiKey: string) =>
      anthropic(apiKey).messages.create({
        model: 'claude-needs-key',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      });
    for (const secret of [OTHER_GATEWAY_KEY, ADMIN_KEY]) {
      const refused = await rejectionOf(create(secret));
      expect(refused.status).toBe(401);
      expect(refused.message).toContain(ANTHROPIC_NO_KEY);
      expect(last()).toMatchObject({ path: '/v1/messages' });
      expect(last()?.headers['x-api-key']).toBeUndefined();
    }
    const answer = await create(CALLER_KEY);
    expect(answer.content.at(-1)).toMatchObject({ type: 'text', text: MOCK_ANSWER });
    expect(last()?.headers['x-api-key']).toBe(CALLER_KEY);
    expect(mock.received.length).toBe(before + 3);
    sentNoGatewaySecret(before);
  });

  it('portkey-ai: another gateway key as Authorization, or a revoked one, to a provider that needs a key is its 400 “needs an api_key”, nothing sent', async () => {
    const admin = new Portkey({ baseURL: gateway.base, apiKey: ADMIN_KEY });
    const created = await admin.apiKeys.create({
      type: 'workspace',
      'sub-type': 'service',
      name: 'soon revoked',
      workspace_id: 'team-a',
      scopes: ['completions.write'],
    });
    const revokedKey = created.key as string;
    await admin.apiKeys.delete({ id: created.id as string });
    const before = mock.received.length;
    for (const secret of [OTHER_GATEWAY_KEY, ADMIN_KEY, revokedKey]) {
      const client = new Portkey({
        baseURL: gateway.base,
        apiKey: GATEWAY_KEY,
        provider: 'groq',
        customHost: `${mock.url}/v1`,
        Authorization: `Bearer ${secret}`,
      });
      const refused = await rejectionOf(client.chat.completions.create({ model: 'needs-key', messages }));
      expect(refused.status).toBe(400);
      expect(refused.message).toContain("provider 'groq' needs an api_key");
    }
    expect(mock.received.length).toBe(before);
    // The same request with no key at all is refused the same way.
    const noKey = await chat(
      { 'x-portkey-provider': 'groq', 'x-portkey-custom-host': `${mock.url}/v1` },
      'needs-key',
    );
    expect(noKey.status).toBe(400);
    expect(noKey.json).toMatchObject({ error: { code: 'PK_ERR_INVALID_CONFIG', param: 'api_key' } });
    expect(mock.received.length).toBe(before);
  });

  it('raw HTTP: api-key with another gateway key, behind Authorization with this one, on a JSON and a pass-through route', async () => {
    const before = mock.received.length;
    const headers = {
      'x-portkey-api-key': GATEWAY_KEY,
      authorization: `Bearer ${GATEWAY_KEY}`,
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${mock.url}/v1`,
      'api-key': OTHER_GATEWAY_KEY,
    };
    const response = await postJson(
      `${gateway.base}/chat/completions`,
      { model: 'needs-key', messages },
      headers,
    );
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ error: { message: OPENAI_NO_KEY } });
    const files = await fetch(`${gateway.base}/files`, { headers });
    expect(files.status).toBe(200);
    expect(last()).toMatchObject({ path: '/v1/files' });
    expect(last()?.headers.authorization).toBeUndefined();
    expect(mock.received.length).toBe(before + 2);
    sentNoGatewaySecret(before);
  });
});
