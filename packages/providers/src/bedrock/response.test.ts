import { describe, expect, it } from 'vitest';
import { reportedUsageOf } from '../openai-format/usage.js';
import { prepareRequest } from '../shared/prepare-request.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readFixtureText, readJsonFixture } from '../test-support/fixtures.js';
import {
  chatCompletionSchema,
  embeddingListSchema,
  translatedChatCompletionSchema,
} from '../test-support/openai-schemas.js';
import { toBedrockUpstreamError } from './errors.js';
import { fromBedrockResponse } from './response.js';

const context = testContext('bedrock', {});
const chat = (extra: Record<string, unknown> = {}) =>
  preparedChat('bedrock', { model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra });

describe('fromBedrockResponse', () => {
  it('keeps signed and encrypted reasoning as thinking_blocks with strict compliance off, none with it on', () => {
    const body = readJsonFixture('bedrock', 'reasoning-tool-call.json');
    const loose = fromBedrockResponse(body, chat(), testContext('bedrock', {}, false));
    expect(translatedChatCompletionSchema.parse(loose).choices[0]?.message).toMatchObject({
      content: "I'll look that up.",
      reasoning_content: 'The user wants the top song for WZPZ. I should call top_song.',
      thinking_blocks: [
        {
          type: 'thinking',
          thinking: 'The user wants the top song for WZPZ. I should call top_song.',
          signature: 'ErUBCkYIBxgCIkDbSk4x8k3rS0Ut7Jk0mQ==',
        },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw' },
      ],
      tool_calls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q' }],
    });
    const strict = chatCompletionSchema.parse(fromBedrockResponse(body, chat(), context));
    expect(strict.choices[0]?.message).not.toHaveProperty('thinking_blocks');
    expect(strict.choices[0]?.message).not.toHaveProperty('reasoning_content');
  });

  it('translates text, tool use and the JSON-mode tool', () => {
    expect(
      chatCompletionSchema.parse(
        fromBedrockResponse(readJsonFixture('bedrock', 'text.json'), chat(), context),
      ),
    ).toMatchObject({
      choices: [{ message: { content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 },
    });
    const tool = chatCompletionSchema.parse(
      fromBedrockResponse(readJsonFixture('bedrock', 'tool-call.json'), chat(), context),
    );
    expect(tool.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        tool_calls: [
          {
            id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
            function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' },
          },
        ],
      },
    });
    const json = chatCompletionSchema.parse(
      fromBedrockResponse(
        readJsonFixture('bedrock', 'json-mode.json'),
        chat({ response_format: { type: 'json_object' } }),
        context,
      ),
    );
    expect(json.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: '{"name":"Ada Lovelace","age":36}' },
    });
  });

  it('keeps Converse’s stopReason with strict compliance off, as Portkey; OpenAI’s with it on', () => {
    const finishOf = (fixture: string, strict: boolean, body: Record<string, unknown> = {}) =>
      translatedChatCompletionSchema.parse(
        fromBedrockResponse(
          readJsonFixture('bedrock', fixture),
          chat(body),
          testContext('bedrock', {}, strict),
        ),
      ).choices[0]?.finish_reason;
    expect(finishOf('text.json', true)).toBe('stop');
    expect(finishOf('tool-call.json', true)).toBe('tool_calls');
    expect(finishOf('text.json', false)).toBe('end_turn');
    expect(finishOf('tool-call.json', false)).toBe('tool_use');
    const json = { response_format: { type: 'json_object' } };
    expect(finishOf('json-mode.json', false, json)).toBe('end_turn');
  });

  it('translates Titan and Cohere embeddings', () => {
    const request = (model: string) =>
      prepareRequest({
        request: { endpoint: 'embeddings', body: { model, input: 'hello' } },
        provider: 'bedrock',
        target: {},
      });
    const titan = embeddingListSchema.parse(
      fromBedrockResponse(
        readJsonFixture('bedrock', 'embeddings-titan.json'),
        request('amazon.titan-embed-text-v2:0'),
        context,
      ),
    );
    expect(titan).toMatchObject({
      data: [{ embedding: [0.5, -0.25, 0.125, 1.5] }],
      usage: { prompt_tokens: 3 },
    });
    const cohereAnswer = fromBedrockResponse(
      readJsonFixture('bedrock', 'embeddings-cohere.json'),
      request('cohere.embed-english-v3'),
      context,
    );
    const cohere = embeddingListSchema.parse(cohereAnswer);
    expect(cohere.data[0]?.embedding).toEqual([0.5, -0.25, 0.125, 1.5]);
    // Titan counts its input tokens; Cohere's body counts none: the caller gets no usage, not zeros.
    expect(reportedUsageOf(titan)).toMatchObject({ prompt_tokens: 3 });
    expect(reportedUsageOf(cohereAnswer)).toBeUndefined();
  });
});

describe('toBedrockUpstreamError', () => {
  it('takes the type from x-amzn-errortype; throttling is retryable, a long input context_length_exceeded', () => {
    const throttled = toBedrockUpstreamError({
      provider: 'bedrock',
      status: 429,
      body: readFixtureText('bedrock', 'error-429-throttling.json'),
      headers: {
        'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      },
      now: 0,
    });
    expect(throttled).toMatchObject({ status: 429, retryable: true, type: 'ThrottlingException' });
    const long = toBedrockUpstreamError({
      provider: 'bedrock',
      status: 400,
      body: readFixtureText('bedrock', 'error-400-validation.json'),
      headers: { 'x-amzn-errortype': 'ValidationException' },
      now: 0,
    });
    expect(long).toMatchObject({
      status: 400,
      retryable: false,
      code: 'context_length_exceeded',
      type: 'ValidationException',
    });
  });

  it('cuts the canonical request and string to sign (session token and all) out of an InvalidSignatureException', () => {
    const body = readFixtureText('bedrock', 'error-403-invalid-signature.json');
    expect(body).toContain('x-amz-security-token:FwoGZXIvYXdzEXAMPLESESSIONTOKEN');
    const error = toBedrockUpstreamError({
      provider: 'bedrock',
      status: 403,
      body,
      headers: {
        'x-amzn-errortype':
          'InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/',
      },
      now: 0,
    });
    const explanation =
      'The request signature we calculated does not match the signature you provided. Check your AWS ' +
      'Secret Access Key and signing method. Consult the service documentation for details.';
    expect(error).toMatchObject({
      status: 403,
      type: 'InvalidSignatureException',
      vendorMessage: explanation,
    });
    expect(error.raw).toEqual({ message: explanation });
    expect(JSON.stringify(error.toEnvelope())).not.toMatch(/FwoG|Canonical|String-to-Sign|x-amz-date/);
    expect(error.message).not.toContain('FwoG');
  });
});
