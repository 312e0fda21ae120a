import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { MOCK_ANSWER, type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// End to end: what pk tolerates in a config (decision 0002: an unknown key dropped, a cache
// `max_age` out of range replaced by the default) reaches the client in `x-pk-warnings`, as ignored
// headers do, through the official portkey-ai and openai SDKs against the built gateway.
const KEY = 'pk-config-warnings-key';
const STORED = 'sk-config-warnings-stored';
let mock: ProviderMock;
let gateway: FeatureGateway;
let question = 0;
const fresh = () => [{ role: 'user' as const, content: `config warnings question ${++question}` }];

const UNKNOWN_KEY = 'config.retyr: unknown key "retyr" dropped (did you mean "retry"?)';
const MAX_AGE =
  'config.cache.max_age: expected seconds from 60 to 7776000 (90 days), got 5; using the 7-day default 604800 as hosted Portkey does';
const warnedConfig = {
  virtual_key: 'openai-a',
  cache: { mode: 'simple', max_age: 5 },
  retyr: { attempts: 2 },
};
const cleanConfig = { virtual_key: 'openai-a', cache: { mode: 'simple', max_age: 3600 } };

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: KEY }],
      virtual_keys: {
        'openai-a': { provider: 'openai', api_key: STORED, options: { custom_host: `${mock.url}/v1` } },
      },
      configs: {
        'pc-warned': { virtual_key: 'openai-a', cache: { mode: 'simple', max_age: 100_000_000 } },
      },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * The response headers the portkey-ai SDK received (its `getHeaders()` keeps only `x-portkey-*`):
 * the global fetch it calls is observed, not replaced.
 */
function observeResponses(): Headers[] {
  const seen: Headers[] = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (...args) => {
    const response = await realFetch(...args);
    seen.push(response.headers);
    return response;
  });
  return seen;
}

function openai(config: unknown): OpenAI {
  return new OpenAI({
    apiKey: 'unused',
    baseURL: gateway.base,
    maxRetries: 0,
    defaultHeaders: createHeaders({ apiKey: KEY, config }),
  });
}

describe('a config’s warnings reach the client in x-pk-warnings', () => {
  it('portkey-ai: an unknown key and an out-of-range max_age are both named; the log line has each once', async () => {
    const seen = observeResponses();
    const before = mock.received.length;
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: KEY,
      config: warnedConfig,
      traceID: 'config-warnings-1',
    });
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: fresh() });
    expect(answer.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(mock.received.length - before).toBe(1);
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${STORED}`);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.get('x-pk-warnings')).toBe(`${UNKNOWN_KEY}; ${MAX_AGE}`);
    const [line] = await gateway.waitForRequestLines('config-warnings-1');
    expect(line?.warnings).toEqual([UNKNOWN_KEY, MAX_AGE]);
  });

  it('portkey-ai: a config without problems gets no x-pk-warnings', async () => {
    const seen = observeResponses();
    const client = new Portkey({ baseURL: gateway.base, apiKey: KEY, config: cleanConfig });
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: fresh() });
    expect(answer.choices[0]?.message?.content).toBe(MOCK_ANSWER);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.get('x-pk-warnings')).toBeNull();
  });

  it('openai + createHeaders: the same warnings on every request, from the cached parse; a clean config none', async () => {
    const client = openai(warnedConfig);
    for (let i = 0; i < 2; i += 1) {
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: fresh() })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe(MOCK_ANSWER);
      expect(response.headers.get('x-pk-warnings')).toBe(`${UNKNOWN_KEY}; ${MAX_AGE}`);
    }
    const clean = await openai(cleanConfig)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: fresh() })
      .withResponse();
    expect(clean.response.status).toBe(200);
    expect(clean.response.headers.get('x-pk-warnings')).toBeNull();
  });

  it('openai + createHeaders: a saved config’s warnings too, with an ignored header’s after them', async () => {
    const { response } = await openai('pc-warned')
      .chat.completions.create(
        { model: 'gpt-4o-mini', messages: fresh() },
        {
          headers: { 'x-portkey-retry-count': '2' },
        },
      )
      .withResponse();
    expect(response.headers.get('x-pk-warnings')).toBe(
      'config.cache.max_age: expected seconds from 60 to 7776000 (90 days), got 100000000; ' +
        'using the 7-day default 604800 as hosted Portkey does; ' +
        "x-portkey-retry-count: ignored (a legacy header); set retries in the config's retry",
    );
  });

  it('an unknown key no header may carry is escaped, and a config of many unknown keys is cut at 2000 characters', async () => {
    // A header carries no Cyrillic: the key arrives as JSON escapes, as a client must send it.
    const escapedConfig = JSON.stringify({ ...cleanConfig, 'ключ\n': 1 }).replace(
      /[^\x20-\x7e]/g,
      (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const odd = await new OpenAI({
      apiKey: 'unused',
      baseURL: gateway.base,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': KEY, 'x-portkey-config': escapedConfig },
    }).chat.completions
      .create({ model: 'gpt-4o-mini', messages: fresh() })
      .withResponse();
    expect(odd.response.status).toBe(200);
    expect(odd.response.headers.get('x-pk-warnings')).toBe(
      'config["\\u043a\\u043b\\u044e\\u0447\\n"]: unknown key "\\u043a\\u043b\\u044e\\u0447\\u000a" dropped',
    );
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`unknown_${i}`, i]));
    const long = await openai({ ...cleanConfig, ...many })
      .chat.completions.create({ model: 'gpt-4o-mini', messages: fresh() })
      .withResponse();
    expect(long.response.status).toBe(200);
    const header = long.response.headers.get('x-pk-warnings') ?? '';
    expect(header.startsWith('config.unknown_0: unknown key "unknown_0" dropped; ')).toBe(true);
    expect(header).toHaveLength(2000);
  });
});
