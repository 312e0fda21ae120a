import { openStore } from '@pk/store';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError } from '../support/admin-harness.js';
import { type FeatureGateway, postJson, startFeatureGateway } from '../support/feature-gateway.js';
import { logLineWhere, writeMarkerLine } from '../support/output-lines.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';
import { temporaryDataDir } from '../support/store-fixtures.js';

// Feature suite: limits of one gateway process in memory (PK_LIMITS_STORE unset): gateway keys,
// metadata values, token budgets with the injected cap, cache hits, the alert event, and the
// admin API's current_usage. The shared-Redis behaviour is in limits.test.ts.
const KEYS = {
  plain: 'pk-lim-mem-plain',
  capped: 'pk-lim-mem-capped',
  admin: 'pk-lim-mem-admin',
  teamA: 'pk-lim-mem-team-a',
  teamB: 'pk-lim-mem-team-b',
};
let mock: ProviderMock;
let gateway: FeatureGateway;
const dataDir = temporaryDataDir();

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
        { id: 'team-a', key: KEYS.teamA, tenant: 'acme' },
        { id: 'team-b', key: KEYS.teamB, tenant: 'globex' },
      ],
      virtual_keys: {
        free: upstream,
        tokens: { ...upstream, usage_limits: { credit_limit: 100_000, type: 'tokens', alert_threshold: 20 } },
        cached: { ...upstream, usage_limits: { credit_limit: 1_000_000, type: 'tokens' } },
        // The admin API's smallest token budget.
        hundred: { ...upstream, usage_limits: { credit_limit: 100, type: 'tokens' } },
      },
      metadata_limits: [
        { key: '_user', rate_limits: [{ type: 'requests', unit: 'rpm', value: 2 }], max_values: 2 },
        { key: 'seat', rate_limits: [{ type: 'requests', unit: 'rpm', value: 1 }] },
      ],
    },
    env: { PK_DATA_DIR: dataDir.path },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  dataDir.remove();
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

  it('a metadata value is counted within its tenant: another tenant’s same value spends none of it', async () => {
    const as = (key: string) =>
      new Portkey({
        apiKey: key,
        baseURL: gateway.base,
        virtualKey: 'free',
        metadata: { seat: 'seat-1' },
        maxRetries: 0,
      }).chat.completions.create({ model: 'seat-model', messages: [{ role: 'user', content: 'hi' }] });
    await as(KEYS.teamA);
    // Tenant A's seat-1 has used its one request of the minute.
    expect(await as(KEYS.teamA).catch((error: unknown) => error)).toMatchObject({ status: 429 });
    // Tenant B's seat-1 is another end user: its first request goes to the provider.
    const other = await as(KEYS.teamB);
    expect(other.choices[0]?.message?.content).toBeTruthy();
    expect(mock.forModel('seat-model').length).toBe(2);
    expect(await as(KEYS.teamB).catch((error: unknown) => error)).toMatchObject({ status: 429 });
  });

  it('a token budget: a request without max_tokens gets the default cap injected; usage is settled and visible; the alert is logged once', async () => {
    const headers = { 'x-portkey-api-key': KEYS.plain, 'x-portkey-virtual-key': 'tokens' };
    const first = await chat(headers, { model: 'tokens-model' });
    expect(first.status).toBe(200);
    // OpenAI's current field, the one its reasoning models accept; the client is told.
    const sent = mock.forModel('tokens-model').at(-1);
    expect(sent?.body?.max_completion_tokens).toBe(4096);
    expect(sent?.body).not.toHaveProperty('max_tokens');
    expect(first.headers.get('x-pk-warnings')).toContain('max_completion_tokens: 4096 was added');
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
    const isTokensLine = logLineWhere(
      (line) =>
        line.msg === 'request' &&
        (line.limits as { subjects?: string[] } | undefined)?.subjects?.includes('vk:tokens') === true,
    );
    await gateway.process.waitForLines(isTokensLine, { count: 2 });
    await writeMarkerLine(gateway.process);
    const logged = gateway.logLines().filter(isTokensLine);
    expect(logged).toHaveLength(2);
    expect(
      (logged[1]?.limits as { budgetUsed: Record<string, number> } | undefined)?.budgetUsed['vk:tokens'],
    ).toBeGreaterThan(21 + 50);
    const alerts = gateway.logLines().filter((line) => line.event === 'budget_alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ subject: 'vk:tokens', period: 'all' });
  });

  it('a cache hit never reaches the target, so its virtual key is not charged (nor counted)', async () => {
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
    for (let tries = 0; tries < 50 && usage.requests !== 1; tries += 1) {
      usage = await usageOf('virtual-keys/cached');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(usage).toMatchObject({ requests: 1, tokens: 21 });
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
    // Room is left: the message says this request alone does not fit, and what would.
    expect(String((error as Error).message)).toMatch(
      /cannot hold this request: it may use up to 200,0\d\d tokens \(its prompt and max_tokens\), and [\d,]+ tokens of 100,000 tokens remain: set a smaller max_tokens to fit/,
    );
    // Portkey's `status: "exhausted"` while the budget refuses; a request that fits clears it.
    const admin = new Portkey({ apiKey: KEYS.admin, baseURL: gateway.base });
    expect(await admin.virtualKeys.retrieve({ slug: 'tokens' })).toMatchObject({
      status: 'exhausted',
      current_usage: { budget_exhausted: true },
    });
    expect((await chat({ 'x-portkey-api-key': KEYS.plain, 'x-portkey-virtual-key': 'tokens' })).status).toBe(
      200,
    );
    expect(await admin.virtualKeys.retrieve({ slug: 'tokens' })).toMatchObject({
      status: 'active',
      current_usage: { budget_exhausted: false },
    });
  });

  it('the smallest token budget (100) admits “hi” with max_tokens 5: the prompt bound counts its text, not its JSON', async () => {
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: KEYS.plain,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': KEYS.plain, 'x-portkey-virtual-key': 'hundred' },
    });
    // Its body is 101 bytes: counted as prompt tokens, with the 5 of max_tokens it would not fit.
    const answer = await client.chat.completions.create({
      model: 'gpt-4o-mini-2024-07-18-hundred',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(answer.object).toBe('chat.completion');
    expect(mock.forModel('gpt-4o-mini-2024-07-18-hundred')).toHaveLength(1);
    // The mock reports 21 tokens per answer: that is what is charged, not the bound.
    await expect.poll(() => usageOf('virtual-keys/hundred')).toMatchObject({ tokens: 21, requests: 1 });
  });

  it('an API key’s budget: exhausted, then reset_usage through the portkey-ai SDK starts it again, audited', async () => {
    const admin = new Portkey({ apiKey: KEYS.admin, baseURL: gateway.base });
    const created = await admin.apiKeys.create({
      type: 'workspace',
      'sub-type': 'service',
      name: 'metered bot',
      workspace_id: 'metered',
      scopes: ['completions.write'],
      usage_limits: { credit_limit: 5_000, type: 'tokens' },
    });
    const id = created.id as string;
    const app = new OpenAI({
      baseURL: gateway.base,
      apiKey: created.key as string,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': created.key as string, 'x-portkey-virtual-key': 'free' },
    });
    const ask = (maxTokens: number) =>
      app.chat.completions.create({
        model: 'metered-model',
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: 'hi' }],
      });
    await expect(ask(100)).resolves.toMatchObject({ object: 'chat.completion' });
    await expect(ask(4_990)).rejects.toMatchObject({ status: 412 });
    // The refused request never reached the provider.
    expect(mock.forModel('metered-model').map((sent) => sent.body?.max_tokens)).toEqual([100]);
    let key: Record<string, unknown> = {};
    for (
      let tries = 0;
      tries < 50 && (key.current_usage as { requests?: number })?.requests !== 1;
      tries += 1
    ) {
      key = (await admin.apiKeys.retrieve({ id })) as unknown as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(key).toMatchObject({ status: 'exhausted', current_usage: { budget_exhausted: true, tokens: 21 } });
    const listed = (await admin.apiKeys.list({ workspace_id: 'metered' })).data ?? [];
    expect(listed.map((item) => item.status)).toEqual(['exhausted']);

    // A value that is not true or false is refused, naming the field; nothing is reset.
    const refused = await sdkError(admin.apiKeys.update({ id, reset_usage: 'yes' } as never));
    expect(refused).toMatchObject({ status: 400 });
    expect(refused.message).toContain('reset_usage');
    expect((await admin.apiKeys.retrieve({ id })).status).toBe('exhausted');

    await admin.apiKeys.update({ id, reset_usage: true });
    expect(await admin.apiKeys.retrieve({ id })).toMatchObject({
      status: 'active',
      current_usage: { tracked: true, budget_exhausted: false, tokens: 0, requests: 0 },
    });
    await expect(ask(4_900)).resolves.toMatchObject({ object: 'chat.completion' });
    expect(mock.forModel('metered-model').map((sent) => sent.body?.max_tokens)).toEqual([100, 4_900]);

    // Neither the key's secret nor the provider key in any line the gateway wrote.
    expect(gateway.process.output()).not.toContain(created.key as string);
    expect(gateway.process.output()).not.toContain('sk-mem');
    const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
    try {
      const [entry] = await store.audit.list({ entity: 'gateway_key', entityId: id });
      expect(entry).toMatchObject({
        action: 'reset_usage',
        actor: 'key:admin',
        before: { cost_usd: expect.any(Number), tokens: 21, requests: 1 },
      });
    } finally {
      await store.close();
    }
  });
  it('a budget lowered below what the period spent reads exhausted at once, as its next request is refused', async () => {
    const admin = new Portkey({ apiKey: KEYS.admin, baseURL: gateway.base });
    const created = await admin.virtualKeys.create({
      name: 'lowered budget',
      provider: 'openai',
      key: 'sk-mem-lowered',
      custom_host: `${mock.url}/v1`,
      usage_limits: { credit_limit: 1_000, type: 'tokens', periodic_reset: 'monthly' },
    });
    const slug = created.slug as string;
    const app = new OpenAI({
      baseURL: gateway.base,
      apiKey: KEYS.plain,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': KEYS.plain, 'x-portkey-virtual-key': slug },
    });
    const ask = () =>
      app.chat.completions.create({
        model: 'lowered-model',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      });
    // 5 answers of 21 tokens: 105 spent.
    for (let index = 0; index < 5; index += 1) await ask();
    await expect.poll(() => usageOf(`virtual-keys/${slug}`)).toMatchObject({ tokens: 105, requests: 5 });
    // The smallest token budget, below what was spent: nothing more fits, and the key says so.
    await admin.virtualKeys.update({
      slug,
      usage_limits: { credit_limit: 100, type: 'tokens', periodic_reset: 'monthly' },
    });
    expect(await admin.virtualKeys.retrieve({ slug })).toMatchObject({
      status: 'exhausted',
      current_usage: { tokens: 105, budget_exhausted: true },
    });
    // Spent: waiting for the reset (the 1st, 00:00 UTC) helps, and Retry-After says how long.
    const spent = (await ask().catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(spent).toMatchObject({ status: 412 });
    const firstOfNextMonth = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1);
    expect(Number(spent.headers?.get('retry-after'))).toBeCloseTo((firstOfNextMonth - Date.now()) / 1000, -1);
    expect(mock.forModel('lowered-model')).toHaveLength(5);
    // Raised again above the spend: active, and the next request is served.
    await admin.virtualKeys.update({
      slug,
      usage_limits: { credit_limit: 1_000, type: 'tokens', periodic_reset: 'monthly' },
    });
    await expect(ask()).resolves.toMatchObject({ object: 'chat.completion' });
    expect(await admin.virtualKeys.retrieve({ slug })).toMatchObject({
      status: 'active',
      current_usage: { budget_exhausted: false },
    });
    // A request larger than the whole budget never fits, whatever the period: no Retry-After then
    // (as for a rate limit it can never meet), only the message saying to ask for less.
    const never = (await app.chat.completions
      .create({ model: 'lowered-model', max_tokens: 5_000, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(never).toMatchObject({ status: 412 });
    expect(never.message).toContain('set a smaller max_tokens to fit');
    expect(never.headers?.get('retry-after')).toBeNull();
    expect(never.headers?.get('retry-after-ms')).toBeNull();
  });
});
