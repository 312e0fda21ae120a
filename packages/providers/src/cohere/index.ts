import type { ProviderAdapter } from '../spec/provider-adapter.js';
import { toCohereUpstreamError } from './errors.js';
import { toCohereRequest } from './request.js';
import { fromCohereResponse } from './response.js';
import { createCohereStreamTransformer } from './stream.js';

/** The Cohere adapter: OpenAI chat completions and embeddings over Cohere's v2 chat and embed APIs. */
export const cohereAdapter = {
  id: 'cohere',
  docsUrl: 'https://docs.cohere.com/reference/chat',
  dialect: 'cohere-chat-v2',
  capabilities: {
    chatCompletions: true,
    completions: { unsupported: 'https://docs.cohere.com/docs/migrating-v1-to-v2' },
    embeddings: true,
    passthrough: { unsupported: 'https://docs.cohere.com/reference/about' },
    streaming: true,
    tools: true,
    jsonMode: true,
    imageInput: true,
    reasoning: true,
  },
  buildRequest: toCohereRequest,
  parseResponse: fromCohereResponse,
  createStreamTransformer: createCohereStreamTransformer,
  parseError: toCohereUpstreamError,
} as const satisfies ProviderAdapter;
