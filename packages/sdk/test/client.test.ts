import { PkError } from '@pk/config';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Portkey } from '../src/index.js';
import { MESSAGES, type RecordingServer, startRecordingServer } from './support/recording-server.js';

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());
afterEach(() => server.respondWith({}));

const last = () => server.received.at(-1);
const client = (options: ConstructorParameters<typeof Portkey>[0] = {}) =>
  new Portkey({ baseURL: server.baseURL, apiKey: 'pk-key', ...options });

describe('Portkey client', () => {
  it('is an OpenAI client that sends the Portkey headers, strictOpenAiCompliance false by default', async () => {
    const completion = await client({ virtualKey: 'openai-prod' }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
    });
    expect(completion.choices[0]?.message.content).toBe('Paris.');
    expect(last()?.headers).toMatchObject({
      'x-portkey-api-key': 'pk-key',
      'x-portkey-virtual-key': 'openai-prod',
      'x-portkey-strict-open-ai-compliance': 'false',
      authorization: 'Bearer pk-key',
    });
    expect(last()?.path).toBe('/v1/chat/completions');
  });

  it('getHeaders() returns the x-portkey-* response headers without the prefix (non-enumerable)', async () => {
    const completion = await client({ virtualKey: 'vk', traceId: 't-1' }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
    });
    expect(completion.getHeaders()).toEqual({
      'trace-id': 't-1',
      provider: 'openai',
      'retry-attempt-count': '0',
      'cache-status': 'MISS',
    });
    expect(Object.keys(completion)).not.toContain('getHeaders');
    expect(completion._request_id).toMatch(/^req-/);
  });
});

describe('per-call options and withOptions', () => {
  it('Portkey options as the second argument of create apply to that call only', async () => {
    const portkey = client({ virtualKey: 'vk', traceId: 'client-trace' });
    await portkey.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES },
      { traceId: 'call-trace', metadata: { _user: 'u-1' }, config: 'pc-per-call' },
    );
    expect(last()?.headers).toMatchObject({
      'x-portkey-trace-id': 'call-trace',
      'x-portkey-metadata': '{"_user":"u-1"}',
      'x-portkey-config': 'pc-per-call',
      'x-portkey-virtual-key': 'vk',
    });
    await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    expect(last()?.headers['x-portkey-trace-id']).toBe('client-trace');
    expect(last()?.headers['x-portkey-metadata']).toBeUndefined();
    expect(last()?.headers['x-portkey-config']).toBeUndefined();
  });

  it('accepts the official three-argument form, openai request options included', async () => {
    const portkey = client({ virtualKey: 'vk' });
    await portkey.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES },
      { traceId: 'three-args' },
      { headers: { 'x-extra': 'yes' } },
    );
    expect(last()?.headers).toMatchObject({ 'x-portkey-trace-id': 'three-args', 'x-extra': 'yes' });
    await portkey.embeddings.create({ model: 'e', input: 'hi' }, { cacheNamespace: 'ns' });
    expect(last()?.headers['x-portkey-cache-namespace']).toBe('ns');
  });

  it("the user's own per-request headers win over Portkey options", async () => {
    await client({ virtualKey: 'vk', traceId: 'option' }).chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES },
      { headers: { 'x-portkey-trace-id': 'explicit-header' } },
    );
    expect(last()?.headers['x-portkey-trace-id']).toBe('explicit-header');
  });

  it('withOptions({ traceId }) returns a new client; the original never carries that trace id', async () => {
    const original = client({ virtualKey: 'vk' });
    const traced = original.withOptions({ traceId: 'a', metadata: { step: 1 } });
    expect(traced).toBeInstanceOf(Portkey);
    expect(traced).not.toBe(original);
    await traced.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    expect(last()?.headers['x-portkey-trace-id']).toBe('a');
    expect(last()?.headers['x-portkey-virtual-key']).toBe('vk');
    await original.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    expect(last()?.headers['x-portkey-trace-id']).toBeUndefined();
    expect(last()?.headers['x-portkey-metadata']).toBeUndefined();
    expect(original.portkeyOptions.traceId).toBeUndefined();
  });
});

