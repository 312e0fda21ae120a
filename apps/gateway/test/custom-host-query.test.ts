import { openStore } from '@pk/store';
import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from './support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// pk appends the endpoint to a custom host as written: one with a query string or fragment
// (`/v1?token=X`) called `/v1?token=X/chat/completions`. It is refused where it is given, naming the
// field and never the value (a `?token=` is a credential), with nothing sent.
const TOKEN = 'canary-custom-host-query-4e2b91';

let mock: ProviderMock;
let gateway: FeatureGateway;
let dataDir: { path: string; remove(): void };
let adminKey: string;

beforeAll(async () => {
  mock = await startProviderMock();
  dataDir = temporaryDataDir();
  const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
  adminKey = (await store.gatewayKeys.create({ id: 'ch-admin', name: 'admin', role: 'admin' }, 'cli')).secret;
  await store.close();
  gateway = await startFeatureGateway({ mock, settings: {}, env: { PK_DATA_DIR: dataDir.path } });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  dataDir?.remove();
});

function client(headers: Record<string, string>): OpenAI {
  return new OpenAI({
    apiKey: 'sk-custom-host-provider-0123456789',
    baseURL: gateway.base,
    defaultHeaders: { ...createHeaders({ apiKey: adminKey }), ...headers },
    maxRetries: 0,
  });
}

const chat = (openai: OpenAI) =>
  openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

describe('a custom host with a query string or fragment', () => {
  it('is refused in x-portkey-custom-host and in a config’s custom_host, naming the field, with nothing sent', async () => {
    const before = mock.received.length;
    for (const suffix of [`?token=${TOKEN}`, `#${TOKEN}`]) {
      const header = await rejectionOf(
        chat(client({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mock.url}/v1${suffix}` })),
      );
      expect(header).toMatchObject({ status: 400, code: 'PK_ERR_INVALID_CUSTOM_HOST' });
      expect(header.message).toContain(
        'x-portkey-custom-host: expected a URL without a query string or fragment',
      );
      expect(header.message).not.toContain(TOKEN);

      const config = await rejectionOf(
        chat(
          client({
            'x-portkey-config': JSON.stringify({
              provider: 'openai',
              custom_host: `${mock.url}/v1${suffix}`,
            }),
          }),
        ),
      );
      expect(config).toMatchObject({ status: 400 });
      expect(config.message).toContain(
        'config.custom_host: expected a URL without a query string or fragment',
      );
      expect(config.message).not.toContain(TOKEN);
    }
    expect(mock.received.length).toBe(before);
    // Without one, the same host is called at its endpoint.
    await chat(client({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mock.url}/v1` }));
    expect(mock.received.at(-1)?.path).toBe('/v1/chat/completions');
  });

  it('is refused on a virtual key written through the admin API, naming the field', async () => {
    const portkey = new Portkey({ apiKey: adminKey, baseURL: gateway.base });
    const refused = await rejectionOf(
      portkey.virtualKeys.create({
        name: 'queried',
        provider: 'openai',
        key: 'sk-custom-host-vk-0123456789',
        custom_host: `${mock.url}/v1?token=${TOKEN}`,
      }),
    );
    expect(refused).toMatchObject({ status: 400 });
    expect(refused.message).toContain('custom_host: expected a URL without a query string or fragment');
    expect(refused.message).not.toContain(TOKEN);
    expect(await portkey.virtualKeys.list()).toMatchObject({ total: 0 });
  });
});
