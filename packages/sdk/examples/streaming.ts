// Streaming with `for await`.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<string> {
  const client = new Portkey({ apiKey: env.PORTKEY_API_KEY, virtualKey: 'openai-key' });
  const stream = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Write a short story' }],
    stream: true,
  });
  let story = '';
  for await (const chunk of stream) {
    const content = chunk.choices[0]?.delta.content;
    if (content) {
      process.stdout.write(content);
      story += content;
    }
  }
  return story;
}
