import type { OpenAIUsage } from '../openai-format/usage.js';
import { createSseDecoder } from '../shared/sse-decoder.js';
import { DONE_FRAME, encodeStreamOutput } from '../shared/sse-encoder.js';
import { streamInterrupted } from '../shared/stream-interrupted.js';
import type {
  PreparedRequest,
  ProviderAdapter,
  ProviderContext,
  StreamOutput,
} from '../spec/provider-adapter.js';
import type { ByteStream } from '../spec/upstream-request.js';
import { discardBody } from './upstream-body.js';

/** How far a stream has got, read at any time (e.g. when the client leaves half-way). */
export interface StreamProgress {
  /** OpenAI chunks handed to the consumer so far (an OpenAI-family stream carries about one token each). */
  readonly chunks: number;
}

/** A translated stream and the usage it reported. */
export interface TranslatedStream {
  /** OpenAI SSE bytes for the client. Cancel it when the client leaves: the upstream is released. */
  readonly stream: ByteStream;
  /** Resolves with the stream's usage when it ends (`undefined` when none was seen or it was cut). */
  readonly usage: Promise<OpenAIUsage | undefined>;
  /** Chunks handed on so far. */
  readonly progress: StreamProgress;
}

/**
 * Vendor stream bytes → OpenAI SSE bytes in one pass per upstream chunk: frame the bytes into events
 * (SSE by default, or the adapter's own decoder for a binary stream), run the adapter's transformer,
 * and encode every item the chunk produced into one piece of bytes (so the client gets one write per
 * upstream read, never later than it arrived). `data: [DONE]` ends a stream that did not fail. A
 * broken body or a bad frame becomes an in-band `event: error` (`PK_ERR_STREAM_INTERRUPTED`) instead
 * of a thrown error, so the client always gets a well-formed end; after an error item nothing more is
 * sent and the upstream is released. Upstream bytes are read only as the consumer asks (back-pressure).
 */
export function translateStream(options: {
  readonly body: AsyncIterable<Uint8Array>;
  readonly adapter: ProviderAdapter;
  readonly request: PreparedRequest;
  readonly context: ProviderContext;
}): TranslatedStream {
  let resolveUsage: (usage: OpenAIUsage | undefined) => void = () => {};
  const usage = new Promise<OpenAIUsage | undefined>((resolve) => {
    resolveUsage = resolve;
  });
  const { body } = options;
  const decoder = options.adapter.createStreamDecoder?.() ?? createSseDecoder();
  const transformer = options.adapter.createStreamTransformer({
    context: options.context,
    request: options.request,
    onUsage: (seen) => resolveUsage(seen),
  });
  const source = body[Symbol.asyncIterator]();
  let cancelled = false;
  let failed = false;
  const pending: StreamOutput[] = [];
  const sink = { enqueue: (output: StreamOutput) => void pending.push(output) };
  const progress = { chunks: 0 };

  /** Frames for the items emitted so far, up to and including the first error item. */
  function encodePending(): string {
    let frames = '';
    for (const output of pending) {
      frames += encodeStreamOutput(output);
      if (output.type === 'error') {
        failed = true;
        break;
      }
      progress.chunks += 1;
    }
    pending.length = 0;
    return frames;
  }

  function release(): void {
    discardBody(body);
    source.return?.()?.catch(() => {});
  }

  async function* frames(): AsyncGenerator<Uint8Array, void, undefined> {
    let sourceDone = false;
    try {
      for (;;) {
        const next = await source.next();
        if (cancelled) return;
        if (next.done) {
          sourceDone = true;
          break;
        }
        for (const event of decoder.push(next.value)) {
          transformer.transform(event, sink);
          if (pending.length > 0 && pending[pending.length - 1]?.type === 'error') break;
        }
        const text = encodePending();
        if (text !== '') yield Buffer.from(text);
        if (failed) return;
      }
      for (const event of decoder.end()) transformer.transform(event, sink);
      transformer.flush?.(sink);
      const text = encodePending();
      yield Buffer.from(failed ? text : text + DONE_FRAME);
    } catch {
      if (cancelled || failed) return;
      failed = true;
      yield Buffer.from(encodeStreamOutput(streamInterrupted('the provider stream was interrupted')));
    } finally {
      // Ended early (an error item, or the consumer stopped iterating): let go of the upstream.
      if (!sourceDone && !cancelled) release();
      // A no-op when the transformer already reported usage.
      resolveUsage(undefined);
    }
  }

  const generator = frames();
  const stream: ByteStream = {
    [Symbol.asyncIterator]: () => generator,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      resolveUsage(undefined);
      release();
    },
  };
  return { stream, usage, progress };
}
