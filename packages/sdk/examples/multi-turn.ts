// A multi-turn conversation: the whole history goes with each request.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<string | null> {
  const client = new Portkey({ apiKey: env.PORTKEY_API_KEY, virtualKey: 'openai-key' });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'You are a helpful coding assistant.' },
      { role: 'user', content: 'What is Python?' },
      { role: 'assistant', content: 'Python is a high-level programming language...' },
      { role: 'user', content: 'Show me a hello world example.' },
    ],
  });
  return response.choices[0]?.message.content ?? null;
}
