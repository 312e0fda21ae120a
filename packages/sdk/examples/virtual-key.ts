// API key + virtual key (recommended): the provider's key stays in the gateway's vault (or, in
// in-process mode, in your own code), and requests name it by id.
import type { ExampleContext } from './example-context.js';

export async function run({ Portkey, env }: ExampleContext): Promise<Record<string, string>> {
  const client = new Portkey({
    apiKey: env.PORTKEY_API_KEY, // the gateway key
    virtualKey: 'openai-virtual-key-xxx', // a stored provider + credential
  });
  const response = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hello!' }],
  });
  return response.getHeaders(); // { 'trace-id': …, provider: 'openai', … }
}
