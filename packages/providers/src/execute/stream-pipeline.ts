import type { OpenAIErrorEnvelope } from '@pk/config';
import type { OpenAIUsage } from '../openai-format/usage.js';
import { createSseDecoder } from '../shared/sse-decoder.js';
import { DONE_FRAME, encodeStreamOutput } from '../shared/sse-encoder.js';
import { collectFinishReasons, modelNamedIn } from '../shared/stream-answer-facts.js';
import { streamInterrupted } from '../shared/stream-interrupted.js';
import type {
  PreparedRequest,
  ProviderAdapter,
  ProviderContext,
  StreamDecoder,
  StreamOutput,
  StreamTransformer,
} from '../spec/provider-adapter.js';
import type { ByteStream } from '../spec/upstream-request.js';
import { BODY_IDLE_MESSAGE, isBodyIdleTimeout } from './abort-reason.js';
import { scrubStreamError } from './credential-scrub.js';
import { discardBody } from './upstream-body.js';
import { streamCredentialsOf } from './upstream-exchange.js';

/** How far a stream has got, read at any time (e.g. when the client leaves half-way). */
export interface StreamProgress {
  /** OpenAI chunks handed to the consumer so far (an OpenAI-family stream carries about one token each). */
  readonly chunks: number;
  /** The model the items name (the first one that does): the model that answered. */
  readonly model: string | undefined;
  /** The choices' `finish_reason`s seen so far (OpenAI chunks; at most 16). */
  readonly finishReasons: readonly string[];
  /**
   * The error the stream ended with, once it did: a provider's in-band error, or pk's
   * `PK_ERR_STREAM_INTERRUPTED` for a body that broke, stalled or ended before its end marker.
   */
  readonly error: OpenAIErrorEnvelope['error'] | undefined;
  /**
   * The usage the provider had reported when the stream ended without its final usage (it broke,
   * stalled, ended with an error, or the consumer stopped reading): set, if the provider reported
   * any, before `usage` resolves with `undefined`. Anthropic's input tokens from `message_start` and
   * the output tokens of the last `message_delta`; Gemini's last `usageMetadata`; OpenAI's usage
   * chunk when the break came after it. The provider bills these tokens; they may not be all it bills.
   */
  readonly partialUsage: OpenAIUsage | undefined;
}

/** A translated stream and the usage it reported. */
export interface TranslatedStream {
  /** OpenAI SSE bytes for the client. Cancel it when the client leaves: the upstream is released. */
  readonly stream: ByteStream;
  /**
   * Resolves with the stream's usage when it ends (`undefined` when none was seen or it was cut; a cut
   * stream's usage so far is then `progress.partialUsage`).
   */
  readonly usage: Promise<OpenAIUsage | undefined>;
  /** Chunks handed on so far. */
  readonly progress: StreamProgress;
  /**
   * Reads the stream's first piece of bytes ahead (it is still the first the stream hands on), so a
   * caller can learn before sending anything whether the stream began with an error
   * (`progress.error` is then set). Resolves once that piece is there; never rejects.
   */
  readFirstPiece(): Promise<void>;
}

/**
 * Vendor stream bytes → client SSE bytes in one pass per upstream chunk: frame the bytes into events
 * (`decoder`: SSE, or an adapter's own decoder for a binary stream), run the transformer, and encode
 * every item the chunk produced into one piece of bytes (so the client gets one write per upstream
 * read, never later than it arrived). `doneFrame` (OpenAI's `data: [DONE]`; nothing in the dialects
 * that end with a named event) ends a stream that did not fail. A broken body or a bad frame becomes
 * an in-band error item (`PK_ERR_STREAM_INTERRUPTED`, in the transformer's dialect) instead of a
 * thrown error, so the client always gets a well-formed end; after an error item nothing more is sent
 * and the upstream is released. A body that breaks after the vendor's stream had ended in its own
 * terms (`transformer.ended`: OpenAI's `[DONE]`, Anthropic's `message_stop` …) lost nothing: the
 * stream ends as if the body had (the transformer's `flush`, then `doneFrame`), a whole one. Upstream bytes are read only as the consumer asks (back-pressure).
 */
