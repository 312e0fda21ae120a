import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { checkResponsesRequest, responsesToChatRequest } from './to-chat-request.js';

const translate = (body: Record<string, unknown>, provider = 'anthropic') =>
  responsesToChatRequest(body, { provider });
const refusal = (body: Record<string, unknown>): PkError => {
  try {
    translate({ model: 'm', input: 'x', ...body });
  } catch (error) {
    if (error instanceof PkError) return error;
  }
  throw new Error('expected a PkError');
};

const refusalFor = (body: Record<string, unknown>, provider: string): PkError => {
  try {
    translate(body, provider);
  } catch (error) {
    if (error instanceof PkError) return error;
  }
  throw new Error('expected a PkError');
};

describe('responsesToChatRequest', () => {
  it('maps instructions, a string input and sampling parameters', () => {
    expect(
      translate({
        model: 'claude-sonnet-4-20250514',
        instructions: 'Be brief.',
        input: 'Hi',
        max_output_tokens: 200,
        temperature: 0.3,
        top_p: 0.8,
        user: 'u-1',
        metadata: { team: 'a' },
        store: false,
      }),
    ).toEqual({
      body: {
        model: 'claude-sonnet-4-20250514',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        max_tokens: 200,
        temperature: 0.3,
        top_p: 0.8,
        user: 'u-1',
      },
      warnings: [],
    });
    expect(
      translate({ model: 'gpt-4o', input: 'x', max_output_tokens: 5 }, 'azure-openai').body,
    ).toHaveProperty('max_completion_tokens', 5);
  });

  it('keeps several input_text parts as separate text parts, as chat completions does, not glued into one word', () => {
    const { body } = translate({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Translate:' },
            { type: 'input_text', text: 'Bonjour' },
          ],
        },
        { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'call_1',
          output: [
            { type: 'input_text', text: 'Hello' },
            { type: 'input_text', text: 'world' },
          ],
        },
        { role: 'user', content: [{ type: 'input_text', text: 'Thanks.' }] },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Translate:' },
          { type: 'text', text: 'Bonjour' },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
      },
      {
        role: 'tool',
        tool_call_id: 'call_1',
        content: [
          { type: 'text', text: 'Hello' },
          { type: 'text', text: 'world' },
        ],
      },
      { role: 'user', content: 'Thanks.' },
    ]);
  });

  it('maps multi-turn items: roles, parts, images, function calls joined to their turn, outputs', () => {
    const { body, warnings } = translate({
      model: 'm',
      stream: true,
      input: [
        { role: 'developer', content: 'Use tools.' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Weather? ' },
            { type: 'input_text', text: 'In SF.' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'And this?' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' },
          ],
        },
        {
          type: 'message',
          role: 'assistant',
          id: 'msg_1',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Checking.', annotations: [] }],
        },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_1',
          name: 'get_weather',
          arguments: '{"city":"SF"}',
        },
        {
          type: 'function_call',
          id: 'fc_2',
          call_id: 'call_2',
          name: 'get_weather',
          arguments: '{"city":"LA"}',
        },
        { type: 'function_call_output', call_id: 'call_1', output: '15 degrees' },
        {
          type: 'function_call_output',
          call_id: 'call_2',
          output: [{ type: 'input_text', text: '25 degrees' }],
        },
      ],
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'Weather',
          parameters: { type: 'object' },
          strict: true,
        },
      ],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'weather', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'low' },
    });
    expect(body).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Use tools.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather? ' },
            { type: 'text', text: 'In SF.' },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'And this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"SF"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"LA"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '15 degrees' },
        { role: 'tool', tool_call_id: 'call_2', content: '25 degrees' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object' },
            strict: true,
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'weather', schema: { type: 'object' }, strict: true },
      },
      reasoning_effort: 'low',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(warnings).toEqual(['input.4: a reasoning item cannot be sent to anthropic and was dropped']);
  });

  it('maps an input_file’s bytes or URL to chat’s file part, with its filename', () => {
    const pdf = 'data:application/pdf;base64,JVBERi0xLjQK';
    const { body } = translate({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_file', filename: 'report.pdf', file_data: pdf },
            { type: 'input_file', file_url: 'https://example.com/terms.pdf' },
            { type: 'input_text', text: 'Summarise both.' },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'file', file: { file_data: pdf, filename: 'report.pdf' } },
          { type: 'file', file: { file_url: 'https://example.com/terms.pdf' } },
          { type: 'text', text: 'Summarise both.' },
        ],
      },
    ]);
  });

  it('refuses an input_file by URL where the target fetches no URL, and any input_file where it reads no files', () => {
    const withFile = (file: Record<string, unknown>) => ({
      model: 'gemini-2.0-flash',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Summarise' },
            { type: 'input_file', ...file },
          ],
        },
      ],
    });
    const url = { file_url: 'https://example.com/terms.pdf' };
    for (const provider of ['google', 'openai', 'azure-openai', 'bedrock', 'vertex-ai']) {
      const error = refusalFor(withFile(url), provider);
      expect(error.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
      expect(error.status).toBe(400);
      expect(error.param).toBe('input.0.content.1.file_url');
      expect(error.message).toBe(
        `an input_file by file_url cannot be translated for provider '${provider}' (it does not speak this API natively): send the file's bytes as base64 data instead (file_data)`,
      );
    }
    const groq = refusalFor(withFile({ file_data: 'data:application/pdf;base64,JVBERi0=' }), 'groq');
    expect(groq.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
    expect(groq.param).toBe('input.0.content.1');
    expect(groq.message).toContain("an input_file cannot be translated for provider 'groq'");
  });

  it('refuses an input_file whose type the target’s adapter cannot read, as the chat route does', () => {
    const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    const withFile = (fileData: string) => ({
      model: 'gemini-2.0-flash',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Summarise' },
            { type: 'input_file', filename: 'notes.docx', file_data: fileData },
          ],
        },
      ],
    });
    for (const [provider, mediaType] of [
      ['google', DOCX],
      ['anthropic', DOCX],
      ['bedrock', 'application/zip'],
    ] as const) {
      const error = refusalFor(withFile(`data:${mediaType};base64,UEsDBA==`), provider);
      expect(error.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
      expect(error.status).toBe(400);
      expect(error.param).toBe('input.0.content.1.file_data');
      expect(error.message).toBe(
        `a file of type ${mediaType} cannot be translated for provider '${provider}' (it does not speak this API natively): ${provider} does not read ${mediaType} files`,
      );
    }
    const bare = refusalFor(withFile('UEsDBA=='), 'google');
    expect(bare.message).toContain('its file_data is not a base64 data: URL');
  });

  it('refuses a request without input, or with an empty one, naming input as OpenAI does', () => {
    for (const body of [
      { model: 'm' },
      { model: 'm', instructions: 'Be brief.' },
      { model: 'm', input: null },
    ]) {
      const error = refusalFor(body, 'anthropic');
      expect(error.code).toBe('PK_ERR_INVALID_REQUEST');
      expect(error.status).toBe(400);
      expect(error.param).toBe('input');
      expect(error.message).toBe("Missing required parameter: 'input'.");
    }
    const empty = refusalFor({ model: 'm', instructions: 'Be brief.', input: [] }, 'google');
    expect(empty.code).toBe('PK_ERR_INVALID_REQUEST');
    expect(empty.param).toBe('input');
    expect(empty.message).toContain("Invalid 'input': empty array.");
  });

  it('checks before routing that input is given, but for a stored prompt, which may carry it', () => {
    expect(() => checkResponsesRequest({ model: 'gpt-4.1', instructions: 'Be brief.' })).toThrow(
      "Missing required parameter: 'input'.",
    );
    expect(() => checkResponsesRequest({ model: 'gpt-4.1', prompt: { id: 'pmpt_1' } })).not.toThrow();
    expect(() => checkResponsesRequest({ model: 'gpt-4.1', input: 'Hi' })).not.toThrow();
  });

  it('answers what needs OpenAI’s own state or tools with PK_ERR_UNSUPPORTED_FEATURE, naming it', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { previous_response_id: 'resp_1' },
        'previous_response_id',
        'previous_response_id (a stored response)',
      ],
      [{ store: true }, 'store', 'store: true (stored responses)'],
      [{ conversation: 'conv_1' }, 'conversation', 'conversation (a stored conversation)'],
      [{ background: true }, 'background', 'background responses'],
      [{ prompt: { id: 'pmpt_1' } }, 'prompt', 'prompt (a stored prompt template)'],
      [{ tools: [{ type: 'web_search_preview' }] }, 'tools.0', "the built-in tool 'web_search_preview'"],
      [
        { tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'file_search' } },
        'tool_choice',
        "tool_choice of type 'file_search'",
      ],
      [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input.0', 'an item_reference (a stored item)'],
      [
        { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] },
        'input.0.content.0',
        'an input_file by file_id',
      ],
      [
        { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] },
        'input.0.content.0',
        'an input_image by file_id',
      ],
    ];
    for (const [body, param, feature] of cases) {
      const error = refusal(body);
      expect(error.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
      expect(error.status).toBe(400);
      expect(error.param).toBe(param);
      expect(error.message).toContain(feature);
      expect(error.message).toContain("for provider 'anthropic'");
    }
  });

  it('drops unknown parameters with a warning; a malformed body is PK_ERR_INVALID_REQUEST', () => {
    expect(translate({ model: 'm', input: 'x', top_logprobs: 2, truncation: 'auto' }).warnings).toEqual([
      "parameter 'truncation' is not supported by anthropic and was dropped",
      "parameter 'top_logprobs' is not supported by anthropic and was dropped",
    ]);
    const error = refusal({ model: 7 });
    expect(error.code).toBe('PK_ERR_INVALID_REQUEST');
    expect(error.param).toBe('model');
  });

  it('says it drops an image of a function call output, keeping its text', () => {
    const { body, warnings } = translate({
      model: 'm',
      input: [
        { type: 'function_call', call_id: 'c1', name: 'look', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'c1',
          output: [
            { type: 'input_text', text: 'see' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
          ],
        },
      ],
    });
    expect((body.messages as Record<string, unknown>[]).at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'c1',
      content: 'see',
    });
    expect(warnings).toEqual(['input.1: non-text content of a function call output was dropped']);
  });
});
