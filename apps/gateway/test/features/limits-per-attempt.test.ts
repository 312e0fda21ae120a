import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/stores/redis-client.js';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';
import { requireRedis } from '../support/services.js';

// Feature suite: a virtual key's limits apply to the attempts that use it, so fallback and
// loadbalance keep working under limits (decision 0012, "Subjects"). Built gateways in front of the
// recording provider mock, driven by the openai SDK: one process on the memory store, then two
// replicas sharing the real Redis (their own key prefix, deleted at the end). Each virtual key has its
// own provider key, so the mock's `authorization` says which target was called.
const KEY = 'pk-lim-attempt-user';
const ADMIN = 'pk-lim-attempt-admin';

function settings(mock: ProviderMock): Record<string, unknown> {
  const upstream = (apiKey: string, extra: Record<string, unknown> = {}) => ({
    provider: 'openai',
    api_key: apiKey,
    options: { custom_host: `${mock.url}/v1` },
    ...extra,
  });
  return {
    gateway_keys: [
      { id: 'attempt-user', key: KEY },
      { id: 'attempt-admin', key: ADMIN, role: 'admin' },
    ],
    virtual_keys: {
      // The admin API's smallest token budget: a request without max_tokens can never fit in it.
      tiny: upstream('sk-tiny', { usage_limits: { credit_limit: 100, type: 'tokens' } }),
      plain: upstream('sk-plain'),
      rl1: upstream('sk-rl1', { rate_limits: [{ type: 'requests', unit: 'rpm', value: 1 }] }),
      lba: upstream('sk-lba', { rate_limits: [{ type: 'requests', unit: 'rpm', value: 5 }] }),
      lbb: upstream('sk-lbb', { rate_limits: [{ type: 'requests', unit: 'rpm', value: 5 }] }),
      rt2: upstream('sk-rt2', { rate_limits: [{ type: 'requests', unit: 'rpm', value: 2 }] }),
      fb2: upstream('sk-fb2', { rate_limits: [{ type: 'requests', unit: 'rpm', value: 2 }] }),
      reasoning: upstream('sk-reasoning', { usage_limits: { credit_limit: 1_000_000, type: 'tokens' } }),
    },
  };
}

const fallback = (...slugs: string[]) => ({
  strategy: { mode: 'fallback' },
  targets: slugs.map((slug) => ({ virtual_key: slug })),
});

/** The provider keys the mock received for a model, in order (which targets were called). */
const calledKeys = (mock: ProviderMock, model: string): string[] =>
  mock.forModel(model).map((sent) => String(sent.headers.authorization).replace('Bearer ', ''));

