import type { ProviderAdapter } from '../spec/provider-adapter.js';
import { toGoogleUpstreamError } from './errors.js';
import { toGoogleRequest } from './request.js';
import { fromGoogleResponse } from './response.js';
import { createGoogleStreamTransformer } from './stream.js';

/** The Google adapter: OpenAI chat completions and embeddings over the Gemini API (API key auth). */
export const googleAdapter = {
  id: 'google',
  docsUrl: 'https://ai.google.dev/api/generate-content',
  dialect: 'gemini-generate-content',
  capabilities: {
    chatCompletions: true,
    completions: { unsupported: 'https://ai.google.dev/api/generate-content' },
    embeddings: true,
    passthrough: { unsupported: 'https://ai.google.dev/gemini-api/docs/openai' },
    streaming: true,
    tools: true,
    jsonMode: true,
    imageInput: true,
    reasoning: true,
  },
  buildRequest: toGoogleRequest,
  parseResponse: fromGoogleResponse,
  createStreamTransformer: createGoogleStreamTransformer,
  parseError: toGoogleUpstreamError,
} as const satisfies ProviderAdapter;
