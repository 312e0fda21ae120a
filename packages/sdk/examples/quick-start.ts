// Quick start: a Portkey client with a virtual key, then one chat completion.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<string | null> {
  const client = new Portkey({
    apiKey: env.PORTKEY_API_KEY,
    virtualKey: 'openai-key',
  });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  console.log(response.choices[0]?.message.content);
  return response.choices[0]?.message.content ?? null;
}
