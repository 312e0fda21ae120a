import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciTransport } from '../src/execute/undici-transport.js';
import { OPENAI_COMPATIBLE_CONFIGS } from '../src/openai-compatible/configs.js';
import { bedrockFramesFromChunks } from '../src/test-support/bedrock-frames.js';
import {
  readChunkFixture,
  readFixtureText,
  sseFramesFromChunks,
  type WireFormat,
} from '../src/test-support/fixtures.js';
import { type Harness, startHarness } from '../src/test-support/harness-server.js';
import { MATRIX_TARGETS } from '../src/test-support/matrix-targets.js';
import { type MockReply, type MockUpstream, startMockUpstream } from '../src/test-support/mock-upstream.js';
import type { Expected } from './harness-expectations.js';
import { expectedFromChunksFor, expectedFromJsonFor } from './harness-expectations-by-format.js';

const transport = createUndiciTransport();
let upstream: MockUpstream;
let harness: Harness;

/** Every provider of both parts, with its fixture folder and how it reaches the mock. */
const PROVIDERS: {
  id: string;
  fixtures: [string, string];
  format: WireFormat;
  target: (origin: string) => Record<string, unknown>;
}[] = [
  {
    id: 'openai',
    fixtures: ['openai', ''],
    format: 'openai',
    target: (o) => ({ provider: 'openai', api_key: 'sk', custom_host: `${o}/v1` }),
  },
  ...OPENAI_COMPATIBLE_CONFIGS.map((config) => ({
    id: config.id,
    fixtures: ['openai-compatible', 'groq/'] as [string, string],
    format: 'openai' as const,
    target: (o: string) => ({ provider: config.id, api_key: 'key', custom_host: `${o}/compat` }),
  })),
  {
    id: 'azure-openai',
    fixtures: ['azure-openai', ''],
    format: 'openai',
    target: (o) => ({
      provider: 'azure-openai',
      api_key: 'az',
      custom_host: o,
      deployment_id: 'dep',
      api_version: '2024-10-21',
    }),
  },
  {
    id: 'anthropic',
    fixtures: ['anthropic', ''],
    format: 'anthropic',
    target: (o) => ({ provider: 'anthropic', api_key: 'sk-ant', custom_host: `${o}/v1` }),
  },
  ...(['cohere', 'google', 'vertex-ai', 'bedrock'] as const).map((id) => ({
    id,
    fixtures: [MATRIX_TARGETS[id].fixtures, ''] as [string, string],
    format: MATRIX_TARGETS[id].format,
    target: MATRIX_TARGETS[id].target,
  })),
];

/** The Bedrock mock checks the SigV4 signature of every request it receives. */
function guarded(
  provider: string,
  reply: MockReply,
): (request: Parameters<typeof MATRIX_TARGETS.bedrock.verify>[0]) => MockReply {
  return (request) => {
    const problem = provider === 'bedrock' ? MATRIX_TARGETS.bedrock.verify(request) : undefined;
    return problem === undefined ? reply : { status: 403, body: JSON.stringify({ message: problem }) };
  };
}

beforeAll(async () => {
  upstream = await startMockUpstream();
  harness = await startHarness({
    transport,
    targetFor: (id) => PROVIDERS.find((provider) => provider.id === id)?.target(upstream.origin) ?? {},
  });
});
afterAll(async () => {
  await harness.close();
  await upstream.close();
  await transport.close();
});

function client(provider: string): OpenAI {
  return new OpenAI({
    apiKey: 'unused',
    baseURL: harness.baseURL,
    maxRetries: 0,
    defaultHeaders: { 'x-test-provider': provider },
  });
}

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { location: { type: 'string' } } },
    },
  },
];

