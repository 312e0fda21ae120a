import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';

// The routes beyond chat and embeddings: completions, pass-through (JSON, multipart, GET/DELETE),
// models, and Portkey's control-plane paths, against a recording upstream on 127.0.0.1.
interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
const seen: Seen[] = [];
let upstream: Server;
let upstreamUrl = '';
let gateway: RunningGateway;
const AUDIO = Buffer.from([0x49, 0x44, 0x33, 0x04, 0x00, 0xff, 0xfb, 0x90]);

beforeAll(async () => {
  upstream = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(parts),
      });
      if (request.url === '/v1/audio/speech') {
        response.writeHead(200, { 'content-type': 'audio/mpeg' }).end(AUDIO);
      } else if (request.url === '/v1/completions') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: 'cmpl-1',
            object: 'text_completion',
            created: 1,
            model: 'gpt-3.5-turbo-instruct',
            choices: [{ index: 0, text: 'Paris', finish_reason: 'stop', logprobs: null }],
            usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
          }),
        );
      } else {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: true, method: request.method, url: request.url }));
      }
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startGatewayApp({
    virtual_keys: {
      up: {
        provider: 'openai',
        api_key: 'sk-routes',
        options: { custom_host: `${upstreamUrl}/v1` },
        models: ['gpt-4o-mini', 'whisper-1'],
      },
      other: { provider: 'anthropic', api_key: 'sk-ant', models: ['claude-sonnet-4-5', 'gpt-4o-mini'] },
    },
    limits: { body_limit_bytes: 64 * 1024 },
  });
});
afterAll(async () => {
  await gateway.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
});

const VK = { 'x-portkey-virtual-key': 'up' };

