import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../shared/prepare-request.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readJsonFixture } from '../test-support/fixtures.js';
import { toCohereRequest } from './request.js';

const context = testContext('cohere', { provider: 'cohere', api_key: 'co-key' });
const send = (body: Record<string, unknown>) => {
  const built = toCohereRequest(preparedChat('cohere', body), context);
  return { ...built, body: JSON.parse(String(built.upstream.body)) as Record<string, unknown> };
};

describe('toCohereRequest', () => {
  it('sends the documented plain chat example field for field', () => {
    const documented = readJsonFixture('cohere', 'request-text.json');
    const { upstream, body, warnings } = send(documented);
    expect(upstream.url).toBe('https://api.cohere.com/v2/chat');
    expect(upstream.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: 'Bearer co-key',
    });
    expect(body).toEqual(documented);
    expect(warnings).toEqual([]);
  });

  it('sends the documented tools example field for field', () => {
    const documented = readJsonFixture('cohere', 'request-tools.json');
    expect(send(documented).body).toEqual(documented);
  });

  it('sends the documented image example field for field, an image part’s detail kept', () => {
    const documented = readJsonFixture('cohere', 'request-image.json');
    const { body, warnings } = send(documented);
    expect(body).toEqual(documented);
    expect(warnings).toEqual([]);
  });

  it('maps sampling, stop, JSON schema, tool choice and a tool round trip; drops the rest with warnings', () => {
    const { body, warnings } = send({
      model: 'command-a-03-2025',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{"l":"x"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      top_p: 0.5,
      stop: 'END',
      seed: 3,
      logit_bias: { 1: 2 },
      max_completion_tokens: 10,
      tools: [
        { type: 'function', function: { name: 'w' } },
        { type: 'function', function: { name: 'other' } },
      ],
      tool_choice: { type: 'function', function: { name: 'w' } },
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      provider_options: { cohere: { safety_mode: 'STRICT' }, google: { x: 1 } },
    });
    expect(body).toEqual({
      model: 'command-a-03-2025',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{"l":"x"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object', properties: {} } } }],
      tool_choice: 'REQUIRED',
      response_format: { type: 'json_object', json_schema: { type: 'object' } },
      max_tokens: 10,
      p: 0.5,
      stop_sequences: ['END'],
      seed: 3,
      safety_mode: 'STRICT',
    });
    expect(warnings).toEqual(["parameter 'logit_bias' is not supported by cohere and was dropped"]);
  });

  it('refuses n > 1 and sends embeddings to /v2/embed with float types', () => {
    expect(() => send({ model: 'm', n: 2, messages: [{ role: 'user', content: 'x' }] })).toThrow(PkError);
    const prepared = prepareRequest({
      request: { endpoint: 'embeddings', body: { model: 'embed-v4.0', input: ['a', 'b'], dimensions: 256 } },
      provider: 'cohere',
      target: {},
    });
    const built = toCohereRequest(prepared, context);
    expect(built.upstream.url).toBe('https://api.cohere.com/v2/embed');
    expect(JSON.parse(String(built.upstream.body))).toEqual({
      model: 'embed-v4.0',
      texts: ['a', 'b'],
      input_type: 'search_document',
      embedding_types: ['float'],
      output_dimension: 256,
    });
  });

  it('asks for logprobs and drops top_logprobs with a warning (Cohere reports no alternatives)', () => {
    const built = send({
      model: 'command-a-03-2025',
      messages: [{ role: 'user', content: 'hi' }],
      logprobs: true,
      top_logprobs: 2,
    });
    expect(built.body.logprobs).toBe(true);
    expect(built.warnings).toEqual(["parameter 'top_logprobs' is not supported by cohere and was dropped"]);
  });

  it('sends an assistant’s text beside its tool calls back as their tool_plan, as Cohere’s tool-use turns carry it', () => {
    const call = { id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } };
    const { body } = send({
      model: 'command-a-03-2025',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'I will check the weather.', tool_calls: [call] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
        { role: 'assistant', content: 'It is sunny.' },
      ],
    });
    expect((body.messages as unknown[]).slice(1)).toEqual([
      { role: 'assistant', tool_plan: 'I will check the weather.', tool_calls: [call] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'assistant', content: 'It is sunny.' },
    ]);
  });
});
