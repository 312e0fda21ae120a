import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { OpenAIUsage } from '../openai-format/usage.js';
import { createSseEncoderStream } from '../shared/sse-encoder.js';
import { streamInterrupted } from '../shared/stream-interrupted.js';
import type {
  PreparedRequest,
  ProviderAdapter,
  ProviderContext,
  StreamOutput,
} from '../spec/provider-adapter.js';

/** A translated stream and the usage it reported. */
export interface TranslatedStream {
  /** OpenAI SSE bytes for the client. Cancel it when the client leaves: the upstream is released. */
  readonly stream: ReadableStream<Uint8Array>;
  /** Resolves with the stream's usage when it ends (`undefined` when none was seen or it was cut). */
  readonly usage: Promise<OpenAIUsage | undefined>;
}

/**
 * Vendor stream bytes → OpenAI SSE bytes: decode text and parse events (eventsource-parser, or the
 * adapter's own `decodeStream` for a binary stream), run the
 * adapter's transformer, encode frames. A broken upstream body becomes an in-band `event: error`
 * (`PK_ERR_STREAM_INTERRUPTED`) instead of a thrown error, so the client always gets a well-formed end.
 */
export function translateStream(options: {
  readonly body: ReadableStream<Uint8Array>;
  readonly adapter: ProviderAdapter;
  readonly request: PreparedRequest;
  readonly context: ProviderContext;
}): TranslatedStream {
  let resolveUsage: (usage: OpenAIUsage | undefined) => void = () => {};
  const usage = new Promise<OpenAIUsage | undefined>((resolve) => {
    resolveUsage = resolve;
  });
  const events =
    options.adapter.decodeStream?.(options.body) ??
    options.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const outputs = events.pipeThrough(
    options.adapter.createStreamTransformer({
      context: options.context,
      request: options.request,
      onUsage: (seen) => resolveUsage(seen),
    }),
  );
  const reader = outputs.getReader();
  const guarded = new ReadableStream<StreamOutput>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          resolveUsage(undefined);
          controller.close();
          return;
        }
        controller.enqueue(value);
      } catch {
        resolveUsage(undefined);
        controller.enqueue(streamInterrupted('the provider stream was interrupted'));
        controller.close();
      }
    },
    async cancel(reason) {
      resolveUsage(undefined);
      await reader.cancel(reason);
    },
  });
  return { stream: guarded.pipeThrough(createSseEncoderStream()), usage };
}
