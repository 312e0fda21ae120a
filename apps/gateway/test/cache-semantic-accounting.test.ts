import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, startGateway } from './server-process.js';
import { requestLineOf } from './support/output-lines.js';
import { temporaryDir } from './support/temporary-dir.js';

// The semantic cache's embedding calls are accounted: counted in /metrics by outcome
// (`pk_cache_embedding_calls_total`) and, with their latency and whether one failed, in the
// request's log line (`cache`). The mock answers the embeddings model `fail-401` with a 401 and
// `slow-1000` after a second; any other model with one vector (every prompt is similar).
const APP_KEY = 'pk-semantic-accounting-app';
const SCRAPER_KEY = 'pk-semantic-accounting-scraper';
let upstream: MockOpenAI;
const gateways: GatewayProcess[] = [];
const runId = `${Date.now()}-${process.pid}`;

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true });
});
afterAll(async () => {
  for (const gateway of gateways) gateway.child.kill('SIGKILL');
  await upstream?.close();
});

async function gatewayWith(semantic?: { model: string; timeout_ms?: number }): Promise<GatewayProcess> {
  const settingsPath = join(temporaryDir('pk-semantic-accounting-'), 'pk.json');
  writeFileSync(
    settingsPath,
    JSON.stringify({
      gateway_keys: [
        { id: 'app', key: APP_KEY },
        { id: 'prometheus', key: SCRAPER_KEY, scopes: ['metrics'] },
      ],
      virtual_keys: {
        chat: { provider: 'openai', api_key: 'sk-chat', options: { custom_host: `${upstream.url}/v1` } },
        embedder: {
          provider: 'openai',
          api_key: 'sk-embed-secret',
          options: { custom_host: `${upstream.url}/v1` },
        },
      },
      ...(semantic ? { semantic_cache: { virtual_key: 'embedder', ...semantic } } : {}),
    }),
  );
  const gateway = await startGateway({}, ['--settings', settingsPath]);
  gateways.push(gateway);
  return gateway;
}

/** Asks through the openai SDK with its own trace id; `mode` is the config's cache mode. */
async function ask(gateway: GatewayProcess, content: string, traceId: string, mode = 'semantic') {
  const client = new OpenAI({
    apiKey: 'unused',
    baseURL: `${gateway.url}/v1`,
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-api-key': APP_KEY,
      'x-portkey-config': JSON.stringify({ virtual_key: 'chat', cache: { mode, max_age: 3600 } }),
    },
  });
  const { data, response } = await client.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] },
      { headers: { 'x-portkey-trace-id': traceId } },
    )
    .withResponse();
  return {
    text: data.choices[0]?.message.content,
    cacheStatus: response.headers.get('x-portkey-cache-status'),
  };
}

/** The request log line of `traceId`, once written (lines are flushed in batches). */
async function requestLine(gateway: GatewayProcess, traceId: string): Promise<Record<string, unknown>> {
  return gateway.waitForLine(requestLineOf(traceId));
}

/** The `pk_cache_embedding_calls_total` series of the gateway's /metrics, by outcome. */
async function embeddingCalls(gateway: GatewayProcess): Promise<Record<string, number>> {
  const scraped = await fetch(`${gateway.url}/metrics`, { headers: { 'x-portkey-api-key': SCRAPER_KEY } });
  expect(scraped.status).toBe(200);
  const calls: Record<string, number> = {};
  for (const match of (await scraped.text()).matchAll(
    /^pk_cache_embedding_calls_total\{outcome="(\w+)"\} (\d+)$/gm,
  )) {
    calls[match[1] ?? ''] = Number(match[2]);
  }
  return calls;
}

describe('the semantic cache’s embedding calls are accounted', () => {
  it('a working embedder: counted ok, and the line of an exact miss has the call’s latency; an exact hit makes none', async () => {
    const gateway = await gatewayWith({ model: 'text-embedding-3-small' });
    const miss = await ask(gateway, `accounted ${runId}`, `acc-miss-${runId}`);
    expect(miss).toMatchObject({ cacheStatus: 'SEMANTIC MISS', text: 'The capital of France is Paris.' });
    const hit = await ask(gateway, `accounted ${runId}`, `acc-hit-${runId}`);
    expect(hit.cacheStatus).toBe('HIT');
    // A simple-mode request of the same gateway never embeds.
    await ask(gateway, `simple ${runId}`, `acc-simple-${runId}`, 'simple');
    const embedded = upstream.received.filter(
      (request) => request.path === '/v1/embeddings' && request.body.input === `accounted ${runId}`,
    );
    expect(embedded).toHaveLength(1);
    expect(await embeddingCalls(gateway)).toEqual({ ok: 1 });
    const line = await requestLine(gateway, `acc-miss-${runId}`);
    expect(line.cache).toEqual({
      embeddingCalls: 1,
      embeddingMs: expect.any(Number),
      embeddingFailed: false,
    });
    expect((line.cache as { embeddingMs: number }).embeddingMs).toBeGreaterThan(0);
    expect((await requestLine(gateway, `acc-hit-${runId}`)).cache).toBeUndefined();
    expect((await requestLine(gateway, `acc-simple-${runId}`)).cache).toBeUndefined();
  });

  it('a refusing embedder and a slow one: counted error and timeout, and the line says the embedding failed', async () => {
    const refusing = await gatewayWith({ model: 'fail-401' });
    expect((await ask(refusing, `refused ${runId}`, `acc-refused-${runId}`)).cacheStatus).toBe('MISS');
    expect(await embeddingCalls(refusing)).toEqual({ error: 1 });
    expect((await requestLine(refusing, `acc-refused-${runId}`)).cache).toMatchObject({
      embeddingCalls: 1,
      embeddingFailed: true,
    });

    const slow = await gatewayWith({ model: 'slow-1000', timeout_ms: 200 });
    expect((await ask(slow, `slow ${runId}`, `acc-slow-${runId}`)).cacheStatus).toBe('MISS');
    expect(await embeddingCalls(slow)).toEqual({ timeout: 1 });
    const line = await requestLine(slow, `acc-slow-${runId}`);
    expect(line.cache).toMatchObject({ embeddingCalls: 1, embeddingFailed: true });
    expect((line.cache as { embeddingMs: number }).embeddingMs).toBeGreaterThanOrEqual(190);
  });

  it('without semantic_cache: no embedding series in /metrics and no cache part in the line', async () => {
    const gateway = await gatewayWith();
    expect((await ask(gateway, `off ${runId}`, `acc-off-${runId}`)).cacheStatus).toBe('MISS');
    expect(await embeddingCalls(gateway)).toEqual({});
    expect((await requestLine(gateway, `acc-off-${runId}`)).cache).toBeUndefined();
  });
});
