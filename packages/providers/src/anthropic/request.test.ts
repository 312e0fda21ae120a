import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { preparedChat, testContext } from '../test-support/context.js';
import { readJsonFixture } from '../test-support/fixtures.js';
import { STRICT_WEATHER_TOOLS } from '../test-support/strict-tools.js';
import { toAnthropicRequest } from './request.js';

const context = testContext('anthropic', { provider: 'anthropic', api_key: 'sk-ant-test' });
const send = (body: Record<string, unknown>, target = {}) => {
  const built = toAnthropicRequest(preparedChat('anthropic', body, target), context);
  return { ...built, body: JSON.parse(String(built.upstream.body)) as Record<string, unknown> };
};

describe('toAnthropicRequest', () => {
  it('sends the documented "plain text" example field for field', () => {
    const documented = readJsonFixture('anthropic', 'request-text.json');
    const { upstream, body, warnings } = send({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Hello, world' }],
    });
    expect(upstream.url).toBe('https://api.anthropic.com/v1/messages');
    expect(upstream.headers).toEqual({
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'x-api-key': 'sk-ant-test',
    });
    expect(body).toEqual(documented);
    expect(warnings).toEqual([]);
  });

  it('sends the documented "tools" example field for field', () => {
    const documented = readJsonFixture('anthropic', 'request-tools.json');
    const { body } = send({
      model: 'claude-opus-4-1-20250805',
      max_completion_tokens: 1024,
      messages: [{ role: 'user', content: 'What is the weather like in San Francisco?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Get the current weather in a given location',
            parameters: {
              type: 'object',
              properties: {
                location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
              },
              required: ['location'],
            },
          },
        },
      ],
    });
    expect(body).toEqual(documented);
  });

  it('tells the client strict mode is not enforced: the schema becomes a tool’s input schema', () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
      additionalProperties: false,
    };
    const strict = (value: boolean) =>
      send({
        model: 'claude-sonnet-4-20250514',
        messages: [{ role: 'user', content: 'Name a pioneer' }],
        response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: value } },
      });
    const { body, warnings } = strict(true);
    expect(body.tools).toEqual([
      { name: 'json_response', description: 'Respond with a JSON object (person).', input_schema: schema },
    ]);
    expect(warnings).toEqual([
      "response_format.json_schema.strict is not supported by anthropic (the schema is sent as a tool's input schema, which anthropic does not enforce), so the answer is not guaranteed to match it",
    ]);
    expect(strict(false).warnings).toEqual([]);
  });

  it('refuses n > 1 with a 400 naming the parameter', () => {
    const run = () => send({ model: 'm', n: 2, messages: [{ role: 'user', content: 'hi' }] });
    expect(run).toThrow(PkError);
    expect(run).toThrow(expect.objectContaining({ status: 400, param: 'n' }));
  });

  it('drops what Anthropic lacks with warnings, and maps stop, user, tool_choice and parallel_tool_calls', () => {
    const { body, warnings } = send({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      seed: 7,
      frequency_penalty: 0.5,
      logprobs: false,
      stop: 'END',
      user: 'u-1',
      temperature: 1.5,
      tools: [{ type: 'function', function: { name: 'f' } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    expect(warnings).toEqual([
      'temperature above 1 is not supported by anthropic and was lowered to 1',
      "parameter 'seed' is not supported by anthropic and was dropped",
      "parameter 'frequency_penalty' is not supported by anthropic and was dropped",
    ]);
    expect(body).toMatchObject({
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      temperature: 1,
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      tools: [{ name: 'f', input_schema: { type: 'object', properties: {} } }],
    });
  });

  it('sends thinking blocks back with their signature and merges provider_options.anthropic only', () => {
    const { body } = send({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          thinking_blocks: [{ type: 'thinking', thinking: 'I should call get_weather.', signature: 'sig-1' }],
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
      ],
      provider_options: {
        anthropic: { thinking: { type: 'enabled', budget_tokens: 2048 } },
        openai: { service_tier: 'flex' },
      },
    });
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(body).not.toHaveProperty('service_tier');
    expect(body).not.toHaveProperty('provider_options');
    expect((body.messages as unknown[])[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should call get_weather.', signature: 'sig-1' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
      ],
    });
  });

  it('turns an https image into a url source', () => {
    const { body } = send({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }],
      },
    ]);
  });

  it('sends the documented prompt-caching example: a system part’s cache_control makes system a list of blocks', () => {
    const documented = readJsonFixture('anthropic', 'request-prompt-caching.json');
    const { body, warnings } = send({
      model: 'claude-opus-4-1-20250805',
      max_tokens: 1024,
      messages: [
        {
          role: 'system',
          content: [
            {
              type: 'text',
              text: 'You are an AI assistant tasked with analyzing literary works. Your goal is to provide insightful commentary on themes, characters, and writing style.\n',
            },
            {
              type: 'text',
              text: "<the entire contents of 'Pride and Prejudice'>",
              cache_control: { type: 'ephemeral' },
            },
          ],
        },
        { role: 'user', content: "Analyze the major themes in 'Pride and Prejudice'." },
      ],
    });
    expect(body).toEqual(documented);
    expect(warnings).toEqual([]);
  });

  it('keeps cache_control (with its ttl) on tools, user text and image parts, tool calls and tool results', () => {
    const oneHour = { type: 'ephemeral', ttl: '1h' };
    const ephemeral = { type: 'ephemeral' };
    const { body, warnings } = send({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.', cache_control: oneHour },
        {
          role: 'user',
          content: [
            {
              type: 'image_url',
              image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' },
              cache_control: ephemeral,
            },
            { type: 'text', text: 'Describe it.', cache_control: ephemeral },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{}' },
              cache_control: ephemeral,
            },
          ],
        },
        {
          role: 'tool',
          tool_call_id: 'toolu_1',
          content: [{ type: 'text', text: '18C', cache_control: ephemeral }],
        },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'rain', cache_control: ephemeral },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather' }, cache_control: oneHour }],
    });
    expect(warnings).toEqual([]);
    expect(body.system).toEqual([{ type: 'text', text: 'Be brief.', cache_control: oneHour }]);
    expect(body.tools).toEqual([
      { name: 'get_weather', input_schema: { type: 'object', properties: {} }, cache_control: oneHour },
    ]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          {
            type: 'image',
            source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
            cache_control: ephemeral,
          },
          { type: 'text', text: 'Describe it.', cache_control: ephemeral },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {}, cache_control: ephemeral },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_1',
            content: [{ type: 'text', text: '18C', cache_control: ephemeral }],
          },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'rain', cache_control: ephemeral },
        ],
      },
    ]);
  });

  it('keeps the system one string, as before, when no part carries cache_control', () => {
    const { body } = send({
      model: 'm',
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'One.' },
            { type: 'text', text: 'Two.' },
          ],
        },
        { role: 'developer', content: 'Three.' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(body.system).toBe('One.\nTwo.\n\nThree.');
    expect(body.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('sends an OpenAI PDF file part as the documented base64 document block', () => {
    const { body, warnings } = send({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 1024,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'file',
              file: { filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQKJSVFT0YK' },
            },
            { type: 'text', text: 'What are the key findings in this document?' },
          ],
        },
      ],
    });
    expect(body).toEqual(readJsonFixture('anthropic', 'request-pdf.json'));
    expect(warnings).toEqual([]);
  });

  it('sends plain text as a text document, an https file_url as a url document, keeps cache_control, and warns on the rest', () => {
    const { body, warnings } = send({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'file', file: { file_data: `data:text/plain;base64,${btoa('Grass is green.')}` } },
            {
              type: 'file',
              file: { file_url: 'https://example.com/report.pdf' },
              cache_control: { type: 'ephemeral' },
            },
            { type: 'file', file: { mime_type: 'application/pdf', file_data: 'JVBERi0xLjQKJSVFT0YK' } },
            { type: 'file', file: { file_id: 'file-abc123' } },
            { type: 'file', file: { file_data: 'data:application/zip;base64,UEsDBA==' } },
            { type: 'text', text: 'Summarise.' },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Grass is green.' } },
          {
            type: 'document',
            source: { type: 'url', url: 'https://example.com/report.pdf' },
            cache_control: { type: 'ephemeral' },
          },
          {
            type: 'document',
            source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQKJSVFT0YK' },
          },
          { type: 'text', text: 'Summarise.' },
        ],
      },
    ]);
    expect(warnings).toEqual([
      "content part 'file' (a file_id names a file uploaded to OpenAI) is not supported by anthropic and was dropped",
      "content part 'file' (application/zip) is not supported by anthropic and was dropped",
    ]);
  });

  it('passes extended thinking and top_k through, as Portkey does; reasoning_effort is dropped with a warning', () => {
    const thinking = { type: 'enabled', budget_tokens: 2048 };
    const { body, warnings } = send({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      thinking,
      top_k: 40,
      reasoning_effort: 'low',
    });
    expect(body).toMatchObject({ thinking, top_k: 40 });
    expect(body).not.toHaveProperty('reasoning_effort');
    expect(warnings).toEqual(["parameter 'reasoning_effort' is not supported by anthropic and was dropped"]);
  });

  it('sends a tool’s strict: true to Anthropic, which holds the call’s input to the schema', () => {
    const { body, warnings } = send({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: STRICT_WEATHER_TOOLS,
    });
    expect((body.tools as Record<string, unknown>[]).map((tool) => tool.strict)).toEqual([true, undefined]);
    expect(warnings).toEqual([]);
  });
});
