import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCacheStore } from '../src/cache/redis-cache-store.js';
import { createRedisClient } from '../src/stores/redis-client.js';
import { type GatewayProcess, startGateway } from './server-process.js';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';
import { type MockEmbeddings, startMockEmbeddings, vectorWithSimilarity } from './support/mock-embeddings.js';
import { requireRedis } from './support/services.js';
import { temporaryDir } from './support/temporary-dir.js';

// What a cache must never store, and what must keep two requests apart, probed the way a user
// would: the official `portkey-ai` client against the gateway on the shared Redis (a prefix of this
// run's own), a mock OpenAI upstream in OpenAI's wire format, and a mock embeddings endpoint.
const runs = await requireRedis('cache-safety');
const prefix = `pk-test:cache-safety:${Date.now()}-${process.pid}:`;

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** A chat completion in OpenAI's shape. */
/** The log probability of one token, in OpenAI's shape. */
const tokenLogprob = (token: string) => ({
  token,
  logprob: -0.25,
  bytes: [...Buffer.from(token)],
  top_logprobs: [],
});

/** A chat completion in OpenAI's shape (with `logprobs` of its two tokens when asked for). */
function completion(model: string, text: string, logprobs = false): Record<string, unknown> {
  const [head, tail] = [text.slice(0, 5), text.slice(5)];
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: 1_731_000_000,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text },
        logprobs: logprobs ? { content: [tokenLogprob(head), tokenLogprob(tail)], refusal: null } : null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
  };
}

/** The same answer as OpenAI streams it: a role chunk, two content chunks, the finish chunk, `[DONE]`. */
function completionStream(model: string, text: string, logprobs = false): string {
  const base = { id: 'chatcmpl-stream', object: 'chat.completion.chunk', created: 1_731_000_000, model };
  const chunk = (delta: Record<string, unknown>, finish: string | null, tokens: string[] = []) =>
    `data: ${JSON.stringify({
      ...base,
      choices: [
        {
          index: 0,
          delta,
          logprobs:
            logprobs && tokens.length > 0 ? { content: tokens.map(tokenLogprob), refusal: null } : null,
          finish_reason: finish,
        },
      ],
    })}\n\n`;
  const [head, tail] = [text.slice(0, 5), text.slice(5)];
  return [
    chunk({ role: 'assistant', content: '' }, null),
    chunk({ content: head }, null, [head]),
    chunk({ content: tail }, null, [tail]),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ].join('');
}

/**
 * The upstream: for model `in-band-error`, a 200 whose body is an error on any path (as some
 * OpenAI-compatible servers and routers answer); else `/v1/chat/completions` answers with the last
 * user message echoed (`echo: …`, streamed when asked), and `/v1/responses` a Response whose
 * `status` is the request's `metadata.status` (`queued` for a background request, say).
 */
