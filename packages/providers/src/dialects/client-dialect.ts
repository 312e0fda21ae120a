import type { OpenAIErrorEnvelope } from '@pk/config';
import type { ChatCompletion } from '../openai-format/chat-completion.js';
import type { OpenAIUsage } from '../openai-format/usage.js';
import type { ProviderContext, StreamTransformer } from '../spec/provider-adapter.js';

/** What a dialect's request translation knows about the call. */
export interface DialectTranslationContext {
  /** The provider id the translated request goes to (its name appears in warnings and errors). */
  readonly provider: string;
}

/** A dialect request translated to chat completions. */
export interface TranslatedChatRequest {
  /** The chat completions body (a fresh object). */
  readonly body: Record<string, unknown>;
  /** Parameters that were dropped on the way (for `x-pk-warnings`). */
  readonly warnings: readonly string[];
}

/** A native answer of the dialect, checked, with its usage in OpenAI's shape for the log. */
export interface NativeDialectAnswer {
  readonly body: unknown;
  readonly usage: OpenAIUsage | undefined;
}

/** Rebuilds a dialect's JSON answer from the stream bytes a client received (for the cache). */
export interface DialectStreamAccumulator {
  /** Takes the next bytes of the stream. */
  push(bytes: Uint8Array): void;
  /** The answer, only once the stream completed cleanly (never a cut or failed stream). */
  result(): unknown;
}

/**
 * A client dialect other than chat completions, as pure transforms: its requests translated to chat
 * completions and the answers (JSON and streams) back, for providers that do not speak it; and its
 * native answers read (usage for the log, streams passed through event by event) for providers that do.
 */
export interface ClientDialect {
  /**
   * Whether a translated call asks adapters for reasoning (strict OpenAI compliance off), so it can be
   * returned in the dialect (Anthropic thinking blocks).
   */
  readonly keepsReasoning: boolean;
  /**
   * Checks the shape of a request before it is routed (the fields every target needs, leniently: unknown
   * fields and block types pass). Throws `PkError` `PK_ERR_INVALID_REQUEST` naming the first bad field.
   */
  checkRequest(body: Readonly<Record<string, unknown>>): void;
  /** Dialect request → chat completions request (pure). Throws `PkError` (400) for what it cannot translate. */
  toChatRequest(
    body: Readonly<Record<string, unknown>>,
    context: DialectTranslationContext,
  ): TranslatedChatRequest;
  /**
   * Chat completion → the dialect's answer (pure). `request` is the client's dialect body;
   * `droppedChatParameters` the translated request's parameters the target adapter dropped (a dialect
   * that echoes settings echoes these as not applied).
   */
  fromChatCompletion(
    completion: ChatCompletion,
    request: Readonly<Record<string, unknown>>,
    context: ProviderContext,
    droppedChatParameters?: ReadonlySet<string>,
  ): unknown;
  /**
   * Chat chunks → the dialect's stream events: wraps the adapter's transformer (vendor events → chat
   * chunks) so one upstream read still gives one client write.
   */
  createChatStreamTransformer(options: {
    readonly inner: StreamTransformer;
    readonly request: Readonly<Record<string, unknown>>;
    readonly context: ProviderContext;
    /** As for {@link ClientDialect.fromChatCompletion}. */
    readonly droppedChatParameters?: ReadonlySet<string>;
  }): StreamTransformer;
  /**
   * The request body for a target that speaks the dialect natively: tool call ids freed of the Gemini
   * thought signatures they carry (`google/signed-tool-call-id.ts`). The body itself when no id carries
   * one (never a copy on the common path).
   */
  withoutThoughtSignatures(body: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>>;
  /** A native JSON answer checked and its usage read. Throws `UpstreamError` (502) for an unexpected body. */
  readNativeAnswer(json: unknown, provider: string): NativeDialectAnswer;
  /** Native dialect events passed through as they are, usage reported, errors in the dialect's shape. */
  createNativeStreamTransformer(options: {
    readonly context: ProviderContext;
    readonly onUsage: (usage: OpenAIUsage) => void;
  }): StreamTransformer;
  /**
   * A stored JSON answer replayed as the dialect's stream (a streamed request answered from the cache).
   * `request` is the client's body (what it asked for echoes in some dialects).
   */
  replayAsStream(
    answer: Readonly<Record<string, unknown>>,
    request: Readonly<Record<string, unknown>>,
  ): string;
  /** Rebuilds a streamed answer for the cache. */
  createStreamAccumulator(): DialectStreamAccumulator;
  /**
   * An error (pk's or a provider's, as the OpenAI envelope) as the dialect's error body: of an HTTP
   * error answer with its `status`, or without one the body of the error event a stream ended with.
   */
  errorBody(envelope: OpenAIErrorEnvelope, status?: number): unknown;
  /**
   * An error as one `event: error` frame of the dialect's stream. `options.sequenceNumber` continues
   * the numbering of the events already sent (the Responses API's `sequence_number`; default 0), and
   * `options.extra` adds fields beside the error's (the gateway's `hook_results` of a denied stream).
   */
  errorFrame(envelope: OpenAIErrorEnvelope, options?: DialectErrorFrameOptions): string;
}

/** What {@link ClientDialect.errorFrame} may add to the dialect's error event. */
export interface DialectErrorFrameOptions {
  /** The event's `sequence_number` where the dialect numbers its events (default 0). */
  readonly sequenceNumber?: number;
  /** Fields beside the error's, after them (`hook_results`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}
