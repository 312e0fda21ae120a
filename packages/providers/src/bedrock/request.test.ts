import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../shared/prepare-request.js';
import { preparedChat, testContext } from '../test-support/context.js';
import { readJsonFixture } from '../test-support/fixtures.js';
import { TINY_PNG } from '../test-support/matrix-requests.js';
import { STRICT_WEATHER_TOOLS, strictToolDroppedWarning } from '../test-support/strict-tools.js';
import { toBedrockRequest } from './request.js';

const target = {
  provider: 'bedrock',
  aws_region: 'us-east-1',
  aws_access_key_id: 'AKID',
  aws_secret_access_key: 's',
};
const context = testContext('bedrock', target);
const send = (body: Record<string, unknown>, over: Record<string, unknown> = {}) => {
  const built = toBedrockRequest(
    preparedChat('bedrock', body),
    testContext('bedrock', { ...target, ...over }),
  );
  return { ...built, body: JSON.parse(String(built.upstream.body)) as Record<string, unknown> };
};

describe('toBedrockRequest', () => {
  it('sends an assistant’s thinking_blocks back first as reasoningContent, signature and encrypted content unchanged', () => {
    const { body } = send({
      model: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
      messages: [
        { role: 'user', content: 'What is the most popular song on WZPZ?' },
        {
          role: 'assistant',
          content: "I'll look that up.",
          thinking_blocks: [
            {
              type: 'thinking',
              thinking: 'I should call top_song.',
              signature: 'ErUBCkYIBxgCIkDbSk4x8k3rS0Ut7Jk0mQ==',
            },
            { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw' },
          ],
          tool_calls: [
            {
              id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
              type: 'function',
              function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: 'Elemental Hotel' },
      ],
      tools: [{ type: 'function', function: { name: 'top_song', parameters: { type: 'object' } } }],
    });
    expect((body.messages as { content: unknown[] }[])[1]?.content).toEqual([
      {
        reasoningContent: {
          reasoningText: {
            text: 'I should call top_song.',
            signature: 'ErUBCkYIBxgCIkDbSk4x8k3rS0Ut7Jk0mQ==',
          },
        },
      },
      { reasoningContent: { redactedContent: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw' } },
      { text: "I'll look that up." },
      { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } } },
    ]);
  });

  it('sends the documented Converse request field for field to the encoded model path', () => {
    const { upstream, body, warnings } = send({
      model: 'anthropic.claude-3-haiku-20240307-v1:0',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Hello, world' },
      ],
      max_tokens: 512,
      temperature: 0.5,
      top_p: 0.9,
    });
    expect(upstream.url).toBe(
      'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
    );
    expect(upstream.headers).toEqual({ 'content-type': 'application/json', accept: 'application/json' });
    expect(body).toEqual(readJsonFixture('bedrock', 'request-text.json'));
    expect(warnings).toEqual([]);
  });

  it('sends the documented tool definition field for field', () => {
    const documented = readJsonFixture('bedrock', 'request-tools.json') as {
      toolConfig: {
        tools: { toolSpec: { name: string; description: string; inputSchema: { json: object } } }[];
      };
    };
    const spec = documented.toolConfig.tools[0]!.toolSpec;
    const { body } = send({
      model: 'm',
      messages: [{ role: 'user', content: 'What is the most popular song on WZPZ?' }],
      tools: [
        {
          type: 'function',
          function: { name: spec.name, description: spec.description, parameters: spec.inputSchema.json },
        },
      ],
    });
    expect(body).toEqual(documented);
  });

  describe('tool_choice "none" (Converse has no such choice)', () => {
    const documented = readJsonFixture('bedrock', 'request-tool-result.json') as {
      toolConfig: {
        tools: { toolSpec: { name: string; description: string; inputSchema: { json: object } } }[];
      };
    };
    const spec = documented.toolConfig.tools[0]!.toolSpec;
    const topSong = {
      type: 'function',
      function: { name: spec.name, description: spec.description, parameters: spec.inputSchema.json },
    };
    const question = { role: 'user', content: 'What is the most popular song on WZPZ?' };
    const roundTrip = [
      question,
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
            type: 'function',
            function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' },
          },
        ],
      },
      {
        role: 'tool',
        tool_call_id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
        content: '{"song":"Elemental Hotel","artist":"8 Storey Hike"}',
      },
    ];

    it('with no tool call in the conversation: no toolConfig, so no tool can be called', () => {
      const { body, warnings } = send({
        model: 'm',
        messages: [question],
        tools: [topSong],
        tool_choice: 'none',
      });
      expect(body.toolConfig).toBeUndefined();
      expect(warnings).toEqual([]);
    });

    it('with toolUse/toolResult blocks: the tools without a toolChoice (Bedrock requires a toolConfig), and a warning', () => {
      const { body, warnings } = send({
        model: 'anthropic.claude-3-haiku-20240307-v1:0',
        messages: roundTrip,
        tools: [topSong],
        tool_choice: 'none',
      });
      expect(body).toEqual(documented);
      expect(warnings).toEqual([
        "tool_choice 'none' cannot be kept on bedrock for a conversation that holds tool calls: the tools were sent without a tool choice",
      ]);
    });
  });

  it('maps images, a tool round trip, JSON mode and streaming; merges provider_options.bedrock', () => {
    const { upstream, body } = send({
      model: 'm',
      stream: true,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look' },
            { type: 'image_url', image_url: { url: TINY_PNG } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
        { role: 'tool', tool_call_id: 't1', content: '{"ok":true}' },
        { role: 'tool', tool_call_id: 't2', content: 'plain' },
      ],
      response_format: { type: 'json_object' },
      provider_options: { bedrock: { additionalModelRequestFields: { top_k: 5 } } },
    });
    expect(upstream.url.endsWith('/model/m/converse-stream')).toBe(true);
    expect(body).toEqual({
      messages: [
        {
          role: 'user',
          content: [
            { text: 'Look' },
            { image: { format: 'png', source: { bytes: TINY_PNG.split(',')[1] } } },
          ],
        },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'f', input: { a: 1 } } }] },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 't1', content: [{ json: { ok: true } }] } },
            { toolResult: { toolUseId: 't2', content: [{ text: 'plain' }] } },
          ],
        },
      ],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'json_response',
              description: 'Respond with a JSON object.',
              inputSchema: { json: { type: 'object' } },
            },
          },
        ],
        toolChoice: { tool: { name: 'json_response' } },
      },
      additionalModelRequestFields: { top_k: 5 },
    });
  });

  it('tells the client strict mode is not enforced: the schema becomes a tool’s input schema', () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
      additionalProperties: false,
    };
    const { body, warnings } = send({
      model: 'amazon.nova-pro-v1:0',
      messages: [{ role: 'user', content: 'Name a pioneer' }],
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
    });
    expect(body.toolConfig).toMatchObject({
      tools: [{ toolSpec: { name: 'json_response', inputSchema: { json: schema } } }],
    });
    expect(warnings).toEqual([
      "response_format.json_schema.strict is not supported by bedrock (the schema is sent as a tool's input schema, which bedrock does not enforce), so the answer is not guaranteed to match it",
    ]);
  });

  it('refuses a region or model that could change the URL, and builds Titan and Cohere embeddings', () => {
    expect(() =>
      send({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { aws_region: 'evil.com/x' }),
    ).toThrow(PkError);
    expect(() => send({ model: 'a/../b', messages: [{ role: 'user', content: 'x' }] })).toThrow(PkError);
    const embed = (model: string, input: unknown) =>
      toBedrockRequest(
        prepareRequest({
          request: { endpoint: 'embeddings', body: { model, input } },
          provider: 'bedrock',
          target,
        }),
        context,
      );
    const titan = embed('amazon.titan-embed-text-v2:0', 'hello');
    expect(titan.upstream.url).toBe(
      'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke',
    );
    expect(JSON.parse(String(titan.upstream.body))).toEqual({ inputText: 'hello' });
    expect(JSON.parse(String(embed('cohere.embed-english-v3', ['a', 'b']).upstream.body))).toEqual({
      texts: ['a', 'b'],
      input_type: 'search_document',
    });
    expect(() => embed('amazon.titan-embed-text-v2:0', ['a', 'b'])).toThrow(PkError);
  });

  it('sends a cache_control breakpoint as the documented cachePoint after the system, message and tool it marks', () => {
    const { body, warnings } = send({
      model: 'anthropic.claude-3-7-sonnet-20250219-v1:0',
      messages: [
        {
          role: 'system',
          content: [
            {
              type: 'text',
              text: 'You are an expert reader. Answer from the document only.',
              cache_control: { type: 'ephemeral' },
            },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: '<a long document to cache>', cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'What is this document about?' },
          ],
        },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'search_document',
            description: 'Search the document',
            parameters: { type: 'object', properties: { query: { type: 'string' } } },
          },
          cache_control: { type: 'ephemeral' },
        },
      ],
    });
    expect(body).toEqual(readJsonFixture('bedrock', 'request-prompt-caching.json'));
    expect(warnings).toEqual([]);
  });

  it('keeps a breakpoint’s ttl, splits a system message at it, and marks tool calls and tool results', () => {
    const { body } = send({
      model: 'anthropic.claude-sonnet-4-20250514-v1:0',
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'One.' },
            { type: 'text', text: 'Two.', cache_control: { type: 'ephemeral', ttl: '1h' } },
            { type: 'text', text: 'Three.' },
          ],
        },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 't1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{}' },
              cache_control: { type: 'ephemeral' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 't1', content: '18C', cache_control: { type: 'ephemeral' } },
      ],
    });
    expect(body.system).toEqual([
      { text: 'One.\nTwo.' },
      { cachePoint: { type: 'default', ttl: '1h' } },
      { text: 'Three.' },
    ]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { toolUse: { toolUseId: 't1', name: 'get_weather', input: {} } },
          { cachePoint: { type: 'default' } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 't1', content: [{ text: '18C' }] } },
          { cachePoint: { type: 'default' } },
        ],
      },
    ]);
  });

  it('drops a tool’s cache_control for Amazon Nova, which caches no tools, with a warning', () => {
    const { body, warnings } = send({
      model: 'us.amazon.nova-pro-v1:0',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f' }, cache_control: { type: 'ephemeral' } }],
    });
    expect(body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object', properties: {} } } } }],
    });
    expect(warnings).toEqual([
      "cache_control on tool 'f' is not supported by bedrock for us.amazon.nova-pro-v1:0 and was dropped",
    ]);
  });

  it('sends an OpenAI PDF file part as the documented document block, named from the filename', () => {
    const { body, warnings } = send({
      model: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: "What's in this document?" },
            {
              type: 'file',
              file: {
                filename: 'MyDocument.pdf',
                file_data: 'data:application/pdf;base64,JVBERi0xLjQKJSVFT0YK',
              },
            },
          ],
        },
      ],
    });
    expect(body).toEqual(readJsonFixture('bedrock', 'request-document.json'));
    expect(warnings).toEqual([]);
  });

  it('maps other documented formats, makes names valid and unique, and warns on what Converse cannot read', () => {
    const { body, warnings } = send({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'file',
              file: { filename: 'Q3 report  (final)!.pdf', file_data: 'data:application/pdf;base64,AA==' },
            },
            {
              type: 'file',
              file: { filename: 'Q3 report  (final)!.pdf', file_data: 'data:application/pdf;base64,AQ==' },
            },
            {
              type: 'file',
              file: { file_data: 'data:text/csv;base64,YSxi' },
              cache_control: { type: 'ephemeral' },
            },
            { type: 'file', file: { file_id: 'file-abc123' } },
            { type: 'file', file: { file_url: 'https://example.com/a.pdf' } },
            { type: 'file', file: { file_data: 'data:application/zip;base64,UEsDBA==' } },
            { type: 'text', text: 'Compare them.' },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { document: { format: 'pdf', name: 'Q3 report (final)-', source: { bytes: 'AA==' } } },
          { document: { format: 'pdf', name: 'Q3 report (final)- (2)', source: { bytes: 'AQ==' } } },
          { document: { format: 'csv', name: 'document', source: { bytes: 'YSxi' } } },
          { cachePoint: { type: 'default' } },
          { text: 'Compare them.' },
        ],
      },
    ]);
    expect(warnings).toEqual([
      "content part 'file' (a file_id names a file uploaded to OpenAI) is not supported by bedrock and was dropped",
      "content part 'file' (a file_url) is not supported by bedrock and was dropped",
      "content part 'file' (application/zip) is not supported by bedrock and was dropped",
    ]);
  });

  it('refuses a file without a text part in its turn with a 400, as Converse would', () => {
    const run = () =>
      send({
        model: 'm',
        messages: [
          {
            role: 'user',
            content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,AA==' } }],
          },
        ],
      });
    expect(run).toThrow(PkError);
    expect(run).toThrow(expect.objectContaining({ status: 400, param: 'messages' }));
  });

  it('sends Claude’s extended thinking and top_k in additionalModelRequestFields; other models are told they were dropped', () => {
    const thinking = { type: 'enabled', budget_tokens: 2048 };
    const request = { messages: [{ role: 'user', content: 'Why is the sky blue?' }], thinking, top_k: 40 };
    for (const model of [
      'anthropic.claude-3-7-sonnet-20250219-v1:0',
      'us.anthropic.claude-sonnet-4-20250514-v1:0',
    ]) {
      const { body, warnings } = send({ model, ...request });
      expect(body.additionalModelRequestFields).toEqual({ thinking, top_k: 40 });
      expect(warnings).toEqual([]);
    }
    const nova = send({ model: 'amazon.nova-pro-v1:0', ...request });
    expect(nova.body).not.toHaveProperty('additionalModelRequestFields');
    expect(nova.warnings).toEqual([
      "parameter 'thinking' is not supported by bedrock and was dropped",
      "parameter 'top_k' is not supported by bedrock and was dropped",
    ]);
  });

  it('drops a tool’s strict: true, which Converse has no field for, with a warning', () => {
    const { body, warnings } = send({
      model: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: STRICT_WEATHER_TOOLS,
    });
    expect(JSON.stringify(body.toolConfig)).not.toContain('strict');
    expect(warnings).toEqual([strictToolDroppedWarning('bedrock')]);
  });
});
