import { expect } from 'vitest';
import type { WireFormat } from '../src/test-support/fixtures.js';
import { TINY_PNG } from '../src/test-support/matrix-requests.js';

type Json = Record<string, unknown>;
const PNG_DATA = TINY_PNG.split(',')[1];
const WEATHER_SCHEMA = {
  type: 'object',
  properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
  required: ['location'],
};
const WEATHER_DESCRIPTION = 'Get the current weather in a given location';

function checkCohere(scenario: string, received: Json): void {
  expect(received.model).toBe('test-model');
  const expected: Record<string, Json> = {
    'plain-text': { model: 'test-model', max_tokens: 64, messages: [{ role: 'user', content: 'Hello!' }] },
    'system-multi-turn': {
      model: 'test-model',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'How are you?' },
      ],
    },
    'image-input': {
      model: 'test-model',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image_url', image_url: { url: TINY_PNG } },
          ],
        },
      ],
    },
  };
  if (expected[scenario]) expect(received).toEqual(expected[scenario]);
  if (scenario === 'tools')
    expect(received.tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: WEATHER_DESCRIPTION, parameters: WEATHER_SCHEMA },
      },
    ]);
  if (scenario === 'tool-result')
    expect((received.messages as Json[]).slice(1)).toEqual([
      {
        role: 'assistant',
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' },
          },
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"New York, NY"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '15 degrees, fog' },
      { role: 'tool', tool_call_id: 'call_2', content: '22 degrees, sun' },
    ]);
  if (scenario === 'json-mode')
    expect(received.response_format).toMatchObject({ type: 'json_object', json_schema: expect.any(Object) });
  if (scenario.startsWith('stream')) expect(received.stream).toBe(true);
}

function checkGoogle(scenario: string, received: Json): void {
  const expected: Record<string, Json> = {
    'plain-text': {
      contents: [{ role: 'user', parts: [{ text: 'Hello!' }] }],
      generationConfig: { maxOutputTokens: 64 },
    },
    'system-multi-turn': {
      systemInstruction: { parts: [{ text: 'You are terse.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello.' }] },
        { role: 'user', parts: [{ text: 'How are you?' }] },
      ],
    },
    'image-input': {
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'What is in this image?' },
            { inlineData: { mimeType: 'image/png', data: PNG_DATA } },
          ],
        },
      ],
    },
  };
  if (expected[scenario]) expect(received).toEqual(expected[scenario]);
  if (scenario === 'tools') {
    expect(received.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: WEATHER_DESCRIPTION, parameters: WEATHER_SCHEMA },
        ],
      },
    ]);
    expect(received.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
  }
  if (scenario === 'tool-result')
    expect((received.contents as Json[]).slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { location: 'San Francisco, CA' } } },
          { functionCall: { name: 'get_weather', args: { location: 'New York, NY' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { content: '15 degrees, fog' } } },
          { functionResponse: { name: 'get_weather', response: { content: '22 degrees, sun' } } },
        ],
      },
    ]);
  if (scenario === 'json-mode')
    expect(received.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'object',
        properties: { name: { type: 'string' }, age: { type: 'integer' } },
        required: ['name'],
      },
    });
}

function checkBedrock(scenario: string, received: Json): void {
  const expected: Record<string, Json> = {
    'plain-text': {
      messages: [{ role: 'user', content: [{ text: 'Hello!' }] }],
      inferenceConfig: { maxTokens: 64 },
    },
    'system-multi-turn': {
      system: [{ text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [{ text: 'Hi' }] },
        { role: 'assistant', content: [{ text: 'Hello.' }] },
        { role: 'user', content: [{ text: 'How are you?' }] },
      ],
    },
    'image-input': {
      messages: [
        {
          role: 'user',
          content: [
            { text: 'What is in this image?' },
            { image: { format: 'png', source: { bytes: PNG_DATA } } },
          ],
        },
      ],
    },
  };
  if (expected[scenario]) expect(received).toEqual(expected[scenario]);
  if (scenario === 'tools')
    expect(received.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: WEATHER_DESCRIPTION,
            inputSchema: { json: WEATHER_SCHEMA },
          },
        },
      ],
      toolChoice: { auto: {} },
    });
  if (scenario === 'tool-result')
    expect((received.messages as Json[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { location: 'San Francisco, CA' } } },
          { toolUse: { toolUseId: 'call_2', name: 'get_weather', input: { location: 'New York, NY' } } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'call_1', content: [{ text: '15 degrees, fog' }] } },
          { toolResult: { toolUseId: 'call_2', content: [{ text: '22 degrees, sun' }] } },
        ],
      },
    ]);
  if (scenario === 'json-mode')
    expect((received.toolConfig as Json).toolChoice).toEqual({ tool: { name: 'json_response' } });
}

/** What the Cohere, Gemini (Google and Vertex) and Bedrock mocks must have received per matrix scenario. */
export function checkTranslatedUpstream(format: WireFormat, scenario: string, received: Json): void {
  if (format === 'cohere') checkCohere(scenario, received);
  else if (format === 'google') checkGoogle(scenario, received);
  else if (format === 'bedrock') checkBedrock(scenario, received);
  expect(received).not.toHaveProperty('stream_options');
}
