import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../spec/upstream-error.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readFixtureText, readJsonFixture } from '../test-support/fixtures.js';
import { chatCompletionSchema, translatedChatCompletionSchema } from '../test-support/openai-schemas.js';
import { fromVertexAIResponse } from '../vertex-ai/response.js';
import { toGoogleUpstreamError } from './errors.js';
import { fromGoogleResponse } from './response.js';

const chat = preparedChat('google', {
  model: 'gemini-2.0-flash',
  messages: [{ role: 'user', content: 'x' }],
});
// With strict compliance off, finish reasons are Gemini's own: only strict answers are OpenAI's.
const parse = (name: string, strict = true) =>
  (strict ? chatCompletionSchema : translatedChatCompletionSchema).parse(
    fromGoogleResponse(readJsonFixture('google', name), chat, testContext('google', {}, strict)),
  );

describe('fromGoogleResponse', () => {
  it('translates the documented answer with usage', () => {
    expect(parse('text.json')).toMatchObject({
      id: 'mIbDZ8b1Lqm2nvgPo6iNmQQ',
      model: 'gemini-2.0-flash',
      choices: [{ message: { content: 'Meow! Hello there. I am Neko.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 13, completion_tokens: 10, total_tokens: 23 },
    });
  });

  it('names a call Gemini gave no id after its answer (responseId, else the injected id), never call_0_0 on every turn', () => {
    const calls = (body: Record<string, unknown>) => {
      const completion = chatCompletionSchema.parse(
        fromGoogleResponse(body, chat, testContext('google', {})),
      );
      return completion.choices[0]?.message.tool_calls?.map((call) => call.id);
    };
    const answer = readJsonFixture('google', 'tool-call.json');
    expect(calls(answer)).toEqual(['call_bIbDZ7u9F6-xnvgPk4TzkAo_0_0']);
    expect(calls({ ...answer, responseId: 'eIbDZ_next_turn' })).toEqual(['call_eIbDZ_next_turn_0_0']);
    const { responseId: _id, ...anonymous } = answer;
    expect(calls(anonymous)).toEqual(['call_test_0_0']);
  });

  it('turns functionCall parts into tool calls with finish_reason tool_calls', () => {
    expect(parse('tool-call.json').choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: null,
        tool_calls: [
          {
            type: 'function',
            function: { name: 'get_current_temperature', arguments: '{"location":"London"}' },
          },
        ],
      },
    });
  });

  it('keeps Gemini’s finishReason with strict compliance off, as Portkey; OpenAI’s with it on', () => {
    expect(parse('text.json').choices[0]?.finish_reason).toBe('stop');
    expect(parse('tool-call.json').choices[0]?.finish_reason).toBe('tool_calls');
    expect(parse('text.json', false).choices[0]?.finish_reason).toBe('STOP');
    const tool = parse('tool-call.json', false).choices[0];
    expect(tool?.finish_reason).toBe('STOP');
    expect(tool?.message.tool_calls).toHaveLength(1);
  });

  it('reports a blocked prompt as content_filter, and thoughts only with strict compliance off', () => {
    expect(parse('prompt-blocked.json').choices[0]).toMatchObject({
      finish_reason: 'content_filter',
      message: { content: null },
    });
    const thinking = {
      candidates: [
        { content: { parts: [{ text: 'hmm', thought: true }, { text: 'Yes.' }] }, finishReason: 'STOP' },
      ],
      usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 1, thoughtsTokenCount: 5 },
    };
    const loose = translatedChatCompletionSchema.parse(
      fromGoogleResponse(thinking, chat, testContext('google', {}, false)),
    );
    expect(loose.choices[0]?.message).toMatchObject({ content: 'Yes.', reasoning_content: 'hmm' });
    expect(loose.usage).toMatchObject({
      completion_tokens: 6,
      completion_tokens_details: { reasoning_tokens: 5 },
    });
    const strict = chatCompletionSchema.parse(fromGoogleResponse(thinking, chat, testContext('google', {})));
    expect(strict.choices[0]?.message).not.toHaveProperty('reasoning_content');
  });

  it('counts tool-use prompt tokens (grounding, code execution) as prompt tokens: the total is Gemini’s own', () => {
    const grounded = {
      candidates: [{ content: { role: 'model', parts: [{ text: 'Paris.' }] }, finishReason: 'STOP' }],
      usageMetadata: {
        promptTokenCount: 30,
        candidatesTokenCount: 12,
        toolUsePromptTokenCount: 5,
        thoughtsTokenCount: 3,
        cachedContentTokenCount: 7,
        totalTokenCount: 50,
      },
      modelVersion: 'gemini-2.5-flash',
    };
    const answer = chatCompletionSchema.parse(fromGoogleResponse(grounded, chat, testContext('google', {})));
    expect(answer.usage).toMatchObject({
      prompt_tokens: 35,
      completion_tokens: 15,
      total_tokens: 50,
      prompt_tokens_details: { cached_tokens: 7 },
    });
  });

  it('refuses a body with neither candidates nor promptFeedback as unexpected (502), on Gemini and Vertex AI', () => {
    const usageOnly = {
      usageMetadata: { promptTokenCount: 2, totalTokenCount: 2 },
      modelVersion: 'gemini-2.0-flash',
    };
    for (const body of [{}, usageOnly, { error: 'not the Gemini API' }]) {
      expect(() => fromGoogleResponse(body, chat, testContext('google', {}))).toThrow(UpstreamError);
      const vertexChat = preparedChat('vertex-ai', { model: 'gemini-2.0-flash', messages: [] });
      expect(() => fromVertexAIResponse(body, vertexChat, testContext('vertex-ai', {}))).toThrow(
        expect.objectContaining({
          status: 502,
          vendorMessage: 'the provider answered with an unexpected body',
        }),
      );
    }
  });
});

