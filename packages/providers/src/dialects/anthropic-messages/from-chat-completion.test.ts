import { describe, expect, it } from 'vitest';
import { chatCompletionSchema } from '../../openai-format/chat-completion.js';
import { readJsonFixture } from '../../test-support/fixtures.js';
import { messagesFromChatCompletion } from './from-chat-completion.js';

describe('messagesFromChatCompletion', () => {
  it('turns a tool-calling completion into tool_use blocks with parsed input', () => {
    const completion = chatCompletionSchema.parse(readJsonFixture('openai', 'tool-call.json'));
    expect(messagesFromChatCompletion(completion)).toEqual({
      id: 'chatcmpl-abc123',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [
        {
          type: 'tool_use',
          id: 'call_abc123',
          name: 'get_current_weather',
          input: { location: 'Boston, MA' },
        },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 82,
        output_tokens: 17,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });

  it('puts thinking first, keeps signatures, maps length, refusal and cached tokens', () => {
    const base = {
      id: 'chatcmpl-1',
      object: 'chat.completion' as const,
      created: 1,
      model: 'm',
      usage: {
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 120,
        prompt_tokens_details: { cached_tokens: 60 },
      },
    };
    const thinking = messagesFromChatCompletion({
      ...base,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Answer.',
            thinking_blocks: [
              { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
              { type: 'redacted_thinking', data: 'opaque' },
            ],
          },
          finish_reason: 'length',
        },
      ],
    });
    expect(thinking).toMatchObject({
      content: [
        { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'text', text: 'Answer.' },
      ],
      stop_reason: 'max_tokens',
      usage: { input_tokens: 40, output_tokens: 20, cache_read_input_tokens: 60 },
    });
    const reasoning = messagesFromChatCompletion({
      ...base,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: null, reasoning_content: 'Thinking out loud.' },
          finish_reason: 'content_filter',
        },
      ],
    });
    expect(reasoning).toMatchObject({
      content: [{ type: 'thinking', thinking: 'Thinking out loud.', signature: '' }],
      stop_reason: 'refusal',
    });
  });

  it('gives a tool call whose arguments are not a JSON object an empty input', () => {
    const message = messagesFromChatCompletion({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: 'not json' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
    expect(message.content).toEqual([{ type: 'tool_use', id: 't', name: 'f', input: {} }]);
  });

  it('keeps a refusal as the text, and ends the turn as a refusal', () => {
    const completion = chatCompletionSchema.parse(readJsonFixture('openai', 'refusal.json'));
    expect(messagesFromChatCompletion(completion)).toMatchObject({
      content: [{ type: 'text', text: "I'm sorry, I cannot assist with that request." }],
      stop_reason: 'refusal',
    });
  });
});
