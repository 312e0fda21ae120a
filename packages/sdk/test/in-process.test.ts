import OpenAI, { APIUserAbortError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessRuntime, type InProcessRuntime, Portkey } from '../src/in-process/index.js';
import { Portkey as GatewayPortkey } from '../src/index.js';
import { type DrippingStreamServer, startDrippingStreamServer } from './support/dripping-stream-server.js';
import { MESSAGES, type RecordingServer, startRecordingServer } from './support/recording-server.js';

// In-process mode against an OpenAI-shaped upstream on 127.0.0.1: no gateway in between.
let upstream: RecordingServer;
let runtime: InProcessRuntime;

beforeAll(async () => {
  upstream = await startRecordingServer();
  runtime = createInProcessRuntime({
    virtualKeys: {
      'openai-prod': { provider: 'openai', api_key: 'sk-stored', custom_host: upstream.baseURL },
    },
    configs: { 'pc-cached': { cache: { mode: 'simple', max_age: 600 }, virtual_key: 'openai-prod' } },
  });
});
afterAll(async () => {
  await runtime.close();
  await upstream.close();
});
afterEach(() => upstream.respondWith({}));

const client = (options: ConstructorParameters<typeof Portkey>[0] = {}) =>
  new Portkey({ inProcess: runtime, ...options });
const ask = (portkey: Portkey) =>
  portkey.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });

