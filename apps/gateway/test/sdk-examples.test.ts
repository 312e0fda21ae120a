import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Portkey as GatewayPortkey, type PortkeyClientOptions } from '@pk/sdk';
import {
  createInProcessRuntime,
  Portkey as InProcessPortkey,
  type InProcessRuntime,
} from '@pk/sdk/in-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as basicRequest from '../../../packages/sdk/examples/basic-request.js';
import * as concurrentCalls from '../../../packages/sdk/examples/concurrent-calls.js';
import * as configId from '../../../packages/sdk/examples/config-id.js';
import * as customMetadata from '../../../packages/sdk/examples/custom-metadata.js';
import type { ExampleContext } from '../../../packages/sdk/examples/example-context.js';
import * as fallback from '../../../packages/sdk/examples/fallback.js';
import * as jsonOutput from '../../../packages/sdk/examples/json-output.js';
import * as loadBalancing from '../../../packages/sdk/examples/load-balancing.js';
import * as multiTurn from '../../../packages/sdk/examples/multi-turn.js';
import * as perRequestOptions from '../../../packages/sdk/examples/per-request-options.js';
import * as productionSetup from '../../../packages/sdk/examples/production-setup.js';
import * as quickStart from '../../../packages/sdk/examples/quick-start.js';
import * as requestTimeout from '../../../packages/sdk/examples/request-timeout.js';
import * as retries from '../../../packages/sdk/examples/retries.js';
import * as semanticCache from '../../../packages/sdk/examples/semantic-cache.js';
import * as streaming from '../../../packages/sdk/examples/streaming.js';
import * as traceIds from '../../../packages/sdk/examples/trace-ids.js';
import * as virtualKey from '../../../packages/sdk/examples/virtual-key.js';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type RunningGateway, startGatewayApp } from './support/gateway-harness.js';
import { type MockEmbeddings, startMockEmbeddings, vectorWithSimilarity } from './support/mock-embeddings.js';

// Every SDK example of the seed documents (packages/sdk/examples), run twice against mock OpenAI
// upstreams on 127.0.0.1: through the gateway (`@pk/sdk`), then without it (`@pk/sdk/in-process`,
// the same virtual keys and saved config given in code).
const GATEWAY_KEY = 'pk-sdk-examples-key';
const ANSWER = 'The capital of France is Paris.';

/** An upstream that answers 503 to the first `failures` requests after each `reset()`, then like OpenAI. */
interface FlakyUpstream {
  readonly url: string;
  calls: number;
  reset(failures: number): void;
  close(): Promise<void>;
}

async function startFlakyUpstream(): Promise<FlakyUpstream> {
  let remaining = Number.POSITIVE_INFINITY;
  const state = { calls: 0 };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      state.calls += 1;
      if (remaining > 0) {
        remaining -= 1;
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ error: { message: 'overloaded', type: 'server_error', param: null, code: null } }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'chatcmpl-flaky',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-4o',
          choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return state.calls;
    },
    set calls(value: number) {
      state.calls = value;
    },
    reset(failures) {
      remaining = failures;
      state.calls = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let upstream: MockOpenAI;
let down: FlakyUpstream;
let flaky: FlakyUpstream;
let gateway: RunningGateway;
let runtime: InProcessRuntime;
let embeddings: MockEmbeddings;

/** The same virtual keys for the gateway's settings and for in-process mode. */
function virtualKeys(): Record<string, { provider: string; api_key: string; custom_host: string }> {
  const key = (id: string, host: string) => ({
    provider: 'openai',
    api_key: `sk-${id}`,
    custom_host: `${host}/v1`,
  });
  return {
    'openai-key': key('openai-key', upstream.url),
    'openai-virtual-key-xxx': key('openai-virtual-key-xxx', upstream.url),
    'openai-key-1': key('openai-key-1', upstream.url),
    'openai-key-2': key('openai-key-2', upstream.url),
    'anthropic-key': key('anthropic-key', upstream.url),
    'openai-down': key('openai-down', down.url),
    'openai-flaky': key('openai-flaky', flaky.url),
  };
}

const SAVED_CONFIGS = {
  'pc-config-xxx': {
    strategy: { mode: 'fallback' as const },
    targets: [{ virtual_key: 'openai-down' }, { virtual_key: 'openai-key' }],
  },
};

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true, chunks: 4 });
  down = await startFlakyUpstream();
  flaky = await startFlakyUpstream();
  // The seed document's two phrasings of one question, 0.97 apart (above the 0.95 threshold).
  embeddings = await startMockEmbeddings(
    new Map([
      ['What is the capital of France?', vectorWithSimilarity(1)],
      ["Tell me France's capital", vectorWithSimilarity(0.97)],
    ]),
  );
  const keys = virtualKeys();
  gateway = await startGatewayApp({
    gateway_keys: [{ id: 'examples', key: GATEWAY_KEY }],
    virtual_keys: {
      ...Object.fromEntries(
        Object.entries(keys).map(([id, { provider, api_key, custom_host }]) => [
          id,
          { provider, api_key, options: { custom_host } },
        ]),
      ),
      // The embedding model of the semantic cache.
      embedder: {
        provider: 'openai',
        api_key: 'sk-embedder',
        options: { custom_host: `${embeddings.url}/v1` },
      },
    },
    configs: SAVED_CONFIGS,
    semantic_cache: { virtual_key: 'embedder', model: 'text-embedding-3-small' },
  });
  runtime = createInProcessRuntime({ virtualKeys: keys, configs: SAVED_CONFIGS });
});

afterAll(async () => {
  await runtime?.close();
  await gateway?.close();
  await Promise.all([upstream?.close(), down?.close(), flaky?.close(), embeddings?.close()]);
});

