import { translateAdapterStream } from '../execute/stream-pipeline.js';
import type { ProviderAdapter, ProviderTarget } from '../spec/provider-adapter.js';
import { preparedChat, testContext } from './context.js';
import { chatCompletionChunkSchema, translatedChatCompletionChunkSchema } from './openai-schemas.js';
import { collectChatStream, readSseEvents } from './sse-client.js';

/** Runs vendor stream frames (text or bytes) through an adapter and collects what a client sees. */
export async function runAdapterStream(options: {
  readonly adapter: ProviderAdapter;
  readonly frames: readonly (string | Uint8Array)[];
  readonly body?: Record<string, unknown>;
  readonly target?: ProviderTarget;
  readonly strict?: boolean;
  readonly includeUsage?: boolean;
  /** How the body ends after its frames: `ends` (default), or `breaks` (a connection reset). */
  readonly end?: 'ends' | 'breaks';
}) {
  const encoder = new TextEncoder();
  const bytesOf = (frame: string | Uint8Array) => (typeof frame === 'string' ? encoder.encode(frame) : frame);
  const body: AsyncIterable<Uint8Array> =
    options.end === 'breaks'
      ? // Every frame read, then the error a reset gives (a stream's error would drop frames not yet read).
        (async function* () {
          for (const frame of options.frames) yield bytesOf(frame);
          throw new Error('socket hang up');
        })()
      : new ReadableStream<Uint8Array>({
          start(controller) {
            for (const frame of options.frames) controller.enqueue(bytesOf(frame));
            controller.close();
          },
        });
  const request = preparedChat(options.adapter.id, {
    model: 'm',
    messages: [],
    ...options.body,
    stream: true,
    ...(options.includeUsage ? { stream_options: { include_usage: true } } : {}),
  });
  const translated = translateAdapterStream({
    body,
    adapter: options.adapter,
    request,
    context: testContext(options.adapter.id, options.target ?? {}, options.strict ?? true),
  });
  const events = await readSseEvents(translated.stream);
  // With strict compliance off, finish reasons are the vendor's own: only strict chunks are OpenAI's.
  const schema = options.strict === false ? translatedChatCompletionChunkSchema : chatCompletionChunkSchema;
  for (const event of events)
    if (event.data !== '[DONE]' && event.event !== 'error') schema.parse(JSON.parse(event.data));
  const usage = await translated.usage;
  return {
    events,
    collected: collectChatStream(events),
    usage,
    partialUsage: translated.progress.partialUsage,
    error: translated.progress.error,
  };
}
