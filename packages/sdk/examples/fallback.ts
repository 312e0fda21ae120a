// Fallbacks: if the first target fails, the next one answers (here OpenAI, then Anthropic).
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<Record<string, string>> {
  const client = new Portkey({
    apiKey: env.PORTKEY_API_KEY,
    config: {
      strategy: { mode: 'fallback' },
      targets: [
        { virtual_key: env.OPENAI_VIRTUAL_KEY ?? 'openai-key', override_params: { model: 'gpt-4o' } },
        {
          virtual_key: env.ANTHROPIC_VIRTUAL_KEY ?? 'anthropic-key',
          override_params: { model: 'claude-3-5-sonnet-20241022' },
        },
      ],
    },
  });
  // If OpenAI fails, this is answered by Anthropic; `model` comes from the targets.
  const response = await client.chat.completions.create({
    model: '',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  return response.getHeaders(); // 'last-used-option-index': 'config.targets[1]' after a fallback
}
