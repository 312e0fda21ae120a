import { describe, expect, it } from 'vitest';
import { MESSAGES_ARGUMENTS_PIECES, MESSAGES_FRAMES, MESSAGES_TEXT } from './__fixtures__/messages-stream.js';
import { RESPONSES_ARGUMENTS, RESPONSES_FRAMES, RESPONSES_TEXT } from './__fixtures__/responses-stream.js';
import {
  chatPromptTokensOf,
  maxTokensFieldOf,
  messagesTextBytesOf,
  responsesTextBytesOf,
  streamTextBytesCounterOf,
  textBytesOf,
  tokenBoundOf,
} from './estimate.js';

describe('token bounds without a tokenizer', () => {
  it('prompt ≤ body bytes (a body without messages); completion ≤ the cap times n', () => {
    expect(tokenBoundOf('chat.completions', { max_tokens: 100, n: 3 }, 500, 4096)).toEqual({
      promptTokens: 500,
      completionTokens: 300,
    });
    expect(tokenBoundOf('chat.completions', { max_completion_tokens: 70 }, 10, 4096).completionTokens).toBe(
      70,
    );
    expect(tokenBoundOf('responses', { max_output_tokens: 9 }, 10, 4096).completionTokens).toBe(9);
  });

  it('a Messages count_tokens call holds nothing: Anthropic bills no tokens for counting', () => {
    const body = { model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'Count me' }] };
    expect(tokenBoundOf('messages.count_tokens', body, 300, 4096)).toEqual({
      promptTokens: 0,
      completionTokens: 0,
    });
  });

  it('no cap: the default cap is to be injected', () => {
    expect(tokenBoundOf('chat.completions', {}, 10, 4096)).toEqual({
      promptTokens: 10,
      completionTokens: 4096,
      inject: { cap: 4096 },
    });
    expect(tokenBoundOf('responses', {}, 10, 512).inject).toEqual({ cap: 512 });
    // Embeddings have no answer tokens to cap.
    expect(tokenBoundOf('embeddings', {}, 10, 4096)).toEqual({ promptTokens: 10, completionTokens: 0 });
  });

  it.each([
    ['chat.completions', 'openai', 'max_completion_tokens'],
    ['chat.completions', 'azure-openai', 'max_completion_tokens'],
    ['chat.completions', 'anthropic', 'max_completion_tokens'],
    ['chat.completions', 'mistral-ai', 'max_tokens'],
    ['chat.completions', 'deepseek', 'max_tokens'],
    ['chat.completions', 'together-ai', 'max_tokens'],
    ['chat.completions', undefined, 'max_tokens'],
    ['completions', 'openai', 'max_tokens'],
    ['messages', 'anthropic', 'max_tokens'],
    ['responses', 'openai', 'max_output_tokens'],
    ['embeddings', 'openai', undefined],
  ])('the cap of %s to %s goes in %s (o-series and gpt-5 refuse max_tokens)', (endpoint, provider, field) => {
    expect(maxTokensFieldOf(endpoint, provider)).toBe(field);
  });

  it('a chat prompt counts its text, not the JSON around it: "hi" with max_tokens 5 fits a 100-token budget', () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 };
    const bytes = Buffer.byteLength(JSON.stringify(body));
    const bound = tokenBoundOf('chat.completions', body, bytes, 4096);
    // 8 per request + 8 per message + "user" + "hi".
    expect(bound).toEqual({ promptTokens: 8 + 8 + 4 + 2, completionTokens: 5 });
    expect(bound.promptTokens + bound.completionTokens).toBeLessThan(100);
    expect(bound.promptTokens).toBeLessThan(bytes);
  });

  it('a chat prompt counts text parts by their text, images and tools by their JSON, and Anthropic’s system', () => {
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    const body = {
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'héllo' }, image] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{}' } }],
        },
      ],
      tools,
      system: 'be brief',
    };
    const json = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    expect(chatPromptTokensOf(body)).toBe(
      8 +
        'be brief'.length +
        (8 + 4 + 6 + json(image)) +
        (8 + 9 + json(body.messages[1]?.tool_calls)) +
        json(tools),
    );
    expect(chatPromptTokensOf({ input: 'x' })).toBeUndefined();
  });

  it('counts the bytes of generated text in stream events, not their framing', () => {
    const frame = 'data: {"id":"c","choices":[{"index":0,"delta":{"content":"héllo"}}]}\n\n';
    expect(textBytesOf(frame)).toBe(Buffer.byteLength('héllo'));
    expect(textBytesOf(new TextEncoder().encode(frame + frame))).toBe(12);
    expect(textBytesOf('data: [DONE]\n\n')).toBe(0);
  });

  it('counts a Responses stream’s text and arguments once: from its deltas, not the done events that repeat them', () => {
    const text = Buffer.byteLength(RESPONSES_TEXT);
    // As the deltas' JSON carries them, quotes escaped: `{\\"city\\":` and `\\"Paris\\"}`.
    const args = JSON.stringify(RESPONSES_ARGUMENTS).length - 2;
    const counted = RESPONSES_FRAMES.reduce((bytes, frame) => bytes + responsesTextBytesOf(frame), 0);
    expect(counted).toBe(text + args);
    // Every text field, as chat streams are counted: the done events count the text three more times,
    // the arguments twice more.
    expect(textBytesOf(RESPONSES_FRAMES.join(''))).toBe(4 * text + 3 * args);
    expect(streamTextBytesCounterOf('responses')).toBe(responsesTextBytesOf);
    expect(streamTextBytesCounterOf('chat.completions')).toBe(textBytesOf);
  });

  it('counts a Messages stream’s text and its tool call’s arguments (input_json_delta’s partial_json)', () => {
    // As the events' JSON carries the arguments: quotes escaped (`{\\"location\\":` …).
    const args = MESSAGES_ARGUMENTS_PIECES.reduce(
      (bytes, piece) => bytes + Buffer.byteLength(JSON.stringify(piece)) - 2,
      0,
    );
    const counted = MESSAGES_FRAMES.reduce((bytes, frame) => bytes + messagesTextBytesOf(frame), 0);
    expect(counted).toBe(Buffer.byteLength(MESSAGES_TEXT) + args);
    expect(args).toBeGreaterThan(0);
    // The chat counter read only the text: the arguments went uncounted.
    expect(textBytesOf(MESSAGES_FRAMES.join(''))).toBe(Buffer.byteLength(MESSAGES_TEXT));
    expect(streamTextBytesCounterOf('messages')).toBe(messagesTextBytesOf);
  });

  it('counts a chat stream’s tool-call arguments (tool_calls[].function.arguments deltas)', () => {
    const frame = (delta: unknown) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
    const opened = frame({
      tool_calls: [
        { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
      ],
    });
    const piece = frame({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] });
    expect(textBytesOf(opened)).toBe(0);
    expect(textBytesOf(piece)).toBe(JSON.stringify('{"city":"Paris"}').length - 2);
    expect(streamTextBytesCounterOf('chat.completions')).toBe(textBytesOf);
  });
});
