import type { OpenAIErrorEnvelope } from '@pk/config';
import type { EventSourceMessage } from 'eventsource-parser';
import type { Transport } from '../execute/transport.js';
import type { OpenAIUsage } from '../openai-format/usage.js';
import type { TokenCache } from './token-cache.js';
import type { UpstreamError } from './upstream-error.js';
import type { UpstreamRequest, UpstreamResponse } from './upstream-request.js';

/**
 * The endpoints pk routes. `passthrough` is any other path under `/v1` (images, audio, files …),
 * forwarded unchanged to providers of the OpenAI family. The {@link DialectEndpoint}s take a client
 * dialect other than chat completions: answered natively where the provider speaks it, else
 * translated to chat completions and back (`src/dialects/`).
 */
export type ProviderEndpoint = AdapterEndpoint | DialectEndpoint;

/** The endpoints an adapter's `buildRequest` is called for (a dialect endpoint reaches it as `chat.completions`). */
export type AdapterEndpoint = 'chat.completions' | 'completions' | 'embeddings' | 'passthrough';

/**
 * Endpoints of other client dialects: Anthropic's Messages API (`messages`, and `messages.count_tokens`,
 * answered only natively) and OpenAI's Responses API (`responses`).
 */
export type DialectEndpoint = 'messages' | 'messages.count_tokens' | 'responses';

/** A provider target's options, snake_case as in a config (`api_key`, `custom_host`, `resource_name` …). */
export type ProviderTarget = Readonly<Record<string, unknown>>;

/** A multipart body whose text fields can be set (the gateway parses the upload). */
export interface RawForm {
  /**
   * The form with these text fields set (a field of that name replaced, a missing one appended),
   * every other part as it came, and its content type with the boundary it is framed with.
   */
  withTextFields(fields: Readonly<Record<string, string>>): {
    readonly body: Uint8Array;
    readonly contentType: string;
  };
}

/** One request in OpenAI's format, as the gateway received it. */
export interface ProviderRequest {
  /** Which endpoint is called. */
  readonly endpoint: ProviderEndpoint;
  /** The JSON body (every endpoint but multipart pass-through). */
  readonly body?: Readonly<Record<string, unknown>>;
  /** For `passthrough`: the path after `/v1` (`/images/generations`), query included. */
  readonly path?: string;
  /** For `passthrough`: the HTTP method (default `POST`). */
  readonly method?: string;
  /** For `passthrough` with a non-JSON body (multipart audio): the bytes, sent unchanged. */
  readonly rawBody?: Uint8Array;
  /** For `rawBody`: its content type (boundary included). */
  readonly contentType?: string;
  /**
   * For a `rawBody` that is a well-formed `multipart/form-data` upload: the form, so that a target's
   * `override_params` (`model`, `language` …) reach its text fields as they reach a JSON body's.
   */
  readonly rawForm?: RawForm;
  /**
   * When true (Portkey's default), answers carry only OpenAI's fields; when false, reasoning is
   * returned as `reasoning_content` and `thinking_blocks`. Default `true`. A plan leaf's
   * `strict_open_ai_compliance: false` turns it off too (either `false` wins, decision 0006).
   */
  readonly strictOpenAICompliance?: boolean;
  /**
   * Client headers to send upstream as they are (`x-portkey-forward-headers`): added after the
   * provider's own headers; hop-by-hop, framing and `x-portkey-*` headers are never forwarded.
   */
  readonly forwardedHeaders?: Readonly<Record<string, string>>;
  /**
   * Dialect endpoints only: the client's own headers of that dialect that a native route reads
   * (`anthropic-version`, `anthropic-beta` on `messages`), lower-case names.
   */
  readonly dialectHeaders?: Readonly<Record<string, string>>;
}

