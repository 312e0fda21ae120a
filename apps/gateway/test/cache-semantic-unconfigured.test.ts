import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEMANTIC_CACHE_UNCONFIGURED } from '../src/proxy/run-proxied-request.js';
import { type GatewayProcess, startGateway } from './server-process.js';
import { logLineWhere } from './support/output-lines.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// `cache.mode: semantic` on a gateway whose settings have no `semantic_cache` (no embedding model):
// the request is matched exactly only, and the client and the operator are told so.
let mock: ProviderMock;
let gateway: GatewayProcess;

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startGateway();
}, 30_000);
afterAll(async () => {
  gateway?.child.kill('SIGKILL');
  await mock?.close();
});

function client(): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: 'sk-caller',
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-config': JSON.stringify({
        provider: 'openai',
        api_key: 'sk-config',
        custom_host: `${mock.url}/v1`,
        cache: { mode: 'semantic', max_age: 3600 },
      }),
    },
  });
}

describe('cache mode semantic without semantic_cache in the settings', () => {
  it('answers with an x-pk-warnings entry saying so, and logs one warn line per process', async () => {
    const openai = client();
    const first = await openai.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      })
      .withResponse();
    expect(first.response.headers.get('x-portkey-cache-status')).toBe('MISS');
    expect(first.response.headers.get('x-pk-warnings')).toBe(SEMANTIC_CACHE_UNCONFIGURED);
    // A similar question is not a semantic hit: it goes to the provider.
    const similar = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: "Tell me France's capital" }] })
      .withResponse();
    expect(similar.response.headers.get('x-portkey-cache-status')).toBe('MISS');
    expect(similar.response.headers.get('x-pk-warnings')).toBe(SEMANTIC_CACHE_UNCONFIGURED);
    expect(mock.received.filter((request) => request.path === '/v1/chat/completions')).toHaveLength(2);
    // A stream is told too (its headers come before the first chunk).
    const streamed = await openai.chat.completions
      .create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'And of Germany?' }],
      })
      .withResponse();
    expect(streamed.response.headers.get('x-pk-warnings')).toBe(SEMANTIC_CACHE_UNCONFIGURED);
    for await (const _chunk of streamed.data) {
      // drained
    }
    const warnLines = () =>
      gateway
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":40') && line.includes('semantic_cache'));
    // Log lines are written in batches (PK_LOG_FLUSH_MS): the request lines of all three first.
    await gateway.waitForLines(
      logLineWhere((line) => line.msg === 'request'),
      { count: 3 },
    );
    expect(warnLines()).toHaveLength(1);
    expect(JSON.parse(warnLines()[0] ?? '{}')).toMatchObject({
      msg: expect.stringContaining('Add semantic_cache (virtual_key, model) to the settings file'),
    });
  });
});
