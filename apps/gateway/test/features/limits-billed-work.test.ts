import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import { chatCompletion, type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';
import { temporaryDataDir } from '../support/store-fixtures.js';

// Feature suite: budgets count what providers bill. An image is billed by its pixels, not the bytes of
// its URL; a call cut by request_timeout or a client hang-up was worked on and is billed; a rate limit
// of 0 says it admits nothing. One gateway process, memory store, a mock OpenAI billing as OpenAI does.
const KEYS = {
  app: 'pk-lim-billed-app',
  admin: 'pk-lim-billed-admin',
  budgeted: 'pk-lim-billed-budgeted',
};
let mock: ProviderMock;
let gateway: FeatureGateway;
const dataDir = temporaryDataDir();

/** What OpenAI bills for one 1024-px high-detail image on gpt-4o (85 + 170 × 4 tiles). */
const IMAGE_TOKENS = 765;

beforeAll(async () => {
  mock = await startProviderMock();
  const upstream = { provider: 'openai', api_key: 'sk-billed', options: { custom_host: `${mock.url}/v1` } };
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'app', key: KEYS.app },
        { id: 'admin', key: KEYS.admin, role: 'admin' },
        { id: 'budgeted', key: KEYS.budgeted, usage_limits: { credit_limit: 20_000, type: 'tokens' } },
      ],
      virtual_keys: {
        images: { ...upstream, usage_limits: { credit_limit: 5_000, type: 'tokens' } },
        slow: { ...upstream, usage_limits: { credit_limit: 100_000, type: 'tokens' } },
        zero: { ...upstream, rate_limits: [{ type: 'requests', unit: 'rpm', value: 0 }] },
        'one-a-minute': { ...upstream, rate_limits: [{ type: 'requests', unit: 'rpm', value: 1 }] },
        routed: { ...upstream, usage_limits: { credit_limit: 20_000, type: 'tokens' } },
        plain: upstream,
      },
    },
    env: { PK_DATA_DIR: dataDir.path },
  });
  // Bills the prompt as OpenAI does: text by its length, each image 765 tokens.
  mock.script('vision-model', (request) => {
    const messages = (request.body?.messages ?? []) as { content: unknown }[];
    let images = 0;
    for (const message of messages)
      if (Array.isArray(message.content))
        images += message.content.filter((part: { type?: string }) => part.type === 'image_url').length;
    const answer = chatCompletion('vision-model', 'A cat.');
    return {
      delayMs: 300,
      json: {
        ...answer,
        usage: {
          prompt_tokens: 20 + images * IMAGE_TOKENS,
          completion_tokens: 3,
          total_tokens: 23 + images * IMAGE_TOKENS,
        },
      },
    };
  });
  // Answers after 1.5 s: longer than a 500 ms request_timeout, or a client that leaves after 300 ms.
  mock.script('slow-model', () => ({ delayMs: 1_500, json: chatCompletion('slow-model') }));
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  dataDir.remove();
});