const lastReceived = () => upstream.received.at(-1);

/** The clients of the two modes, with what `process.env` would hold in a real program. */
const MODES = {
  gateway: (): ExampleContext => ({
    Portkey: class extends GatewayPortkey {
      constructor(options: PortkeyClientOptions = {}) {
        super({ baseURL: `${gateway.url}/v1`, ...options });
      }
    },
    env: { PORTKEY_API_KEY: GATEWAY_KEY },
  }),
  'in-process': (): ExampleContext => ({
    Portkey: class extends InProcessPortkey {
      constructor(options: PortkeyClientOptions = {}) {
        super({ ...options, inProcess: runtime });
      }
    },
    env: {},
  }),
} as const;

describe.each(Object.keys(MODES) as (keyof typeof MODES)[])('SDK examples (%s)', (mode) => {
  const context = (env: Record<string, string> = {}): ExampleContext => {
    const base = MODES[mode]();
    return { ...base, env: { ...base.env, ...env } };
  };

  it('quick start', async () => {
    expect(await quickStart.run(context())).toBe(ANSWER);
    expect(lastReceived()?.headers.authorization).toBe('Bearer sk-openai-key');
    expect(lastReceived()?.body.model).toBe('gpt-4o');
  });

  it('virtual key', async () => {
    const headers = await virtualKey.run(context());
    expect(headers).toMatchObject({ provider: 'openai', 'last-used-option-index': 'config' });
    expect(headers['trace-id']).toBeTruthy();
    expect(lastReceived()?.headers.authorization).toBe('Bearer sk-openai-virtual-key-xxx');
  });

  it('config id (a saved fallback config)', async () => {
    down.reset(Number.POSITIVE_INFINITY);
    const headers = await configId.run(context());
    expect(headers['last-used-option-index']).toBe('config.targets[1]');
    expect(down.calls).toBe(1);
  });

  it('basic request with a system prompt; usage.total_tokens', async () => {
    expect(await basicRequest.run(context())).toEqual({ text: ANSWER, tokens: 21 });
    expect(lastReceived()?.body.messages).toHaveLength(2);
  });

  it('streaming with for await', async () => {
    expect(await streaming.run(context())).toBe(ANSWER);
  });

  it('concurrent calls', async () => {
    expect(await concurrentCalls.run(context())).toEqual([ANSWER, ANSWER, ANSWER]);
  });

  it('fallback: the first provider fails, the second answers with its own model', async () => {
    down.reset(Number.POSITIVE_INFINITY);
    const headers = await fallback.run(context({ OPENAI_VIRTUAL_KEY: 'openai-down' }));
    expect(headers['last-used-option-index']).toBe('config.targets[1]');
    expect(down.calls).toBe(1);
    expect(lastReceived()?.body.model).toBe('claude-3-5-sonnet-20241022');
  });

  it('load balancing 0.7 / 0.3: every request goes to one of the two targets', async () => {
    const picks = await loadBalancing.run(context());
    expect(
      Object.keys(picks).every((path) => ['config.targets[0]', 'config.targets[1]'].includes(path)),
    ).toBe(true);
    expect(Object.values(picks).reduce((sum, count) => sum + count, 0)).toBe(20);
  });

  it('retries: two 503s, then an answer on the third attempt', { timeout: 20_000 }, async () => {
    flaky.reset(2);
    const headers = await retries.run(context({ OPENAI_VIRTUAL_KEY: 'openai-flaky' }));
    expect(headers['retry-attempt-count']).toBe('2');
    expect(flaky.calls).toBe(3);
  });

  it('request timeout in milliseconds', async () => {
    expect(await requestTimeout.run(context())).toBe(ANSWER);
  });

  it('trace ids come back in the response headers', async () => {
    const { sent, received } = await traceIds.run(context());
    expect(received).toBe(sent);
  });

  it('custom metadata', async () => {
    expect(await customMetadata.run(context())).toBe(ANSWER);
  });

  it('per-request options with withOptions: the client itself keeps no trace id', async () => {
    const { traced, plain } = await perRequestOptions.run(context());
    expect(traced).toBe('unique-trace-id');
    expect(plain).not.toBe('unique-trace-id');
  });

  it('multi-turn', async () => {
    expect(await multiTurn.run(context())).toBe(ANSWER);
    expect(lastReceived()?.body.messages).toHaveLength(4);
  });

  it('JSON output: response_format reaches the provider', async () => {
    expect(await jsonOutput.run(context())).toBe(ANSWER);
    expect(lastReceived()?.body.response_format).toEqual({ type: 'json_object' });
  });

  it('production setup: fallback with per-target retries, trace id and metadata', async () => {
    down.reset(Number.POSITIVE_INFINITY);
    const headers = await productionSetup.run(context({ OPENAI_VIRTUAL_KEY: 'openai-down' }));
    expect(headers).toMatchObject({
      'trace-id': 'production-session',
      'last-used-option-index': 'config.targets[1]',
    });
    // 503 is not in the first target's retry.on_status_codes [429, 500]: one call, then fallback.
    expect(down.calls).toBe(1);
  });
});

describe('SDK examples that need the gateway', () => {
  it('semantic cache: "Tell me France\'s capital" is answered from the cache (SEMANTIC HIT, one upstream call)', async () => {
    const before = upstream.received.length;
    const result = await semanticCache.run(MODES.gateway());
    expect(result.first).toBe(ANSWER);
    expect(result.second).toBe(ANSWER);
    expect(result.cacheStatus).toBe('SEMANTIC HIT');
    expect(upstream.received.length - before).toBe(1);
  });
});
