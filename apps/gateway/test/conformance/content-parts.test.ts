import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from '../server-process.js';
import { HELLO_ANSWER, type ProviderMock, startProviderMock } from '../support/provider-mock.js';
import { FAMILIES, type Family } from './families.js';
import { TINY_PNG_BASE64 } from './harness.js';

// What a content part carries beyond its text (prompt-caching breakpoints, PDF files, an image's detail, several text parts), through the built gateway
// with the official openai SDK: each row names the families that must receive it and what their
// upstream request must then contain, in the family's own wire format.

let gateway: GatewayProcess;
let mock: ProviderMock;
beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startGateway();
});
afterAll(async () => {
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  await mock?.close();
});

function familyOf(id: string): Family {
  const family = FAMILIES.find((candidate) => candidate.id === id);
  if (family === undefined) throw new Error(`no family ${id}`);
  return family;
}

function sdk(family: Family): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: 'unused-the-config-carries-credentials',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-config': JSON.stringify(family.target(mock.url)) },
  });
}

/** Sends `messages` (parts with fields the SDK's types lack) and returns the upstream request's text. */
async function sendThrough(family: Family, messages: unknown[], extra: Record<string, unknown> = {}) {
  const { data, response } = await sdk(family)
    .chat.completions.create({
      model: family.model,
      messages: messages as OpenAI.ChatCompletionMessageParam[],
      ...extra,
    })
    .withResponse();
  expect(data.choices[0]?.message.content).toBe(HELLO_ANSWER);
  const request = mock.received.at(-1);
  expect(request?.format).toBe(family.formats.chat);
  return { text: request?.text ?? '', warnings: response.headers.get('x-pk-warnings') };
}

