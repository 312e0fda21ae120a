import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import { requestLineOf } from './support/output-lines.js';

// The response cache and output guardrails end to end: the built gateway as a process, the official
// openai, portkey-ai and Anthropic SDKs, an OpenAI mock upstream (chat completions, JSON and SSE, and
// the Responses API) and a guardrail webhook on 127.0.0.1 whose verdict the test turns. A cached
// answer meets the output guardrails of the config it is served to, as they are now, exactly as a
// fresh answer does; an answer cut short or filtered is never stored.

const CARD_TEXT = 'Your card on file is 4111 1111 1111 1111.';
const WITHHELD = 'That detail is withheld.';

/** What the mock answers next, and what the webhook says. */
const state = { text: CARD_TEXT, finish: 'stop', verdict: true, transform: false };

interface Received {
  readonly path: string;
  readonly body: Record<string, unknown>;
}
const received: Received[] = [];
const upstreamCalls = () => received.filter((call) => !call.path.startsWith('/hook')).length;

async function bodyOf(request: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  return Buffer.concat(pieces).toString('utf8');
}

let counter = 0;
const CREATED = 1_731_000_000;

function chatCompletion(model: string) {
  counter += 1;
  return {
    id: `chatcmpl-cg-${counter}`,
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: state.text, refusal: null },
        logprobs: null,
        finish_reason: state.finish,
      },
    ],
    usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
  };
}

/** OpenAI's streamed chat completion (https://platform.openai.com/docs/api-reference/chat-streaming). */
function chatChunks(model: string): string[] {
  counter += 1;
  const base = { id: `chatcmpl-cg-${counter}`, object: 'chat.completion.chunk', created: CREATED, model };
  const frame = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  return [
    frame({ role: 'assistant', content: '' }, null),
    frame({ content: state.text.slice(0, 10) }, null),
    frame({ content: state.text.slice(10) }, null),
    frame({}, state.finish),
    'data: [DONE]\n\n',
  ];
}

/** A Responses API answer (https://platform.openai.com/docs/api-reference/responses/object). */
function response(model: string) {
  counter += 1;
  return {
    id: `resp_cg${counter}`,
    object: 'response',
    created_at: CREATED,
    status: 'completed',
    error: null,
    incomplete_details: null,
    model,
    output: [
      {
        type: 'message',
        id: `msg_cg${counter}`,
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: state.text, annotations: [] }],
      },
    ],
    usage: {
      input_tokens: 9,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 12,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 21,
    },
  };
}

let server: Server;
let url: string;
let gateway: GatewayProcess;
let settingsDir: string;

