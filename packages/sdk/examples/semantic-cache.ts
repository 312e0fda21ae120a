// Semantic cache: a question asked differently is answered from the cache. A gateway feature (it
// needs embeddings and a vector index): in-process mode offers the simple, exact-match cache only.
import type { ExampleContext } from './example-context.js';

export async function run({
  Portkey,
  env,
}: ExampleContext): Promise<{ first: string; second: string; cacheStatus?: string }> {
  const client = new Portkey({
    apiKey: env.PORTKEY_API_KEY,
    config: {
      cache: { mode: 'semantic', max_age: 3600 }, // seconds; or mode 'simple' for exact matches
      virtual_key: 'openai-key',
    },
  });
  const response1 = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
  });
  const response2 = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: "Tell me France's capital" }],
  }); // the cached answer: cache-status 'SEMANTIC HIT'
  return {
    first: response1.choices[0]?.message.content ?? '',
    second: response2.choices[0]?.message.content ?? '',
    ...(response2.getHeaders()['cache-status']
      ? { cacheStatus: response2.getHeaders()['cache-status'] }
      : {}),
  };
}
