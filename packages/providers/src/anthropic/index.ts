import type { ProviderAdapter } from '../spec/provider-adapter.js';
import { toAnthropicUpstreamError } from './errors.js';
import { anthropicModelList } from './models.js';
import { anthropicNativeCountTokens, anthropicNativeMessages } from './native-messages.js';
import { toAnthropicRequest } from './request.js';
import { fromAnthropicResponse } from './response.js';
import { createAnthropicStreamTransformer } from './stream.js';

const MESSAGES_API = 'https://docs.anthropic.com/en/api/messages';

/** The Anthropic adapter: OpenAI chat completions translated to and from the Messages API. */
export const anthropicAdapter = {
  id: 'anthropic',
  docsUrl: MESSAGES_API,
  dialect: 'anthropic-messages',
  capabilities: {
    chatCompletions: true,
    completions: { unsupported: 'https://docs.anthropic.com/en/api/complete' },
    embeddings: { unsupported: 'https://docs.anthropic.com/en/docs/build-with-claude/embeddings' },
    passthrough: { unsupported: 'https://docs.anthropic.com/en/api/overview' },
    streaming: true,
    tools: true,
    jsonMode: true,
    imageInput: true,
    reasoning: true,
  },
  buildRequest: toAnthropicRequest,
  parseResponse: fromAnthropicResponse,
  createStreamTransformer: createAnthropicStreamTransformer,
  parseError: toAnthropicUpstreamError,
  nativeDialects: { messages: anthropicNativeMessages, 'messages.count_tokens': anthropicNativeCountTokens },
  modelList: anthropicModelList,
} as const satisfies ProviderAdapter;
