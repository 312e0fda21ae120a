import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FeatureGateway,
  postJson,
  rejectionOf,
  startFeatureGateway,
} from '../support/feature-gateway.js';
import { MOCK_ANSWER, type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: the settings file (gateway keys and their permissions, virtual keys, saved configs,
// custom hosts a stored key may reach, browser origins), through the built gateway (gateway README
// "Settings file", "Browsers (CORS)", "Routes").
const KEYS = { full: 'pk-features-settings-full', limited: 'pk-features-settings-limited' };
const STORED = { a: 'sk-features-settings-a', b: 'sk-features-settings-b' };
let mock: ProviderMock;
let gateway: FeatureGateway;
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
const ORIGIN = 'http://localhost:3000';

beforeAll(async () => {
  mock = await startProviderMock();
  const host = new URL(mock.url).host;
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'team-full', key: KEYS.full },
        { id: 'team-limited', key: KEYS.limited, virtual_keys: ['openai-a'], configs: ['pc-a'] },
      ],
      virtual_keys: {
        'openai-a': {
          provider: 'openai',
          api_key: STORED.a,
          options: { custom_host: `${mock.url}/v1` },
          models: ['gpt-4o-mini', 'gpt-4o'],
        },
        'openai-b': {
          provider: 'openai',
          api_key: STORED.b,
          // The caller may point this key at its own host only when the settings allow it.
          allowed_hosts: [host],
          models: ['o3-mini'],
        },
      },
      configs: {
        'pc-a': { virtual_key: 'openai-a' },
        'pc-b': { virtual_key: 'openai-b', custom_host: `${mock.url}/v1` },
      },
      allowed_origins: [ORIGIN],
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  for (const secret of [...Object.values(KEYS), ...Object.values(STORED)]) {
    expect(gateway.process.output()).not.toContain(secret);
  }
});

const chat = (headers: Record<string, string>) =>
  postJson(`${gateway.base}/chat/completions`, { model: 'gpt-4o-mini', messages }, headers);

describe('gateway keys', () => {
  it('no key, or a wrong one: 401 PK_ERR_UNAUTHORIZED, nothing sent', async () => {
    const before = mock.received.length;
    const none = await chat({ 'x-portkey-virtual-key': 'openai-a' });
    const wrong = await chat({ 'x-portkey-api-key': 'pk-wrong', 'x-portkey-virtual-key': 'openai-a' });
    expect([none.status, wrong.status]).toEqual([401, 401]);
    expect(none.json).toMatchObject({ error: { type: 'authentication_error', code: 'PK_ERR_UNAUTHORIZED' } });
    expect(mock.received.length).toBe(before);
  });

  it('the key in Authorization (the openai SDK’s apiKey) is accepted and never forwarded', async () => {
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: KEYS.full,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-virtual-key': 'openai-a' },
    });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${STORED.a}`);
  });

  it('a key limited to some virtual keys and configs gets 403 PK_ERR_FORBIDDEN for the others', async () => {
    const before = mock.received.length;
    const limited = (options: Record<string, unknown>) =>
      new Portkey({ baseURL: gateway.base, apiKey: KEYS.limited, ...options }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
      });
    expect(await rejectionOf(limited({ virtualKey: 'openai-b' }))).toMatchObject({ status: 403 });
    expect(await rejectionOf(limited({ config: 'pc-b' }))).toMatchObject({ status: 403 });
    expect(mock.received.length).toBe(before);
    const allowed = await limited({ config: 'pc-a' });
    expect(allowed.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${STORED.a}`);
  });

  it('a limited key cannot tell a virtual key or config it may not use from one that does not exist', async () => {
    const before = mock.received.length;
    const portkey = (options: Record<string, unknown>) =>
      rejectionOf(
        new Portkey({ baseURL: gateway.base, apiKey: KEYS.limited, ...options }).chat.completions.create({
          model: 'gpt-4o-mini',
          messages,
        }),
      );
    const openai = (model: string) =>
      rejectionOf(
        new OpenAI({ baseURL: gateway.base, apiKey: KEYS.limited, maxRetries: 0 }).chat.completions.create({
          model,
          messages,
        }),
      );
    // Another team's virtual key and config, and names no record has: the same 403, naming neither.
    const pairs = [
      [await portkey({ virtualKey: 'openai-b' }), await portkey({ virtualKey: 'openai-ghost' })],
      [await portkey({ config: 'pc-b' }), await portkey({ config: 'pc-ghost' })],
      [await openai('@openai-b/o3-mini'), await openai('@openai-ghost/o3-mini')],
      [
        await portkey({ config: { virtual_key: 'openai-b' } }),
        await portkey({ config: { virtual_key: 'openai-ghost' } }),
      ],
    ];
    for (const [existing, missing] of pairs) {
      expect(existing).toMatchObject({ status: 403 });
      expect(missing).toMatchObject({ status: 403 });
      expect(existing?.message).toBe(missing?.message);
      expect(existing?.message).toContain('may not use');
      expect(existing?.message).not.toContain('openai-b');
      expect(existing?.message).not.toContain('pc-b');
    }
    // The field that named it: the model, for the openai SDK's `@slug/model`.
    expect(pairs[2]?.[0]).toMatchObject({
      code: 'PK_ERR_FORBIDDEN',
      message: expect.stringMatching(/^403 model: /),
    });
    expect(mock.received.length).toBe(before);
  });

  it('GET /v1/models lists the models of the virtual keys this key may use', async () => {
    const list = async (key: string) =>
      (await new OpenAI({ baseURL: gateway.base, apiKey: key, maxRetries: 0 }).models.list()).data.map(
        (model) => model.id,
      );
    const before = mock.received.length;
    expect(await list(KEYS.limited)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    expect((await list(KEYS.full)).sort()).toEqual(['gpt-4o', 'gpt-4o-mini', 'o3-mini']);
    // Answered from the settings: no provider is asked.
    expect(mock.received.length).toBe(before);
  });
});

