import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from './support/feature-gateway.js';
import { chatChunks, type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// A provider that breaks the connection of a stream: once its answer began (its headers, maybe a
// chunk, at the gateway) the stream was interrupted; before any byte of it, the provider closed the
// connection without answering (it was reached). Through the built gateway and the openai SDK.
const GATEWAY_KEY = 'pk-stream-reset';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
let mock: ProviderMock;
let gateway: FeatureGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }],
      virtual_keys: {
        'openai-a': { provider: 'openai', api_key: 'sk-reset', options: { custom_host: `${mock.url}/v1` } },
      },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

const client = () =>
  new OpenAI({
    baseURL: gateway.base,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'openai-a' },
  });

describe('a provider that breaks the connection of a stream', () => {
  it('reset after its headers, before any chunk: 502 PK_ERR_STREAM_INTERRUPTED, in the answer and the log line', async () => {
    const model = 'broken-after-headers';
    mock.script(model, (request) => ({
      sse: chatChunks(request.model, { pieces: 4 }),
      breakAfter: { payloads: 0, how: 'reset' },
    }));
    const error = await rejectionOf(client().chat.completions.create({ model, messages, stream: true }));
    expect(mock.forModel(model)).toHaveLength(1);
    expect(error).toMatchObject({ status: 502, code: 'PK_ERR_STREAM_INTERRUPTED' });
    const [line] = await gateway.waitForRequestLines(String(error.headers?.get('x-portkey-trace-id')));
    expect(line).toMatchObject({ status: 502, errorCode: 'PK_ERR_STREAM_INTERRUPTED' });
  });

  it.each([
    ['reset', 'reset'],
    ['closed', 'close'],
  ] as const)(
    '%s with its headers and first chunk in one read: the client gets that chunk, then PK_ERR_STREAM_INTERRUPTED; the log line says so',
    async (name, how) => {
      const model = `broken-after-first-chunk-${name}`;
      // The role chunk and the first piece of the answer, then the break.
      mock.script(model, (request) => ({
        sse: chatChunks(request.model, { pieces: 4 }),
        breakAfter: { payloads: 2, how },
      }));
      const stream = await client().chat.completions.create({ model, messages, stream: true }).withResponse();
      expect(stream.response.status).toBe(200);
      let text = '';
      const error = await rejectionOf(
        (async () => {
          for await (const chunk of stream.data) text += chunk.choices[0]?.delta?.content ?? '';
        })(),
      );
      expect(text.length).toBeGreaterThan(0);
      expect(error.message).not.toContain('could not be reached');
      const [line] = await gateway.waitForRequestLines(
        String(stream.response.headers.get('x-portkey-trace-id')),
      );
      expect(line).toMatchObject({ status: 200, errorCode: 'PK_ERR_STREAM_INTERRUPTED', streamChunks: 2 });
    },
  );

  it('closed before any byte of an answer: 502 PK_ERR_UPSTREAM_UNAVAILABLE that says the provider closed it, not that it could not be reached', async () => {
    const model = 'closed-without-answer';
    mock.script(model, [{ reset: true }]);
    const error = await rejectionOf(client().chat.completions.create({ model, messages, stream: true }));
    expect(mock.forModel(model)).toHaveLength(1);
    expect(error).toMatchObject({ status: 502, code: 'PK_ERR_UPSTREAM_UNAVAILABLE' });
    expect(error.message).toMatch(
      /the provider closed the connection before answering \((UND_ERR_SOCKET|ECONNRESET)\)/,
    );
  });
});
