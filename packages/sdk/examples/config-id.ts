// A saved config by id: routing, fallbacks and caching configured once, on the gateway (or in code,
// in-process), and named by every client.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<Record<string, string>> {
  const client = new Portkey({
    apiKey: env.PORTKEY_API_KEY,
    config: 'pc-config-xxx', // a saved config's id
  });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  return response.getHeaders(); // 'last-used-option-index' names the target that answered
}