beforeAll(async () => {
  server = createServer(async (request, reply) => {
    const text = await bodyOf(request);
    const path = request.url ?? '/';
    const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    received.push({ path, body });
    reply.setHeader('content-type', 'application/json');
    if (path === '/hook/verdict') return void reply.end(JSON.stringify({ verdict: state.verdict }));
    if (path === '/hook/mask') {
      const hooked = body as { response?: { json?: Record<string, unknown> } };
      const answer = hooked.response?.json ?? {};
      const masked = {
        ...answer,
        choices: [{ index: 0, message: { role: 'assistant', content: WITHHELD }, finish_reason: 'stop' }],
      };
      return void reply.end(
        JSON.stringify({
          verdict: true,
          ...(state.transform ? { transformedData: { response: { json: masked } } } : {}),
        }),
      );
    }
    const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
    if (path === '/v1/chat/completions' && body.stream === true) {
      reply.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const frame of chatChunks(model)) reply.write(frame);
      return void reply.end();
    }
    if (path === '/v1/chat/completions') return void reply.end(JSON.stringify(chatCompletion(model)));
    if (path === '/v1/responses') return void reply.end(JSON.stringify(response(model)));
    reply.statusCode = 404;
    reply.end(JSON.stringify({ error: { message: `no route ${path}`, type: 'invalid_request_error' } }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const webhook = (path: string) => ({
    id: 'default.webhook',
    parameters: { webhookURL: `${url}/hook/${path}` },
  });
  const settings = {
    virtual_keys: {
      'openai-mock': { provider: 'openai', api_key: 'sk-cacheguard', options: { custom_host: `${url}/v1` } },
    },
    guardrails: {
      'out-verdict': { deny: true, checks: [webhook('verdict')] },
      'out-mask': { type: 'mutator', checks: [webhook('mask')] },
    },
  };
  settingsDir = mkdtempSync(join(tmpdir(), 'pk-cacheguard-'));
  const settingsPath = join(settingsDir, 'settings.json');
  writeFileSync(settingsPath, JSON.stringify(settings));
  gateway = await startGateway({ PK_SETTINGS: settingsPath, PK_LOG_FLUSH_MS: '0' });
});

afterAll(async () => {
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  server?.closeAllConnections();
  server?.close();
  if (settingsDir) rmSync(settingsDir, { recursive: true, force: true });
});

beforeEach(() => {
  Object.assign(state, { text: CARD_TEXT, finish: 'stop', verdict: true, transform: false });
});

const cached = { mode: 'simple', max_age: 600 } as const;
const guardedConfig = { virtual_key: 'openai-mock', cache: cached, output_guardrails: ['out-verdict'] };

function portkey(config: Record<string, unknown>): Portkey {
  return new Portkey({ baseURL: `${gateway.url}/v1`, apiKey: 'pk-unused', config, maxRetries: 0 });
}

function openai(config: Record<string, unknown>): OpenAI {
  return new OpenAI({
    apiKey: 'unused',
    baseURL: `${gateway.url}/v1`,
    maxRetries: 0,
    defaultHeaders: createHeaders({ config }),
  });
}

function anthropic(config: Record<string, unknown>): Anthropic {
  return new Anthropic({
    baseURL: gateway.url,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-config': JSON.stringify(config) },
  });
}

const unique = (label: string) => `${label} ${Math.random().toString(36).slice(2, 10)}`;

/** The portkey-ai SDK's `getHeaders()`: the `x-portkey-*` response headers without their prefix. */
function portkeyHeadersOf(answer: unknown): Record<string, string> {
  return ((answer as { getHeaders?: () => unknown }).getHeaders?.() ?? {}) as Record<string, string>;
}

/** The rejection of a call (an SDK's APIError), or fails the test. */
async function rejectionOf(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('the call was expected to fail');
}

describe('output guardrails on cache hits', () => {
  it('a cached chat answer its output guardrail now denies is a 446 with the hook results, JSON and streamed, and nothing is called', async () => {
    const messages = [{ role: 'user' as const, content: unique('which card do I have') }];
    const stored = await openai(guardedConfig)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .withResponse();
    expect(stored.response.headers.get('x-portkey-cache-status')).toBe('MISS');
    expect(stored.data.choices[0]?.message.content).toBe(CARD_TEXT);
    const calls = upstreamCalls();

    state.verdict = false;
    const denied = await rejectionOf(
      openai(guardedConfig).chat.completions.create({ model: 'gpt-4o-mini', messages }),
    );
    expect(denied.status).toBe(446);
    expect((denied.headers as Headers).get('x-portkey-cache-status')).toBe('HIT');
    expect(denied.error).toMatchObject({ type: 'hooks_failed', code: 'PK_ERR_GUARDRAIL_DENIED' });
    expect(JSON.stringify(denied.error)).not.toContain('4111');

    // Streamed: the stored answer is judged whole before anything is sent (a webhook too, which on a
    // fresh stream can only report after the text went out), so the replay never starts.
    const streamDenied = await rejectionOf(
      openai(guardedConfig).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }),
    );
    expect(streamDenied.status).toBe(446);
    expect((streamDenied.headers as Headers).get('x-portkey-cache-status')).toBe('HIT');
    expect(streamDenied.error).toMatchObject({ type: 'hooks_failed', code: 'PK_ERR_GUARDRAIL_DENIED' });
    // Both answers came from the cache: the provider was not asked again.
    expect(upstreamCalls()).toBe(calls);
  });

  it('a cached chat answer meets the output mutator as it is now: the hit is served changed, JSON and streamed', async () => {
    const config = { virtual_key: 'openai-mock', cache: cached, output_guardrails: ['out-mask'] };
    const messages = [{ role: 'user' as const, content: unique('read my card back') }];
    const first = await openai(config).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(first.choices[0]?.message.content).toBe(CARD_TEXT);
    const calls = upstreamCalls();

    state.transform = true;
    const hit = await openai(config).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(hit.choices[0]?.message.content).toBe(WITHHELD);
    const hookResults = (hit as unknown as { hook_results: { after_request_hooks: unknown[] } }).hook_results;
    expect(hookResults.after_request_hooks).toMatchObject([
      { id: 'out-mask', verdict: true, transformed: true },
    ]);

    const { data: stream, response } = await openai(config)
      .chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
      .withResponse();
    expect(response.headers.get('x-portkey-cache-status')).toBe('HIT');
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(WITHHELD);
    expect(upstreamCalls()).toBe(calls);
  });

  it('with strict compliance off a streamed hit carries the hook results before [DONE], as a fresh stream does', async () => {
    const content = unique('stream my card');
    const ask = () =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portkey-strict-open-ai-compliance': 'false',
          'x-portkey-config': JSON.stringify(guardedConfig),
        },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true }),
      });
    const fresh = await ask();
    expect(fresh.headers.get('x-portkey-cache-status')).toBe('MISS');
    const freshText = await fresh.text();
    const hit = await ask();
    expect(hit.headers.get('x-portkey-cache-status')).toBe('HIT');
    const hitText = await hit.text();
    for (const text of [freshText, hitText]) {
      const frames = text.split('\n\n').filter((frame) => frame.startsWith('data: '));
      expect(frames.at(-1)).toBe('data: [DONE]');
      expect(JSON.parse(frames.at(-2)?.slice(6) ?? '{}')).toMatchObject({
        hook_results: { after_request_hooks: [{ id: 'out-verdict', verdict: true }] },
      });
    }
  });

  it('a target’s cache entry stored by a config without output guardrails is not served to one with them (portkey-ai SDK)', async () => {
    const target = { virtual_key: 'openai-mock', cache: cached };
    const plain = { strategy: { mode: 'fallback' }, targets: [target] };
    const guardedTarget = {
      strategy: { mode: 'fallback' },
      targets: [{ ...target, output_guardrails: ['out-verdict'] }],
    };
    const guardedRoot = { ...plain, output_guardrails: ['out-verdict'] };
    const messages = [{ role: 'user' as const, content: unique('card please') }];
    await portkey(plain).chat.completions.create({ model: 'gpt-4o-mini', messages });
    const again = await portkey(plain).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(portkeyHeadersOf(again)['cache-status']).toBe('HIT');
    const calls = upstreamCalls();

    // Their own partition: a miss that asks the provider, and the guardrail judges the fresh answer.
    const fresh = await portkey(guardedRoot).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(portkeyHeadersOf(fresh)['cache-status']).toBe('MISS');
    expect(upstreamCalls()).toBe(calls + 1);
    // The same output guardrails on the target itself are the same partition: that entry is a hit.
    const hit = await portkey(guardedTarget).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(portkeyHeadersOf(hit)['cache-status']).toBe('HIT');
    expect(upstreamCalls()).toBe(calls + 1);
  });

  it('a cached Messages answer its output guardrail now denies is Anthropic’s 446 error, JSON and streamed (Anthropic SDK)', async () => {
    const messages = [{ role: 'user' as const, content: unique('my card?') }];
    const stored = await anthropic(guardedConfig).messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      messages,
    });
    expect(stored.content[0]).toMatchObject({ type: 'text', text: CARD_TEXT });
    const calls = upstreamCalls();

    state.verdict = false;
    const denied = await rejectionOf(
      anthropic(guardedConfig).messages.create({ model: 'gpt-4o-mini', max_tokens: 100, messages }),
    );
    expect(denied.status).toBe(446);
    expect((denied.headers as Headers).get('x-portkey-cache-status')).toBe('HIT');
    expect(JSON.stringify(denied.error)).toContain('hook_results');
    expect(JSON.stringify(denied.error)).not.toContain('4111');

    const streamDenied = await rejectionOf(
      anthropic(guardedConfig).messages.create({
        model: 'gpt-4o-mini',
        max_tokens: 100,
        messages,
        stream: true,
      }),
    );
    expect(streamDenied.status).toBe(446);
    expect(JSON.stringify(streamDenied.error)).toContain('PK_ERR_GUARDRAIL_DENIED');
    expect(JSON.stringify(streamDenied.error)).not.toContain('4111');
    expect(upstreamCalls()).toBe(calls);
  });

  it('a cached Responses answer its output guardrail now denies is a 446 (openai SDK responses.create)', async () => {
    const input = unique('what card is on file');
    const stored = await openai(guardedConfig).responses.create({ model: 'gpt-4o-mini', input });
    expect(stored.output_text).toBe(CARD_TEXT);
    const calls = upstreamCalls();

    state.verdict = false;
    const denied = await rejectionOf(openai(guardedConfig).responses.create({ model: 'gpt-4o-mini', input }));
    expect(denied.status).toBe(446);
    expect((denied.headers as Headers).get('x-portkey-cache-status')).toBe('HIT');
    expect(JSON.stringify(denied.error)).not.toContain('4111');
    expect(upstreamCalls()).toBe(calls);
  });

  it('the request log says a hit was denied: 446, HIT, the guardrail’s verdict and the error code', async () => {
    const messages = [{ role: 'user' as const, content: unique('log this hit') }];
    await openai(guardedConfig).chat.completions.create({ model: 'gpt-4o-mini', messages });
    state.verdict = false;
    const denied = await rejectionOf(
      openai(guardedConfig).chat.completions.create({ model: 'gpt-4o-mini', messages }),
    );
    const traceId = (denied.headers as Headers).get('x-portkey-trace-id');
    const line = await gateway.waitForLine(requestLineOf(String(traceId)));
    expect(line).toMatchObject({
      status: 446,
      cacheStatus: 'HIT',
      errorCode: 'PK_ERR_GUARDRAIL_DENIED',
      guardrails: [{ id: 'out-verdict', verdict: false, event: 'after' }],
    });
  });
});

