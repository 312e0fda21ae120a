import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { messagesToChatRequest } from './to-chat-request.js';

const PNG = 'iVBORw0KGgo=';
const translate = (body: Record<string, unknown>, provider = 'groq') =>
  messagesToChatRequest(body, { provider });
const refusal = (body: Record<string, unknown>): PkError => {
  try {
    translate(body);
  } catch (error) {
    if (error instanceof PkError) return error;
  }
  throw new Error('expected a PkError');
};

describe('messagesToChatRequest', () => {
  it('maps system, multi-turn text, images and sampling parameters', () => {
    const { body, warnings } = translate({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 1024,
      system: [
        { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Answer in English.' },
      ],
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-7' },
    });
    expect(body).toEqual({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 1024,
      messages: [
        { role: 'system', content: 'You are terse.\n\nAnswer in English.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      user: 'user-7',
    });
    expect(warnings).toEqual([]);
  });

  it('maps tools, tool_choice, tool_use and tool_result (results first in their turn), thinking blocks', () => {
    const { body, warnings } = translate(
      {
        model: 'm',
        max_tokens: 100,
        stream: true,
        tools: [
          { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: {} } },
        ],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        messages: [
          { role: 'user', content: 'Weather in SF and NYC?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Two calls.', signature: 'sig-1' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'SF' } },
              { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'NYC' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '15 degrees' },
              {
                type: 'tool_result',
                tool_use_id: 'toolu_2',
                content: [{ type: 'text', text: '22 degrees' }],
                is_error: false,
              },
              { type: 'text', text: 'And tomorrow?' },
            ],
          },
        ],
      },
      'openai',
    );
    expect(body).toMatchObject({
      max_completion_tokens: 100,
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: {} },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      messages: [
        { role: 'user', content: 'Weather in SF and NYC?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"SF"}' },
            },
            {
              id: 'toolu_2',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"NYC"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '15 degrees' },
        { role: 'tool', tool_call_id: 'toolu_2', content: '22 degrees' },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
    expect(body).not.toHaveProperty('max_tokens');
    expect((body.messages as Record<string, unknown>[])[1]).not.toHaveProperty('thinking_blocks');
    expect(warnings).toEqual(['messages.1: thinking blocks cannot be sent to openai and were dropped']);
  });

  it('keeps thinking blocks for Claude targets only, which take them back with their signatures', () => {
    const history = (model: string) => ({
      model,
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'ok' },
          ],
        },
        { role: 'user', content: 'y' },
      ],
    });
    const blocks = [
      { type: 'thinking', thinking: 'hmm', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'opaque' },
    ];
    for (const [provider, model] of [
      ['anthropic', 'claude-sonnet-4-20250514'],
      ['bedrock', 'us.anthropic.claude-sonnet-4-20250514-v1:0'],
      ['vertex-ai', 'claude-sonnet-4@20250514'],
    ] as const) {
      const { body, warnings } = translate(history(model), provider);
      expect((body.messages as Record<string, unknown>[])[1]).toEqual({
        role: 'assistant',
        content: 'ok',
        thinking_blocks: blocks,
      });
      expect(warnings).toEqual([]);
    }
    for (const [provider, model] of [
      ['groq', 'llama-3.3-70b-versatile'],
      ['mistral-ai', 'mistral-large-latest'],
      ['bedrock', 'meta.llama3-70b-instruct-v1:0'],
      ['vertex-ai', 'gemini-2.0-flash'],
    ] as const) {
      const { body, warnings } = translate(history(model), provider);
      expect((body.messages as Record<string, unknown>[])[1]).toEqual({ role: 'assistant', content: 'ok' });
      expect(warnings).toEqual([
        `messages.1: thinking blocks cannot be sent to ${provider} and were dropped`,
      ]);
    }
  });

  it('maps each tool_choice and structured outputs', () => {
    const base = {
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ name: 't', input_schema: {} }],
    };
    expect(translate({ ...base, tool_choice: { type: 'auto' } }).body.tool_choice).toBe('auto');
    expect(translate({ ...base, tool_choice: { type: 'none' } }).body.tool_choice).toBe('none');
    expect(translate({ ...base, tool_choice: { type: 'tool', name: 't' } }).body.tool_choice).toEqual({
      type: 'function',
      function: { name: 't' },
    });
    const schema = { type: 'object', properties: { name: { type: 'string' } } };
    expect(
      translate({ ...base, output_config: { format: { type: 'json_schema', schema } } }).body.response_format,
    ).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema },
    });
  });

  it('asks OpenAI for a strict schema, as Anthropic guarantees the answer matches, or says why it cannot', () => {
    const ask = (schema: Record<string, unknown>, provider: string) =>
      translate(
        {
          model: 'gpt-4o-mini',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'x' }],
          output_config: { format: { type: 'json_schema', schema } },
        },
        provider,
      );
    const strictable = {
      type: 'object',
      properties: { answer: { type: 'number' } },
      required: ['answer'],
      additionalProperties: false,
    };
    for (const provider of ['openai', 'azure-openai']) {
      const { body, warnings } = ask(strictable, provider);
      expect(body.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'output', schema: strictable, strict: true },
      });
      expect(warnings).toEqual([]);
    }
    const optional = { ...strictable, properties: { answer: { type: 'number' }, note: { type: 'string' } } };
    const { body, warnings } = ask(optional, 'openai');
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema: optional },
    });
    expect(warnings).toEqual([
      "output_config.format: the schema cannot be used in openai's strict mode (schema.properties.note is not listed in required), so the answer is not guaranteed to match it",
    ]);
  });

  it('refuses more stop sequences than the target takes, naming its limit, rather than drop some', () => {
    const stops = (count: number, provider: string, model = 'm') =>
      translate(
        {
          model,
          max_tokens: 10,
          messages: [{ role: 'user', content: 'x' }],
          stop_sequences: ['a', 'b', 'c', 'd', 'e', 'f'].slice(0, count),
        },
        provider,
      );
    for (const [provider, limit, model] of [
      ['openai', 4, 'gpt-4o-mini'],
      ['azure-openai', 4, 'gpt-4o-mini'],
      ['groq', 4, 'llama-3.3-70b-versatile'],
      ['google', 5, 'gemini-2.0-flash'],
      ['vertex-ai', 5, 'gemini-2.0-flash'],
      ['cohere', 5, 'command-r'],
    ] as const) {
      expect(stops(limit, provider, model).body.stop).toHaveLength(limit);
      let error: unknown;
      try {
        stops(limit + 1, provider, model);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(PkError);
      expect(error).toMatchObject({
        code: 'PK_ERR_UNSUPPORTED_FEATURE',
        status: 400,
        param: 'stop_sequences',
        message: `${limit + 1} stop_sequences cannot be translated for provider '${provider}' (it does not speak this API natively): ${provider} takes at most ${limit}; send at most ${limit}`,
      });
    }
    expect(stops(6, 'mistral-ai').body.stop).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('drops what a chat provider cannot take, with a warning', () => {
    const { body, warnings } = translate({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
      top_k: 5,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      service_tier: 'auto',
    });
    expect(body).not.toHaveProperty('top_k');
    expect(warnings).toEqual([
      "parameter 'top_k' is not supported by groq and was dropped",
      "parameter 'thinking' is not supported by groq and was dropped",
      "parameter 'service_tier' is not supported by groq and was dropped",
    ]);
  });

  it('keeps top_k for Gemini, which samples by it (generationConfig.topK)', () => {
    for (const provider of ['google', 'vertex-ai']) {
      const { body, warnings } = translate(
        { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }], top_k: 5 },
        provider,
      );
      expect(body.top_k).toBe(5);
      expect(warnings).toEqual([]);
    }
  });

  it('says it drops a tool result’s is_error, which a chat tool message cannot carry', () => {
    const { body, warnings } = translate({
      model: 'm',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'Time?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'clock', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: 'clock offline' },
          ],
        },
      ],
    });
    expect((body.messages as Record<string, unknown>[]).at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'toolu_1',
      content: 'clock offline',
    });
    expect(warnings).toEqual([
      'messages.2.content.0: is_error of a tool result cannot be sent to groq and was dropped (the result is sent as an ordinary one)',
    ]);
  });

  it('refuses server tools, documents for providers that read no files, MCP servers and file images with PK_ERR_UNSUPPORTED_FEATURE', () => {
    const base = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] };
    const serverTool = refusal({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] });
    expect(serverTool.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
    expect(serverTool.status).toBe(400);
    expect(serverTool.param).toBe('tools.0');
    expect(serverTool.message).toBe(
      "the server tool 'web_search_20250305' cannot be translated for provider 'groq' (it does not speak this API natively)",
    );
    const document = refusal({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'x' } },
          ],
        },
      ],
    });
    expect(document.param).toBe('messages.0.content.0');
    expect(refusal({ ...base, mcp_servers: [{ type: 'url', url: 'https://mcp.example.com' }] }).param).toBe(
      'mcp_servers',
    );
    const fileImage = refusal({
      ...base,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }],
    });
    expect(fileImage.message).toContain("an image with a 'file' source");
  });

  it('translates documents to file and text parts for the providers that read files', () => {
    const PDF = 'JVBERi0xLjQK';
    const { body, warnings } = translate(
      {
        model: 'gpt-4.1',
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                source: { type: 'base64', media_type: 'application/pdf', data: PDF },
                title: 'report.pdf',
                citations: { enabled: true },
              },
              {
                type: 'document',
                source: { type: 'text', media_type: 'text/plain', data: 'The grass is green.' },
                context: 'a note',
              },
              {
                type: 'document',
                source: {
                  type: 'content',
                  content: [
                    { type: 'text', text: 'First chunk.' },
                    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
                  ],
                },
              },
              { type: 'document', source: { type: 'content', content: 'One string.' } },
              { type: 'text', text: 'Summarise these.' },
            ],
          },
        ],
      },
      'openai',
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'report.pdf' } },
          { type: 'text', text: 'The grass is green.' },
          { type: 'text', text: 'First chunk.' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'text', text: 'One string.' },
          { type: 'text', text: 'Summarise these.' },
        ],
      },
    ]);
    expect(warnings).toEqual([
      "messages.0.content.0: the document's citations is not supported by openai and was dropped",
      "messages.0.content.1: the document's context is not supported by openai and was dropped",
    ]);
    for (const provider of ['google', 'vertex-ai', 'bedrock', 'azure-openai']) {
      const translated = translate(
        {
          model: 'm',
          max_tokens: 1,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } },
              ],
            },
          ],
        },
        provider,
      );
      expect(translated.body.messages).toEqual([
        {
          role: 'user',
          content: [{ type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}` } }],
        },
      ]);
    }
  });

  it('refuses a document by URL where the target fetches no URL, saying to send it as base64', () => {
    for (const provider of ['openai', 'azure-openai', 'google', 'vertex-ai', 'bedrock']) {
      let error: unknown;
      try {
        translate(
          {
            model: 'm',
            max_tokens: 1,
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'Summarise' },
                  { type: 'document', source: { type: 'url', url: 'https://example.com/paper.pdf' } },
                ],
              },
            ],
          },
          provider,
        );
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toMatchObject({
        code: 'PK_ERR_UNSUPPORTED_FEATURE',
        status: 400,
        param: 'messages.0.content.1.source.url',
        message: `a document by URL (source.type 'url') cannot be translated for provider '${provider}' (it does not speak this API natively): send the file's bytes as base64 data instead (source.type 'base64')`,
      });
    }
  });

  it('refuses a base64 document whose type the target’s adapter cannot read, as the chat route does', () => {
    const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    for (const [provider, mediaType] of [
      ['google', DOCX],
      ['vertex-ai', DOCX],
      ['bedrock', 'application/zip'],
    ] as const) {
      let error: unknown;
      try {
        translate(
          {
            model: 'm',
            max_tokens: 1,
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'Summarise' },
                  { type: 'document', source: { type: 'base64', media_type: mediaType, data: 'UEsDBA==' } },
                ],
              },
            ],
          },
          provider,
        );
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toMatchObject({
        code: 'PK_ERR_UNSUPPORTED_FEATURE',
        status: 400,
        param: 'messages.0.content.1.source.media_type',
        message: `a file of type ${mediaType} cannot be translated for provider '${provider}' (it does not speak this API natively): ${provider} does not read ${mediaType} files`,
      });
    }
    const csvToBedrock = translate(
      {
        model: 'm',
        max_tokens: 1,
        messages: [
          {
            role: 'user',
            content: [{ type: 'document', source: { type: 'base64', media_type: 'text/csv', data: 'YSxi' } }],
          },
        ],
      },
      'bedrock',
    );
    expect(JSON.stringify(csvToBedrock)).toContain('data:text/csv;base64,YSxi');
  });

  it('refuses a document from Anthropic’s Files API, which no other provider can read', () => {
    expect(() =>
      translate(
        {
          model: 'm',
          max_tokens: 1,
          messages: [
            { role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: 'file_011C' } }] },
          ],
        },
        'openai',
      ),
    ).toThrow("a document with a 'file' source");
  });

  it('refuses a malformed request with PK_ERR_INVALID_REQUEST naming the field', () => {
    const missing = refusal({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(missing.code).toBe('PK_ERR_INVALID_REQUEST');
    expect(missing.param).toBe('max_tokens');
    expect(refusal({ model: 'm', max_tokens: 1, messages: [{ role: 'system', content: 'x' }] }).param).toBe(
      'messages.0.role',
    );
  });

  it('carries a tool’s strict: true to chat’s strict function, for the adapter to enforce or warn about', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const translated = translate(
      {
        model: 'gpt-4o',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'Weather?' }],
        tools: [
          { name: 'get_weather', input_schema: schema, strict: true },
          { name: 'get_time', input_schema: { type: 'object' } },
        ],
      },
      'openai',
    );
    expect(JSON.parse(JSON.stringify(translated.body.tools))).toEqual([
      { type: 'function', function: { name: 'get_weather', parameters: schema, strict: true } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
    ]);
  });
});
