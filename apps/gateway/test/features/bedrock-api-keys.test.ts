import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from '../support/feature-gateway.js';
import { anthropicMessage, MOCK_ANSWER } from '../support/provider-answers.js';
import {
  FEATURE_CA_PATH,
  type ProviderMock,
  type ReceivedRequest,
  startProviderMock,
} from '../support/recording-provider-mock.js';
import { type SdkGateway, startSdkGateway } from '../support/sdk-gateway.js';

// Feature suite: Amazon Bedrock API keys (`aws_auth_type: apiKey`, Portkey's
// `x-portkey-aws-auth-type: apiKey`). The key reaches Bedrock as `Authorization: Bearer <key>` with no
// SigV4 signature, whether it came as the request's `Authorization` header, a config target's
// `api_key`, a settings virtual key or one made through the admin API; through the official openai,
// portkey-ai and Anthropic SDKs, to Converse, ConverseStream, InvokeModel and its stream. The mock
// answers Bedrock's real host names through its CONNECT proxy and refuses other bearer tokens.
// https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html
const GATEWAY_KEY = 'pk-features-bedrock-api-keys';
const BEDROCK_KEY = 'ABSKQmVkcm9ja0FQSUtleS1mZWF0dXJlcy0wMTIzNDU2Nzg5YWJjZGVm';
const WRONG_KEY = 'ABSKQmVkcm9ja0FQSUtleS13cm9uZy1rZXktZmVkY2JhOTg3NjU0MzIx';
const NOVA = 'amazon.nova-lite-v1:0';
const CLAUDE = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const TITAN = 'amazon.titan-embed-text-v2:0';
const HOST = 'bedrock-runtime.us-east-1.amazonaws.com';
let mock: ProviderMock;
let gateway: FeatureGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  mock.bedrockApiKeys.add(BEDROCK_KEY);
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }],
      virtual_keys: {
        'bedrock-api-key': {
          provider: 'bedrock',
          api_key: BEDROCK_KEY,
          options: { aws_auth_type: 'apiKey', aws_region: 'us-east-1' },
        },
      },
    },
  });
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  expect(gateway.process.output()).not.toContain(BEDROCK_KEY);
  expect(gateway.process.output()).not.toContain(WRONG_KEY);
});

const bedrockCalls = () => mock.received.filter((request) => request.host === HOST);

/** The bearer token and no SigV4 header: no `x-amz-date`, session token or content hash. */
function expectBearerOnly(call: ReceivedRequest | undefined, key = BEDROCK_KEY): void {
  expect(call?.headers.authorization).toBe(`Bearer ${key}`);
  expect(Object.keys(call?.headers ?? {}).filter((name) => name.startsWith('x-amz-'))).toEqual([]);
}

/** A ConverseStream answer in Bedrock's event stream. */
const converseStream = [
  { messageStart: { role: 'assistant' } },
  { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'The capital of France ' } } },
  { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'is Paris.' } } },
  { contentBlockStop: { contentBlockIndex: 0 } },
  { messageStop: { stopReason: 'end_turn' } },
  { metadata: { usage: { inputTokens: 5, outputTokens: 7, totalTokens: 12 }, metrics: { latencyMs: 80 } } },
];

/** Claude's InvokeModelWithResponseStream answer: Anthropic events, base64 in `chunk.bytes`. */
function claudeStream(model: string) {
  const chunk = (event: unknown) => ({
    chunk: { bytes: Buffer.from(JSON.stringify(event)).toString('base64') },
  });
  return [
    chunk({
      type: 'message_start',
      message: {
        id: 'msg_bdrk_01',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 1 },
      },
    }),
    chunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: MOCK_ANSWER } }),
    chunk({ type: 'content_block_stop', index: 0 }),
    chunk({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 9 },
    }),
    chunk({ type: 'message_stop' }),
  ];
}

const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

