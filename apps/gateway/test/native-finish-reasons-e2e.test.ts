import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import { HELLO_ANSWER, type ProviderMock, startProviderMock, WEATHER_CALL } from './support/provider-mock.js';

// Finish reasons through the built gateway against an Anthropic upstream (the mock speaks the Messages
// wire format): `portkey-ai` always sends `x-portkey-strict-open-ai-compliance: false` and, as from
// Portkey, gets Anthropic's own `stop_reason`; the `openai` SDK sends nothing (strict on, the default)
// and gets OpenAI's finish reasons.
let gateway: GatewayProcess;
let mock: ProviderMock;
let config: string;

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startGateway();
  config = JSON.stringify({ provider: 'anthropic', api_key: 'sk-ant-finish', custom_host: `${mock.url}/v1` });
});
afterAll(async () => {
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  await mock?.close();
});

const model = 'claude-sonnet-4-5';
const messages = [{ role: 'user' as const, content: 'What is the weather in San Francisco?' }];
const tools = [
  {
    type: 'function' as const,
    function: { name: WEATHER_CALL.name, parameters: { type: 'object', properties: {} } },
  },
];
const portkey = () => new Portkey({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', config, maxRetries: 0 });
const openai = () =>
  new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-config': config },
  });

/** One chunk as both SDKs give it, read for its first choice only. */
type Chunk = { choices: { delta?: { content?: string | null }; finish_reason?: string | null }[] };

/** The last non-null finish reason of a stream, and its text. */
async function drain(stream: AsyncIterable<unknown>) {
  let finish: string | null | undefined;
  let text = '';
  for await (const item of stream) {
    const choice = (item as Chunk).choices[0];
    text += choice?.delta?.content ?? '';
    finish = choice?.finish_reason ?? finish;
  }
  return { finish, text };
}

function lastUpstreamCall() {
  const received = mock.received.at(-1);
  return { path: received?.url, headers: received?.headers, body: received?.body };
}

describe('finish reasons with strict OpenAI compliance off are the provider’s own, as Portkey gives them', () => {
  it('portkey-ai gets Anthropic’s end_turn and tool_use', async () => {
    const text = await portkey().chat.completions.create({ model, messages, max_tokens: 64 });
    expect(text.choices[0]?.finish_reason).toBe('end_turn');
    expect(text.choices[0]?.message?.content).toBe(HELLO_ANSWER);
    expect(lastUpstreamCall()).toMatchObject({
      path: '/v1/messages',
      headers: { 'x-api-key': 'sk-ant-finish' },
      body: { model, max_tokens: 64 },
    });
    const tool = await portkey().chat.completions.create({ model, messages, tools, max_tokens: 64 });
    expect(tool.choices[0]?.finish_reason).toBe('tool_use');
    expect(tool.choices[0]?.message?.tool_calls?.[0]).toMatchObject({
      id: WEATHER_CALL.id,
      function: { name: WEATHER_CALL.name, arguments: JSON.stringify(WEATHER_CALL.input) },
    });
    expect(lastUpstreamCall().body).toMatchObject({ tools: [{ name: WEATHER_CALL.name }] });
  });

  it('portkey-ai streams end with Anthropic’s end_turn and tool_use', async () => {
    const text = await drain(
      await portkey().chat.completions.create({ model, messages, max_tokens: 64, stream: true }),
    );
    expect(text).toEqual({ finish: 'end_turn', text: HELLO_ANSWER });
    expect(lastUpstreamCall().body).toMatchObject({ stream: true });
    const tool = await drain(
      await portkey().chat.completions.create({ model, messages, tools, max_tokens: 64, stream: true }),
    );
    expect(tool.finish).toBe('tool_use');
  });

  it('the openai SDK (strict on) gets OpenAI’s stop and tool_calls, streamed or not', async () => {
    const text = await openai().chat.completions.create({ model, messages, max_tokens: 64 });
    expect(text.choices[0]?.finish_reason).toBe('stop');
    expect(text.choices[0]?.message.content).toBe(HELLO_ANSWER);
    const tool = await openai().chat.completions.create({ model, messages, tools, max_tokens: 64 });
    expect(tool.choices[0]?.finish_reason).toBe('tool_calls');
    expect(tool.choices[0]?.message.tool_calls?.[0]?.id).toBe(WEATHER_CALL.id);
    const streamed = await drain(
      await openai().chat.completions.create({ model, messages, max_tokens: 64, stream: true }),
    );
    expect(streamed).toEqual({ finish: 'stop', text: HELLO_ANSWER });
    const streamedTool = await drain(
      await openai().chat.completions.create({ model, messages, tools, max_tokens: 64, stream: true }),
    );
    expect(streamedTool.finish).toBe('tool_calls');
    expect(lastUpstreamCall()).toMatchObject({ path: '/v1/messages', body: { stream: true } });
  });
});
