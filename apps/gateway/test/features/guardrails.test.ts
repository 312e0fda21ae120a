import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from '../support/feature-gateway.js';
import { CREATED, chatChunks } from '../support/provider-answers.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: guardrails through the built gateway process and the official SDKs, against the
// recording provider mock (behaviour reference §7; packages/guardrails/README.md).
let mock: ProviderMock;
let gateway: FeatureGateway;

const FOX = 'The quick brown fox jumps over the lazy dog.';
/** 460 characters: more than three windows of 128. */
const LONG = Array.from({ length: 46 }, (_, index) => `word${String(index).padStart(5, '0')} `).join('');
const TWO = ['Paris is the capital of France.', 'The capital of France is Paris.'];

/** OpenAI's stream for `n: 2`: the choices' chunks interleaved, each ending with its own empty-delta finish chunk. */
function twoChoiceChunks(model: string): string[] {
  const chunk = (index: number, delta: unknown, finish: string | null) =>
    JSON.stringify({
      id: 'chatcmpl-two',
      object: 'chat.completion.chunk',
      created: CREATED,
      model,
      system_fingerprint: 'fp_mock',
      choices: [{ index, delta, logprobs: null, finish_reason: finish }],
    });
  const words = TWO.map((text) => text.split(/(?= )/));
  const frames = [
    chunk(0, { role: 'assistant', content: '' }, null),
    chunk(1, { role: 'assistant', content: '' }, null),
  ];
  for (let at = 0; at < Math.max(...words.map((list) => list.length)); at += 1)
    words.forEach((list, index) => {
      const word = list[at];
      if (word !== undefined) frames.push(chunk(index, { content: word }, null));
    });
  frames.push(chunk(0, {}, 'stop'), chunk(1, {}, 'stop'), '[DONE]');
  return frames;
}

beforeAll(async () => {
  mock = await startProviderMock();
  mock.script('guard-fox', (request) => ({ sse: chatChunks(request.model, { text: FOX, pieces: 9 }) }));
  mock.script('guard-long', (request) => ({ sse: chatChunks(request.model, { text: LONG, pieces: 20 }) }));
  mock.script('guard-two', (request) => ({ sse: twoChoiceChunks(request.model) }));
  gateway = await startFeatureGateway({
    mock,
    settings: {
      virtual_keys: {
        'openai-g': {
          provider: 'openai',
          api_key: 'sk-features-guard',
          options: { custom_host: `${mock.url}/v1` },
        },
        'anthropic-g': {
          provider: 'anthropic',
          api_key: 'sk-ant-features-guard',
          options: { custom_host: `${mock.url}/v1` },
        },
      },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

/** The openai SDK through the gateway with a config, strict OpenAI compliance off (hook_results frames). */
function openai(config: Record<string, unknown>): OpenAI {
  return new OpenAI({
    apiKey: 'unused',
    baseURL: gateway.base,
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-config': JSON.stringify(config),
      'x-portkey-strict-open-ai-compliance': 'false',
    },
  });
}

/** Streams a chat completion: each choice's text and the hook_results frame. */
async function streamed(client: OpenAI, model: string, question: string, n?: number) {
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: question }],
    stream: true,
    ...(n === undefined ? {} : { n }),
  });
  const texts: string[] = [];
  let hookResults: unknown;
  for await (const chunk of stream) {
    const extra = chunk as unknown as { hook_results?: unknown };
    if (extra.hook_results !== undefined) hookResults = extra.hook_results;
    for (const choice of chunk.choices ?? [])
      texts[choice.index] = (texts[choice.index] ?? '') + (choice.delta?.content ?? '');
  }
  return { texts, hookResults };
}

describe('output guardrails on streams (openai SDK)', () => {
  const guarded = {
    virtual_key: 'openai-g',
    output_guardrails: [{ 'default.contains': { operator: 'none', words: ['Apple'] } }],
  };
  const passed = {
    before_request_hooks: [],
    after_request_hooks: [{ verdict: true, checks: [{ id: 'default.contains', verdict: true }] }],
  };

  it('delivers a short answer whole, with hook_results', async () => {
    const answer = await streamed(openai(guarded), 'guard-fox', 'fox?');
    expect(answer.texts).toEqual([FOX]);
    expect(answer.hookResults).toMatchObject(passed);
  });

  it('delivers a 460-character answer whole, not its first 332', async () => {
    const answer = await streamed(openai(guarded), 'guard-long', 'words?');
    expect(answer.texts).toEqual([LONG]);
    expect(answer.hookResults).toMatchObject(passed);
  });

  it('delivers both choices whole when n=2', async () => {
    const answer = await streamed(openai(guarded), 'guard-two', 'capital?', 2);
    expect(answer.texts).toEqual(TWO);
    expect(answer.hookResults).toMatchObject(passed);
  });

  it('caches the whole stream: the replay is complete too', async () => {
    const client = openai({ ...guarded, cache: { mode: 'simple', max_age: 3600 } });
    const before = mock.forModel('guard-long').length;
    const first = await streamed(client, 'guard-long', 'cached words?');
    // The entry is written once the stream has completed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const replay = await streamed(client, 'guard-long', 'cached words?');
    expect(mock.forModel('guard-long').length - before).toBe(1);
    expect(first.texts).toEqual([LONG]);
    expect(replay.texts).toEqual([LONG]);
  });
});

describe('pk.pii reads tool-call arguments (openai SDK)', () => {
  it('redacts an assistant turn’s tool-call arguments before the provider sees them, keeping them JSON', async () => {
    const before = mock.forModel('guard-tools').length;
    await openai({
      virtual_key: 'openai-g',
      input_mutators: [{ 'pk.pii': { redact: true } }],
    }).chat.completions.create({
      model: 'guard-tools',
      messages: [
        { role: 'user', content: 'Email Bob the report' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'send_email', arguments: '{"email":"bob@example.com"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sent to bob@example.com' },
      ],
    });
    const received = mock.forModel('guard-tools').slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]?.raw.toString()).not.toContain('bob@example.com');
    const messages = received[0]?.body?.messages as {
      content: string | null;
      tool_calls?: { function: { arguments: string } }[];
    }[];
    expect(JSON.parse(messages[1]?.tool_calls?.[0]?.function.arguments ?? '')).toEqual({
      email: '[REDACTED_EMAIL]',
    });
    expect(messages[2]?.content).toBe('sent to [REDACTED_EMAIL]');
  });
});
