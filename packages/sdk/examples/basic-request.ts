// A basic request with a system prompt, reading the token usage.
import type { ExampleContext } from './example-context.js';

export async function run({
  Portkey,
  env,
}: ExampleContext): Promise<{ text: string | null; tokens: number }> {
  const client = new Portkey({ apiKey: env.PORTKEY_API_KEY, virtualKey: 'openai-key' });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Explain quantum computing briefly.' },
    ],
  });
  console.log(response.choices[0]?.message.content);
  console.log(`Tokens used: ${response.usage?.total_tokens}`);
  return { text: response.choices[0]?.message.content ?? null, tokens: response.usage?.total_tokens ?? 0 };
}