/** Everything an adapter's pure functions may depend on besides the request. */
export interface ProviderContext {
  /** The provider id answering (`anthropic`, `groq` …). */
  readonly provider: string;
  /** The target's options (credentials, host, Azure fields …). */
  readonly target: ProviderTarget;
  /**
   * See {@link ProviderRequest.strictOpenAICompliance}: whether answers leave out pk's reasoning
   * extras. Dialect calls translated through chat turn it off to keep reasoning for the dialect.
   */
  readonly strictOpenAICompliance: boolean;
  /**
   * When true, a choice's `finish_reason` is the vendor's own as it came (`end_turn`, `tool_use`,
   * `MAX_TOKENS`, `COMPLETE` …), as Portkey answers with strict OpenAI compliance off; when false it
   * is mapped to OpenAI's. On for chat calls whose strict compliance is off; always off for dialect
   * calls, whose translation back reads OpenAI's finish reasons (decision 0006).
   */
  readonly nativeFinishReasons: boolean;
  /**
   * Dialect calls translated through chat: an adapter whose vendor says more about a stop than
   * OpenAI's finish reason can (a stop sequence, a full context window) adds pk's `stop_details` to
   * the answer's message, or to the delta of the chunk with the finish reason, for the dialect's own
   * stop reason. Unset for chat calls: their answers never carry it.
   */
  readonly stopDetails?: boolean;
  /** Makes ids for answers whose vendor sends none (`chatcmpl-…`). Injected so snapshots are stable. */
  readonly generateId: () => string;
  /** Milliseconds since the epoch. Injected so snapshots are stable. */
  readonly now: () => number;
}

/** A request after the shared steps: `provider_options` and `override_params` applied. */
export interface PreparedRequest {
  /** The endpoint. */
  readonly endpoint: ProviderEndpoint;
  /**
   * The body to translate, without `provider_options`. Never change it in place (copy first): when the
   * shared steps changed nothing it carries the client's JSON bytes, which may be sent as they are.
   */
  readonly body: Readonly<Record<string, unknown>>;
  /**
   * The answering provider's own `provider_options[<id>]` (the body's, then the target's): vendor
   * fields the adapter merges into the upstream body after translation.
   */
  readonly providerOptions: Readonly<Record<string, unknown>>;
  /** Whether the client asked for a stream. */
  readonly stream: boolean;
  /** Whether the client asked for the usage chunk (`stream_options.include_usage`). */
  readonly clientWantsUsage: boolean;
  /** Pass-through only: path, method and raw body. */
  readonly path?: string;
  readonly method?: string;
  readonly rawBody?: Uint8Array;
  readonly contentType?: string;
  /** Dialect endpoints: see {@link ProviderRequest.dialectHeaders}. */
  readonly dialectHeaders?: Readonly<Record<string, string>>;
}

/** What `buildRequest` returns: the upstream request and the parameters it had to drop. */
export interface BuiltRequest {
  /** The request to send. */
  readonly upstream: UpstreamRequest;
  /** Human-readable notes about dropped parameters (sent as `x-pk-warnings`). */
  readonly warnings: readonly string[];
}

/**
 * One item a stream transformer emits: a chunk's JSON text (with its SSE `event:` name in the dialects
 * that name events, Anthropic's and the Responses API's), or an error for an `event: error` frame.
 * An error's `data` is its frame's payload in the client's dialect (default: the OpenAI envelope).
 */
export type StreamOutput =
  | { readonly type: 'data'; readonly data: string; readonly event?: string }
  | { readonly type: 'error'; readonly envelope: OpenAIErrorEnvelope; readonly data?: string };

/** Where a stream transformer puts what it emits. */
export interface StreamSink {
  /** Emits one item; an `error` item ends the client's stream. */
  enqueue(output: StreamOutput): void;
}

/**
 * Vendor events → OpenAI stream items, called synchronously for each event and once at the end. A
 * plain object, not a web `TransformStream`: each stage of a web stream costs a promise per chunk and
 * several allocations per request, which showed up as the largest part of the streaming hot path.
 */
