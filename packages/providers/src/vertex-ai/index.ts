import type { ProviderAdapter } from '../spec/provider-adapter.js';
import { authorizeVertexAIRequest, reauthorizeVertexAIRequest } from './authorize.js';
import { toVertexAIUpstreamError } from './errors.js';
import { vertexAINativeCountTokens, vertexAINativeMessages } from './native-messages.js';
import { toVertexAIRequest } from './request.js';
import { fromVertexAIResponse } from './response.js';
import { createVertexAIStreamTransformer } from './stream.js';

/**
 * The Vertex AI adapter: Gemini (Google's format) and Claude (Anthropic's format) models on Vertex,
 * and text embeddings; a bearer token given as `api_key`, or one exchanged for
 * `vertex_service_account_json` by the `authorize` step (cached in the token cache passed in, and
 * exchanged afresh once when Vertex answers 401 to it).
 */
export const vertexAIAdapter = {
  id: 'vertex-ai',
  docsUrl: 'https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference',
  dialect: 'vertex-ai',
  capabilities: {
    chatCompletions: true,
    completions: {
      unsupported: 'https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference',
    },
    embeddings: true,
    passthrough: { unsupported: 'https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest' },
    streaming: true,
    tools: true,
    jsonMode: true,
    imageInput: true,
    reasoning: true,
  },
  buildRequest: toVertexAIRequest,
  parseResponse: fromVertexAIResponse,
  createStreamTransformer: createVertexAIStreamTransformer,
  parseError: toVertexAIUpstreamError,
  authorize: authorizeVertexAIRequest,
  reauthorize: reauthorizeVertexAIRequest,
  nativeDialects: { messages: vertexAINativeMessages, 'messages.count_tokens': vertexAINativeCountTokens },
} as const satisfies ProviderAdapter;
