import OpenAI from 'openai';
import type { GatewayProcess } from '../server-process.js';
import type { ProviderMock } from './provider-mock.js';

/** The provider key the SDK client sends (to the mock, through the gateway). */
export const SDK_API_KEY = 'sk-upstream-key';

/** The openai SDK on a built gateway, sending to the provider mock as OpenAI (a custom host). */
export function sdkClientThrough(gateway: GatewayProcess, upstream: ProviderMock): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: SDK_API_KEY,
    defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
  });
}

/** Stops the gateway (waiting for its exit) and the provider mock; either may not have started. */
export async function stopGatewayAndMock(
  gateway: GatewayProcess | undefined,
  upstream: ProviderMock | undefined,
): Promise<void> {
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  await upstream?.close();
}

/**
 * `count` chat requests ("Say hello.") through the openai SDK, `concurrency` at a time, each streamed
 * when `streamed(index)` says so; resolves the texts the client got (a stream's deltas joined).
 */
export async function sdkChatLoad(
  client: OpenAI,
  count: number,
  options: { readonly concurrency: number; readonly streamed: (index: number) => boolean },
): Promise<string[]> {
  const texts: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const streamed = options.streamed(next);
      next += 1;
      const messages = [{ role: 'user' as const, content: 'Say hello.' }];
      if (!streamed) {
        const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
        texts.push(completion.choices[0]?.message.content ?? '');
        continue;
      }
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      texts.push(text);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return texts;
}
