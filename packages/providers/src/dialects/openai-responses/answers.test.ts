import { describe, expect, it } from 'vitest';
import { chatCompletionSchema } from '../../openai-format/chat-completion.js';
import { UpstreamError } from '../../spec/upstream-error.js';
import { testContext } from '../../test-support/context.js';
import { runDialectStream } from '../../test-support/run-dialect-stream.js';
import { createResponsesStreamAccumulator } from './accumulator.js';
import { responseFromChatCompletion } from './from-chat-completion.js';
import { openAIResponsesDialect } from './index.js';
import { readNativeResponse } from './native-answer.js';
import { responsesStreamOf } from './replay.js';

const completion = (finishReason: 'stop' | 'length', content: string | null = 'Hello.') =>
  chatCompletionSchema.parse({
    id: 'chatcmpl-9',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'claude-sonnet-4-20250514',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
    usage: {
      prompt_tokens: 10,
      completion_tokens: 4,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 2 },
    },
  });

describe('Response objects', () => {
  it('are built from a completion with the request echoed and usage renamed', () => {
    const response = responseFromChatCompletion(completion('stop'), {
      model: 'claude-sonnet-4-20250514',
      instructions: 'Be brief.',
      input: 'Hi',
      temperature: 0.5,
      metadata: { team: 'a' },
    });
    expect(response).toEqual({
      id: 'resp_chatcmpl-9',
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      background: false,
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      max_output_tokens: null,
      model: 'claude-sonnet-4-20250514',
      output: [
        {
          id: 'msg_chatcmpl-9',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hello.', annotations: [], logprobs: [] }],
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: false,
      temperature: 0.5,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: [],
      top_p: 1,
      truncation: 'disabled',
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 2 },
        output_tokens: 4,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 14,
      },
      user: null,
      metadata: { team: 'a' },
    });
  });

  it('are incomplete (max_output_tokens) when the completion hit its length', () => {
    expect(responseFromChatCompletion(completion('length'), { model: 'm' })).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ status: 'incomplete' }],
    });
  });

  it('replay as a stream whose response.completed is the stored Response', () => {
    const stored = responseFromChatCompletion(completion('stop'), { model: 'm', input: 'Hi' });
    const accumulator = createResponsesStreamAccumulator();
    accumulator.push(Buffer.from(responsesStreamOf(stored)));
    expect(accumulator.result()).toEqual(stored);
    expect(responsesStreamOf(stored)).toContain('event: response.output_text.delta\n');
  });

  it('from OpenAI itself pass through as they are; a body that is not a JSON object is a 502', () => {
    const native = {
      id: 'resp_1',
      object: 'response',
      output: [],
      usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
    };
    expect(readNativeResponse(native, 'openai')).toEqual({
      body: native,
      usage: {
        prompt_tokens: 3,
        completion_tokens: 2,
        total_tokens: 5,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(readNativeResponse({ status: 'queued' }, 'openai')).toEqual({
      body: { status: 'queued' },
      usage: undefined,
    });
    expect(() => readNativeResponse([1, 2], 'openai')).toThrow(UpstreamError);
  });

  it('native streams pass through event by event; one cut short ends with the error event', async () => {
    const stored = responseFromChatCompletion(completion('stop'), { model: 'm' });
    const text = responsesStreamOf(stored);
    const whole = await runDialectStream({
      dialect: openAIResponsesDialect,
      context: testContext('openai', {}),
      frames: [text],
    });
    expect(whole.text).toBe(text);
    expect(whole.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 4 });
    const cut = await runDialectStream({
      dialect: openAIResponsesDialect,
      context: testContext('openai', {}),
      frames: [text.slice(0, text.indexOf('event: response.completed'))],
    });
    expect(cut.events.at(-1)?.event).toBe('error');
    expect(JSON.parse(cut.events.at(-1)?.data ?? '')).toMatchObject({ code: 'PK_ERR_STREAM_INTERRUPTED' });
  });
});
