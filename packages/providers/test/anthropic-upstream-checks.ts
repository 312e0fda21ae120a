import { expect } from 'vitest';
import { TINY_PNG } from '../src/test-support/matrix-requests.js';

/** What the Anthropic mock must have received for each matrix scenario. */
export function checkAnthropicUpstream(
  scenario: string,
  _sent: Record<string, unknown>,
  received: Record<string, unknown>,
): void {
  expect(received.model).toBe('test-model');
  expect(received.max_tokens).toEqual(expect.any(Number));
  switch (scenario) {
    case 'plain-text':
      expect(received).toEqual({
        model: 'test-model',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Hello!' }],
      });
      break;
    case 'system-multi-turn':
      expect(received.system).toBe('You are terse.');
      expect(received.messages).toEqual([
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'How are you?' },
      ]);
      break;
    case 'tools':
      expect(received.tools).toEqual([
        {
          name: 'get_weather',
          description: 'Get the current weather in a given location',
          input_schema: {
            type: 'object',
            properties: {
              location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
            },
            required: ['location'],
          },
        },
      ]);
      expect(received.tool_choice).toEqual({ type: 'auto' });
      break;
    case 'tool-result':
      expect(received.messages).toEqual([
        { role: 'user', content: 'Weather in SF and NYC?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'San Francisco, CA' } },
            { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { location: 'New York, NY' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '15 degrees, fog' },
            { type: 'tool_result', tool_use_id: 'call_2', content: '22 degrees, sun' },
          ],
        },
      ]);
      break;
    case 'json-mode':
      expect(received.tool_choice).toEqual({ type: 'tool', name: 'json_response' });
      expect(received.tools).toEqual([expect.objectContaining({ name: 'json_response' })]);
      break;
    case 'image-input':
      expect(received.messages).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/png', data: TINY_PNG.split(',')[1] },
            },
          ],
        },
      ]);
      break;
    case 'stream-usage':
    case 'stream-tool-call':
      expect(received.stream).toBe(true);
      expect(received).not.toHaveProperty('stream_options');
      break;
    default:
      break;
  }
}
