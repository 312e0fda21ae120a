// Per-request options: `withOptions` returns a new client for this request; `client` is unchanged.
// (A Portkey options object as the second argument of `create` works too, for that call only.)
import type { ExampleContext } from './example-context.js';

export async function run({
  Portkey,
  env,
}: ExampleContext): Promise<{ traced: string | undefined; plain: string | undefined }> {
  const client = new Portkey({ apiKey: env.PORTKEY_API_KEY, virtualKey: 'openai-key' });
  const response = await client
    .withOptions({ traceId: 'unique-trace-id', metadata: { request_type: 'summarization' } })
    .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Summarize this...' }] });
  const later = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  return { traced: response.getHeaders()['trace-id'], plain: later.getHeaders()['trace-id'] };
}
