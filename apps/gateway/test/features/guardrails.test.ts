import { readFileSync } from 'node:fs';
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

/**
 * Two parallel tool calls streamed as OpenAI streams them (the guardrails package's fixture): the
 * second call's arguments hold an e-mail address split across deltas, a JSON escape and a `☕`.
 */
const TOOL_CHUNKS = readFileSync(
  new URL(
    '../../../../packages/guardrails/src/stream/__fixtures__/openai-parallel-tool-calls.chunks.txt',
    import.meta.url,
  ),
  'utf8',
)
  .split('\n')
  .filter((line) => line !== '');
/** The same calls without personal data. */
const CLEAN_TOOL_CHUNKS = TOOL_CHUNKS.map((line) =>
  line.replace('"jane"', '"team"').replace('"@exa"', '"-"').replace('"mple.com"', '"lead"'),
);

/** Each tool call's arguments as a client joins them from the chunks' `delta.tool_calls`. */
function argumentsOf(lines: readonly string[]): string[] {
  const calls: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const chunk = JSON.parse(line) as OpenAI.ChatCompletionChunk;
    for (const call of chunk.choices[0]?.delta.tool_calls ?? [])
      calls[call.index] = (calls[call.index] ?? '') + (call.function?.arguments ?? '');
  }
  return calls;
}

beforeAll(async () => {
  mock = await startProviderMock();
  mock.script('guard-tool-pii', () => ({ sse: TOOL_CHUNKS }));
  mock.script('guard-tool-clean', () => ({ sse: CLEAN_TOOL_CHUNKS }));
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

describe('output guardrails on streamed tool calls (openai SDK)', () => {
  const noPii = { virtual_key: 'openai-g', output_guardrails: [{ 'pk.pii': {}, deny: true }] };

  /** Streams a tool-calling answer: each call's arguments as the SDK delivers them, and what ended the stream. */
  async function streamedCalls(model: string) {
    const stream = await openai(noPii).chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Weather in Paris, and email Jane' }],
      tools: [{ type: 'function', function: { name: 'send_email', parameters: { type: 'object' } } }],
      stream: true,
    });
    const calls: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream)
        for (const call of chunk.choices?.[0]?.delta.tool_calls ?? [])
          calls[call.index] = (calls[call.index] ?? '') + (call.function?.arguments ?? '');
    })().catch((caught: unknown) => caught);
    return { calls, error };
  }

  it('a tool call whose arguments fail an output deny is never sent: the stream ends with the 446 error', async () => {
    const { calls, error } = await streamedCalls('guard-tool-pii');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ code: 'PK_ERR_GUARDRAIL_DENIED' });
    expect(JSON.stringify(calls)).not.toContain('jane');
    // The first call, clean, went out whole before the second began.
    expect(calls[0]).toBe(argumentsOf(TOOL_CHUNKS)[0]);
  });

  it('clean parallel tool calls reach the client whole, their arguments as the provider wrote them', async () => {
    const { calls, error } = await streamedCalls('guard-tool-clean');
    expect(error).toBeUndefined();
    expect(calls).toEqual(argumentsOf(CLEAN_TOOL_CHUNKS));
    expect(calls[1]).toBe('{"to":"team-lead","body":"Caf\\u00e9 ☕ at 5"}');
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