export interface StreamTransformer {
  /** One vendor event; emits zero or more items. Never throws: emits an `error` item instead. */
  transform(event: EventSourceMessage, sink: StreamSink): void;
  /** The vendor stream ended normally (not after a broken body): emits what is still due. */
  flush?(sink: StreamSink): void;
  /**
   * The item for an error the pipeline itself meets (a broken body, a bad frame), in the client's
   * dialect. Default: the OpenAI `event: error` envelope.
   */
  errorOutput?(envelope: OpenAIErrorEnvelope): StreamOutput;
  /**
   * The usage the vendor has reported so far, in OpenAI's shape (`undefined` when none yet): read once,
   * only when the stream ends without `onUsage` (cut, stopped by the consumer, or ended by an error),
   * so a transformer keeps the vendor's last counts as it already reads them and converts them here.
   * Anthropic's `message_start` carries the input tokens (and the output so far), Gemini every chunk
   * its `usageMetadata`; a vendor that reports usage only at its end has nothing to give.
   */
  usageSoFar?(): OpenAIUsage | undefined;
  /**
   * True once the vendor's stream has ended in its own terms though its body is still open (OpenAI's
   * `[DONE]`, the Responses API's `response.completed`, `.incomplete` or `.failed`, Anthropic's
   * `message_stop`, Cohere's `message-end`, Bedrock's `messageStop`, Gemini's finish reason for every
   * candidate: the vendor sends nothing after it that the answer needs): a body that breaks after that
   * lost nothing, and the stream ends as if the body had ended there (`flush`, then the done frame)
   * instead of with an error item. Never true after an error item. Default: only the body's end ends
   * the stream.
   */
  ended?(): boolean;
}

/** Vendor body bytes → events, fed chunk by chunk (the framing stage). */
export interface StreamDecoder {
  /** The events that `bytes` completes. Throws on bytes that cannot be framed. */
  push(bytes: Uint8Array): readonly EventSourceMessage[];
  /** The body ended: the events still held. Throws when it ended inside a frame. */
  end(): readonly EventSourceMessage[];
}

/** What a stream transformer is created with. */
export interface StreamTransformerOptions {
  /** The context of the call. */
  readonly context: ProviderContext;
  /** The prepared request (model, whether the client wants usage …). */
  readonly request: PreparedRequest;
  /** Called once with the usage seen in the stream, for logging and caching. */
  readonly onUsage: (usage: OpenAIUsage) => void;
}

