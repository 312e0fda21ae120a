import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, postJson, startFeatureGateway } from '../support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: limits of one gateway process in memory (PK_LIMITS_STORE unset): gateway keys,
// metadata values, token budgets with the injected cap, cache hits, the alert event, and the
// admin API's current_usage. The shared-Redis behaviour is in limits.test.ts.
const KEYS = { plain: 'pk-lim-mem-plain', capped: 'pk-lim-mem-capped', admin: 'pk-lim-mem-admin' };
let mock: ProviderMock;
let gateway: FeatureGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  const upstream = { provider: 'openai', api_key: 'sk-mem', options: { custom_host: `${mock.url}/v1` } };
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'plain', key: KEYS.plain },
        { id: 'capped', key: KEYS.capped, rate_limits: [{ type: 'requests', unit: 'rpm', value: 3 }] },
        { id: 'admin', key: KEYS.admin, role: 'admin' },
      ],
      virtual_keys: {
        free: upstream,
        tokens: { ...upstream, usage_limits: { credit_limit: 100_000, type: 'tokens', alert_threshold: 20 } },
        cached: { ...upstream, usage_limits: { credit_limit: 1_000_000, type: 'tokens' } },
      },
      metadata_limits: [
        { key: '_user', rate_limits: [{ type: 'requests', unit: 'rpm', value: 2 }], max_values: 2 },
      ],
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

const chat = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
  postJson(
    `${gateway.base}/chat/completions`,
    { model: 'mem-model', messages: [{ role: 'user', content: 'hi' }], ...body },
    headers,
  );

async function usageOf(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.base}/${path}`, { headers: { 'x-portkey-api-key': KEYS.admin } });
  return ((await response.json()) as { current_usage: Record<string, unknown> }).current_usage;
}

describe('limits in one process (memory store)', () => {
  it('a request under no limit gets no limit header and no current_usage figures', async () => {
    const answer = await chat({ 'x-portkey-api-key': KEYS.plain, 'x-portkey-virtual-key': 'free' });
    expect(answer.status).toBe(200);
    expect([...answer.headers.keys()].filter((name) => name.includes('ratelimit'))).toEqual([]);
    expect(await usageOf('virtual-keys/free')).toMatchObject({ tracked: false, requests: null });
  });

  it('a gateway key’s rpm: the 4th request in a minute gets 429 through the portkey-ai SDK, not the provider', async () => {
    const portkey = new Portkey({
      apiKey: KEYS.capped,
      baseURL: gateway.base,
      virtualKey: 'free',
      maxRetries: 0,
    });
    const before = mock.forModel('capped-model').length;
    for (let index = 0; index < 3; index += 1) {
      await portkey.chat.completions.create({
        model: 'capped-model',
        messages: [{ role: 'user', content: 'hi' }],
      });
    }
    const refused = await portkey.chat.completions
      .create({ model: 'capped-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429 });
    expect(mock.forModel('capped-model').length - before).toBe(3);
  });

  it('metadata values are limited one by one; values beyond max_values share one overflow counter', async () => {
    const as = (user: string) =>
      chat({
        'x-portkey-api-key': KEYS.plain,
        'x-portkey-virtual-key': 'free',
        'x-portkey-metadata': JSON.stringify({ _user: user }),
      });
    expect((await as('ann')).status).toBe(200);
    expect((await as('ann')).status).toBe(200);
    const third = await as('ann');
    expect(third.status).toBe(429);
    expect(third.json).toMatchObject({ error: { code: 'PK_ERR_RATE_LIMITED' } });
    expect(String((third.json.error as { message: string }).message)).toContain('_user=ann');
    expect((await as('bob')).status).toBe(200);
    // max_values 2 (ann, bob live): carl and dave share the overflow counter of 2 per minute.
    expect((await as('carl')).status).toBe(200);
    expect((await as('dave')).status).toBe(200);
    const spread = await as('erin');
    expect(spread.status).toBe(429);
    expect(String((spread.json.error as { message: string }).message)).toContain('_user=*');
  });

  it('a token budget: a request without max_tokens gets the default cap injected; usage is settled and visible; the alert is logged once', async () => {
    const headers = { 'x-portkey-api-key': KEYS.plain, 'x-portkey-virtual-key': 'tokens' };
    const first = await chat(headers, { model: 'tokens-model' });
    expect(first.status).toBe(200);
    const sent = mock.forModel('tokens-model').at(-1);
    expect(sent?.body?.max_tokens).toBe(4096);
    expect((await chat(headers, { model: 'tokens-model', max_tokens: 50 })).status).toBe(200);
    expect(mock.forModel('tokens-model').at(-1)?.body?.max_tokens).toBe(50);
    let usage: Record<string, unknown> = {};
    for (let tries = 0; tries < 50 && usage.requests !== 2; tries += 1) {
      usage = await usageOf('virtual-keys/tokens');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The mock reports 21 tokens per answer.
    expect(usage).toMatchObject({ tracked: true, tokens: 42, requests: 2, period_end: null });
    // The log line shows what the key's budget had used at admission (settled + held).
    const logged = gateway
      .logLines()
      .filter(
        (line) =>
          line.msg === 'request' &&
          (line.limits as { subjects?: string[] } | undefined)?.subjects?.includes('vk:tokens'),
      );
    expect(logged).toHaveLength(2);
    expect(
      (logged[1]?.limits as { budgetUsed: Record<string, number> } | undefined)?.budgetUsed['vk:tokens'],
    ).toBeGreaterThan(21 + 50);
    const alerts = gateway.logLines().filter((line) => line.event === 'budget_alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ subject: 'vk:tokens', period: 'all' });
  });

  it('a cache hit counts against request rates only: no tokens are charged', async () => {
    const headers = {
      'x-portkey-api-key': KEYS.plain,
      'x-portkey-virtual-key': 'cached',
      'x-portkey-config': JSON.stringify({ cache: { mode: 'simple' } }),
    };
    const body = { model: 'cached-model', max_tokens: 10 };
    expect((await chat(headers, body)).status).toBe(200);
    const hit = await chat(headers, body);
    expect(hit.headers.get('x-portkey-cache-status')).toBe('HIT');
    let usage: Record<string, unknown> = {};
    for (let tries = 0; tries < 50 && usage.requests !== 2; tries += 1) {
      usage = await usageOf('virtual-keys/cached');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(usage).toMatchObject({ requests: 2, tokens: 21 });
    expect(mock.forModel('cached-model')).toHaveLength(1);
  });

  it('the openai SDK sees a refused budget as 412 with Portkey’s virtual_key_exhaust_error type', async () => {
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: KEYS.plain,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': KEYS.plain, 'x-portkey-virtual-key': 'tokens' },
    });
    // 100 000 tokens of budget: a cap of 200 000 can never fit.
    const error = await client.chat.completions
      .create({ model: 'tokens-model', max_tokens: 200_000, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({
      status: 412,
      error: { type: 'virtual_key_exhaust_error', code: 'PK_ERR_BUDGET_EXCEEDED' },
    });
    expect(String((error as Error).message)).toContain('to********ens');
  });
});