async function usageOf(gateway: FeatureGateway, slug: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.base}/virtual-keys/${slug}`, {
    headers: { 'x-portkey-api-key': ADMIN },
  });
  return ((await response.json()) as { current_usage: Record<string, unknown> }).current_usage;
}

/**
 * The scenarios, against `gateways` (requests go round-robin over them): one process, or two
 * replicas sharing Redis, must behave the same.
 */
function describeScenarios(setup: () => { gateways: FeatureGateway[]; mock: ProviderMock }): void {
  let turn = 0;
  const next = (): FeatureGateway => {
    const { gateways } = setup();
    turn += 1;
    return gateways[turn % gateways.length] as FeatureGateway;
  };
  const ask = (config: unknown, model: string, extra: Record<string, unknown> = {}) => {
    const client = new OpenAI({
      baseURL: next().base,
      apiKey: KEY,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': KEY, 'x-portkey-config': JSON.stringify(config) },
    });
    return client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'hi' }], ...extra })
      .withResponse();
  };

  it('fallback [tiny budget, plain]: tiny’s refusal is a failed attempt and plain answers', async () => {
    const { mock } = setup();
    const { data, response } = await ask(fallback('tiny', 'plain'), 'fb-tiny-first');
    expect(data.object).toBe('chat.completion');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    // tiny was never called; plain, under no token limit, got the body as sent (no cap added).
    expect(calledKeys(mock, 'fb-tiny-first')).toEqual(['sk-plain']);
    expect(mock.forModel('fb-tiny-first')[0]?.body).not.toHaveProperty('max_completion_tokens');
    expect(response.headers.get('x-pk-warnings')).toBeNull();
  });

  it('fallback [healthy plain, tiny]: a target never tried does not matter', async () => {
    const { mock, gateways } = setup();
    for (let index = 0; index < 2; index += 1) {
      const { response } = await ask(fallback('plain', 'tiny'), 'fb-plain-first');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[0]');
    }
    expect(calledKeys(mock, 'fb-plain-first')).toEqual(['sk-plain', 'sk-plain']);
    expect(await usageOf(gateways[0] as FeatureGateway, 'tiny')).toMatchObject({ requests: 0, tokens: 0 });
  });

  it('fallback [rl1 at 1 request/min, plain]: the 1st goes to rl1, the next ones to plain, none refused', async () => {
    const { mock } = setup();
    const paths: (string | null)[] = [];
    for (let index = 0; index < 3; index += 1) {
      const { response } = await ask(fallback('rl1', 'plain'), 'fb-rate');
      paths.push(response.headers.get('x-portkey-last-used-option-index'));
    }
    expect(paths).toEqual(['config.targets[0]', 'config.targets[1]', 'config.targets[1]']);
    expect(calledKeys(mock, 'fb-rate')).toEqual(['sk-rl1', 'sk-plain', 'sk-plain']);
  });

  it('every target refused: the client gets the last refusal, with its status, error and Retry-After', async () => {
    const { mock } = setup();
    // rl1 used its request of the minute above; tiny cannot hold any request without max_tokens.
    const error = await ask(fallback('tiny', 'rl1'), 'fb-all-refused').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({
      status: 429,
      error: { type: 'virtual_key_rate_limit_error', code: 'PK_ERR_RATE_LIMITED' },
    });
    const headers = (error as InstanceType<typeof OpenAI.APIError>).headers;
    expect(Number(headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(headers?.get('x-ratelimit-limit-requests')).toBe('1');
    expect(String((error as Error).message)).toContain('(1/rpm)');
    expect(calledKeys(mock, 'fb-all-refused')).toEqual([]);
  });

  it('a request retried by its config counts once against its key’s request rate (2/min: two requests, 4 calls)', async () => {
    const { mock, gateways } = setup();
    // Each request's first call gets a 503, its retry answers: 4 calls reach the provider.
    mock.script('retry-rate', (_request, index) =>
      index % 2 === 0
        ? { status: 503, json: { error: { message: 'overloaded', type: 'server_error' } } }
        : undefined,
    );
    const config = { retry: { attempts: 1, on_status_codes: [503] }, virtual_key: 'rt2' };
    for (let index = 0; index < 2; index += 1) {
      const { data, response } = await ask(config, 'retry-rate');
      expect(data.object).toBe('chat.completion');
      expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('1');
    }
    expect(calledKeys(mock, 'retry-rate')).toEqual(['sk-rt2', 'sk-rt2', 'sk-rt2', 'sk-rt2']);
    // The key's 2 requests of the minute are spent: a third request is refused, untried.
    const refused = await ask(config, 'retry-rate').catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ status: 429, error: { code: 'PK_ERR_RATE_LIMITED' } });
    expect(calledKeys(mock, 'retry-rate')).toHaveLength(4);
    await expect.poll(() => usageOf(gateways[0] as FeatureGateway, 'rt2')).toMatchObject({ requests: 2 });
  });

  it('a request falling back to another target on the same key counts once against its request rate', async () => {
    const { mock, gateways } = setup();
    // The first target's model is overloaded; the second, on the same key, answers.
    mock.script('fb-same-first', [
      { status: 503, json: { error: { message: 'overloaded', type: 'server_error' } } },
    ]);
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { virtual_key: 'fb2', override_params: { model: 'fb-same-first' } },
        { virtual_key: 'fb2', override_params: { model: 'fb-same-second' } },
      ],
    };
    for (let index = 0; index < 2; index += 1) {
      const { response } = await ask(config, 'fb-same');
      expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    }
    expect(mock.forModel('fb-same-first')).toHaveLength(2);
    expect(mock.forModel('fb-same-second')).toHaveLength(2);
    const refused = await ask(config, 'fb-same').catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ status: 429, error: { code: 'PK_ERR_RATE_LIMITED' } });
    await expect.poll(() => usageOf(gateways[0] as FeatureGateway, 'fb2')).toMatchObject({ requests: 2 });
  });

  it('loadbalance over two keys of 5 requests/min serves 10 a minute, then answers 429', async () => {
    const { mock, gateways } = setup();
    const config = {
      strategy: { mode: 'loadbalance' },
      targets: [
        { virtual_key: 'lba', weight: 1 },
        { virtual_key: 'lbb', weight: 1 },
      ],
    };
    const statuses: number[] = [];
    for (let index = 0; index < 10; index += 1) statuses.push((await ask(config, 'lb-rate')).response.status);
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 200));
    const refused = await ask(config, 'lb-rate').catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ status: 429, error: { code: 'PK_ERR_RATE_LIMITED' } });
    const keys = calledKeys(mock, 'lb-rate');
    expect(keys.filter((key) => key === 'sk-lba')).toHaveLength(5);
    expect(keys.filter((key) => key === 'sk-lbb')).toHaveLength(5);
    // Each key's counters hold exactly its own share.
    const gateway = gateways[0] as FeatureGateway;
    await expect.poll(() => usageOf(gateway, 'lba')).toMatchObject({ requests: 5 });
    await expect.poll(() => usageOf(gateway, 'lbb')).toMatchObject({ requests: 5 });
  });
}

describe('a virtual key’s limits per attempt, one process (memory store)', () => {
  let mock: ProviderMock;
  let gateway: FeatureGateway;
  beforeAll(async () => {
    mock = await startProviderMock();
    gateway = await startFeatureGateway({ mock, settings: settings(mock) });
  });
  afterAll(async () => {
    await gateway?.stop();
    await mock?.close();
  });
  describeScenarios(() => ({ gateways: [gateway], mock }));

  it('o3-mini under a token budget gets max_completion_tokens (OpenAI refuses max_tokens there), and is told', async () => {
    const client = new OpenAI({
      baseURL: gateway.base,
      apiKey: KEY,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': KEY, 'x-portkey-virtual-key': 'reasoning' },
    });
    const { data, response } = await client.chat.completions
      .create({ model: 'o3-mini', messages: [{ role: 'user', content: 'prove it' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    const sent = mock.forModel('o3-mini');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatchObject({ max_completion_tokens: 4096 });
    expect(sent[0]?.body).not.toHaveProperty('max_tokens');
    const warning =
      'max_completion_tokens: 4096 was added (a token limit or budget applies and the request set no completion cap; PK_LIMITS_DEFAULT_MAX_TOKENS)';
    expect(response.headers.get('x-pk-warnings')).toBe(warning);
    const [line] = await gateway.waitForRequestLines(response.headers.get('x-portkey-trace-id') ?? '');
    expect(line?.warnings).toEqual([warning]);
  });
});

const runs = await requireRedis('limits-per-attempt');

describe.runIf(runs)('a virtual key’s limits per attempt, two replicas sharing Redis', () => {
  const prefix = `pk-test-attempt:${Date.now()}-${process.pid}:`;
  let mock: ProviderMock;
  let redis: Redis;
  let gateways: FeatureGateway[] = [];
  beforeAll(async () => {
    mock = await startProviderMock();
    redis = createRedisClient('redis://127.0.0.1:6379', { commandTimeoutMs: 2000 });
    const env = {
      PK_LIMITS_STORE: 'redis',
      PK_LIMITS_KEY_PREFIX: prefix,
      PK_REPLICAS: '2',
      PK_LIMITS_TIMEOUT_MS: '5000',
    };
    gateways = await Promise.all([
      startFeatureGateway({ mock, settings: settings(mock), env }),
      startFeatureGateway({ mock, settings: settings(mock), env }),
    ]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await mock?.close();
  });
  describeScenarios(() => ({ gateways, mock }));
});
