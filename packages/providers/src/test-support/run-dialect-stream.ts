import type { ClientDialect } from '../dialects/client-dialect.js';
import { translateStream } from '../execute/stream-pipeline.js';
import { createSseDecoder } from '../shared/sse-decoder.js';
import type { ProviderAdapter, ProviderContext, StreamDecoder } from '../spec/provider-adapter.js';
import { preparedChat } from './context.js';
import { readSseEvents } from './sse-client.js';

function bodyOf(frames: readonly (string | Uint8Array)[], end: 'ends' | 'breaks'): AsyncIterable<Uint8Array> {
  const encoder = new TextEncoder();
  return (async function* () {
    for (const frame of frames) yield typeof frame === 'string' ? encoder.encode(frame) : frame;
    if (end === 'breaks') throw new Error('socket hang up');
  })();
}

/** What a client of a dialect stream gets: the SSE text, its events, and the usage reported. */
export async function runDialectStream(options: {
  readonly dialect: ClientDialect;
  readonly context: ProviderContext;
  readonly frames: readonly (string | Uint8Array)[];
  /** Translated: the adapter whose chat transformer the dialect wraps, and the client's dialect body. */
  readonly adapter?: ProviderAdapter;
  readonly request?: Record<string, unknown>;
  /** Translated: fields of the chat request the adapter's transformer sees (`stop` …). */
  readonly chatRequest?: Record<string, unknown>;
  /** Native: the framing (default SSE). */
  readonly decoder?: StreamDecoder;
  /** How the body ends after its frames: `ends` (default), or `breaks` (a connection reset). */
  readonly end?: 'ends' | 'breaks';
}) {
  const { dialect, context, adapter } = options;
  const request = options.request ?? {};
  const prepared = preparedChat(context.provider, {
    model: 'm',
    messages: [],
    stream: true,
    stream_options: { include_usage: true },
    ...options.chatRequest,
  });
  const translated = translateStream({
    body: bodyOf(options.frames, options.end ?? 'ends'),
    decoder: options.decoder ?? adapter?.createStreamDecoder?.() ?? createSseDecoder(),
    createTransformer: (onUsage) =>
      adapter === undefined
        ? dialect.createNativeStreamTransformer({ context, onUsage })
        : dialect.createChatStreamTransformer({
            inner: adapter.createStreamTransformer({ context, request: prepared, onUsage }),
            request,
            context,
          }),
    doneFrame: '',
  });
  const chunks: Uint8Array[] = [];
  const collecting = (async function* () {
    for await (const chunk of translated.stream) {
      chunks.push(chunk);
      yield chunk;
    }
  })();
  const events = await readSseEvents(collecting);
  const text = Buffer.concat(chunks).toString('utf8');
  const usage = await translated.usage;
  return {
    text,
    chunks,
    events,
    usage,
    partialUsage: translated.progress.partialUsage,
    error: translated.progress.error,
  };
}
