// Trace ids link related requests for debugging; the answer's headers carry the id back.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<{ sent: string; received?: string }> {
  const traceId = crypto.randomUUID();
  const client = new Portkey({ apiKey: env.PORTKEY_API_KEY, virtualKey: 'openai-key', traceId });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  const received = response.getHeaders()['trace-id'];
  return { sent: traceId, ...(received === undefined ? {} : { received }) };
}
