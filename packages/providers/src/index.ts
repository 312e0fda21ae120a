export { toAnthropicUpstreamError } from './anthropic/errors.js';
export { anthropicAdapter } from './anthropic/index.js';
export { toAnthropicRequest } from './anthropic/request.js';
export { fromAnthropicResponse } from './anthropic/response.js';
export { createAnthropicStreamTransformer } from './anthropic/stream.js';
export { azureOpenAIAdapter } from './azure-openai/index.js';
export { toAzureOpenAIRequest } from './azure-openai/request.js';
export {
  type CallProviderOptions,
  callProvider,
  createProviderAttempt,
  type ProviderAnswer,
  type ProviderAttemptOutcome,
} from './execute/call-provider.js';
export type { SendOptions, Transport } from './execute/transport.js';
export { createUndiciTransportFromEnvironment } from './execute/transport-from-environment.js';
export {
  createUndiciTransport,
  type ProxySettings,
  type UndiciTransportOptions,
} from './execute/undici-transport.js';
export { toOpenAIUpstreamError } from './openai/errors.js';
export { openAIAdapter } from './openai/index.js';
export { toOpenAIRequest } from './openai/request.js';
export { createOpenAIStreamTransformer } from './openai/stream.js';
export type { OpenAICompatibleConfig } from './openai-compatible/config.js';
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
export { decodeEmbeddingBase64, encodeEmbeddingBase64 } from './shared/embeddings-base64.js';
export { isForwardableHeader, withForwardedHeaders } from './shared/forward-headers.js';
export type {
  BuiltRequest,
  Capability,
  PreparedRequest,
  ProviderAdapter,
  ProviderCapabilities,
  ProviderContext,
  ProviderEndpoint,
  ProviderRequest,
  ProviderTarget,
  StreamOutput,
  StreamTransformerOptions,
  UpstreamErrorInput,
} from './spec/provider-adapter.js';
export { isRetryableStatus, UpstreamError, type UpstreamErrorInit } from './spec/upstream-error.js';
export type { UpstreamRequest, UpstreamResponse } from './spec/upstream-request.js';
export { VERSION } from './version.js';
