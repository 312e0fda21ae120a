import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../shared/prepare-request.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readFixtureText, readJsonFixture } from '../test-support/fixtures.js';
import {
  chatCompletionSchema,
  embeddingListSchema,
  translatedChatCompletionSchema,
} from '../test-support/openai-schemas.js';
import { toCohereUpstreamError } from './errors.js';
import { fromCohereResponse } from './response.js';

const context = testContext('cohere', {});
const chat = preparedChat('cohere', {
  model: 'command-a-03-2025',
  messages: [{ role: 'user', content: 'x' }],
});

describe('fromCohereResponse', () => {
  it('translates the documented text answer with usage from billed_units (what Cohere bills)', () => {
    const answer = chatCompletionSchema.parse(
      fromCohereResponse(readJsonFixture('cohere', 'text.json'), chat, context),
    );
    expect(answer).toMatchObject({
      id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
      model: 'command-a-03-2025',
      choices: [{ message: { content: 'Designing APIs That Developers Love' }, finish_reason: 'stop' }],
      // Billed 17 input tokens; `tokens` says 215 (Cohere's prompt template included, not billed).
      usage: { prompt_tokens: 17, completion_tokens: 7, total_tokens: 24 },
    });
  });

  it('keeps tool calls with their tool_plan as content and maps TOOL_CALL to tool_calls', () => {
    const answer = chatCompletionSchema.parse(
      fromCohereResponse(readJsonFixture('cohere', 'tool-call.json'), chat, context),
    );
    expect(answer.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        // The plan Cohere writes before its calls, where OpenAI models put theirs.
        content: 'I will search for the weather in Toronto.',
        tool_calls: [
          {
            id: 'get_weather_1byjy32y4hvq',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Toronto"}' },
          },
        ],
      },
    });
  });

  it('keeps Cohere’s finish_reason with strict compliance off, as Portkey', () => {
    const finishOf = (fixture: string) =>
      translatedChatCompletionSchema.parse(
        fromCohereResponse(readJsonFixture('cohere', fixture), chat, testContext('cohere', {}, false)),
      ).choices[0]?.finish_reason;
    expect(finishOf('text.json')).toBe('COMPLETE');
    expect(finishOf('tool-call.json')).toBe('TOOL_CALL');
  });

  it('translates embeddings with billed input tokens', () => {
    const request = prepareRequest({
      request: { endpoint: 'embeddings', body: { model: 'embed-v4.0', input: 'hello' } },
      provider: 'cohere',
      target: {},
    });
    const list = embeddingListSchema.parse(
      fromCohereResponse(readJsonFixture('cohere', 'embeddings.json'), request, context),
    );
    expect(list.data[0]?.embedding).toEqual([0.5, -0.25, 0.125, 1.5]);
    expect(list.usage).toEqual({ prompt_tokens: 1, total_tokens: 1 });
  });
});

describe('toCohereUpstreamError', () => {
  const input = (status: number, name: string, headers: Record<string, string> = {}) => ({
    provider: 'cohere',
    status,
    body: readFixtureText('cohere', name),
    headers,
    now: 0,
  });

  it('keeps the message, makes 429 retryable and a long prompt context_length_exceeded', () => {
    const limited = toCohereUpstreamError(input(429, 'error-429-rate-limit.json', { 'retry-after': '2' }));
    expect(limited).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 2000,
      type: 'rate_limit_error',
    });
    expect(limited.vendorMessage).toContain('Trial key');
    const long = toCohereUpstreamError(input(400, 'error-400-too-many-tokens.json'));
    expect(long).toMatchObject({ status: 400, retryable: false, code: 'context_length_exceeded' });
  });
});

describe('fromCohereResponse logprobs', () => {
  it('turns logprobs into OpenAI’s logprobs.content, one entry per text chunk with its tokens’ summed logprob', () => {
    const answer = chatCompletionSchema.parse(
      fromCohereResponse(readJsonFixture('cohere', 'logprobs.json'), chat, context),
    );
    expect(answer.choices[0]?.logprobs).toEqual({
      refusal: null,
      content: [
        { token: 'Go', logprob: -0.25, bytes: [71, 111], top_logprobs: [] },
        { token: ' é', logprob: -0.625, bytes: [32, 195, 169], top_logprobs: [] },
      ],
    });
  });
});