/** Settings of the async authorization step that no request may change (they never come from a target). */
export interface ProviderAuthSettings {
  /**
   * Token endpoints a Google service account's `token_uri` may name besides
   * `https://oauth2.googleapis.com/token` (tests, private deployments). The account JSON can arrive in a
   * request header, so an untrusted `token_uri` would let a client make pk post signed assertions anywhere.
   */
  readonly trustedGoogleTokenUris?: readonly string[];
  /**
   * The gateway's own AWS credentials (`AWS_ASSUME_ROLE_ACCESS_KEY_ID`, `AWS_ASSUME_ROLE_SECRET_ACCESS_KEY`)
   * that sign STS `AssumeRole` for a Bedrock target with `aws_auth_type: assumedRole` and no access
   * key of its own. Unset: such a target must bring its own.
   */
  readonly awsAssumeRoleCredentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/** What an adapter's async {@link ProviderAdapter.authorize} step may use besides the call's context. */
export interface AuthorizeContext extends ProviderContext {
  /** The same network port the call uses (token exchanges go through it too). */
  readonly transport: Transport;
  /** Where exchanged tokens are kept until shortly before they expire (never module state). */
  readonly tokenCache: TokenCache;
  /** The engine's per-attempt signal. */
  readonly signal?: AbortSignal | undefined;
  /** Settings no request can change. */
  readonly settings: ProviderAuthSettings;
}

/** A feature or endpoint is supported, or not, with the vendor's doc page that shows it. */
export type Capability = true | { readonly unsupported: string };

/** What a provider offers, from its docs. Drives the README table and early 400s. */
export interface ProviderCapabilities {
  readonly chatCompletions: Capability;
  readonly completions: Capability;
  readonly embeddings: Capability;
  readonly passthrough: Capability;
  readonly streaming: Capability;
  readonly tools: Capability;
  readonly jsonMode: Capability;
  readonly imageInput: Capability;
  readonly reasoning: Capability;
}

/**
 * The wire format a provider speaks upstream, for the README's provider table: `openai` (OpenAI's
 * own API), `openai-compatible` (a vendor's OpenAI-compatible API), or the vendor's native API
 * (`vertex-ai`: Gemini's `generateContent` and Anthropic's Messages, by model).
 */
export type ProviderDialect =
  | 'openai'
  | 'openai-compatible'
  | 'azure-openai'
  | 'anthropic-messages'
  | 'cohere-chat-v2'
  | 'gemini-generate-content'
  | 'vertex-ai'
  | 'bedrock-converse';

/**
 * The contract every provider implements. All functions are pure; the network lives in `execute/`.
 * @see ../../README.md for the role of each file in a provider folder.
 */
export interface ProviderAdapter {
  /** Provider id. */
  readonly id: string;
  /** The vendor's API reference. */
  readonly docsUrl: string;
  /** The wire format it speaks upstream. */
  readonly dialect: ProviderDialect;
  /** What it offers. */
  readonly capabilities: ProviderCapabilities;
  /** OpenAI request → vendor request (pure). Throws `PkError` (400) for a request it must refuse. */
  buildRequest(request: PreparedRequest, context: ProviderContext): BuiltRequest;
  /**
   * Vendor JSON answer → OpenAI JSON answer (pure). Return `body` itself only when it needs no change:
   * that object goes back to the client (and into a cache) as the vendor's text. A changed answer must
   * be a new object; never change `body` in place.
   */
  parseResponse(body: unknown, request: PreparedRequest, context: ProviderContext): unknown;
  /** Vendor SSE events → OpenAI chunks. Never throws mid-stream: emits an error item instead. */
  createStreamTransformer(options: StreamTransformerOptions): StreamTransformer;
  /** Vendor error answer → {@link UpstreamError} (pure). */
  parseError(input: UpstreamErrorInput): UpstreamError;
  /**
   * Optional async step run after `buildRequest` and the forwarded headers, just before sending: sign
   * the request (AWS SigV4) or add a token exchanged for credentials (Google service accounts). Throws
   * `PkError` or `UpstreamError`, which become the call's outcome.
   */
  authorize?(upstream: UpstreamRequest, context: AuthorizeContext): Promise<UpstreamRequest>;
  /**
   * Optional, with `authorize`: after the provider answered 401 to `rejected` (the request as
   * `authorize` gave it), drop what made it (a cached token) and give the request authorized afresh
   * from `upstream` (as `authorize` got it), which is sent once more; `undefined` when nothing fresher
   * can be had (a token the caller gave), and the 401 stands. Throws like `authorize`.
   */
  reauthorize?(
    upstream: UpstreamRequest,
    rejected: UpstreamRequest,
    context: AuthorizeContext,
  ): Promise<UpstreamRequest | undefined>;
  /**
   * Optional, with `reauthorize`: whether an answer (its status and headers; the body is not read)
   * says the authorization itself is no longer accepted, so `reauthorize` is tried. Default: a 401.
   * Bedrock answers a revoked or expired session token with a 403 whose `x-amzn-errortype` says so.
   */
  rejectsAuthorization?(answer: Pick<UpstreamResponse, 'status' | 'headers'>): boolean;
  /**
   * Optional framing stage for a vendor whose stream is not SSE (Bedrock's binary event stream): a
   * decoder of body bytes → events for `createStreamTransformer`. Throwing (a bad frame, a body cut
   * inside a frame) ends the client stream with `PK_ERR_STREAM_INTERRUPTED`. Default: SSE parsing.
   */
  createStreamDecoder?(): StreamDecoder;
  /**
   * Client dialects this provider speaks natively, by endpoint (Anthropic's Messages API on Anthropic
   * and Claude on Vertex AI and Bedrock; the Responses API on OpenAI and Azure OpenAI). A dialect
   * request to a provider without one is translated to chat completions and back.
   */
  readonly nativeDialects?: Readonly<Partial<Record<DialectEndpoint, NativeDialectRoute>>>;
  /**
   * Optional, for a provider without pass-through whose own API lists its models (Anthropic): how
   * `GET /models` and `GET /models/{id}` are asked of it and answered in OpenAI's shape.
   */
  readonly modelList?: ModelListRoute;
  /**
   * Optional, for a provider without pass-through whose own APIs run batch jobs (Bedrock over S3 and
   * model invocation jobs): how OpenAI's files and batches calls are answered.
   */
  readonly filesAndBatches?: FilesAndBatchesRoute;
}

/** What a {@link FilesAndBatchesRoute} answers: OpenAI JSON, or bytes with their content type. */
export type FilesAndBatchesAnswer =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | {
      readonly kind: 'raw';
      readonly status: number;
      readonly contentType: string;
      readonly body: AsyncIterable<Uint8Array>;
    };

/** The network a {@link FilesAndBatchesRoute} runs over: authorized sends, failures thrown. */
export interface FilesAndBatchesExchange {
  /**
   * Sends the request (authorized by the adapter's `authorize`) and gives a 2xx answer; throws the
   * route's {@link FilesAndBatchesRoute.parseError} of any other.
   */
  send(upstream: UpstreamRequest): Promise<UpstreamResponse>;
  /** A 2xx answer's body as text (bounded as every answer read whole). */
  text(response: UpstreamResponse): Promise<string>;
}

/** What a {@link FilesAndBatchesRoute} knows of the client request beyond its body. */
export interface FilesAndBatchesScope {
  /**
   * A token of the client request (a UUID): the same for every attempt of it (a config's retries,
   * its fallbacks), another for every other request. A route sends it where the provider takes an
   * idempotency token, so that a retried create starts one job (Bedrock's `clientRequestToken`).
   */
  readonly requestToken: string;
}

/**
 * How a provider without pass-through answers OpenAI's files and batches calls from its own APIs
 * (several upstream calls each). Pure but for `run`, whose network is the given exchange.
 */
export interface FilesAndBatchesRoute {
  /** Whether a pass-through request is one of the calls this route answers. */
  accepts(request: Pick<ProviderRequest, 'path' | 'method'>): boolean;
  /** Answers it. Throws `PkError` (a request refused) and `UpstreamError`. */
  run(
    request: PreparedRequest,
    context: ProviderContext,
    exchange: FilesAndBatchesExchange,
    scope: FilesAndBatchesScope,
  ): Promise<FilesAndBatchesAnswer>;
  /** A failed upstream answer → {@link UpstreamError} (services that answer in XML too). */
  parseError(input: UpstreamErrorInput): UpstreamError;
}

/**
 * How a provider without pass-through answers OpenAI's `GET /models` (the list) and
 * `GET /models/{id}` (one model) from its own models API. Errors go through the adapter's
 * `parseError`.
 * @see https://platform.openai.com/docs/api-reference/models
 */
export interface ModelListRoute {
  /** `path` is `/models` or `/models/{id}` (no query) → the upstream GET (pure). */
  buildRequest(path: string, context: ProviderContext): BuiltRequest;
  /** The provider's answer → OpenAI's list (`{object: "list", data}`) or model object (pure). */
  parseResponse(json: unknown): unknown;
}

/**
 * How a provider answers a client dialect natively: the request in the dialect's own body, the answer
 * (JSON, or SSE events) returned in the dialect's own shape, errors through the adapter's `parseError`,
 * authorization through its `authorize`.
 */
export interface NativeDialectRoute {
  /**
   * Whether this call is answered natively (Bedrock, Vertex AI: Claude models only), from its body's
   * `model` alone (so a router can ask before any call). Default: always.
   */
  accepts?(request: Pick<PreparedRequest, 'body'>): boolean;
  /** Dialect request → upstream request (pure). */
  buildRequest(request: PreparedRequest, context: ProviderContext): BuiltRequest;
  /**
   * Framing of a stream that is not the dialect's SSE (Bedrock's event stream): bytes → the dialect's
   * events (`event` its type, `data` its JSON). Default: SSE parsing.
   */
  createStreamDecoder?(): StreamDecoder;
  /**
   * A `messages.count_tokens` answer in the vendor's own shape → Anthropic's `{"input_tokens": n}`
   * (Bedrock's CountTokens answers `{"inputTokens": n}`); throws on a body it cannot read. Default:
   * Anthropic's own answer, checked.
   */
  readCountTokensAnswer?(json: unknown, provider: string): unknown;
}

/** What an error transform reads. */
export interface UpstreamErrorInput {
  /** Provider id (an adapter shared by several providers needs it). */
  readonly provider: string;
  /** HTTP status. */
  readonly status: number;
  /** The body text (maybe not JSON). */
  readonly body: string;
  /** Response headers, lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Current time in ms (for `retry-after` HTTP dates). */
  readonly now: number;
}
