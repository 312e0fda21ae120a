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
