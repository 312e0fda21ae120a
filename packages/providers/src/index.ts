export { toAnthropicUpstreamError } from './anthropic/errors.js';
export { anthropicAdapter } from './anthropic/index.js';
export { toAnthropicRequest } from './anthropic/request.js';
export { fromAnthropicResponse } from './anthropic/response.js';
export { createAnthropicStreamTransformer } from './anthropic/stream.js';
export { azureOpenAIAdapter } from './azure-openai/index.js';
export {
  AZURE_OPENAI_REALTIME_API_VERSION,
  toAzureOpenAIRealtimeRequest,
  toAzureOpenAIRequest,
} from './azure-openai/request.js';
export { toBedrockUpstreamError } from './bedrock/errors.js';
export { createBedrockEventStreamDecoder } from './bedrock/event-stream.js';
export { bedrockAdapter } from './bedrock/index.js';
export { toBedrockRequest } from './bedrock/request.js';
export { fromBedrockResponse } from './bedrock/response.js';
export { type BedrockSigningOptions, signBedrockRequest } from './bedrock/sign.js';
export { createBedrockStreamTransformer } from './bedrock/stream.js';
export { toCohereUpstreamError } from './cohere/errors.js';
export { cohereAdapter } from './cohere/index.js';
export { toCohereRequest } from './cohere/request.js';
export { fromCohereResponse } from './cohere/response.js';
export { createCohereStreamTransformer } from './cohere/stream.js';
export { anthropicMessagesDialect } from './dialects/anthropic-messages/index.js';
export type {
  ClientDialect,
  DialectStreamAccumulator,
  DialectTranslationContext,
  NativeDialectAnswer,
  TranslatedChatRequest,
} from './dialects/client-dialect.js';
export { isFilterOnlyChunk } from './dialects/filter-only-chunk.js';
export { openAIResponsesDialect } from './dialects/openai-responses/index.js';
export { CLIENT_DIALECTS, clientDialectOf } from './dialects/registry.js';
export { answersNatively, isDialectEndpoint } from './execute/call-dialect.js';
export {
  type CallProviderOptions,
  callProvider,
  createProviderAttempt,
  type ProviderAnswer,
  type ProviderAttemptOutcome,
} from './execute/call-provider.js';
export {
  type AddressGuard,
  CustomHostRefusedError,
  createAddressGuard,
  customHostRefusalOf,
  type LookupRequest,
  type ResolvedAddress,
} from './execute/guarded-lookup.js';
export type { StreamProgress } from './execute/stream-pipeline.js';
export type { SendOptions, Transport } from './execute/transport.js';
export {
  createUndiciTransportFromEnvironment,
  proxySettingsFromEnvironment,
} from './execute/transport-from-environment.js';
export {
  createUndiciTransport,
  type ProxySettings,
  type UndiciTransportOptions,
} from './execute/undici-transport.js';
export { bodyText, discardBody, toWebReadableStream } from './execute/upstream-body.js';
export { toGoogleUpstreamError } from './google/errors.js';
export { googleAdapter } from './google/index.js';
export { toGoogleRequest } from './google/request.js';
export { fromGoogleResponse } from './google/response.js';
export { createGoogleStreamTransformer } from './google/stream.js';
export { toOpenAIUpstreamError } from './openai/errors.js';
export { openAIAdapter } from './openai/index.js';
export { toOpenAIRequest } from './openai/request.js';
export { createOpenAIStreamTransformer } from './openai/stream.js';
export type {
  AuthHeader,
  BaseUrlOption,
  ErrorBodyShape,
  OpenAICompatibleConfig,
  StreamUsage,
  UrlOption,
} from './openai-compatible/config.js';
export { OPENAI_COMPATIBLE_CONFIGS, type OpenAICompatibleProviderId } from './openai-compatible/configs.js';
export { createOpenAICompatibleAdapter } from './openai-compatible/index.js';
export { type ChatCompletion, chatCompletionSchema } from './openai-format/chat-completion.js';
export {
  type ChatCompletionChunk,
  chatCompletionChunkSchema,
} from './openai-format/chat-completion-chunk.js';
export { type OpenAIChatRequest, openAIChatRequestSchema } from './openai-format/chat-completion-request.js';
export { type EmbeddingList, embeddingListSchema } from './openai-format/embedding.js';
export { type OpenAIUsage, openAIUsageSchema } from './openai-format/usage.js';
export {
  getProviderAdapter,
  isSupportedProviderId,
  PROVIDER_ADAPTERS,
  SUPPORTED_PROVIDER_IDS,
  type SupportedProviderId,
} from './registry/registry.js';
export { answerJsonOf, bodyJsonOf, rememberAnswerJson, rememberBodyJson } from './shared/body-json.js';
export { decodeEmbeddingBase64, encodeEmbeddingBase64 } from './shared/embeddings-base64.js';
export { isCredentialHeader, isForwardableHeader, withForwardedHeaders } from './shared/forward-headers.js';
export { chatMaxTokensField } from './shared/max-tokens-field.js';
export { createUtf8StreamDecoder, type Utf8StreamDecoder } from './shared/utf8-stream-decoder.js';
export type {
  AdapterEndpoint,
  AuthorizeContext,
  BuiltRequest,
  Capability,
  DialectEndpoint,
  FilesAndBatchesAnswer,
  FilesAndBatchesExchange,
  FilesAndBatchesRoute,
  FilesAndBatchesScope,
  NativeDialectRoute,
  PreparedRequest,
  ProviderAdapter,
  ProviderAuthSettings,
  ProviderCapabilities,
  ProviderContext,
  ProviderDialect,
  ProviderEndpoint,
  ProviderRequest,
  ProviderTarget,
  RawForm,
  StreamDecoder,
  StreamOutput,
  StreamSink,
  StreamTransformer,
  StreamTransformerOptions,
  UpstreamErrorInput,
} from './spec/provider-adapter.js';
export {
  type CachedToken,
  createMemoryTokenCache,
  isTokenFresh,
  type TokenCache,
} from './spec/token-cache.js';
export { isRetryableStatus, UpstreamError, type UpstreamErrorInit } from './spec/upstream-error.js';
export type { ByteStream, UpstreamRequest, UpstreamResponse } from './spec/upstream-request.js';
export { VERSION } from './version.js';
export { toVertexAIUpstreamError } from './vertex-ai/errors.js';
export { vertexAIAdapter } from './vertex-ai/index.js';
export { toVertexAIRequest } from './vertex-ai/request.js';
export { fromVertexAIResponse } from './vertex-ai/response.js';
export { createVertexAIStreamTransformer } from './vertex-ai/stream.js';
