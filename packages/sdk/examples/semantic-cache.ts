// Semantic cache: a question asked differently is answered from the cache. A gateway feature (it
// needs embeddings and a vector index): in-process mode offers the simple, exact-match cache only.
// The gateway needs `semantic_cache` in its settings file (the virtual key and embedding model that
// compare prompts: `semantic_cache: { virtual_key: embedder, model: text-embedding-3-small }`, see
// the gateway README, "semantic_cache"); without it this request is matched exactly only and its
// answer's `x-pk-warnings` says so.
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
