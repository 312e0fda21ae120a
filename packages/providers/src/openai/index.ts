import type { ProviderAdapter } from '../spec/provider-adapter.js';
import { toOpenAIUpstreamError } from './errors.js';
import { nativeResponsesRoute } from './native-responses.js';
import { toOpenAIRequest } from './request.js';
import { fromOpenAIResponse } from './response.js';
import { createOpenAIStreamTransformer } from './stream.js';

/** The OpenAI adapter: a near pass-through; every OpenAI endpoint is available. */
export const openAIAdapter = {
  id: 'openai',
  docsUrl: 'https://platform.openai.com/docs/api-reference',
  dialect: 'openai',
  capabilities: {
    chatCompletions: true,
    completions: true,
    embeddings: true,
    passthrough: true,
    streaming: true,
    tools: true,
    jsonMode: true,
    imageInput: true,
    reasoning: true,
  },
  buildRequest: toOpenAIRequest,
  parseResponse: fromOpenAIResponse,
  createStreamTransformer: createOpenAIStreamTransformer,
  parseError: toOpenAIUpstreamError,
  nativeDialects: { responses: nativeResponsesRoute({ buildRequest: toOpenAIRequest }) },
} as const satisfies ProviderAdapter;
