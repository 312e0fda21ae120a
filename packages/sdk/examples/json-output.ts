// JSON output: `response_format: { type: 'json_object' }`; a real model returns {"name":"John","age":30}.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<string | null> {
  const client = new Portkey({ apiKey: env.PORTKEY_API_KEY, virtualKey: 'openai-key' });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'Extract as JSON with name and age fields.' },
      { role: 'user', content: 'John is 30 years old.' },
    ],
    response_format: { type: 'json_object' },
  });
  return response.choices[0]?.message.content ?? null;
}
