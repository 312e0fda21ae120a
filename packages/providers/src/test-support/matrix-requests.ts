/** The OpenAI requests of the translation matrix, by scenario id. */

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
      required: ['location'],
    },
  },
} as const;

/** A 1×1 transparent PNG as a data URL. */
export const TINY_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** Matrix scenario id → OpenAI chat request body. */
export const MATRIX_REQUESTS: Readonly<Record<string, Record<string, unknown>>> = {
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
  tools: {
    model: 'test-model',
    messages: [{ role: 'user', content: 'What is the weather like in San Francisco?' }],
    tools: [WEATHER_TOOL],
    tool_choice: 'auto',
  },
  'tool-result': {
    model: 'test-model',
    messages: [
      { role: 'user', content: 'Weather in SF and NYC?' },
      {
        role: 'assistant',
        content: null,
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
    ],
    tools: [WEATHER_TOOL],
  },
  'json-mode': {
    model: 'test-model',
    messages: [{ role: 'user', content: 'Give me a person as JSON.' }],
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'person',
        schema: {
          type: 'object',
          properties: { name: { type: 'string' }, age: { type: 'integer' } },
          required: ['name'],
        },
      },
    },
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
  'stream-usage': {
    model: 'test-model',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Hello!' }],
  },
  'stream-tool-call': {
    model: 'test-model',
    stream: true,
    messages: [{ role: 'user', content: 'What is the weather like in San Francisco?' }],
    tools: [WEATHER_TOOL],
  },
  error: { model: 'test-model', messages: [{ role: 'user', content: 'Hello!' }] },
};
