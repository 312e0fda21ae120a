import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'vitest';
import { HELLO_ANSWER, PERSON_JSON, WEATHER_ANSWER, WEATHER_CALL } from '../support/provider-mock.js';
import { GEMINI_THOUGHT_SIGNATURE } from '../support/provider-mock-formats.js';
import { type Cell, type CellCases, conformanceSuite, TINY_PNG_BASE64 } from './harness.js';
import { expectImageSent, expectJsonAsked, expectToolsOffered, expectUpstream } from './upstream-checks.js';

// The Anthropic Messages dialect × every provider family: the official Anthropic SDK through the built
// gateway. Each case below is one row of the conformance matrix in the README (one cell per family).

function sdk(cell: Cell): Anthropic {
  return new Anthropic({
    baseURL: cell.gatewayUrl,
    apiKey: 'unused-the-config-carries-credentials',
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-config': cell.config },
  });
}

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const question: Anthropic.MessageParam = { role: 'user', content: 'What is the weather in San Francisco?' };
const hello: Anthropic.MessageParam = { role: 'user', content: 'Hello!' };

function textOf(message: Anthropic.Message): string {
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/**
 * Gemini's function call came with a thought signature, and the next turn gave it back on its part
 * (Gemini 3 refuses the turn without it): the Messages dialect has no field for it, so it rides in the
 * tool_use id the client echoes.
 */
function expectThoughtSignatureBack(cell: Cell): void {
  if (cell.family.formats.messages !== 'gemini') return;
  expect(cell.mock.received.at(-1)?.text).toContain(`"thoughtSignature":"${GEMINI_THOUGHT_SIGNATURE}"`);
}

const CASES: CellCases = {
  text: async (cell) => {
    const message = await sdk(cell).messages.create({
      model: cell.family.model,
      max_tokens: 256,
      system: 'Be kind.',
      messages: [hello],
    });
    expect(message).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn' });
    expect(textOf(message)).toBe(HELLO_ANSWER);
    expectUpstream(cell.mock.received, cell.family, 'messages', { stream: false });
  },
  stream: async (cell) => {
    const stream = sdk(cell).messages.stream({
      model: cell.family.model,
      max_tokens: 256,
      messages: [hello],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe(HELLO_ANSWER);
    expect(final.stop_reason).toBe('end_turn');
    expectUpstream(cell.mock.received, cell.family, 'messages', { stream: true });
  },
  tools: async (cell) => {
    const client = sdk(cell);
    const first = await client.messages.create({
      model: cell.family.model,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [question],
    });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((block) => block.type === 'tool_use');
    expect(call).toMatchObject({ name: 'get_weather', input: WEATHER_CALL.input });
    expectToolsOffered(expectUpstream(cell.mock.received, cell.family, 'messages'));
    const second = await client.messages.create({
      model: cell.family.model,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        question,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: call?.type === 'tool_use' ? call.id : '',
              content: '15 degrees, fog',
            },
          ],
        },
      ],
    });
    expect(textOf(second)).toBe(WEATHER_ANSWER);
    expect(cell.mock.received.at(-1)?.text).toContain('15 degrees, fog');
    // Every tool_use id is one Anthropic's API accepts back (it validates them).
    expect(call?.type === 'tool_use' ? call.id : '').toMatch(/^[a-zA-Z0-9_-]+$/);
    expectThoughtSignatureBack(cell);
  },
  streamedTools: async (cell) => {
    const stream = sdk(cell).messages.stream({
      model: cell.family.model,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [question],
    });
    let json = '';
    stream.on('inputJson', (partial) => {
      json += partial;
    });
    const final = await stream.finalMessage();
    expect(JSON.parse(json)).toEqual(WEATHER_CALL.input);
    expect(final.content.find((block) => block.type === 'tool_use')).toMatchObject({
      name: 'get_weather',
      input: WEATHER_CALL.input,
    });
    expect(final.stop_reason).toBe('tool_use');
    expectToolsOffered(expectUpstream(cell.mock.received, cell.family, 'messages', { stream: true }));
    if (cell.family.formats.messages !== 'gemini') return;
    const call = final.content.find((block) => block.type === 'tool_use');
    await sdk(cell).messages.create({
      model: cell.family.model,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        question,
        { role: 'assistant', content: final.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: call?.type === 'tool_use' ? call.id : '', content: 'fog' },
          ],
        },
      ],
    });
    expectThoughtSignatureBack(cell);
  },
  images: async (cell) => {
    const message = await sdk(cell).messages.create({
      model: cell.family.model,
      max_tokens: 256,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 } },
          ],
        },
      ],
    });
    expect(textOf(message)).toBe(HELLO_ANSWER);
    expectImageSent(expectUpstream(cell.mock.received, cell.family, 'messages'));
  },
  jsonMode: async (cell) => {
    const message = await sdk(cell).messages.create({
      model: cell.family.model,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Give me a person.' }],
      output_config: {
        format: {
          type: 'json_schema',
          schema: {
            type: 'object',
            properties: { name: { type: 'string' }, age: { type: 'integer' } },
            required: ['name', 'age'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(JSON.parse(textOf(message))).toEqual(PERSON_JSON);
    expectJsonAsked(expectUpstream(cell.mock.received, cell.family, 'messages'));
  },
  usage: async (cell) => {
    const client = sdk(cell);
    const created = await client.messages.create({
      model: cell.family.model,
      max_tokens: 256,
      messages: [hello],
    });
    expect(created.usage).toMatchObject({ input_tokens: 25, output_tokens: 12 });
    const streamed = await client.messages
      .stream({ model: cell.family.model, max_tokens: 256, messages: [hello] })
      .finalMessage();
    expect(streamed.usage).toMatchObject({ input_tokens: 25, output_tokens: 12 });
    expectUpstream(cell.mock.received, cell.family, 'messages', { stream: true });
  },
};

conformanceSuite('messages', CASES);