describe.each(PROVIDERS)('openai SDK through $id', (provider) => {
  const [folder, prefix] = provider.fixtures;
  const json = (name: string) => readFixtureText(folder, `${prefix}${name}`);
  const chunks = (name: string) => readChunkFixture(folder, `${prefix}${name}`);

  it.each(['text', 'tool-call'])('%s, not streamed', async (scenario) => {
    const body = json(`${scenario}.json`);
    upstream.setHandler(guarded(provider.id, { body }));
    const completion = await client(provider.id).chat.completions.create({
      model: 'test-model',
      messages: [{ role: 'user', content: 'Hello' }],
      ...(scenario === 'tool-call' ? { tools } : {}),
    });
    const expected: Expected = expectedFromJsonFor(provider.format, JSON.parse(body));
    const choice = completion.choices[0];
    expect(choice?.message.content ?? null).toBe(expected.content);
    expect(
      (choice?.message.tool_calls ?? [])
        .map((call) => (call.type === 'function' ? call.function.arguments : ''))
        .join(''),
    ).toBe(expected.toolArguments);
    expect(choice?.finish_reason).toBe(expected.finishReason);
    expect(completion.usage).toMatchObject(expected.usage);
  });

  it.each(['text', 'tool-call'])('%s, streamed with usage', async (scenario) => {
    const lines = chunks(`${scenario}.chunks.txt`);
    upstream.setHandler(
      guarded(
        provider.id,
        provider.format === 'bedrock'
          ? {
              frames: bedrockFramesFromChunks(lines),
              headers: { 'content-type': 'application/vnd.amazon.eventstream' },
            }
          : { frames: sseFramesFromChunks(lines, provider.format) },
      ),
    );
    const stream = await client(provider.id).chat.completions.create({
      model: 'test-model',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
      ...(scenario === 'tool-call' ? { tools } : {}),
    });
    let content = '';
    let toolArguments = '';
    let finishReason: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        content += choice.delta.content ?? '';
        for (const call of choice.delta.tool_calls ?? []) toolArguments += call.function?.arguments ?? '';
        finishReason = choice.finish_reason ?? finishReason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    const expected = expectedFromChunksFor(provider.format, lines);
    expect(content).toBe(expected.content ?? '');
    expect(toolArguments).toBe(expected.toolArguments);
    expect(finishReason).toBe(expected.finishReason);
    expect(usage).toMatchObject(expected.usage);
  });
});

describe('embeddings through the openai SDK (base64 by default)', () => {
  it.each(['openai', 'azure-openai', 'mistral-ai'])('%s decodes to the upstream floats', async (id) => {
    const body = readFixtureText('openai', 'embeddings.json');
    upstream.setHandler(() => ({ body }));
    const result = await client(id).embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(result.data[0]?.embedding).toEqual([0.5, -0.25, 0.125, 1.5]);
    const sent = JSON.parse(upstream.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
    expect(sent).not.toHaveProperty('encoding_format');
  });

  it.each([
    ['cohere', 'cohere', 'embeddings.json', 'embed-v4.0'],
    ['google', 'google', 'embeddings.json', 'text-embedding-004'],
    ['vertex-ai', 'vertex-ai', 'embeddings.json', 'text-embedding-005'],
    ['bedrock', 'bedrock', 'embeddings-titan.json', 'amazon.titan-embed-text-v2:0'],
    ['bedrock', 'bedrock', 'embeddings-cohere.json', 'cohere.embed-english-v3'],
  ])('%s (%s/%s) decodes to the upstream floats', async (id, folder, fixture, model) => {
    upstream.setHandler(guarded(id, { body: readFixtureText(folder, fixture) }));
    const result = await client(id).embeddings.create({ model, input: 'hello' });
    expect(result.data[0]?.embedding).toEqual([0.5, -0.25, 0.125, 1.5]);
  });

  it('anthropic refuses embeddings with a 400 before any upstream call', async () => {
    const before = upstream.requests.length;
    const error = await client('anthropic')
      .embeddings.create({ model: 'x', input: 'hello' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('PK_ERR_UNSUPPORTED_ENDPOINT');
    expect(upstream.requests.length).toBe(before);
  });
});
