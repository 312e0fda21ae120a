// Custom metadata: searchable in the request logs (`_user` ties a request to a user).
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<string | null> {
  const client = new Portkey({
    apiKey: env.PORTKEY_API_KEY,
    virtualKey: 'openai-key',
    metadata: { user_id: 'user-123', session_id: 'session-456', environment: 'production' },
  });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  return response.choices[0]?.message.content ?? null;
}
