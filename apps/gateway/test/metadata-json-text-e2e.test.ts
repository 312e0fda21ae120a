import { PkError } from '@pk/config';
import { createHeaders, Portkey } from '@pk/sdk';
import OpenAI from 'openai';
import { createHeaders as officialCreateHeaders } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { MOCK_ANSWER, type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// Migration from portkey-ai: `metadata` given as JSON text (`'{"team":"a"}'`), which the official
// SDK sends as it is, is taken by pk's SDK too, with the same bytes, and reaches the log line.
const GATEWAY_KEY = 'pk-metadata-text';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
let mock: ProviderMock;
let gateway: FeatureGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    settings: {
      gateway_keys: [{ id: 'team-meta', key: GATEWAY_KEY }],
      virtual_keys: {
        'openai-a': { provider: 'openai', api_key: 'sk-meta', options: { custom_host: `${mock.url}/v1` } },
      },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

describe('metadata given as JSON text', () => {
  it('@pk/sdk’s createHeaders sends the same x-portkey-metadata bytes as portkey-ai’s', () => {
    for (const metadata of ['{"a":1}', ' {"team": "a", "_user": "u-1"} ']) {
      const official = officialCreateHeaders({ apiKey: GATEWAY_KEY, metadata }) as Record<string, string>;
      const ours = createHeaders({ apiKey: GATEWAY_KEY, metadata });
      // fetch trims header values: what the official SDK puts on the wire is its value trimmed.
      expect(ours['x-portkey-metadata']).toBe(official['x-portkey-metadata']?.trim());
    }
  });

  it('text that is not an object’s JSON is refused before anything is sent', () => {
    for (const metadata of ['[1]', '42', 'team=a']) {
      expect(() => createHeaders({ metadata })).toThrow(
        expect.objectContaining({ code: 'PK_ERR_INVALID_HEADER', param: 'x-portkey-metadata' }),
      );
    }
    expect(() => createHeaders({ metadata: '[1]' })).toThrow(PkError);
  });

  it('reaches the gateway’s log line as an object, through the openai client and through pk’s Portkey client', async () => {
    const openai = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: createHeaders({
        apiKey: GATEWAY_KEY,
        virtualKey: 'openai-a',
        traceId: 'metadata-text-openai',
        metadata: '{"team":"a","_user":"u-1"}',
      }),
    });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message.content).toBe(MOCK_ANSWER);
    const [openaiLine] = await gateway.waitForRequestLines('metadata-text-openai');
    expect(openaiLine?.metadata).toEqual({ team: 'a', _user: 'u-1' });

    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      virtualKey: 'openai-a',
      metadata: '{"team":"b"}',
    });
    await portkey.chat.completions.create(
      { model: 'gpt-4o-mini', messages },
      { traceId: 'metadata-text-pk' },
    );
    const [portkeyLine] = await gateway.waitForRequestLines('metadata-text-pk');
    expect(portkeyLine?.metadata).toEqual({ team: 'b' });
    expect(mock.received.at(-1)?.headers['x-portkey-metadata']).toBeUndefined();
  });
});