describe('validation before sending', () => {
  it('an invalid config object fails at construction with the gateway path-naming message', () => {
    const build = () =>
      client({
        config: JSON.parse(
          '{"strategy":{"mode":"fallback"},"targets":[{"virtual_key":"a","retry":{"attempts":-1}}]}',
        ),
      });
    expect(build).toThrow(PkError);
    expect(build).toThrow('config.targets[0].retry.attempts');
    expect(build).toThrow(
      expect.objectContaining({ code: 'PK_ERR_INVALID_CONFIG', param: 'config.targets[0].retry.attempts' }),
    );
  });

  it('an invalid per-call config is refused before anything is sent', async () => {
    const before = server.received.length;
    const error = await client({ virtualKey: 'vk' })
      .chat.completions.create(
        { model: 'gpt-4o-mini', messages: MESSAGES },
        { config: JSON.parse('{"strategy":{"mode":"fallback"}}') },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PkError);
    expect((error as PkError).code).toBe('PK_ERR_INVALID_CONFIG');
    expect(server.received.length).toBe(before);
  });

  it('a value a header cannot carry is refused with an error naming the header', () => {
    expect(() => client({ traceId: 'line\r\nbreak' })).toThrow(/x-portkey-trace-id/);
    expect(() => client({ customHost: 'http://hôte-ü-☃.example' })).toThrow(/x-portkey-custom-host/);
  });

  it.each([
    ['0', 0],
    ['negative', -1],
    ['fractional', 1500.5],
    ['2^31 ms (Node timers overflow)', 2 ** 31],
    ['24 h + 1 ms', 86_400_001],
  ])(
    'a requestTimeout that is %s is refused, naming the limit, at construction and per call',
    async (_what, requestTimeout) => {
      const limit =
        /x-portkey-request-timeout: expected a whole number of milliseconds from 1 to 86400000 \(24 h\)/;
      expect(() => client({ virtualKey: 'vk', requestTimeout })).toThrow(limit);
      const before = server.received.length;
      const error = await client({ virtualKey: 'vk' })
        .chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }, { requestTimeout })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PkError);
      expect(error).toMatchObject({ code: 'PK_ERR_INVALID_HEADER', param: 'x-portkey-request-timeout' });
      expect(server.received.length).toBe(before);
    },
  );

  it.each([
    ['request_timeout', 'config.request_timeout'],
    ['request_deadline', 'config.request_deadline'],
  ])('a config %s beyond 24 h is refused before sending, naming the path and the limit', (key, path) => {
    const build = () => client({ config: { virtual_key: 'vk', [key]: 2 ** 31 } });
    expect(build).toThrow(PkError);
    expect(build).toThrow(`${path}: expected a whole number of milliseconds from 1 to 86400000 (24 h)`);
  });

  it('a 24 h requestTimeout is sent as it is', async () => {
    await client({ virtualKey: 'vk', requestTimeout: 86_400_000 }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
    });
    expect(last()?.headers['x-portkey-request-timeout']).toBe('86400000');
  });

  it('a config string that is JSON but not an object is refused as an invalid config', () => {
    for (const config of ['[{"virtual_key":"vk"}]', '42', '"pc-abc"']) {
      expect(() => client({ config })).toThrow(
        expect.objectContaining({ code: 'PK_ERR_INVALID_CONFIG', param: 'x-portkey-config' }),
      );
    }
  });

  it('a custom host is left to the gateway to trust', () => {
    expect(() => client({ config: { provider: 'openai', custom_host: 'http://10.0.0.5/v1' } })).not.toThrow();
  });
});

describe('which key goes in Authorization', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('provider + Authorization: the provider key, as given', async () => {
    await client({ provider: 'openai', Authorization: 'sk-raw' }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
    });
    expect(last()?.headers.authorization).toBe('sk-raw');
  });

  it('virtual key or config: the Portkey key, never OPENAI_API_KEY from the environment', async () => {
    process.env.OPENAI_API_KEY = 'sk-from-env';
    process.env.OPENAI_ORG_ID = 'org-env';
    process.env.OPENAI_ADMIN_KEY = 'admin-env';
    await client({ config: 'pc-1' }).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    expect(last()?.headers.authorization).toBe('Bearer pk-key');
    expect(last()?.headers['openai-organization']).toBeUndefined();
    await new Portkey({ baseURL: server.baseURL, apiKey: null, virtualKey: 'vk' }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
    });
    expect(last()?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(last()?.headers)).not.toContain('sk-from-env');
  });

  it('reads PORTKEY_API_KEY and PORTKEY_BASE_URL when not given', async () => {
    process.env.PORTKEY_API_KEY = 'pk-env';
    process.env.PORTKEY_BASE_URL = server.baseURL;
    const portkey = new Portkey({ virtualKey: 'vk' });
    expect(portkey.baseURL).toBe(server.baseURL);
    await portkey.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    expect(last()?.headers['x-portkey-api-key']).toBe('pk-env');
    expect(last()?.headers.authorization).toBe('Bearer pk-env');
  });

  it('pk options never reach openai options of the same name (provider is a provider id)', () => {
    const portkey = client({ provider: 'anthropic', Authorization: 'sk-ant' });
    expect(portkey.portkeyHeaders).toMatchObject({
      'x-portkey-provider': 'anthropic',
      authorization: 'sk-ant',
    });
    expect(portkey.baseURL).toBe(server.baseURL);
  });
});

describe('no double retries', () => {
  it('x-should-retry: false from the gateway means one request from the client', async () => {
    server.respondWith({ status: 503, headers: { 'x-should-retry': 'false' } });
    const before = server.received.length;
    await expect(
      client({ virtualKey: 'vk' }).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }),
    ).rejects.toMatchObject({ status: 503 });
    expect(server.received.length - before).toBe(1);
  });
});