describe('answers cut short are never cached', () => {
  const plain = { virtual_key: 'openai-mock', cache: cached };

  it.each(['length', 'content_filter'])(
    'a chat answer that finished with %s is not stored (portkey-ai SDK)',
    async (finish) => {
      state.finish = finish;
      const messages = [{ role: 'user' as const, content: unique(`a long essay ${finish}`) }];
      const first = await portkey(plain).chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(first.choices[0]?.finish_reason).toBe(finish);
      const calls = upstreamCalls();
      const second = await portkey(plain).chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(portkeyHeadersOf(second)['cache-status']).toBe('MISS');
      expect(second.choices[0]?.finish_reason).toBe(finish);
      expect(upstreamCalls()).toBe(calls + 1);
    },
  );

  it('a streamed chat answer cut at the token limit is not stored; a complete one is', async () => {
    const ask = async (content: string) => {
      const { data, response } = await openai(plain)
        .chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content }],
          stream: true,
        })
        .withResponse();
      let finish: string | null | undefined;
      for await (const chunk of data) finish = chunk.choices[0]?.finish_reason ?? finish;
      return { status: response.headers.get('x-portkey-cache-status'), finish };
    };
    state.finish = 'length';
    const cut = unique('stream me an essay');
    expect(await ask(cut)).toEqual({ status: 'MISS', finish: 'length' });
    const calls = upstreamCalls();
    expect(await ask(cut)).toEqual({ status: 'MISS', finish: 'length' });
    expect(upstreamCalls()).toBe(calls + 1);

    state.finish = 'stop';
    const whole = unique('stream me a haiku');
    expect(await ask(whole)).toEqual({ status: 'MISS', finish: 'stop' });
    expect(await ask(whole)).toEqual({ status: 'HIT', finish: 'stop' });
  });

  it('a Messages answer that stopped at max_tokens is not stored (Anthropic SDK)', async () => {
    state.finish = 'length';
    const messages = [{ role: 'user' as const, content: unique('tell me everything') }];
    const first = await anthropic(plain).messages.create({ model: 'gpt-4o-mini', max_tokens: 5, messages });
    expect(first.stop_reason).toBe('max_tokens');
    const calls = upstreamCalls();
    const second = await anthropic(plain)
      .messages.create({ model: 'gpt-4o-mini', max_tokens: 5, messages })
      .withResponse();
    expect(second.response.headers.get('x-portkey-cache-status')).toBe('MISS');
    expect(upstreamCalls()).toBe(calls + 1);
  });
});
