import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../shared/prepare-request.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readJsonFixture } from '../test-support/fixtures.js';
import { TINY_PNG } from '../test-support/matrix-requests.js';
import { STRICT_WEATHER_TOOLS, strictToolDroppedWarning } from '../test-support/strict-tools.js';
import { toGoogleRequest } from './request.js';

const context = testContext('google', { provider: 'google', api_key: 'g-key' });
const send = (body: Record<string, unknown>) => {
  const built = toGoogleRequest(preparedChat('google', body), context);
  return { ...built, body: JSON.parse(String(built.upstream.body)) as Record<string, unknown> };
};

describe('toGoogleRequest', () => {
  it('sends a function call’s thought signature back on its part (Gemini 3 refuses the turn without it)', () => {
    const body = send({
      model: 'gemini-3-pro-preview',
      messages: [
        { role: 'user', content: 'Is AA100 on time?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_0_0',
              type: 'function',
              function: { name: 'check_flight', arguments: '{"flight":"AA100"}' },
              extra_content: { google: { thought_signature: 'CpcBAdHtim9-signature-A' } },
            },
            { id: 'call_0_1', type: 'function', function: { name: 'book_taxi', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_0_0', content: '{"status":"delayed"}' },
        { role: 'tool', tool_call_id: 'call_0_1', content: '{"booked":true}' },
      ],
    }).body as { contents: { role: string; parts: Record<string, unknown>[] }[] };
    expect(body.contents[1]).toEqual({
      role: 'model',
      parts: [
        {
          functionCall: { name: 'check_flight', args: { flight: 'AA100' } },
          thoughtSignature: 'CpcBAdHtim9-signature-A',
        },
        { functionCall: { name: 'book_taxi', args: {} } },
      ],
    });
  });

  it('warns when it drops parallel_tool_calls: false (a constraint), not when it drops true (what Gemini does)', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    const messages = [{ role: 'user', content: 'hi' }];
    expect(send({ model: 'gemini-2.0-flash', messages, tools, parallel_tool_calls: false }).warnings).toEqual(
      ["parameter 'parallel_tool_calls' is not supported by google and was dropped"],
    );
    expect(send({ model: 'gemini-2.0-flash', messages, tools, parallel_tool_calls: true }).warnings).toEqual(
      [],
    );
  });

  it('sends the documented system-instruction example field for field, key in x-goog-api-key', () => {
    const { upstream, body, warnings } = send({
      model: 'gemini-2.0-flash',
      messages: [
        { role: 'system', content: 'You are a cat. Your name is Neko.' },
        { role: 'user', content: 'Hello there' },
      ],
    });
    expect(upstream.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent',
    );
    expect(upstream.headers).toEqual({ 'content-type': 'application/json', 'x-goog-api-key': 'g-key' });
    expect(body).toEqual(readJsonFixture('google', 'request-text.json'));
    expect(warnings).toEqual([]);
  });

  it('sends the documented function declaration example field for field', () => {
    const { body } = send({
      model: 'models/gemini-2.0-flash',
      messages: [{ role: 'user', content: "What's the temperature in London?" }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_current_temperature',
            description: 'Gets the current temperature for a given location.',
            parameters: {
              type: 'object',
              properties: { location: { type: 'string', description: 'The city name, e.g. San Francisco' } },
              required: ['location'],
              additionalProperties: false,
            },
          },
        },
      ],
    });
    expect(body).toEqual(readJsonFixture('google', 'request-tools.json'));
  });

  it('maps a tool round trip, images, JSON schema, sampling and tool choice; streams with alt=sse', () => {
    const built = toGoogleRequest(
      preparedChat('google', {
        model: 'gemini-2.0-flash',
        stream: true,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Weather here?' },
              { type: 'image_url', image_url: { url: TINY_PNG } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.webp' } },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{"l":"x"}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: '{"temp":15}' },
          { role: 'tool', tool_call_id: 'c2', name: 'v', content: 'plain' },
        ],
        tools: [{ type: 'function', function: { name: 'w' } }],
        tool_choice: { type: 'function', function: { name: 'w' } },
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', schema: { type: 'object', additionalProperties: false, properties: {} } },
        },
        max_tokens: 9,
        top_p: 0.4,
        top_k: 40,
        stop: ['a'],
        n: 2,
        logit_bias: { 1: 1 },
        provider_options: {
          google: { safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }] },
        },
      }),
      context,
    );
    expect(built.upstream.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
    );
    expect(built.warnings).toEqual(["parameter 'logit_bias' is not supported by google and was dropped"]);
    expect(JSON.parse(String(built.upstream.body))).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Weather here?' },
            { inlineData: { mimeType: 'image/png', data: TINY_PNG.split(',')[1] } },
            { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp' } },
          ],
        },
        { role: 'model', parts: [{ functionCall: { name: 'w', args: { l: 'x' } } }] },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'w', response: { temp: 15 } } },
            { functionResponse: { name: 'v', response: { content: 'plain' } } },
          ],
        },
      ],
      tools: [{ functionDeclarations: [{ name: 'w' }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['w'] } },
      generationConfig: {
        stopSequences: ['a'],
        candidateCount: 2,
        maxOutputTokens: 9,
        topP: 0.4,
        topK: 40,
        responseMimeType: 'application/json',
        responseSchema: { type: 'object', properties: {} },
      },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    });
  });

  it('refuses a model name that could change the URL, and builds batchEmbedContents', () => {
    expect(() => send({ model: '../x', messages: [{ role: 'user', content: 'x' }] })).toThrow(PkError);
    const prepared = prepareRequest({
      request: { endpoint: 'embeddings', body: { model: 'text-embedding-004', input: ['a', 'b'] } },
      provider: 'google',
      target: {},
    });
    const built = toGoogleRequest(prepared, context);
    expect(built.upstream.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents',
    );
    expect(JSON.parse(String(built.upstream.body))).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] } },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] } },
      ],
    });
  });

  it('sends an OpenAI PDF file part as the documented inline PDF', () => {
    const { body, warnings } = send({
      model: 'gemini-2.0-flash',
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'file',
              file: { filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQKJSVFT0YK' },
            },
            { type: 'text', text: 'Summarize this document' },
          ],
        },
      ],
    });
    expect(body).toEqual(readJsonFixture('google', 'request-pdf.json'));
    expect(warnings).toEqual([]);
  });

  it('sends other documented file types inline and warns on a file_id and on an unread type', () => {
    const { body, warnings } = send({
      model: 'gemini-2.0-flash',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'file', file: { file_data: 'data:text/plain;base64,aGk=' } },
            { type: 'file', file: { file_id: 'file-abc123' } },
            { type: 'file', file: { file_data: 'data:application/zip;base64,UEsDBA==' } },
            { type: 'text', text: 'Read it.' },
          ],
        },
      ],
    });
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [{ inlineData: { mimeType: 'text/plain', data: 'aGk=' } }, { text: 'Read it.' }],
      },
    ]);
    expect(warnings).toEqual([
      "content part 'file' (a file_id names a file uploaded to OpenAI) is not supported by google and was dropped",
      "content part 'file' (application/zip) is not supported by google and was dropped",
    ]);
  });
});