/** The answer's JSON, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON paths
type Json = any;

async function json(path: string, init: RequestInit = {}) {
  const response = await fetch(`${gateway.url}${path}`, init);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}

describe('POST /v1/completions', () => {
  it('goes through the engine to the provider’s /completions', async () => {
    const result = await json('/v1/completions', {
      method: 'POST',
      headers: { ...VK, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Capital of France?' }),
    });
    expect(result.status).toBe(200);
    expect(result.body.choices[0].text).toBe('Paris');
    expect(result.headers.get('x-portkey-provider')).toBe('openai');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/completions' });
    expect(JSON.parse(seen[0]?.body.toString() ?? '{}')).toMatchObject({ prompt: 'Capital of France?' });
    expect(seen[0]?.headers.authorization).toBe('Bearer sk-routes');
  });
});

describe('JSON bodies', () => {
  it('reach the provider as the client sent them, byte for byte, when nothing changes them', async () => {
    const text = '{ "model" : "gpt-3.5-turbo-instruct",\n  "prompt": "Capital of Fr\u00e4nce?", "n": 1 }';
    const result = await json('/v1/completions', {
      method: 'POST',
      headers: { ...VK, 'content-type': 'application/json; charset=utf-8' },
      body: text,
    });
    expect(result.status).toBe(200);
    expect(seen[0]?.body.toString('utf8')).toBe(text);
  });

  it('are serialised again when the config changes them (override_params)', async () => {
    const result = await json('/v1/completions', {
      method: 'POST',
      headers: {
        ...VK,
        'content-type': 'application/json',
        'x-portkey-config': JSON.stringify({ override_params: { n: 2 } }),
      },
      body: '{ "model": "gpt-3.5-turbo-instruct", "prompt": "p", "n": 1 }',
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(seen[0]?.body.toString() ?? '{}')).toEqual({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'p',
      n: 2,
    });
  });

  it('with a __proto__ key are refused with 400, as fastify does', async () => {
    const result = await json('/v1/completions', {
      method: 'POST',
      headers: { ...VK, 'content-type': 'application/json' },
      body: '{"model":"m","__proto__":{"polluted":true}}',
    });
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('PK_ERR_INVALID_REQUEST');
    expect(seen).toHaveLength(0);
  });
});

describe('pass-through', () => {
  it('POST /v1/images/generations sends the JSON body unchanged', async () => {
    const result = await json('/v1/images/generations', {
      method: 'POST',
      headers: { ...VK, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'dall-e-3', prompt: 'a cat', size: '1024x1024' }),
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ ok: true, url: '/v1/images/generations' });
    expect(JSON.parse(seen[0]?.body.toString() ?? '{}')).toEqual({
      model: 'dall-e-3',
      prompt: 'a cat',
      size: '1024x1024',
    });
  });

  it('POST /v1/audio/speech answers the upstream bytes with their content type', async () => {
    const response = await fetch(`${gateway.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { ...VK, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', input: 'hello', voice: 'alloy' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    expect(response.headers.get('x-portkey-trace-id')).toBeTruthy();
    expect(Buffer.from(await response.arrayBuffer())).toEqual(AUDIO);
  });

  it('POST /v1/audio/transcriptions sends multipart bytes and boundary unchanged', async () => {
    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append('file', new Blob([AUDIO], { type: 'audio/mpeg' }), 'hello.mp3');
    const sent = new Request('http://x/', { method: 'POST', body: form });
    const bytes = Buffer.from(await sent.arrayBuffer());
    const contentType = sent.headers.get('content-type') ?? '';
    const result = await json('/v1/audio/transcriptions', {
      method: 'POST',
      headers: { ...VK, 'content-type': contentType },
      body: bytes,
    });
    expect(result.status).toBe(200);
    expect(seen[0]?.url).toBe('/v1/audio/transcriptions');
    expect(seen[0]?.headers['content-type']).toBe(contentType);
    expect(seen[0]?.body).toEqual(bytes);
  });

  it('accepts a chunked multipart body without content-length', async () => {
    const boundary = 'pkboundary42';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n`,
      ),
      AUDIO,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(
        `${gateway.url}/v1/audio/transcriptions`,
        {
          method: 'POST',
          headers: { ...VK, 'content-type': `multipart/form-data; boundary=${boundary}` },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on('error', reject);
      outgoing.write(payload.subarray(0, 10));
      setTimeout(() => outgoing.end(payload.subarray(10)), 20);
    });
    expect(status).toBe(200);
    expect(seen[0]?.body).toEqual(payload);
  });

  it('refuses a multipart body over the limit with 413', async () => {
    const result = await json('/v1/audio/transcriptions', {
      method: 'POST',
      headers: { ...VK, 'content-type': 'multipart/form-data; boundary=x' },
      body: Buffer.alloc(100 * 1024, 1),
    });
    expect(result.status).toBe(413);
    expect(result.body.error.code).toBe('PK_ERR_PAYLOAD_TOO_LARGE');
    expect(seen).toHaveLength(0);
  });

  it('accepts raw audio/* bodies', async () => {
    const result = await json('/v1/audio/translations', {
      method: 'POST',
      headers: { ...VK, 'content-type': 'audio/wav' },
      body: AUDIO,
    });
    expect(result.status).toBe(200);
    expect(seen[0]?.body).toEqual(AUDIO);
    expect(seen[0]?.headers['content-type']).toBe('audio/wav');
  });

  it('keeps refusing multipart on chat completions (415)', async () => {
    const result = await json('/v1/chat/completions', {
      method: 'POST',
      headers: { ...VK, 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x--',
    });
    expect(result.status).toBe(415);
    expect(result.body.error.code).toBe('PK_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['GET', '/v1/files?limit=2', '/v1/files?limit=2'],
    ['DELETE', '//v1//files/file-1', '/v1/files/file-1'],
    ['GET', '/files/file-1/content', '/v1/files/file-1/content'],
    ['GET', '/v1/models/gpt-4o-mini', '/v1/models/gpt-4o-mini'],
    ['POST', '/images/generations', '/v1/images/generations'],
    ['POST', '/v1/responses', '/v1/responses'],
    ['GET', '/v1/chat/completions', '/v1/chat/completions'],
  ])('%s %s reaches the provider as %s', async (method, path, upstreamPath) => {
    const hasBody = method === 'POST';
    const result = await json(path, {
      method,
      headers: { ...VK, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      ...(hasBody ? { body: JSON.stringify({ model: 'gpt-4o-mini', input: 'x' }) } : {}),
    });
    expect(result.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method, url: upstreamPath });
  });

  it('needs a provider: without one, 400 PK_ERR_MISSING_PROVIDER', async () => {
    const result = await json('/v1/files');
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('PK_ERR_MISSING_PROVIDER');
    expect(seen).toHaveLength(0);
  });
});

describe('GET /v1/models', () => {
  it('without a provider lists the models declared on virtual keys, in OpenAI’s shape', async () => {
    for (const path of ['/v1/models', '/models', '//v1//models']) {
      const result = await json(path);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'openai' },
          { id: 'whisper-1', object: 'model', created: 0, owned_by: 'openai' },
          { id: 'claude-sonnet-4-5', object: 'model', created: 0, owned_by: 'anthropic' },
        ],
      });
    }
    expect(seen).toHaveLength(0);
  });

  it('with a provider named asks the provider', async () => {
    const result = await json('/v1/models', { headers: VK });
    expect(result.status).toBe(200);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/models' });
  });
});

describe('Portkey control-plane paths', () => {
  it.each([
    ['POST', '/v1/feedback'],
    ['PUT', '/v1/feedback/fb-1'],
    ['POST', '/v1/prompts/pp-1/completions'],
    ['POST', '/v1/prompts/pp-1/render'],
    ['GET', '/v1/prompts/partials'],
    ['GET', '/v1/configs'],
    ['PUT', '/v1/configs/pc-1'],
    ['GET', '/v1/logs'],
    ['POST', '/v1/logs/exports'],
    ['POST', '/v1/virtual-keys'],
    ['DELETE', '/v1/api-keys/ak-1'],
    ['GET', '/v1/admin/users'],
    ['GET', '/v1/admin/workspaces/ws-1/users'],
    ['GET', '/v1/analytics/graphs/cost'],
    ['GET', '/v1/integrations'],
    ['GET', '/v1/providers'],
    ['GET', '/v1/guardrails'],
    ['GET', '/v1/mcp-servers'],
    ['POST', '/v1/v1/prompts/pp-1/generate'],
    ['POST', '/feedback'],
    ['GET', '//v1//configs'],
  ])('%s %s → 501 PK_ERR_NOT_IMPLEMENTED, never sent upstream', async (method, path) => {
    const hasBody = method !== 'GET' && method !== 'DELETE';
    const result = await json(path, {
      method,
      headers: { ...VK, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      ...(hasBody ? { body: '{}' } : {}),
    });
    expect(result.status).toBe(501);
    expect(result.body.error).toMatchObject({ code: 'PK_ERR_NOT_IMPLEMENTED' });
    expect(result.headers.get('x-portkey-trace-id')).toBeTruthy();
    expect(seen).toHaveLength(0);
  });
});
