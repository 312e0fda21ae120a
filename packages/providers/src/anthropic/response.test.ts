import { describe, expect, it } from 'vitest';
import { preparedChat, testContext } from '../test-support/context.js';
import { readJsonFixture } from '../test-support/fixtures.js';
import { chatCompletionSchema, translatedChatCompletionSchema } from '../test-support/openai-schemas.js';
import { fromAnthropicResponse } from './response.js';

const request = preparedChat('anthropic', { model: 'm', messages: [{ role: 'user', content: 'hi' }] });

describe('fromAnthropicResponse', () => {
  it('maps text, stop reason and usage with cached tokens', () => {
    const answer = fromAnthropicResponse(
      readJsonFixture('anthropic', 'text.json'),
      request,
      testContext('anthropic', {}),
    );
    expect(chatCompletionSchema.parse(answer)).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-20250514',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hi! My name is Claude.', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 3119,
        completion_tokens: 503,
        total_tokens: 3622,
        prompt_tokens_details: { cached_tokens: 1024 },
      },
    });
  });

  it('maps tool_use blocks to tool_calls', () => {
    const answer = fromAnthropicResponse(
      readJsonFixture('anthropic', 'tool-call.json'),
      request,
      testContext('anthropic', {}),
    );
    const choice = chatCompletionSchema.parse(answer).choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls).toEqual([
      {
        id: 'toolu_01A09q90qw90lq917835lq9',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
      },
    ]);
  });

  it('keeps Anthropic’s stop_reason with strict compliance off, as Portkey; OpenAI’s with it on', () => {
    const finishOf = (fixture: string, strict: boolean, body: Record<string, unknown> = {}) =>
      translatedChatCompletionSchema.parse(
        fromAnthropicResponse(
          readJsonFixture('anthropic', fixture),
          preparedChat('anthropic', { model: 'm', messages: [], ...body }),
          testContext('anthropic', {}, strict),
        ),
      ).choices[0]?.finish_reason;
    expect(finishOf('text.json', true)).toBe('stop');
    expect(finishOf('tool-call.json', true)).toBe('tool_calls');
    expect(finishOf('text.json', false)).toBe('end_turn');
    expect(finishOf('tool-call.json', false)).toBe('tool_use');
    // A JSON-mode answer comes back as content, not a tool call: it ends as a turn does.
    const json = { response_format: { type: 'json_object' } };
    expect(finishOf('json-mode.json', true, json)).toBe('stop');
    expect(finishOf('json-mode.json', false, json)).toBe('end_turn');
  });

  it('returns reasoning and the signed thinking block only when strict compliance is off', () => {
    const fixture = readJsonFixture('anthropic', 'thinking-tool-call.json');
    const strict = chatCompletionSchema.parse(
      fromAnthropicResponse(fixture, request, testContext('anthropic', {})),
    ).choices[0];
    expect(strict?.message).not.toHaveProperty('reasoning_content');
    const loose = translatedChatCompletionSchema.parse(
      fromAnthropicResponse(fixture, request, testContext('anthropic', {}, false)),
    ).choices[0];
    expect(loose?.message.reasoning_content).toBe(
      'The user wants the weather in Paris. I should call get_weather.',
    );
    expect(loose?.message.thinking_blocks).toEqual([
      {
        type: 'thinking',
        thinking: 'The user wants the weather in Paris. I should call get_weather.',
        signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
      },
    ]);
  });
});