const cachedSystem = [
  {
    role: 'system',
    content: [
      { type: 'text', text: 'Be kind.' },
      { type: 'text', text: 'The long rules.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ],
  },
  { role: 'user', content: 'Hello!' },
];

describe('chat → prompt caching: a part’s cache_control reaches the provider', () => {
  it.each([
    [
      'anthropic',
      /"system":\[\{"type":"text","text":"Be kind\."\},\{"type":"text","text":"The long rules\.","cache_control":\{"type":"ephemeral","ttl":"1h"\}\}\]/,
    ],
    [
      'vertex-claude',
      /"system":\[\{"type":"text","text":"Be kind\."\},\{"type":"text","text":"The long rules\.","cache_control":\{"type":"ephemeral","ttl":"1h"\}\}\]/,
    ],
    [
      'bedrock-converse',
      /"system":\[\{"text":"Be kind\.\\nThe long rules\."\},\{"cachePoint":\{"type":"default","ttl":"1h"\}\}\]/,
    ],
  ])('%s', async (id, expected) => {
    const { text, warnings } = await sendThrough(familyOf(id), cachedSystem);
    expect(text).toMatch(expected);
    expect(warnings).toBeNull();
  });
});

const PDF_BASE64 = 'JVBERi0xLjQKJSVFT0YK';
const pdfQuestion = [
  {
    role: 'user',
    content: [
      { type: 'text', text: 'Summarize this document.' },
      {
        type: 'file',
        file: { filename: 'report.pdf', file_data: `data:application/pdf;base64,${PDF_BASE64}` },
      },
    ],
  },
];

describe('chat → a PDF file part reaches the provider as its own document', () => {
  it.each([
    [
      'anthropic',
      /"type":"document","source":\{"type":"base64","media_type":"application\/pdf","data":"JVBERi0xLjQKJSVFT0YK"\}/,
    ],
    [
      'vertex-claude',
      /"type":"document","source":\{"type":"base64","media_type":"application\/pdf","data":"JVBERi0xLjQKJSVFT0YK"\}/,
    ],
    [
      'bedrock-converse',
      /"document":\{"format":"pdf","name":"report","source":\{"bytes":"JVBERi0xLjQKJSVFT0YK"\}\}/,
    ],
    ['google', /"inlineData":\{"mimeType":"application\/pdf","data":"JVBERi0xLjQKJSVFT0YK"\}/],
    ['vertex-gemini', /"inlineData":\{"mimeType":"application\/pdf","data":"JVBERi0xLjQKJSVFT0YK"\}/],
  ])('%s', async (id, expected) => {
    const { text, warnings } = await sendThrough(familyOf(id), pdfQuestion);
    expect(text).toMatch(expected);
    expect(warnings).toBeNull();
  });
});

describe('chat → an image part’s detail reaches the provider', () => {
  it.each([
    ['openai', /"image_url":\{"url":"data:image\/png;base64,[^"]+","detail":"low"\}/],
    ['cohere', /"image_url":\{"url":"data:image\/png;base64,[^"]+","detail":"low"\}/],
  ])('%s', async (id, expected) => {
    const { text } = await sendThrough(familyOf(id), [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this image?' },
          {
            type: 'image_url',
            image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}`, detail: 'low' },
          },
        ],
      },
    ]);
    expect(text).toMatch(expected);
  });
});

describe('responses → several input_text parts reach a translated provider as separate texts', () => {
  it.each([
    ['anthropic', /"content":\[\{"type":"text","text":"Translate:"\},\{"type":"text","text":"Bonjour"\}\]/],
    ['google', /"parts":\[\{"text":"Translate:"\},\{"text":"Bonjour"\}\]/],
    ['bedrock-converse', /"content":\[\{"text":"Translate:"\},\{"text":"Bonjour"\}\]/],
    ['cohere', /"content":\[\{"type":"text","text":"Translate:"\},\{"type":"text","text":"Bonjour"\}\]/],
  ])('%s', async (id, expected) => {
    const family = familyOf(id);
    const response = await sdk(family).responses.create({
      model: family.model,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Translate:' },
            { type: 'input_text', text: 'Bonjour' },
          ],
        },
      ],
    });
    expect(response.output_text).toBe(HELLO_ANSWER);
    const request = mock.received.at(-1);
    expect(request?.format).toBe(family.formats.responses);
    expect(request?.text).toMatch(expected);
  });
});

describe('responses → an input_file PDF reaches a translated provider as its own document', () => {
  it.each([
    [
      'anthropic',
      /"type":"document","source":\{"type":"base64","media_type":"application\/pdf","data":"JVBERi0xLjQKJSVFT0YK"\}/,
    ],
    [
      'bedrock-converse',
      /"document":\{"format":"pdf","name":"report","source":\{"bytes":"JVBERi0xLjQKJSVFT0YK"\}\}/,
    ],
    ['google', /"inlineData":\{"mimeType":"application\/pdf","data":"JVBERi0xLjQKJSVFT0YK"\}/],
  ])('%s', async (id, expected) => {
    const family = familyOf(id);
    const { data: response, response: answer } = await sdk(family)
      .responses.create({
        model: family.model,
        input: [
          {
            role: 'user',
            content: [
              {
                type: 'input_file',
                filename: 'report.pdf',
                file_data: 'data:application/pdf;base64,JVBERi0xLjQKJSVFT0YK',
              },
              { type: 'input_text', text: 'Summarise it.' },
            ],
          },
        ],
      })
      .withResponse();
    expect(response.output_text).toBe(HELLO_ANSWER);
    const request = mock.received.at(-1);
    expect(request?.format).toBe(family.formats.responses);
    expect(request?.text).toMatch(expected);
    expect(answer.headers.get('x-pk-warnings')).toBeNull();
  });
});

describe('messages → a document block reaches a translated provider as its own file', () => {
  function anthropicSdk(family: Family): Anthropic {
    return new Anthropic({
      baseURL: gateway.url,
      apiKey: 'unused-the-config-carries-credentials',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-config': JSON.stringify(family.target(mock.url)) },
    });
  }

  it.each([
    [
      'openai',
      /"content":\[\{"type":"file","file":\{"file_data":"data:application\/pdf;base64,JVBERi0xLjQKJSVFT0YK","filename":"report\.pdf"\}\},\{"type":"text","text":"Summarise it\."\}\]/,
    ],
    [
      'bedrock-converse',
      /"document":\{"format":"pdf","name":"report","source":\{"bytes":"JVBERi0xLjQKJSVFT0YK"\}\}/,
    ],
    ['google', /"inlineData":\{"mimeType":"application\/pdf","data":"JVBERi0xLjQKJSVFT0YK"\}/],
  ])('%s', async (id, expected) => {
    const family = familyOf(id);
    const { data: message, response } = await anthropicSdk(family)
      .messages.create({
        model: family.model,
        max_tokens: 256,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                title: 'report.pdf',
                source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQKJSVFT0YK' },
              },
              { type: 'text', text: 'Summarise it.' },
            ],
          },
        ],
      })
      .withResponse();
    expect(message.content).toMatchObject([{ type: 'text', text: HELLO_ANSWER }]);
    const request = mock.received.at(-1);
    expect(request?.format).toBe(family.formats.messages);
    expect(request?.text).toMatch(expected);
    expect(response.headers.get('x-pk-warnings')).toBeNull();
  });

  it('a provider that reads no files refuses the document with a 400 naming it, before any call', async () => {
    const family = familyOf('groq');
    const before = mock.received.length;
    const error = await anthropicSdk(family)
      .messages.create({
        model: family.model,
        max_tokens: 256,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQKJSVFT0YK' },
              },
            ],
          },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).message).toContain(
      "a 'document' content block cannot be translated for provider 'groq'",
    );
    expect(mock.received.length).toBe(before);
  });
});

describe('chat → what a target cannot take is refused before any call, as on the dialects', () => {
  const contractByUrl = [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Summarize the attached contract' },
        { type: 'file', file: { file_url: 'https://example.com/contract.pdf' } },
      ],
    },
  ];

  /** Sends through `config`, expecting the openai SDK's 400; the mock must have received nothing. */
  async function refusalThrough(config: Record<string, unknown>, body: Record<string, unknown>) {
    const before = mock.received.length;
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'unused-the-config-carries-credentials',
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-config': JSON.stringify(config) },
    });
    const error = await client.chat.completions
      .create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(mock.received.length).toBe(before);
    return error as InstanceType<typeof OpenAI.BadRequestError>;
  }

  it.each([
    ['google', 'google'],
    ['vertex-gemini', 'vertex-ai'],
    ['bedrock-converse', 'bedrock'],
    ['openai', 'openai'],
  ])(
    'a file by URL to %s is a 400 naming the part, not dropped or sent in a field it lacks',
    async (id, provider) => {
      const family = familyOf(id);
      const error = await refusalThrough(family.target(mock.url), {
        model: family.model,
        messages: contractByUrl,
      });
      expect(error.status).toBe(400);
      expect(error.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
      expect(error.param).toBe('messages[0].content[1]');
      expect(error.message).toBe(
        `400 a file by URL (file_url) at messages[0].content[1] cannot be sent to provider '${provider}': send the file's bytes as base64 data instead (file_data)`,
      );
    },
  );

  it('a file to a provider that reads none, and a type Claude cannot read, are refused the same way', async () => {
    const groq = familyOf('groq');
    const toGroq = await refusalThrough(groq.target(mock.url), { model: groq.model, messages: pdfQuestion });
    expect(toGroq.message).toBe(
      "400 a file content part at messages[0].content[1] cannot be sent to provider 'groq': groq reads no files",
    );
    const anthropic = familyOf('anthropic');
    const csv = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Total the second column.' },
          { type: 'file', file: { filename: 'sales.csv', file_data: 'data:text/csv;base64,YSwxCmIsMgo=' } },
        ],
      },
    ];
    const toClaude = await refusalThrough(anthropic.target(mock.url), {
      model: anthropic.model,
      messages: csv,
    });
    expect(toClaude.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
    expect(toClaude.message).toBe(
      "400 a file of type text/csv at messages[0].content[1] cannot be sent to provider 'anthropic': anthropic does not read text/csv files",
    );
  });

  it.each([
    ['openai', 'openai', 4],
    ['groq', 'groq', 4],
    ['google', 'google', 5],
    ['cohere', 'cohere', 5],
  ])(
    'more stop sequences than %s takes are a 400 with its limit, not the vendor’s error',
    async (id, provider, limit) => {
      const family = familyOf(id);
      const error = await refusalThrough(family.target(mock.url), {
        model: family.model,
        messages: [{ role: 'user', content: 'Count to ten' }],
        stop: ['1', '2', '3', '4', '5', '6'],
      });
      expect(error.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
      expect(error.param).toBe('stop');
      expect(error.message).toBe(
        `400 6 stop sequences at stop cannot be sent to provider '${provider}': ${provider} takes at most ${limit}; send at most ${limit}`,
      );
    },
  );

  it('in a fallback the refused target is one failed attempt: the next target that takes the file answers', async () => {
    const google = familyOf('google');
    const anthropic = familyOf('anthropic');
    const before = mock.received.length;
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'unused-the-config-carries-credentials',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-config': JSON.stringify({
          strategy: { mode: 'fallback' },
          targets: [
            { ...google.target(mock.url), override_params: { model: google.model } },
            { ...anthropic.target(mock.url), override_params: { model: anthropic.model } },
          ],
        }),
      },
    });
    const { data, response } = await client.chat.completions
      .create({ model: 'any', messages: contractByUrl as OpenAI.ChatCompletionMessageParam[] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(HELLO_ANSWER);
    expect(response.headers.get('x-portkey-provider')).toBe('anthropic');
    expect(mock.received.length).toBe(before + 1);
    const sent = mock.received.at(-1);
    expect(sent?.format).toBe('anthropic');
    expect(sent?.text).toContain('"source":{"type":"url","url":"https://example.com/contract.pdf"}');
  });

  it('strict: true reaches OpenAI as sent, and Claude with a warning that its tool schema is not enforced', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
      additionalProperties: false,
    };
    const extra = {
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
    };
    const question = [{ role: 'user', content: 'Name a computing pioneer as JSON' }];
    const openai = familyOf('openai');
    const { response: fromOpenAI } = await sdk(openai)
      .chat.completions.create({
        model: openai.model,
        messages: question as OpenAI.ChatCompletionMessageParam[],
        ...extra,
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    expect(mock.received.at(-1)?.body.response_format).toEqual(extra.response_format);
    expect(fromOpenAI.headers.get('x-pk-warnings')).toBeNull();
    for (const [id, provider] of [
      ['anthropic', 'anthropic'],
      ['vertex-claude', 'vertex-ai'],
      ['bedrock-converse', 'bedrock'],
    ] as const) {
      const family = familyOf(id);
      const { response } = await sdk(family)
        .chat.completions.create({
          model: family.model,
          messages: question as OpenAI.ChatCompletionMessageParam[],
          ...extra,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming)
        .withResponse();
      expect(mock.received.at(-1)?.format).toBe(family.formats.chat);
      expect(response.headers.get('x-pk-warnings')).toBe(
        `response_format.json_schema.strict is not supported by ${provider} (the schema is sent as a tool's input schema, which ${provider} does not enforce), so the answer is not guaranteed to match it`,
      );
    }
  });

  it('a tool’s strict: true reaches OpenAI and Anthropic, and the others with a warning that it was dropped', async () => {
    const parameters = {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
      additionalProperties: false,
    };
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', parameters, strict: true } },
    ];
    const question = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const ask = (family: Family) =>
      sdk(family)
        .chat.completions.create({
          model: family.model,
          messages: question as OpenAI.ChatCompletionMessageParam[],
          tools,
        })
        .withResponse();
    const { response: fromOpenAI } = await ask(familyOf('openai'));
    expect(mock.received.at(-1)?.body.tools).toEqual(tools);
    expect(fromOpenAI.headers.get('x-pk-warnings')).toBeNull();
    const { response: fromAnthropic } = await ask(familyOf('anthropic'));
    expect(mock.received.at(-1)?.format).toBe('anthropic');
    expect(mock.received.at(-1)?.body.tools).toEqual([
      { name: 'get_weather', input_schema: parameters, strict: true },
    ]);
    expect(fromAnthropic.headers.get('x-pk-warnings')).toBeNull();
    for (const [id, provider] of [
      ['vertex-claude', 'vertex-ai'],
      ['bedrock-converse', 'bedrock'],
      ['google', 'google'],
      ['vertex-gemini', 'vertex-ai'],
    ] as const) {
      const family = familyOf(id);
      const { response } = await ask(family);
      const sent = mock.received.at(-1);
      expect(sent?.format).toBe(family.formats.chat);
      expect(sent?.text).toContain('get_weather');
      expect(sent?.text).not.toContain('strict');
      expect(response.headers.get('x-pk-warnings')).toBe(
        `tools[0].function.strict is not supported by ${provider} and was dropped: the arguments of a call to 'get_weather' are not guaranteed to match its parameters`,
      );
    }
  });
});