describe('a Bedrock API key in the request’s Authorization header', () => {
  const openai = (key = BEDROCK_KEY) =>
    new OpenAI({
      baseURL: gateway.base,
      apiKey: key,
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-provider': 'bedrock',
        'x-portkey-aws-auth-type': 'apiKey',
        'x-portkey-aws-region': 'us-east-1',
      },
    });

  it('openai SDK: Converse and ConverseStream get the bearer token and no SigV4 signature', async () => {
    const before = bedrockCalls().length;
    const completion = await openai().chat.completions.create({ model: NOVA, messages });
    expect(completion.choices[0]?.message.content).toBe(MOCK_ANSWER);

    mock.script('nova-stream', [{ eventStream: converseStream }]);
    const stream = await openai().chat.completions.create({ model: 'nova-stream', messages, stream: true });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect({ text, finish }).toEqual({ text: MOCK_ANSWER, finish: 'stop' });

    const calls = bedrockCalls().slice(before);
    expect(calls.map((call) => call.path)).toEqual([
      `/model/${encodeURIComponent(NOVA)}/converse`,
      '/model/nova-stream/converse-stream',
    ]);
    for (const call of calls) expectBearerOnly(call);
  });

  it('portkey-ai SDK (awsAuthType, Authorization): a ConverseStream with the bearer token', async () => {
    const before = bedrockCalls().length;
    mock.script('nova-portkey', [{ eventStream: converseStream }]);
    const portkey = new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      provider: 'bedrock',
      Authorization: `Bearer ${BEDROCK_KEY}`,
      awsAuthType: 'apiKey',
      awsRegion: 'us-east-1',
      maxRetries: 0,
    });
    const stream = await portkey.chat.completions.create({ model: 'nova-portkey', messages, stream: true });
    let text = '';
    for await (const chunk of stream as AsyncIterable<{ choices: { delta?: { content?: string } }[] }>) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe(MOCK_ANSWER);
    const calls = bedrockCalls().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers['x-portkey-aws-auth-type']).toBeUndefined();
    expectBearerOnly(calls[0]);
  });

  it('a key Bedrock refuses: its 403 reaches the client once, the keys in no answer and no log line', async () => {
    const before = bedrockCalls().length;
    const caught = await rejectionOf(openai(WRONG_KEY).chat.completions.create({ model: NOVA, messages }));
    expect(caught.status).toBe(403);
    expect(caught.message).toContain('The security token included in the request is invalid.');
    expect(caught.message).not.toContain(WRONG_KEY);
    const calls = bedrockCalls().slice(before);
    expect(calls).toHaveLength(1);
    expectBearerOnly(calls[0], WRONG_KEY);
  });

  it('apiKey without any key is a 400 naming what is missing, nothing sent', async () => {
    const before = bedrockCalls().length;
    const response = await fetch(`${gateway.base}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-config': JSON.stringify({
          provider: 'bedrock',
          aws_auth_type: 'apiKey',
          aws_region: 'us-east-1',
        }),
      },
      body: JSON.stringify({ model: NOVA, messages }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; code: string; param: string } };
    expect(body.error).toMatchObject({ code: 'PK_ERR_INVALID_REQUEST', param: 'api_key' });
    expect(body.error.message).toContain('Authorization: Bearer');
    expect(bedrockCalls().length).toBe(before);
  });
});

describe('a Bedrock API key in a config target or a virtual key', () => {
  const anthropic = () =>
    new Anthropic({
      baseURL: gateway.url,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': GATEWAY_KEY,
        'x-portkey-config': JSON.stringify({
          provider: 'bedrock',
          aws_auth_type: 'apiKey',
          api_key: BEDROCK_KEY,
          aws_region: 'us-east-1',
        }),
      },
    });

  it('Anthropic SDK: Claude’s InvokeModel and its stream, and Nova’s Converse, with the bearer token', async () => {
    const before = bedrockCalls().length;
    mock.script(CLAUDE, (request) =>
      request.path.endsWith('/invoke-with-response-stream')
        ? { eventStream: claudeStream(CLAUDE) }
        : { json: anthropicMessage(CLAUDE) },
    );
    const message = await anthropic().messages.create({ model: CLAUDE, max_tokens: 64, messages });
    expect(message.content.at(-1)).toEqual({ type: 'text', text: MOCK_ANSWER });
    const streamed = await anthropic()
      .messages.stream({ model: CLAUDE, max_tokens: 64, messages })
      .finalMessage();
    expect(streamed.content).toEqual([{ type: 'text', text: MOCK_ANSWER }]);
    const translated = await anthropic().messages.create({ model: NOVA, max_tokens: 64, messages });
    expect(translated.content).toEqual([{ type: 'text', text: MOCK_ANSWER }]);

    const calls = bedrockCalls().slice(before);
    expect(calls.map((call) => call.path)).toEqual([
      `/model/${encodeURIComponent(CLAUDE)}/invoke`,
      `/model/${encodeURIComponent(CLAUDE)}/invoke-with-response-stream`,
      `/model/${encodeURIComponent(NOVA)}/converse`,
    ]);
    for (const call of calls) expectBearerOnly(call);
  });

  it('openai SDK through a settings virtual key: InvokeModel embeddings with the bearer token', async () => {
    const before = bedrockCalls().length;
    mock.script(TITAN, [{ json: { embedding: [0.25, -0.5, 0.75], inputTextTokenCount: 4 } }]);
    const openai = new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-api-key': GATEWAY_KEY, 'x-portkey-virtual-key': 'bedrock-api-key' },
    });
    const embedded = await openai.embeddings.create({
      model: TITAN,
      input: 'Paris',
      encoding_format: 'float',
    });
    expect(embedded.data[0]?.embedding).toEqual([0.25, -0.5, 0.75]);
    const calls = bedrockCalls().slice(before);
    expect(calls.map((call) => call.path)).toEqual([`/model/${encodeURIComponent(TITAN)}/invoke`]);
    expect(calls[0]?.body).toMatchObject({ inputText: 'Paris' });
    expectBearerOnly(calls[0]);
  });
});

describe('a Bedrock API key in a virtual key made through the admin API', () => {
  let running: SdkGateway | undefined;

  beforeAll(async () => {
    running = await startSdkGateway('sqlite', {
      env: {
        HTTPS_PROXY: mock.proxyUrl,
        NO_PROXY: '127.0.0.1,localhost',
        NODE_EXTRA_CA_CERTS: FEATURE_CA_PATH,
        PK_LOG_FLUSH_MS: '0',
      },
    });
  }, 30_000);
  afterAll(async () => {
    const output = running?.gateway.output() ?? '';
    await running?.stop();
    expect(output).not.toContain(BEDROCK_KEY);
  });

  it('portkey-ai SDK: the key is stored, never read back, and reaches Converse as the bearer token', async () => {
    if (running === undefined) throw new Error('the gateway did not start');
    const admin = new Portkey({ apiKey: running.adminKey, baseURL: `${running.gateway.url}/v1` });
    await admin.virtualKeys.create({
      name: 'Bedrock API key',
      slug: 'bedrock-bearer',
      provider: 'bedrock',
      key: BEDROCK_KEY,
      awsAuthType: 'apiKey',
      awsRegion: 'us-east-1',
    } as Record<string, unknown>);
    const read = await admin.virtualKeys.retrieve({ slug: 'bedrock-bearer' });
    expect(JSON.stringify(read)).not.toContain(BEDROCK_KEY);

    const before = bedrockCalls().length;
    mock.script('nova-admin', [{ eventStream: converseStream }]);
    const app = new Portkey({
      apiKey: running.userKey,
      baseURL: `${running.gateway.url}/v1`,
      virtualKey: 'bedrock-bearer',
      maxRetries: 0,
    });
    const completion = await app.chat.completions.create({ model: NOVA, messages });
    expect(completion.choices?.[0]?.message?.content).toBe(MOCK_ANSWER);
    const stream = await app.chat.completions.create({ model: 'nova-admin', messages, stream: true });
    let text = '';
    for await (const chunk of stream as AsyncIterable<{ choices: { delta?: { content?: string } }[] }>) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe(MOCK_ANSWER);
    const calls = bedrockCalls().slice(before);
    expect(calls.map((call) => call.path)).toEqual([
      `/model/${encodeURIComponent(NOVA)}/converse`,
      '/model/nova-admin/converse-stream',
    ]);
    for (const call of calls) expectBearerOnly(call);
  });
});