export function translateStream(options: {
  readonly body: AsyncIterable<Uint8Array>;
  readonly decoder: StreamDecoder;
  /** Makes the transformer; `onUsage` resolves the stream's usage promise. */
  readonly createTransformer: (onUsage: (usage: OpenAIUsage) => void) => StreamTransformer;
  /** Written after the last item of a stream that did not fail (default `data: [DONE]`). */
  readonly doneFrame?: string;
  /** The call's context: its credentials are redacted from an error item the stream carries. */
  readonly context?: ProviderContext | undefined;
}): TranslatedStream {
  const translation = new StreamTranslation(options);
  const stream = new TranslatedByteStream(translation, translatedFrames(translation));
  return {
    stream,
    usage: translation.usage,
    progress: translation.progress,
    readFirstPiece: () => stream.readFirstPiece(),
  };
}

/** One function for every stream's wait (no closure per stream). */
const settledWithNothing = (): undefined => undefined;

/**
 * The client's side of a translated stream: its own iterator, which first hands on a piece read
 * ahead by `readFirstPiece` (if any), then the generator's. A class, not a literal with closures:
 * one hidden class for every stream.
 */
class TranslatedByteStream implements ByteStream, AsyncIterator<Uint8Array, void, undefined> {
  readonly #translation: StreamTranslation;
  readonly #frames: AsyncGenerator<Uint8Array, void, undefined>;
  #ahead: Promise<IteratorResult<Uint8Array, void>> | undefined;

  constructor(translation: StreamTranslation, frames: AsyncGenerator<Uint8Array, void, undefined>) {
    this.#translation = translation;
    this.#frames = frames;
  }

  readFirstPiece(): Promise<void> {
    this.#ahead ??= this.#frames.next();
    return this.#ahead.then(settledWithNothing, settledWithNothing);
  }

  next(): Promise<IteratorResult<Uint8Array, void>> {
    const ahead = this.#ahead;
    if (ahead === undefined) return this.#frames.next();
    this.#ahead = undefined;
    return ahead;
  }

  return(): Promise<IteratorResult<Uint8Array, void>> {
    this.#ahead = undefined;
    return this.#frames.return(undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array, void, undefined> {
    return this;
  }

  cancel(): void {
    this.#translation.cancel();
  }
}

/**
 * The state of one translated stream. A class and a module-level generator rather than closures
 * and a generator function declared per stream: each generator function declared per call gets its
 * own prototype object, which V8 sets up as a new prototype (new hidden classes) on every stream.
 */
class StreamTranslation {
  readonly usage: Promise<OpenAIUsage | undefined>;
  readonly progress: {
    chunks: number;
    model: string | undefined;
    finishReasons: string[];
    error: OpenAIErrorEnvelope['error'] | undefined;
    partialUsage: OpenAIUsage | undefined;
  } = {
    chunks: 0,
    model: undefined,
    finishReasons: [],
    error: undefined,
    partialUsage: undefined,
  };
  readonly source: AsyncIterator<Uint8Array>;
  readonly decoder: StreamDecoder;
  readonly transformer: StreamTransformer;
  readonly doneFrame: string;
  readonly context: ProviderContext | undefined;
  readonly pending: StreamOutput[] = [];
  readonly sink = { enqueue: (output: StreamOutput) => void this.pending.push(output) };
  cancelled = false;
  failed = false;
  readonly #body: AsyncIterable<Uint8Array>;
  #resolveUsage: (usage: OpenAIUsage | undefined) => void = () => {};
  #usageSettled = false;

  constructor(options: {
    readonly body: AsyncIterable<Uint8Array>;
    readonly decoder: StreamDecoder;
    readonly createTransformer: (onUsage: (usage: OpenAIUsage) => void) => StreamTransformer;
    readonly doneFrame?: string;
    readonly context?: ProviderContext | undefined;
  }) {
    this.context = options.context;
    this.usage = new Promise<OpenAIUsage | undefined>((resolve) => {
      this.#resolveUsage = resolve;
    });
    this.#body = options.body;
    this.decoder = options.decoder;
    this.doneFrame = options.doneFrame ?? DONE_FRAME;
    this.transformer = options.createTransformer((seen) => {
      this.#usageSettled = true;
      this.#resolveUsage(seen);
    });
    this.source = options.body[Symbol.asyncIterator]();
  }

