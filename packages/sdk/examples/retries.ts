// Automatic retries: up to 3 more attempts on 429 and 5xx, with exponential back-off (1 s, 2 s, 4 s).
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<Record<string, string>> {
  const client = new Portkey({
    apiKey: env.PORTKEY_API_KEY,
    config: {
      retry: { attempts: 3, on_status_codes: [429, 500, 502, 503, 504] },
      virtual_key: env.OPENAI_VIRTUAL_KEY ?? 'openai-key',
    },
  });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  return response.getHeaders(); // 'retry-attempt-count' says how many retries it took
}