async function startUpstream(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      const path = (request.url ?? '').split('?')[0] ?? '';
      received.push({ path, headers: request.headers, body });
      const send = (status: number, answer: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer));
      };
      const model = String(body.model);
      if (model === 'in-band-error') {
        return send(200, {
          error: { message: 'The server is overloaded', type: 'server_error', code: null },
        });
      }
      if (path.endsWith('/responses')) {
        const status = String((body.metadata as { status?: string } | undefined)?.status ?? 'completed');
        return send(200, {
          id: `resp_${received.length}`,
          object: 'response',
          created_at: 1_731_000_000,
          status,
          background: body.background === true,
          error: null,
          model,
          output:
            status === 'completed'
              ? [
                  {
                    type: 'message',
                    id: 'msg_1',
                    status: 'completed',
                    role: 'assistant',
                    content: [{ type: 'output_text', text: 'done', annotations: [] }],
                  },
                ]
              : [],
          usage: null,
        });
      }
      const messages = (body.messages ?? []) as { role: string; content: unknown }[];
      const last = [...messages].reverse().find((message) => message.role === 'user');
      const text = `echo: ${String(last?.content)}`;
      if (body.stream === true) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.end(completionStream(model, text, body.logprobs === true));
        return;
      }
      send(200, completion(model, text, body.logprobs === true));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.runIf(runs)('cache safety (Redis store)', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let embeddings: MockEmbeddings;
  let redis: Redis;
  let gateway: RunningGateway;

  beforeAll(async () => {
    upstream = await startUpstream();
    embeddings = await startMockEmbeddings(
      new Map([
        // Real embedders put these pairs above any usual threshold (vllm-project/semantic-router#2691).
        ['Turn on the living room light', vectorWithSimilarity(1)],
        ['Please turn on the living room light', vectorWithSimilarity(0.98)],
        ['Turn off the living room light', vectorWithSimilarity(0.98)],
        ["Don't turn on the living room light", vectorWithSimilarity(0.97)],
        ['What is 12 times 7?', [0, 0, 1, 0]],
        ['What is 12 times 8?', [0, 0, 0.99, Math.sqrt(1 - 0.99 ** 2)]],
        ['Tell me a joke', [0, 1, 0, 0]],
        // An embedder answering values that are not numbers (JSON has no NaN).
        ['Tell me a poem', ['NaN', 'NaN', 'NaN', 'NaN'] as unknown as number[]],
      ]),
    );
    redis = createRedisClient('redis://127.0.0.1:6379', { commandTimeoutMs: 2000 });
    const connecting = redis;
    await new Promise((resolve) => connecting.once('ready', resolve));
    gateway = await startGatewayApp(
      {
        gateway_keys: [{ id: 'team-a', key: 'pk-a' }],
        virtual_keys: {
          chat: { provider: 'openai', api_key: 'sk-chat', options: { custom_host: `${upstream.url}/v1` } },
          embedder: {
            provider: 'openai',
            api_key: 'sk-embed',
            options: { custom_host: `${embeddings.url}/v1` },
          },
        },
        semantic_cache: { virtual_key: 'embedder', model: 'text-embedding-3-small' },
      },
      {},
      { cacheStore: createRedisCacheStore(redis, undefined, prefix) },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    await embeddings?.close();
    await upstream?.close();
  });

  /** The official client, with a config of its own. */
  const client = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    new Portkey({ apiKey: 'pk-a', baseURL: `${gateway.url}/v1`, config, maxRetries: 0, ...extra });

  const simple = { virtual_key: 'chat', cache: { mode: 'simple', max_age: 3600 } };
  const semantic = { virtual_key: 'chat', cache: { mode: 'semantic', max_age: 3600 } };

  async function chat(config: Record<string, unknown>, content: string, model = 'gpt-4o-mini') {
    const data = await client(config).chat.completions.create({
      model,
      messages: [{ role: 'user', content }],
    });
    const headers = ((data as { getHeaders?: () => unknown }).getHeaders?.() ?? {}) as Record<string, string>;
    return { data, cacheStatus: headers['cache-status'] };
  }

  it('a 200 whose body is an error is passed on but never stored nor served again', async () => {
    const before = upstream.received.length;
    const first = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': 'pk-a',
        'x-portkey-config': JSON.stringify(simple),
      },
      body: JSON.stringify({ model: 'in-band-error', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await first.text();
    const second = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': 'pk-a',
        'x-portkey-config': JSON.stringify(simple),
      },
      body: JSON.stringify({ model: 'in-band-error', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await second.text();
    expect(second.headers.get('x-portkey-cache-status')).not.toBe('HIT');
    expect(upstream.received.length).toBe(before + 2);
  });

  it('a 200 whose body is an error, asked for in the Messages or Responses dialect, is never stored', async () => {
    for (const [path, body] of [
      [
        '/v1/messages',
        { model: 'in-band-error', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
      ],
      ['/v1/responses', { model: 'in-band-error', input: 'hi' }],
    ] as const) {
      const before = upstream.received.length;
      const statuses: (string | null)[] = [];
      for (let round = 0; round < 2; round += 1) {
        const response = await fetch(`${gateway.url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'anthropic-version': '2023-06-01',
            'x-portkey-api-key': 'pk-a',
            'x-portkey-config': JSON.stringify(simple),
          },
          body: JSON.stringify(body),
        });
        await response.text();
        statuses.push(response.headers.get('x-portkey-cache-status'));
      }
      expect(statuses, path).not.toContain('HIT');
      expect(upstream.received.length - before, path).toBe(2);
    }
  });

  it('a background Response that is still queued is never stored', async () => {
    const before = upstream.received.length;
    const ask = () =>
      fetch(`${gateway.url}/v1/responses`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portkey-api-key': 'pk-a',
          'x-portkey-config': JSON.stringify(simple),
        },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          input: 'Write a long essay',
          background: true,
          metadata: { status: 'queued' },
        }),
      });
    const first = await ask();
    expect(((await first.json()) as { status: string }).status).toBe('queued');
    const second = await ask();
    await second.text();
    expect(second.headers.get('x-portkey-cache-status')).not.toBe('HIT');
    expect(upstream.received.length).toBe(before + 2);
  });

  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"text"'],
    ['an array', '[]'],
    ['an empty object', '{}'],
    ['no body', '{"provider":"openai"}'],
    ['a body that is a string', '{"provider":"openai","body":"text"}'],
    ['a cut entry', '{"provider":"openai","body":{"id":"x","choices":['],
  ])(
    'an entry in Redis holding %s is a miss: the request is answered by the provider',
    async (_name, text) => {
      const question = `corrupt ${text}`;
      const first = await chat(simple, question);
      expect(first.cacheStatus).toBe('MISS');
      const keys = await redis.keys(`${prefix}c:*`);
      expect(keys.length).toBeGreaterThan(0);
      // Every entry of this run is overwritten: the one just stored is among them.
      for (const each of keys) await redis.set(each, text, 'PX', 60_000);
      const before = upstream.received.length;
      const second = await chat(simple, question);
      expect(second.data.choices?.[0]?.message?.content).toBe(`echo: ${question}`);
      expect(upstream.received.length).toBe(before + 1);
      for (const each of keys) await redis.del(each);
    },
  );

  it('semantic: “turn off” is never served the answer to “turn on”, nor “don’t turn on”', async () => {
    expect((await chat(semantic, 'Turn on the living room light')).cacheStatus).toBe('SEMANTIC MISS');
    const same = await chat(semantic, 'Please turn on the living room light');
    expect(same.cacheStatus).toBe('SEMANTIC HIT');
    const off = await chat(semantic, 'Turn off the living room light');
    expect(off.data.choices?.[0]?.message?.content).toBe('echo: Turn off the living room light');
    expect(off.cacheStatus).toBe('SEMANTIC MISS');
    const negated = await chat(semantic, "Don't turn on the living room light");
    expect(negated.data.choices?.[0]?.message?.content).toBe("echo: Don't turn on the living room light");
  });

  it('semantic: another number in the question is another question', async () => {
    await chat(semantic, 'What is 12 times 7?');
    const other = await chat(semantic, 'What is 12 times 8?');
    expect(other.data.choices?.[0]?.message?.content).toBe('echo: What is 12 times 8?');
    expect(other.cacheStatus).toBe('SEMANTIC MISS');
  });

  it('semantic: an embedding that is not numbers is no lookup, never a hit on whatever is in scope', async () => {
    await chat(semantic, 'Tell me a joke');
    const poem = await chat(semantic, 'Tell me a poem');
    expect(poem.data.choices?.[0]?.message?.content).toBe('echo: Tell me a poem');
    expect(poem.cacheStatus).toBe('MISS');
  });

  it('a target’s OpenAI project keeps its cached answers apart (a cache below the root)', async () => {
    const below = (project: string) => ({
      strategy: { mode: 'fallback' },
      targets: [
        {
          provider: 'openai',
          api_key: 'sk-shared',
          custom_host: `${upstream.url}/v1`,
          openai_project: project,
          cache: { mode: 'simple', max_age: 3600 },
        },
      ],
    });
    await chat(below('proj_a'), 'Which fine-tune am I talking to?');
    const before = upstream.received.length;
    const other = await chat(below('proj_b'), 'Which fine-tune am I talking to?');
    expect(other.cacheStatus).toBe('MISS');
    expect(upstream.received.length).toBe(before + 1);
    expect(upstream.received.at(-1)?.headers['openai-project']).toBe('proj_b');
  });

  it.each([
    ['at the root', (config: Record<string, unknown>) => config],
    [
      'below the root',
      (config: Record<string, unknown>) => ({ strategy: { mode: 'fallback' }, targets: [config] }),
    ],
  ])('a forwarded header’s value keeps cached answers apart (a cache %s)', async (_where, shape) => {
    // A custom host answering per end user (a RAG service reading their token): one user's answer
    // must never reach another, nor a client whose token the service would refuse.
    const config = shape({
      virtual_key: 'chat',
      forward_headers: ['x-user-token'],
      cache: { mode: 'simple', max_age: 3600 },
    });
    const ask = async (token: string) => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portkey-api-key': 'pk-a',
          'x-portkey-config': JSON.stringify(config),
          'x-user-token': token,
        },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `My orders ${_where}` }],
        }),
      });
      await response.text();
      return response.headers.get('x-portkey-cache-status');
    };
    expect(await ask('token-alice')).toBe('MISS');
    const before = upstream.received.length;
    expect(await ask('token-mallory')).toBe('MISS');
    expect(upstream.received.length).toBe(before + 1);
    expect(upstream.received.at(-1)?.headers['x-user-token']).toBe('token-mallory');
    expect(await ask('token-alice')).toBe('HIT');
  });

  it('a root cache with a namespace keeps apart the targets a conditional routing picks by metadata', async () => {
    const config = {
      strategy: {
        mode: 'conditional',
        conditions: [{ query: { 'metadata.tier': 'pro' }, then: 'pro' }],
        default: 'free',
      },
      targets: [
        { name: 'pro', virtual_key: 'chat', override_params: { model: 'gpt-4o' } },
        { name: 'free', virtual_key: 'chat', override_params: { model: 'gpt-4o-mini' } },
      ],
      cache: { mode: 'simple', max_age: 3600 },
    };
    const ask = async (tier: string) => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portkey-api-key': 'pk-a',
          'x-portkey-config': JSON.stringify(config),
          'x-portkey-cache-namespace': 'support-bot',
          'x-portkey-metadata': JSON.stringify({ tier, _user: `user-${tier}` }),
        },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Summarise my ticket' }],
        }),
      });
      const body = (await response.json()) as { model: string };
      return { model: body.model, status: response.headers.get('x-portkey-cache-status') };
    };
    expect(await ask('pro')).toEqual({ model: 'gpt-4o', status: 'MISS' });
    expect(await ask('free')).toEqual({ model: 'gpt-4o-mini', status: 'MISS' });
    expect(await ask('pro')).toEqual({ model: 'gpt-4o', status: 'HIT' });
  });

  /** The official OpenAI client's chat call, streamed or not, with `logprobs`, through the simple cache. */
  async function withLogprobs(content: string, stream: boolean) {
    const openai = new OpenAI({
      apiKey: 'unused',
      baseURL: `${gateway.url}/v1`,
      defaultHeaders: createHeaders({ apiKey: 'pk-a', config: simple }),
      maxRetries: 0,
    });
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content }], logprobs: true };
    if (!stream) {
      const { data, response } = await openai.chat.completions.create(body).withResponse();
      return {
        tokens: data.choices[0]?.logprobs?.content?.map((each) => each.token),
        status: response.headers.get('x-portkey-cache-status'),
      };
    }
    const tokens: string[] = [];
    for await (const chunk of await openai.chat.completions.create({ ...body, stream: true }))
      for (const each of chunk.choices[0]?.logprobs?.content ?? []) tokens.push(each.token);
    return { tokens };
  }

  it('a streamed request answered from a non-streamed entry gets the logprobs it asked for', async () => {
    const fresh = await withLogprobs('logprobs, JSON first', false);
    expect(fresh.tokens).toEqual(['echo:', ' logprobs, JSON first']);
    const before = upstream.received.length;
    const replayed = await withLogprobs('logprobs, JSON first', true);
    expect(upstream.received.length).toBe(before);
    expect(replayed.tokens).toEqual(['echo:', ' logprobs, JSON first']);
  });

  it('a non-streamed request answered from a streamed entry gets the logprobs it asked for', async () => {
    const fresh = await withLogprobs('logprobs, stream first', true);
    expect(fresh.tokens).toEqual(['echo:', ' logprobs, stream first']);
    // The stream is stored once it completed, after its last byte was sent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const hit = await withLogprobs('logprobs, stream first', false);
    expect(hit.status).toBe('HIT');
    expect(hit.tokens).toEqual(['echo:', ' logprobs, stream first']);
  });
});

describe('cache safety (the built gateway process, memory store)', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let embeddings: MockEmbeddings;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startUpstream();
    embeddings = await startMockEmbeddings(
      new Map([
        ['Enable the firewall', vectorWithSimilarity(1)],
        ['Disable the firewall', vectorWithSimilarity(0.98)],
        ['Please enable the firewall', vectorWithSimilarity(0.98)],
      ]),
    );
    const settingsPath = join(temporaryDir('pk-cache-safety-'), 'settings.json');
    writeFileSync(
      settingsPath,
      JSON.stringify({
        virtual_keys: {
          chat: { provider: 'openai', api_key: 'sk-chat', options: { custom_host: `${upstream.url}/v1` } },
          embedder: {
            provider: 'openai',
            api_key: 'sk-embed',
            options: { custom_host: `${embeddings.url}/v1` },
          },
        },
        semantic_cache: { virtual_key: 'embedder', model: 'text-embedding-3-small' },
      }),
    );
    gateway = await startGateway({ PK_SETTINGS: settingsPath, PK_CACHE_MAX_ENTRY_BYTES: '4096' });
  });
  afterAll(async () => {
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
    await embeddings?.close();
    await upstream?.close();
  });

  const openai = (config: Record<string, unknown>) =>
    new OpenAI({
      apiKey: 'unused',
      baseURL: `${gateway.url}/v1`,
      defaultHeaders: createHeaders({ config }),
      maxRetries: 0,
    });
  const semantic = { virtual_key: 'chat', cache: { mode: 'semantic', max_age: 3600 } };

  it('“Disable the firewall” is never served the answer to “Enable the firewall”; a rephrasing is', async () => {
    const ask = async (content: string) => {
      const { data, response } = await openai(semantic)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] })
        .withResponse();
      return {
        text: data.choices[0]?.message.content,
        status: response.headers.get('x-portkey-cache-status'),
      };
    };
    expect(await ask('Enable the firewall')).toEqual({
      text: 'echo: Enable the firewall',
      status: 'SEMANTIC MISS',
    });
    expect(await ask('Disable the firewall')).toEqual({
      text: 'echo: Disable the firewall',
      status: 'SEMANTIC MISS',
    });
    expect(await ask('Please enable the firewall')).toEqual({
      text: 'echo: Enable the firewall',
      status: 'SEMANTIC HIT',
    });
  });

  it('an error inside a 200 reaches the client each time, from the provider, streamed or not', async () => {
    const config = { virtual_key: 'chat', cache: { mode: 'simple', max_age: 3600 } };
    const before = upstream.received.length;
    for (let round = 0; round < 2; round += 1) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-portkey-config': JSON.stringify(config) },
        body: JSON.stringify({ model: 'in-band-error', messages: [{ role: 'user', content: 'process' }] }),
      });
      expect(await response.json()).toEqual({
        error: { message: 'The server is overloaded', type: 'server_error', code: null },
      });
      expect(response.headers.get('x-portkey-cache-status')).toBe('MISS');
    }
    expect(upstream.received.length).toBe(before + 2);
  });

  it('a semantic hit to a streamed request is a correct SSE stream of the stored answer', async () => {
    const stream = await openai(semantic).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Please enable the firewall' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('echo: Enable the firewall');
    expect(finish).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it('an answer larger than PK_CACHE_MAX_ENTRY_BYTES is served and not stored; a small one is', async () => {
    const config = { virtual_key: 'chat', cache: { mode: 'simple', max_age: 3600 } };
    const ask = async (content: string) => {
      const { data, response } = await openai(config)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] })
        .withResponse();
      return {
        text: data.choices[0]?.message.content,
        status: response.headers.get('x-portkey-cache-status'),
      };
    };
    const long = `Repeat this: ${'a long line of text '.repeat(250)}`;
    const before = upstream.received.length;
    expect(await ask(long)).toEqual({ text: `echo: ${long}`, status: 'MISS' });
    expect(await ask(long)).toEqual({ text: `echo: ${long}`, status: 'MISS' });
    expect(upstream.received.length).toBe(before + 2);
    await ask('Repeat this: short');
    expect((await ask('Repeat this: short')).status).toBe('HIT');
  });
});