describe('in-process mode', () => {
  it('is the same client class, calling the provider with the stored key and no gateway', async () => {
    const portkey = client({ virtualKey: 'openai-prod', traceId: 'in-process-1' });
    expect(portkey).toBeInstanceOf(GatewayPortkey);
    const completion = await ask(portkey);
    expect(completion.choices[0]?.message.content).toBe('Paris.');
    expect(completion.getHeaders()).toMatchObject({
      'trace-id': 'in-process-1',
      provider: 'openai',
      'last-used-option-index': 'config',
    });
    expect(upstream.received.at(-1)?.headers.authorization).toBe('Bearer sk-stored');
    expect(upstream.received.at(-1)?.headers['x-portkey-trace-id']).toBeUndefined();
  });

  it('simple cache: the second identical request is a HIT; cacheForceRefresh calls the provider again', async () => {
    const portkey = client({ config: 'pc-cached' });
    const before = upstream.received.length;
    expect((await ask(portkey)).getHeaders()['cache-status']).toBe('MISS');
    // A sibling made by withOptions shares the runtime, so its cache too.
    expect((await ask(portkey.withOptions({ traceId: 'sibling' }))).getHeaders()['cache-status']).toBe('HIT');
    expect(upstream.received.length - before).toBe(1);
    expect((await ask(portkey.withOptions({ cacheForceRefresh: true }))).getHeaders()['cache-status']).toBe(
      'REFRESH',
    );
    expect(upstream.received.length - before).toBe(2);
  });

  it.each([
    ['an error inside a 200', { error: { message: 'The server is overloaded', type: 'server_error' } }],
    [
      'an answer cut at the token limit',
      {
        id: 'chatcmpl-cut',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Par' }, finish_reason: 'length' }],
      },
    ],
  ])('simple cache: %s is never stored', async (_name, body) => {
    upstream.respondWith({ body });
    const portkey = client({
      config: { cache: { mode: 'simple', max_age: 600 }, virtual_key: 'openai-prod' },
    });
    const question = [{ role: 'user' as const, content: `never stored: ${_name}` }];
    const before = upstream.received.length;
    await portkey.chat.completions
      .create({ model: 'gpt-4o-mini', messages: question })
      .catch(() => undefined);
    const again = await portkey.chat.completions
      .create({ model: 'gpt-4o-mini', messages: question })
      .catch(() => undefined);
    expect(again?.getHeaders()['cache-status']).not.toBe('HIT');
    expect(upstream.received.length - before).toBe(2);
  });

  it('simple cache below the root: another provider key is another entry (a wrong key is never served a hit)', async () => {
    const below = (apiKey: string) =>
      client({
        config: {
          strategy: { mode: 'fallback' },
          targets: [
            { provider: 'openai', api_key: apiKey, custom_host: upstream.baseURL, cache: { mode: 'simple' } },
          ],
        },
      });
    const question = [{ role: 'user' as const, content: 'Which key am I?' }];
    await below('sk-right').chat.completions.create({ model: 'gpt-4o-mini', messages: question });
    const before = upstream.received.length;
    const wrong = await below('sk-wrong').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: question,
    });
    expect(wrong.getHeaders()['cache-status']).toBe('MISS');
    expect(upstream.received.length - before).toBe(1);
    expect(upstream.received.at(-1)?.headers.authorization).toBe('Bearer sk-wrong');
  });

  it('simple cache: a forwarded header’s value is another entry (one end user’s answer never reaches another)', async () => {
    const asUser = (token: string) =>
      client({
        config: { virtual_key: 'openai-prod', forward_headers: ['x-user-token'], cache: { mode: 'simple' } },
        defaultHeaders: { 'x-user-token': token },
      });
    const question = [{ role: 'user' as const, content: 'My orders' }];
    await asUser('token-alice').chat.completions.create({ model: 'gpt-4o-mini', messages: question });
    const before = upstream.received.length;
    const other = await asUser('token-mallory').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: question,
    });
    expect(other.getHeaders()['cache-status']).toBe('MISS');
    expect(upstream.received.length - before).toBe(1);
    expect(upstream.received.at(-1)?.headers['x-user-token']).toBe('token-mallory');
  });

  it('simple cache with a namespace: a conditional routing by metadata keeps its targets’ answers apart', async () => {
    const asTier = (tier: string) =>
      client({
        config: {
          strategy: {
            mode: 'conditional',
            conditions: [{ query: { 'metadata.tier': 'pro' }, then: 'pro' }],
            default: 'free',
          },
          targets: [
            { name: 'pro', virtual_key: 'openai-prod', override_params: { model: 'gpt-4o' } },
            { name: 'free', virtual_key: 'openai-prod', override_params: { model: 'gpt-4o-mini' } },
          ],
          cache: { mode: 'simple' },
        },
        cacheNamespace: 'support-bot',
        metadata: { tier },
      });
    const question = [{ role: 'user' as const, content: 'Summarise my ticket' }];
    await asTier('pro').chat.completions.create({ model: 'gpt-4o-mini', messages: question });
    const before = upstream.received.length;
    const free = await asTier('free').chat.completions.create({ model: 'gpt-4o-mini', messages: question });
    expect(free.getHeaders()['cache-status']).toBe('MISS');
    expect(upstream.received.length - before).toBe(1);
    expect((upstream.received.at(-1)?.body as { model?: string } | undefined)?.model).toBe('gpt-4o-mini');
  });

  it('routing retries, openai does not: retry.attempts 2 means three upstream calls, then the error', async () => {
    upstream.respondWith({ status: 503 });
    const before = upstream.received.length;
    const error = await ask(
      client({ config: { retry: { attempts: 2, backoff: { initial_ms: 1 } }, virtual_key: 'openai-prod' } }),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 503 });
    expect(upstream.received.length - before).toBe(3);
  });

  it('fallback from a failing target to the next', async () => {
    const completion = await ask(
      client({
        config: {
          strategy: { mode: 'fallback' },
          targets: [
            { provider: 'openai', api_key: 'sk-a', custom_host: 'http://127.0.0.1:9/v1' },
            { virtual_key: 'openai-prod' },
          ],
        },
      }),
    );
    expect(completion.getHeaders()['last-used-option-index']).toBe('config.targets[1]');
  });

  it('provider + Authorization: the caller’s key goes to the provider', async () => {
    await ask(
      client({ provider: 'openai', Authorization: 'Bearer sk-caller', customHost: upstream.baseURL }),
    );
    expect(upstream.received.at(-1)?.headers.authorization).toBe('Bearer sk-caller');
  });

  it('answers unknown ids and missing providers with the gateway’s errors', async () => {
    await expect(ask(client({ virtualKey: 'nope' }))).rejects.toMatchObject({ status: 404 });
    await expect(ask(client({ config: 'pc-unknown' }))).rejects.toMatchObject({ status: 404 });
    await expect(ask(client())).rejects.toMatchObject({ status: 400 });
  });

  it('names where a missing virtual key came from in param and message, as the gateway does', async () => {
    const param = async (portkey: Portkey, model = 'gpt-4o-mini') =>
      portkey.chat.completions.create({ model, messages: MESSAGES }).then(
        () => 'answered',
        (error: { status?: number; param?: unknown; code?: unknown; error?: { message?: string } }) => [
          error.status,
          error.code,
          error.param,
          error.error?.message,
        ],
      );
    const notFound = (where: string, subject = where) => [
      404,
      'PK_ERR_VIRTUAL_KEY_NOT_FOUND',
      where,
      `${subject}: no virtual key has this id`,
    ];
    expect(await param(client({ virtualKey: 'gone-vk' }))).toEqual(notFound('x-portkey-virtual-key'));
    expect(await param(client({ provider: '@gone-vk' }))).toEqual(notFound('x-portkey-provider'));
    expect(await param(client(), '@gone-vk/gpt-4o-mini')).toEqual(notFound('model'));
    expect(
      await param(
        client({
          config: {
            strategy: { mode: 'fallback' },
            targets: [{ virtual_key: 'openai-prod' }, { virtual_key: 'gone-vk' }],
          },
        }),
      ),
    ).toEqual(notFound('config.targets[1].virtual_key', 'config.targets[1]'));
    expect(
      await param(
        client({ config: { strategy: { mode: 'fallback' }, targets: [{ provider: '@gone-vk' }] } }),
      ),
    ).toEqual(notFound('config.targets[0].provider', 'config.targets[0]'));
    expect(
      await param(
        client({
          config: {
            strategy: { mode: 'single' },
            targets: [{ override_params: { model: '@gone-vk/gpt-4o' } }],
          },
        }),
      ),
    ).toEqual(notFound('config.targets[0].override_params.model'));
  });

  it('a config’s override_params.model "@slug/model": the virtual key’s stored key, the bare model upstream', async () => {
    const completion = await ask(
      client({
        config: {
          strategy: { mode: 'fallback' },
          targets: [{ override_params: { model: '@openai-prod/gpt-4o' } }],
        },
      }),
    );
    expect(completion.getHeaders()['last-used-option-index']).toBe('config.targets[0]');
    expect(upstream.received.at(-1)?.headers.authorization).toBe('Bearer sk-stored');
    expect(upstream.received.at(-1)?.body).toMatchObject({ model: 'gpt-4o' });
    // Without targets, it names the virtual key alone.
    await ask(client({ config: { override_params: { model: '@openai-prod/gpt-4o' } } }));
    expect(upstream.received.at(-1)?.headers.authorization).toBe('Bearer sk-stored');
    expect(upstream.received.at(-1)?.body).toMatchObject({ model: 'gpt-4o' });
  });

  it('refuses hooks and guardrails with a clear error, sending nothing', async () => {
    const before = upstream.received.length;
    const refusal = ask(
      client({ config: { virtual_key: 'openai-prod', input_guardrails: [{ 'pk.pii': { redact: true } }] } }),
    );
    await expect(refusal).rejects.toMatchObject({ status: 501 });
    await expect(refusal).rejects.toThrow(/hooks and guardrails run in the pk gateway/);
    expect(upstream.received.length).toBe(before);
  });

  it('streams', async () => {
    const stream = await client({ virtualKey: 'openai-prod' }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Paris.');
  });

  it('an aborted request rejects as an abort', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      client({ virtualKey: 'openai-prod' }).chat.completions.create(
        { model: 'gpt-4o-mini', messages: MESSAGES },
        { signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(APIUserAbortError);
  });

  describe('the caller’s abort mid-stream', () => {
    let dripping: DrippingStreamServer;
    beforeAll(async () => {
      dripping = await startDrippingStreamServer();
    });
    afterAll(() => dripping.close());

    /** Reads a stream, aborting after the third chunk: how the read ended and what the upstream saw. */
    const abortAfterThreeChunks = async (
      create: (signal: AbortSignal) => Promise<AsyncIterable<unknown>>,
    ) => {
      const controller = new AbortController();
      let chunks = 0;
      let ended: string;
      try {
        for await (const _chunk of await create(controller.signal)) if (++chunks === 3) controller.abort();
        ended = 'quietly';
      } catch (error) {
        ended = (error as Error).constructor.name;
      }
      // Long enough for chunks an open connection would still carry.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { ended, chunks, upstreamClosedEarly: dripping.closedEarly, upstreamSent: dripping.sent };
    };
    const stream = { model: 'gpt-4o-mini', messages: MESSAGES, stream: true } as const;

    it.each([
      ['without a timeout', {}],
      ['with request_timeout', { request_timeout: 5000 }],
      ['with retries', { retry: { attempts: 1 } }],
    ])(
      'ends the stream as openai does against a server and closes the upstream connection, %s',
      async (_label, extra) => {
        const againstServer = await abortAfterThreeChunks((signal) =>
          new OpenAI({ apiKey: 'sk-drip', baseURL: dripping.baseURL }).chat.completions.create(stream, {
            signal,
          }),
        );
        const inProcess = await abortAfterThreeChunks((signal) =>
          new Portkey({
            inProcess: runtime,
            config: { provider: 'openai', api_key: 'sk-drip', custom_host: dripping.baseURL, ...extra },
          }).chat.completions.create(stream, { signal }),
        );
        expect(againstServer).toMatchObject({ ended: 'quietly', chunks: 3, upstreamClosedEarly: true });
        expect(inProcess).toMatchObject({ ended: 'quietly', chunks: 3, upstreamClosedEarly: true });
        expect(inProcess.upstreamSent).toBeLessThan(10);
      },
    );
  });

  it('validates saved configs when the runtime is created', () => {
    expect(() =>
      createInProcessRuntime({ configs: { 'pc-bad': JSON.parse('{"retry":{"attempts":-1}}') } }),
    ).toThrow('saved config "pc-bad": config.retry.attempts');
  });
});
