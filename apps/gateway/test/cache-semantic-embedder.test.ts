import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, startGateway } from './server-process.js';
import { textLine, writeMarkerLine } from './support/output-lines.js';
import { temporaryDir } from './support/temporary-dir.js';

// A semantic cache whose embedder fails or is too slow: the request is still served, and says so
// (`x-pk-cache-error: embedding-unavailable`, one warning naming the embedding target) instead of
// falling back to a plain MISS in silence. The mock answers the embeddings model `fail-401` with a
// 401 and `slow-1000` after a second.
const APP_KEY = 'pk-semantic-embedder-app';
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

async function gatewayWithEmbedder(model: string, timeoutMs?: number): Promise<GatewayProcess> {
  const settingsPath = join(temporaryDir('pk-semantic-embedder-'), 'pk.json');
  writeFileSync(
    settingsPath,
    JSON.stringify({
      gateway_keys: [{ id: 'app', key: APP_KEY }],
      virtual_keys: {
        chat: { provider: 'openai', api_key: 'sk-chat', options: { custom_host: `${upstream.url}/v1` } },
        embedder: {
          provider: 'openai',
          api_key: 'sk-embed-secret',
          options: { custom_host: `${upstream.url}/v1` },
        },
      },
      semantic_cache: {
        virtual_key: 'embedder',
        model,
        ...(timeoutMs === undefined ? {} : { timeout_ms: timeoutMs }),
      },
    }),
  );
  const gateway = await startGateway({}, ['--settings', settingsPath]);
  gateways.push(gateway);
  return gateway;
}

async function ask(gateway: GatewayProcess, content: string) {
  const client = new OpenAI({
    apiKey: 'unused',
    baseURL: `${gateway.url}/v1`,
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-api-key': APP_KEY,
      'x-portkey-config': JSON.stringify({ virtual_key: 'chat', cache: { mode: 'semantic', max_age: 3600 } }),
    },
  });
  const started = performance.now();
  const { data, response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] })
    .withResponse();
  return {
    ms: performance.now() - started,
    text: data.choices[0]?.message.content,
    cacheStatus: response.headers.get('x-portkey-cache-status'),
    cacheError: response.headers.get('x-pk-cache-error'),
  };
}

/**
 * The gateway's warning lines about the embedder, once the first one arrived (logs are asynchronous)
 * and a marker request's line after it (a second warning, if one were written, is there by then).
 */
async function embedderWarnings(gateway: GatewayProcess): Promise<string[]> {
  const isWarning = textLine('semantic cache: embedding');
  await gateway.waitForLine(isWarning);
  await writeMarkerLine(gateway);
  return gateway
    .output()
    .split('\n')
    .filter((line) => isWarning(line, line));
}

describe('a semantic cache whose embedder fails', () => {
  it('answers 401: served as MISS with x-pk-cache-error: embedding-unavailable and one warning naming the target', async () => {
    const gateway = await gatewayWithEmbedder('fail-401');
    for (let index = 0; index < 3; index += 1) {
      const answer = await ask(gateway, `embedder down ${runId} ${index}`);
      expect(answer).toMatchObject({ cacheStatus: 'MISS', cacheError: 'embedding-unavailable' });
      expect(answer.text).toBe('The capital of France is Paris.');
    }
    const embeddingCalls = upstream.received.filter(
      (request) => request.path === '/v1/embeddings' && request.body.model === 'fail-401',
    );
    expect(embeddingCalls).toHaveLength(3);
    // An exact repeat is still served from the cache.
    expect((await ask(gateway, `embedder down ${runId} 0`)).cacheStatus).toBe('HIT');
    const warnings = await embedderWarnings(gateway);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('virtual key embedder (fail-401)');
    expect(warnings[0]).toContain('status 401');
    expect(gateway.output()).not.toContain('sk-embed-secret');
  });

  it('is slower than timeout_ms: each request waits at most that long, and the warning says it timed out', async () => {
    const gateway = await gatewayWithEmbedder('slow-1000', 200);
    const answer = await ask(gateway, `embedder slow ${runId}`);
    expect(answer).toMatchObject({ cacheStatus: 'MISS', cacheError: 'embedding-unavailable' });
    expect(answer.ms).toBeLessThan(900);
    const warnings = await embedderWarnings(gateway);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('timed out after 200 ms');
  });
});