async function usageOf(slug: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.base}/virtual-keys/${slug}`, {
    headers: { 'x-portkey-api-key': KEYS.admin },
  });
  return ((await response.json()) as { current_usage: Record<string, unknown> }).current_usage;
}

/** The key's usage once `requests` requests were settled. */
async function settledUsage(slug: string, requests: number): Promise<Record<string, unknown>> {
  let usage: Record<string, unknown> = {};
  for (let tries = 0; tries < 100 && usage.requests !== requests; tries += 1) {
    usage = await usageOf(slug);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  return usage;
}

const vision = (index: number) => ({
  model: 'vision-model',
  max_tokens: 10,
  messages: [
    {
      role: 'user' as const,
      content: [
        { type: 'text' as const, text: `What is in this picture? ${index}` },
        {
          type: 'image_url' as const,
          image_url: { url: 'https://example.com/cat.png', detail: 'high' as const },
        },
      ],
    },
  ],
});

describe('budgets count what providers bill', () => {
  it('images hold their worst case: 20 concurrent one-image requests never spend past a 5,000-token budget', async () => {
    const portkey = new Portkey({
      apiKey: KEYS.app,
      baseURL: gateway.base,
      virtualKey: 'images',
      maxRetries: 0,
    });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        portkey.chat.completions.create(vision(index)).then(
          () => 200,
          (error: { status?: number }) => error.status,
        ),
      ),
    );
    const served = outcomes.filter((status) => status === 200).length;
    // Each request holds ~1,650 tokens (its text, the image's 1,600, 10 of answer): 3 fit in 5,000 at
    // once, and a few more once the first ones settled at their 788.
    expect(served).toBeGreaterThanOrEqual(3);
    expect(outcomes.filter((status) => status === 412)).toHaveLength(20 - served);
    expect(mock.forModel('vision-model')).toHaveLength(served);
    const usage = await settledUsage('images', served);
    expect(usage.tokens).toBe(served * (23 + IMAGE_TOKENS));
    expect(Number(usage.tokens)).toBeLessThanOrEqual(5_000);
  });

  it('calls cut by request_timeout are charged their hold: the provider worked on each of them', async () => {
    const openai = new OpenAI({
      apiKey: 'unused',
      baseURL: gateway.base,
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': KEYS.app,
        'x-portkey-config': JSON.stringify({
          virtual_key: 'slow',
          request_timeout: 500,
          retry: { attempts: 2, on_status_codes: [408] },
        }),
      },
    });
    const before = mock.forModel('slow-model').length;
    const refused = await openai.chat.completions
      .create({ model: 'slow-model', messages: [{ role: 'user', content: 'slow' }], max_tokens: 1_000 })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 408 });
    // Three calls reached the provider, each held 8 + 8 + "user" + "slow" + 1,000 tokens.
    expect(mock.forModel('slow-model').length - before).toBe(3);
    const usage = await settledUsage('slow', 3);
    expect(usage.tokens).toBe(3 * (8 + 8 + 4 + 4 + 1_000));
  });

  it('a JSON call the client hung up on is charged its hold', async () => {
    const openai = new OpenAI({
      apiKey: 'unused',
      baseURL: gateway.base,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': KEYS.app, 'x-portkey-virtual-key': 'slow' },
    });
    const settled = Number((await usageOf('slow')).requests);
    const tokensBefore = Number((await usageOf('slow')).tokens);
    const before = mock.forModel('slow-model').length;
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const left = await openai.chat.completions
      .create(
        { model: 'slow-model', messages: [{ role: 'user', content: 'hang up' }], max_tokens: 1_000 },
        { signal: abort.signal },
      )
      .catch((error: unknown) => error);
    expect(left).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(mock.forModel('slow-model').length - before).toBe(1);
    const usage = await settledUsage('slow', settled + 1);
    expect(Number(usage.tokens) - tokensBefore).toBe(8 + 8 + 4 + 7 + 1_000);
  });

  it('a rate limit of 0 answers 429 saying it admits nothing, with no Retry-After', async () => {
    const response = await fetch(`${gateway.base}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': KEYS.app,
        'x-portkey-virtual-key': 'zero',
      },
      body: JSON.stringify({ model: 'zero-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('is 0 requests (rpm): it admits no request');
    expect(mock.forModel('zero-model')).toHaveLength(0);
  });

  describe('a virtual key’s refusals answer Portkey’s error type and message', () => {
    const openaiWith = (headers: Record<string, string>) =>
      new OpenAI({
        apiKey: 'unused',
        baseURL: gateway.base,
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-api-key': KEYS.app, ...headers },
      });
    const refusalOf = (client: OpenAI, model: string) =>
      client.chat.completions
        .create({ model, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
        .then(
          () => undefined,
          (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
        );

    it('a rate limit: 429 virtual_key_rate_limit_error, “Portkey Virtual Key on********ute Rate Limit Exceeded”', async () => {
      const client = openaiWith({ 'x-portkey-virtual-key': 'one-a-minute' });
      expect(await refusalOf(client, 'rate-model')).toBeUndefined();
      const refused = await refusalOf(client, 'rate-model');
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      expect(refused?.status).toBe(429);
      expect(refused?.error).toMatchObject({
        type: 'virtual_key_rate_limit_error',
        code: 'PK_ERR_RATE_LIMITED',
        message: expect.stringMatching(/^Portkey Virtual Key on\*{8}ute Rate Limit Exceeded: .*\(1\/rpm\)/),
      });
      expect(Number(refused?.headers?.get('retry-after'))).toBeGreaterThan(0);
      expect(mock.forModel('rate-model')).toHaveLength(1);
    });

    it('a budget: 412 virtual_key_exhaust_error, “Portkey Virtual Key ro********ted Usage Limit Exceeded”', async () => {
      const client = openaiWith({
        'x-portkey-config': JSON.stringify({
          virtual_key: 'routed',
          override_params: { max_tokens: 30_000 },
        }),
      });
      const refused = await refusalOf(client, 'budget-model');
      expect(refused?.status).toBe(412);
      expect(refused?.error).toMatchObject({
        type: 'virtual_key_exhaust_error',
        code: 'PK_ERR_BUDGET_EXCEEDED',
        message: expect.stringMatching(/^Portkey Virtual Key ro\*{8}ted Usage Limit Exceeded: /),
      });
      expect(mock.forModel('budget-model')).toHaveLength(0);
    });
  });

  describe('an image holds what the model the config calls bills, not the body’s model', () => {
    /** One image, asked of `model` through the openai SDK with `config` and the gateway key `key`. */
    const askImage = (key: string, config: unknown, model: string) =>
      new OpenAI({
        apiKey: 'unused',
        baseURL: gateway.base,
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-api-key': key, 'x-portkey-config': JSON.stringify(config) },
      }).chat.completions
        .create({ ...vision(0), model })
        .then(
          (answer) => ({ status: 200, model: answer.model }),
          (error: { status?: number; error?: unknown }) => ({ status: error.status, error: error.error }),
        );

    it('a virtual key’s budget refuses a body naming gpt-4o whose config calls gpt-4o-mini (48,169 tokens an image)', async () => {
      const before = mock.forModel('gpt-4o-mini').length;
      const refused = await askImage(
        KEYS.app,
        { virtual_key: 'routed', override_params: { model: 'gpt-4o-mini' } },
        'gpt-4o',
      );
      expect(refused).toMatchObject({ status: 412, error: { code: 'PK_ERR_BUDGET_EXCEEDED' } });
      expect(mock.forModel('gpt-4o-mini').length - before).toBe(0);
      // The other way round it fits: gpt-4o is called, its image held at 1,600 tokens.
      const served = await askImage(
        KEYS.app,
        { virtual_key: 'routed', override_params: { model: 'gpt-4o' } },
        'gpt-4o-mini',
      );
      expect(served.status).toBe(200);
      expect(mock.forModel('gpt-4o').at(-1)?.body).toMatchObject({ model: 'gpt-4o' });
    });

    it('a gateway key’s budget holds the dearest target of the plan, each bounded by the model it calls', async () => {
      const before = mock.forModel('gpt-4o-mini').length + mock.forModel('gpt-4o').length;
      const refused = await askImage(
        KEYS.budgeted,
        {
          strategy: { mode: 'fallback' },
          targets: [
            { virtual_key: 'plain' },
            { virtual_key: 'plain', override_params: { model: 'gpt-4o-mini' } },
          ],
        },
        'gpt-4o',
      );
      expect(refused).toMatchObject({ status: 412, error: { code: 'PK_ERR_BUDGET_EXCEEDED' } });
      expect(mock.forModel('gpt-4o-mini').length + mock.forModel('gpt-4o').length - before).toBe(0);
    });
  });
});
