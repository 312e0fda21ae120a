import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../anthropic/index.js';
import { azureOpenAIAdapter } from '../../azure-openai/index.js';
import { googleAdapter } from '../../google/index.js';
import { openAIAdapter } from '../../openai/index.js';
import { chatCompletionSchema } from '../../openai-format/chat-completion.js';
import { testContext } from '../../test-support/context.js';
import { readChunkFixture, readJsonFixture, sseFramesFromChunks } from '../../test-support/fixtures.js';
import { runDialectStream } from '../../test-support/run-dialect-stream.js';
import { createResponsesStreamAccumulator } from './accumulator.js';
import { responseFromChatCompletion } from './from-chat-completion.js';
import { openAIResponsesDialect } from './index.js';

const request = {
  model: 'gpt-4o-mini',
  input: 'Weather in Boston?',
  tools: [{ type: 'function', name: 'get_current_weather' }],
};

function finalResponse(chunks: readonly Uint8Array[]): unknown {
  const accumulator = createResponsesStreamAccumulator();
  for (const chunk of chunks) accumulator.push(chunk);
  return accumulator.result();
}

describe('Responses stream translated from chat chunks', () => {
  it('starts at the chunk after Azure’s filter-only first chunk, whose id and model are empty', async () => {
    const { events } = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: azureOpenAIAdapter,
      context: testContext('azure-openai', {}),
      frames: sseFramesFromChunks(readChunkFixture('azure-openai', 'content-filter.chunks.txt'), 'openai'),
      request: { model: 'gpt-4o', input: 'Describe the fight' },
    });
    const created = JSON.parse(events[0]?.data ?? '{}') as { response?: { id?: string; model?: string } };
    expect(created.response).toMatchObject({ id: 'resp_chatcmpl-AJ5bC', model: 'gpt-4o-2024-08-06' });
    const last = JSON.parse(events.at(-1)?.data ?? '{}') as { type?: string; response?: unknown };
    expect(last.type).toBe('response.incomplete');
    expect(last.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
    });
  });

  it('Azure’s asynchronous filter annotations (a choice with no delta) carry nothing and break nothing', async () => {
    const { events, chunks } = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: azureOpenAIAdapter,
      context: testContext('azure-openai', {}),
      frames: sseFramesFromChunks(readChunkFixture('azure-openai', 'async-filter.chunks.txt'), 'openai'),
      request: { model: 'gpt-4o', input: 'What color is the sky?' },
    });
    expect(events.at(-1)?.event).toBe('response.completed');
    expect(finalResponse(chunks)).toMatchObject({
      id: 'resp_chatcmpl-AJ5cA',
      status: 'completed',
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'Color is blue.' }] }],
      usage: { input_tokens: 31, output_tokens: 4 },
    });
  });

  it('numbers every event from 0 and ends with response.completed carrying the whole Response', async () => {
    const { events, chunks, usage } = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: openAIAdapter,
      context: testContext('openai', {}),
      frames: sseFramesFromChunks(readChunkFixture('openai', 'text.chunks.txt'), 'openai'),
      request: { model: 'gpt-4o-mini', input: 'Hi' },
    });
    expect(events.map((event) => event.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const data = events.map((event) => JSON.parse(event.data) as { type: string; sequence_number: number });
    expect(data.map((event) => event.sequence_number)).toEqual(data.map((_, index) => index));
    for (const [index, event] of events.entries()) expect(data[index]?.type).toBe(event.event);
    expect(finalResponse(chunks)).toMatchObject({
      id: 'resp_chatcmpl-123',
      object: 'response',
      status: 'completed',
      model: 'gpt-4o-mini',
      output: [
        {
          id: 'msg_chatcmpl-123',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hello! How can I help?', annotations: [], logprobs: [] }],
        },
      ],
      usage: { input_tokens: 9, output_tokens: 3, total_tokens: 12 },
    });
    expect(usage).toMatchObject({ prompt_tokens: 9 });
  });

  it('a streamed tool call ends as the Response the non-streamed call gives', async () => {
    const { chunks, events } = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: openAIAdapter,
      context: testContext('openai', {}),
      frames: sseFramesFromChunks(readChunkFixture('openai', 'tool-call.chunks.txt'), 'openai'),
      request,
    });
    expect(events.filter((event) => event.event === 'response.function_call_arguments.delta')).toHaveLength(
      5,
    );
    const completion = chatCompletionSchema.parse(readJsonFixture('openai', 'tool-call.json'));
    const streamed = finalResponse(chunks) as Record<string, unknown>;
    const created = responseFromChatCompletion(completion, request);
    // The fixtures differ in id, time, argument spacing and usage; the shape and the call are the same.
    expect(streamed.output).toEqual([
      {
        id: 'fc_call_abc123',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_abc123',
        name: 'get_current_weather',
        arguments: '{"location":"Boston, MA"}',
      },
    ]);
    expect(Object.keys(streamed).sort()).toEqual(Object.keys(created).sort());
    expect(streamed.tools).toEqual(request.tools);
  });

  it('calls whose arguments arrive interleaved each keep their arguments, one item after the other', async () => {
    const { chunks, events } = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: openAIAdapter,
      context: testContext('openai', {}),
      frames: sseFramesFromChunks(readChunkFixture('openai', 'interleaved-tool-calls.chunks.txt'), 'openai'),
      request,
    });
    // Per item: added, its argument deltas, done; never a delta for an item already done.
    const trail = events
      .map((event) => JSON.parse(event.data) as { type: string; item_id?: string; item?: { id: string } })
      .filter((event) => event.type.startsWith('response.output_item') || event.type.includes('arguments'))
      .map((event) => `${event.type.replace('response.', '')} ${event.item_id ?? event.item?.id}`);
    expect(trail).toEqual([
      'output_item.added fc_call_AAA',
      'function_call_arguments.delta fc_call_AAA',
      'function_call_arguments.delta fc_call_AAA',
      'function_call_arguments.done fc_call_AAA',
      'output_item.done fc_call_AAA',
      'output_item.added fc_call_BBB',
      'function_call_arguments.delta fc_call_BBB',
      'function_call_arguments.done fc_call_BBB',
      'output_item.done fc_call_BBB',
    ]);
    const output = (finalResponse(chunks) as { output: { call_id: string; arguments: string }[] }).output;
    expect(output.map((item) => [item.call_id, item.arguments])).toEqual([
      ['call_AAA', '{"city":"Paris"}'],
      ['call_BBB', '{"tz":"CET"}'],
    ]);
  });

  it('a refusal is a message with a refusal part, streamed as refusal events, as the JSON answer has it', async () => {
    const { chunks, events } = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: openAIAdapter,
      context: testContext('openai', {}),
      frames: sseFramesFromChunks(readChunkFixture('openai', 'refusal.chunks.txt'), 'openai'),
      request,
    });
    expect(events.map((event) => event.event).filter((name) => name?.includes('refusal'))).toEqual([
      'response.refusal.delta',
      'response.refusal.delta',
      'response.refusal.done',
    ]);
    const refusal = "I'm sorry, I cannot assist with that request.";
    const part = { type: 'refusal', refusal };
    expect((finalResponse(chunks) as { output: unknown[] }).output).toEqual([
      { id: 'msg_chatcmpl-ref', type: 'message', status: 'completed', role: 'assistant', content: [part] },
    ]);
    const json = responseFromChatCompletion(
      chatCompletionSchema.parse(readJsonFixture('openai', 'refusal.json')),
      request,
    ) as { output: unknown[] };
    expect(json.output).toEqual([
      { id: 'msg_chatcmpl-ref', type: 'message', status: 'completed', role: 'assistant', content: [part] },
    ]);
  });

  it('Anthropic and Gemini streams translate too', async () => {
    const anthropic = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: anthropicAdapter,
      context: testContext('anthropic', {}),
      frames: sseFramesFromChunks(readChunkFixture('anthropic', 'tool-call.chunks.txt'), 'anthropic'),
      request,
    });
    expect(finalResponse(anthropic.chunks)).toMatchObject({
      output: [
        { type: 'message', content: [{ text: "Okay, let's check the weather for San Francisco, CA:" }] },
        {
          type: 'function_call',
          call_id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
          name: 'get_weather',
          arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}',
        },
      ],
      usage: { input_tokens: 472, output_tokens: 89 },
    });
    const gemini = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: googleAdapter,
      context: testContext('google', {}),
      frames: sseFramesFromChunks(readChunkFixture('google', 'text.chunks.txt'), 'google'),
      request: { model: 'gemini-2.0-flash', input: 'Hi' },
    });
    expect(finalResponse(gemini.chunks)).toMatchObject({
      status: 'completed',
      output: [{ type: 'message', content: [{ text: 'The quick brown fox jumps over the lazy dog.' }] }],
      usage: { input_tokens: 8, output_tokens: 10, total_tokens: 18 },
    });
  });

  it('a provider error mid-stream is the error event, raised by the openai SDK (it carries `error`)', async () => {
    const { events, chunks } = await runDialectStream({
      dialect: openAIResponsesDialect,
      adapter: openAIAdapter,
      context: testContext('openai', {}),
      frames: sseFramesFromChunks(readChunkFixture('openai', 'stream-error.chunks.txt'), 'openai'),
    });
    const last = events.at(-1);
    expect(last?.event).toBe('error');
    const data = JSON.parse(last?.data ?? '') as Record<string, unknown>;
    expect(data).toMatchObject({
      type: 'error',
      message: 'The server had an error while processing your request. Sorry about that!',
      sequence_number: events.length - 1,
      error: { type: 'server_error' },
    });
    expect(finalResponse(chunks)).toBeUndefined();
  });
});
