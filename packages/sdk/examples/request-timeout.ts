// Request timeout. The Python example writes `request_timeout=30` and calls it 30 seconds, but the
// header is in milliseconds: in pk write `requestTimeout: 30_000`.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<string | null> {
  const client = new Portkey({
    apiKey: env.PORTKEY_API_KEY,
    virtualKey: 'openai-key',
    requestTimeout: 30_000, // 30 seconds, in milliseconds
  });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  return response.choices[0]?.message.content ?? null;
}
