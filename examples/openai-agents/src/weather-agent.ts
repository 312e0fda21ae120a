import { Agent, OpenAIChatCompletionsModel, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';

/** Where the pk gateway runs and which provider it should call. */
export interface PkAgentOptions {
  /** The gateway, e.g. `http://127.0.0.1:8787`. */
  readonly gatewayUrl: string;
  /** A Portkey provider id (`openai`, `anthropic`, `groq` …). */
  readonly provider: string;
  /** The provider's API key; pk sends it to the provider in the provider's own auth header. */
  readonly providerApiKey: string;
  /** The provider's model name. */
  readonly model: string;
  /** Optional: a different host for the provider (a proxy, a private deployment). */
  readonly customHost?: string;
}

/** The tool the agent can call. A real one would ask a weather service. */
export const getWeather = tool({
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny, 24 °C in ${city}.`,
});

/**
 * An agent whose model calls go through pk: the Agents SDK's Chat Completions model over an `openai`
 * client pointed at pk's `/v1`, with the provider named in Portkey's headers. Tracing is off because
 * its exporter would send traces to OpenAI's platform, which pk's users may not want.
 */
export function createWeatherAgent(options: PkAgentOptions): Agent {
  setTracingDisabled(true);
  const client = new OpenAI({
    baseURL: `${options.gatewayUrl}/v1`,
    apiKey: options.providerApiKey,
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-provider': options.provider,
      ...(options.customHost === undefined ? {} : { 'x-portkey-custom-host': options.customHost }),
    },
  });
  return new Agent({
    name: 'Weather assistant',
    instructions: 'Answer weather questions with the get_weather tool, in one sentence.',
    tools: [getWeather],
    model: new OpenAIChatCompletionsModel(client, options.model),
  });
}
