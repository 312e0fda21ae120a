// What the request-body checks cost per request, next to the JSON parse the gateway does anyway.
// Run: pnpm --filter @pk/gateway exec vitest bench --run src/request-body
import secureJsonParse from 'secure-json-parse';
import { bench, describe } from 'vitest';
import { checkOpenAIBody } from './check-openai-body.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';

const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/** The benchmark's request (`bench/run-bench.mjs`), a ~640-byte chat request, a 100-message chat with tools, a 1 MiB prompt. */
const bodies: Record<string, unknown> = {
  'bench request (99 B)': {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
  },
  'chat request (640 B)': {
    model: 'gpt-4o-mini',
    temperature: 0.2,
    max_tokens: 512,
    stream: false,
    messages: [
      { role: 'system', content: 'You are a concise assistant for a travel agency. '.repeat(4) },
      {
        role: 'user',
        content: 'Plan three days in Lisbon for two adults who like food and museums. '.repeat(3),
      },
    ],
    user: 'user-1234',
  },
  '100 messages and 5 tools (24 KiB)': {
    model: 'gpt-4o',
    messages: Array.from({ length: 100 }, (_, index) => ({
      role: index % 2 === 0 ? 'user' : 'assistant',
      content: `Message ${index}: ${'lorem ipsum dolor sit amet '.repeat(7)}`,
    })),
    tools: Array.from({ length: 5 }, (_, index) => ({
      type: 'function',
      function: {
        name: `tool_${index}`,
        parameters: {
          type: 'object',
          properties: {
            city: { type: 'string' },
            days: { type: 'integer' },
            tags: { type: 'array', items: { type: 'string' } },
          },
          required: ['city'],
        },
      },
    })),
  },
  '1 MiB prompt': {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'x'.repeat(1024 * 1024) }],
  },
};

for (const [name, body] of Object.entries(bodies)) {
  const bytes = Buffer.from(JSON.stringify(body));
  const parsed = secureJsonParse.parse(bytes.toString('utf8'), undefined, PARSE_OPTIONS);
  describe(`${name}, ${bytes.length} bytes`, () => {
    bench('checkOpenAIBody (shape)', () => {
      checkOpenAIBody('chat.completions', parsed);
    });
    bench('jsonNestsDeeperThan (depth, on the bytes)', () => {
      jsonNestsDeeperThan(bytes, MAX_JSON_DEPTH);
    });
    bench('the parse the gateway does anyway (for scale)', () => {
      secureJsonParse.parse(bytes.toString('utf8'), undefined, PARSE_OPTIONS);
    });
  });
}