describe('virtual keys and saved configs from the settings file', () => {
  it('a saved config may send a stored key to its own custom host', async () => {
    const response = await chat({ 'x-portkey-api-key': KEYS.full, 'x-portkey-config': 'pc-b' });
    expect(response.status).toBe(200);
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${STORED.b}`);
  });

  it('a caller may point a stored key at a host its allowed_hosts lists, and at no other', async () => {
    const allowed = await chat({
      'x-portkey-api-key': KEYS.full,
      'x-portkey-virtual-key': 'openai-b',
      'x-portkey-custom-host': `${mock.url}/v1`,
    });
    expect(allowed.status).toBe(200);
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${STORED.b}`);
    const refused = await chat({
      'x-portkey-api-key': KEYS.full,
      'x-portkey-virtual-key': 'openai-a',
      'x-portkey-custom-host': `${mock.url}/v1`,
    });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: 'PK_ERR_CUSTOM_HOST_NOT_ALLOWED' } });
  });

  it('a config with guardrails runs them: an unknown guardrail id is a 400 naming it, a deny check a 446 with nothing sent', async () => {
    const before = mock.received.length;
    const unknown = await chat({
      'x-portkey-api-key': KEYS.full,
      'x-portkey-config': JSON.stringify({ virtual_key: 'openai-a', input_guardrails: ['pg-123'] }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: { code: 'PK_ERR_INVALID_CONFIG' } });
    expect(JSON.stringify(unknown.json)).toContain('pg-123');
    const denied = await chat({
      'x-portkey-api-key': KEYS.full,
      'x-portkey-config': JSON.stringify({
        virtual_key: 'openai-a',
        input_guardrails: [{ 'default.contains': { operator: 'none', words: ['France'] }, deny: true }],
      }),
    });
    expect(denied.status).toBe(446);
    expect(denied.json).toMatchObject({
      error: { code: 'PK_ERR_GUARDRAIL_DENIED' },
      hook_results: { before_request_hooks: [{ verdict: false, deny: true }] },
    });
    expect(mock.received.length).toBe(before);
  });
});

describe('browsers (allowed_origins)', () => {
  it('a listed origin gets CORS headers and can read the x-portkey-* and retry headers; others get 403', async () => {
    const preflight = await fetch(`${gateway.base}/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    const allowed = await chat({
      'x-portkey-api-key': KEYS.full,
      'x-portkey-virtual-key': 'openai-a',
      origin: ORIGIN,
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('retry-after-ms');
    const before = mock.received.length;
    const refused = await chat({
      'x-portkey-api-key': KEYS.full,
      'x-portkey-virtual-key': 'openai-a',
      origin: 'https://evil.example',
    });
    expect(refused.status).toBe(403);
    expect(mock.received.length).toBe(before);
  });
});