  /**
   * The stream is over: resolves the usage promise with `undefined` unless the transformer reported
   * usage (a no-op then, and once settled). A stream that did not end whole keeps the usage the
   * provider had reported so far in `progress.partialUsage` (read from the transformer once, here).
   */
  settleUsage(whole: boolean): void {
    if (this.#usageSettled) return;
    this.#usageSettled = true;
    if (!whole) this.progress.partialUsage = this.transformer.usageSoFar?.();
    this.#resolveUsage(undefined);
  }

  /** Frames for the items emitted so far, up to and including the first error item. */
  encodePending(): string {
    let frames = '';
    for (const output of this.pending) {
      if (output.type === 'error') {
        // A vendor's in-band error may quote a credential of the call: never passed on.
        const scrubbed =
          this.context === undefined ? output : scrubStreamError(output, streamCredentialsOf(this.context));
        frames += encodeStreamOutput(scrubbed);
        this.failed = true;
        this.progress.error = scrubbed.envelope.error;
        break;
      }
      frames += encodeStreamOutput(output);
      this.progress.chunks += 1;
      if (this.progress.model === undefined) this.progress.model = modelNamedIn(output.data);
      collectFinishReasons(output.data, this.progress.finishReasons);
    }
    this.pending.length = 0;
    return frames;
  }

  release(): void {
    discardBody(this.#body);
    this.source.return?.()?.catch(() => {});
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.settleUsage(false);
    this.release();
  }
}

async function* translatedFrames(state: StreamTranslation): AsyncGenerator<Uint8Array, void, undefined> {
  const { source, decoder, transformer, sink, pending } = state;
  let sourceDone = false;
  /** The body broke after the vendor's stream had ended in its own terms (`transformer.ended`). */
  let endedWhole = false;
  try {
    for (;;) {
      const next = await source.next();
      if (state.cancelled) return;
      if (next.done) {
        sourceDone = true;
        break;
      }
      for (const event of decoder.push(next.value)) {
        transformer.transform(event, sink);
        if (pending.length > 0 && pending[pending.length - 1]?.type === 'error') break;
      }
      const text = state.encodePending();
      if (text !== '') yield Buffer.from(text);
      if (state.failed) return;
    }
    for (const event of decoder.end()) transformer.transform(event, sink);
    transformer.flush?.(sink);
    const text = state.encodePending();
    yield Buffer.from(state.failed ? text : text + state.doneFrame);
  } catch (error) {
    if (state.cancelled || state.failed) return;
    if (transformer.ended?.() === true) {
      // The vendor's stream had ended in its own terms: the break lost nothing, the body's end is here.
      endedWhole = true;
      transformer.flush?.(sink);
      const text = state.encodePending();
      const last = state.failed ? text : text + state.doneFrame;
      if (last !== '') yield Buffer.from(last);
      return;
    }
    state.failed = true;
    const interrupted = streamInterrupted(
      isBodyIdleTimeout(error) ? BODY_IDLE_MESSAGE : 'the provider stream was interrupted',
    );
    if (interrupted.type === 'error') state.progress.error = interrupted.envelope.error;
    const output =
      transformer.errorOutput === undefined || interrupted.type !== 'error'
        ? interrupted
        : transformer.errorOutput(interrupted.envelope);
    yield Buffer.from(encodeStreamOutput(output));
  } finally {
    // Ended early (an error item, or the consumer stopped iterating): let go of the upstream.
    if (!sourceDone && !state.cancelled) state.release();
    // A no-op when the transformer already reported usage.
    state.settleUsage((sourceDone || endedWhole) && !state.failed);
  }
}

/** {@link translateStream} for a chat completions stream through an adapter: its decoder and transformer. */
export function translateAdapterStream(options: {
  readonly body: AsyncIterable<Uint8Array>;
  readonly adapter: ProviderAdapter;
  readonly request: PreparedRequest;
  readonly context: ProviderContext;
}): TranslatedStream {
  const { adapter, request, context } = options;
  return translateStream({
    body: options.body,
    decoder: adapter.createStreamDecoder?.() ?? createSseDecoder(),
    createTransformer: (onUsage) => adapter.createStreamTransformer({ context, request, onUsage }),
    context,
  });
}
