// Load balancing: 70% of requests to one key, 30% to the other.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<Record<string, number>> {
  const client = new Portkey({
    apiKey: env.PORTKEY_API_KEY,
    config: {
      strategy: { mode: 'loadbalance' },
      targets: [
        { virtual_key: 'openai-key-1', weight: 0.7 },
        { virtual_key: 'openai-key-2', weight: 0.3 },
      ],
    },
  });
  const picks: Record<string, number> = {};
  for (let request = 0; request < 20; request += 1) {
    const response = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hello!' }],
    });
    const target = response.getHeaders()['last-used-option-index'] ?? 'unknown';
    picks[target] = (picks[target] ?? 0) + 1;
  }
  return picks; // e.g. { 'config.targets[0]': 14, 'config.targets[1]': 6 }
}
