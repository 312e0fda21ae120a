// Production setup: fallback across two providers with per-target retries, a semantic cache,
// a trace id and metadata. In-process mode runs all of it but the semantic cache (a gateway feature).
import type { Portkey } from '@pk/sdk';
import type { ExampleContext } from './example-context.js';

export function createProductionClient({ Portkey: Client, env }: ExampleContext): Portkey {
  return new Client({
    apiKey: env.PORTKEY_API_KEY,
    config: {
      strategy: { mode: 'fallback' },
      targets: [
        {
          virtual_key: env.OPENAI_VIRTUAL_KEY ?? 'openai-key',
          override_params: { model: 'gpt-4o' },
          retry: { attempts: 2, on_status_codes: [429, 500] },
        },
        {
          virtual_key: env.ANTHROPIC_VIRTUAL_KEY ?? 'anthropic-key',
          override_params: { model: 'claude-3-5-sonnet-20241022' },
        },
      ],
      cache: { mode: 'semantic', max_age: 3600 },
    },
    traceId: 'production-session',
    metadata: { environment: 'production' },
  });
}

export async function run(context: ExampleContext): Promise<Record<string, string>> {
  const client = createProductionClient(context);
  const response = await client.chat.completions.create({
    model: '',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  return response.getHeaders();
}
