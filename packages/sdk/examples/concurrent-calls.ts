// Concurrent calls (the Python SDK's AsyncPortkey): in TypeScript every call is already async, so
// one client serves many requests at once.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<string[]> {
  const client = new Portkey({ apiKey: env.PORTKEY_API_KEY, virtualKey: 'openai-key' });
  const questions = ['Hello!', 'Write a poem', 'What is the capital of France?'];
  const answers = await Promise.all(
    questions.map((content) =>
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
    ),
  );
  return answers.map((response) => response.choices[0]?.message.content ?? '');
}