describe('toGoogleUpstreamError', () => {
  const input = (status: number, name: string) => ({
    provider: 'google',
    status,
    body: readFixtureText('google', name),
    headers: {},
    now: 0,
  });
  it('keeps the status as type; 429 is retryable, a bad key is not', () => {
    expect(toGoogleUpstreamError(input(429, 'error-429-resource-exhausted.json'))).toMatchObject({
      status: 429,
      retryable: true,
      type: 'RESOURCE_EXHAUSTED',
      vendorMessage: 'Resource has been exhausted (e.g. check quota).',
    });
    expect(toGoogleUpstreamError(input(400, 'error-400-invalid-key.json'))).toMatchObject({
      status: 400,
      retryable: false,
      type: 'INVALID_ARGUMENT',
    });
  });

  it('gives a function call’s thought signature as Gemini’s OpenAI API does (extra_content.google), strict or not', () => {
    for (const strict of [true, false]) {
      const calls = parse('thought-signature.json', strict).choices[0]?.message.tool_calls ?? [];
      expect(calls.map((call) => (call as { extra_content?: unknown }).extra_content)).toEqual([
        { google: { thought_signature: 'CpcBAdHtim9-signature-A' } },
        undefined,
      ]);
    }
  });
});

describe('fromGoogleResponse logprobs', () => {
  it('turns logprobsResult into OpenAI’s logprobs.content (tokens with UTF-8 bytes and their alternatives)', () => {
    expect(parse('logprobs.json').choices[0]?.logprobs).toEqual({
      refusal: null,
      content: [
        {
          token: 'Hi',
          logprob: -0.01,
          bytes: [72, 105],
          top_logprobs: [
            { token: 'Hi', logprob: -0.01, bytes: [72, 105] },
            { token: 'Hello', logprob: -4.6, bytes: [72, 101, 108, 108, 111] },
          ],
        },
        {
          token: ' é',
          logprob: -0.41,
          bytes: [32, 195, 169],
          top_logprobs: [
            { token: ' é', logprob: -0.41, bytes: [32, 195, 169] },
            { token: ' e', logprob: -1.2, bytes: [32, 101] },
          ],
        },
      ],
    });
    expect(parse('text.json').choices[0]?.logprobs).toBeNull();
  });
});