describe('toGoogleRequest logprobs', () => {
  const messages = [{ role: 'user', content: 'hi' }];

  it('asks Gemini for log probabilities (responseLogprobs) and top_logprobs alternatives (logprobs)', () => {
    const built = send({ model: 'gemini-2.0-flash', messages, logprobs: true, top_logprobs: 2 });
    expect(built.body.generationConfig).toEqual({ responseLogprobs: true, logprobs: 2 });
    expect(built.warnings).toEqual([]);
  });

  it('keeps dropping logprobs with a warning for streams, where Gemini documents no logprobsResult', () => {
    const built = send({
      model: 'gemini-2.0-flash',
      messages,
      stream: true,
      logprobs: true,
      top_logprobs: 2,
    });
    expect(built.body.generationConfig).toBeUndefined();
    expect(built.warnings).toEqual([
      "parameter 'logprobs' is not supported by google and was dropped",
      "parameter 'top_logprobs' is not supported by google and was dropped",
    ]);
  });

  it('drops a tool’s strict: true, which Gemini has no field for, with a warning', () => {
    const { body, warnings } = send({
      model: 'gemini-2.0-flash',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: STRICT_WEATHER_TOOLS,
    });
    expect(JSON.stringify(body.tools)).not.toContain('strict');
    expect(warnings).toEqual([strictToolDroppedWarning('google')]);
  });
});
