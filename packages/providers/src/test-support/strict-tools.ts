/**
 * A chat request's tools for the strict-tool tests of each adapter: `get_weather` with `strict: true`
 * (a schema strict mode accepts) and `get_time` without it.
 */
export const STRICT_WEATHER_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: {
        type: 'object',
        properties: { location: { type: 'string' } },
        required: ['location'],
        additionalProperties: false,
      },
      strict: true,
    },
  },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
] as const;

/** The warning an adapter gives for dropping `get_weather`'s `strict` (tools[0]). */
export function strictToolDroppedWarning(provider: string): string {
  return `tools[0].function.strict is not supported by ${provider} and was dropped: the arguments of a call to 'get_weather' are not guaranteed to match its parameters`;
}
