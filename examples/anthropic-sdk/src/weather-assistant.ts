import type Anthropic from '@anthropic-ai/sdk';

/** The one tool of the example: what a real app would implement against a weather service. */
export const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  input_schema: {
    type: 'object',
    properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
    required: ['location'],
  },
};

/** The example's stand-in for a weather service. */
export function lookUpWeather(input: unknown): string {
  const location = (input as { location?: unknown }).location;
  return `15 degrees and foggy in ${typeof location === 'string' ? location : 'that place'}`;
}

/** What one question cost and returned. */
export interface WeatherAnswer {
  readonly text: string;
  /** The tool calls the model made, in order. */
  readonly toolCalls: readonly { readonly name: string; readonly input: unknown }[];
  readonly usage: { readonly input_tokens: number; readonly output_tokens: number };
}

/**
 * Asks a weather question the way an Anthropic SDK app does: `messages.stream` with a tool, the
 * tool run locally, its result sent back, until the model answers in text. Nothing here knows about
 * pk: the client's `baseURL` (or `ANTHROPIC_BASE_URL`) and headers decide where it goes.
 */
export async function askWeather(client: Anthropic, model: string, question: string): Promise<WeatherAnswer> {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: question }];
  const toolCalls: { name: string; input: unknown }[] = [];
  const usage = { input_tokens: 0, output_tokens: 0 };
  for (let turn = 0; turn < 4; turn += 1) {
    const message = await client.messages
      .stream({ model, max_tokens: 1024, tools: [weatherTool], messages })
      .finalMessage();
    usage.input_tokens += message.usage.input_tokens;
    usage.output_tokens += message.usage.output_tokens;
    const calls = message.content.filter((block) => block.type === 'tool_use');
    if (message.stop_reason !== 'tool_use' || calls.length === 0) {
      const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      return { text, toolCalls, usage };
    }
    messages.push({ role: 'assistant', content: message.content });
    messages.push({
      role: 'user',
      content: calls.map((call) => {
        toolCalls.push({ name: call.name, input: call.input });
        return { type: 'tool_result' as const, tool_use_id: call.id, content: lookUpWeather(call.input) };
      }),
    });
  }
  throw new Error('the model kept calling tools');
}
