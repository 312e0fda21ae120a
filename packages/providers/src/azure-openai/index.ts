import { nativeResponsesRoute } from '../openai/native-responses.js';
import type { ProviderAdapter } from '../spec/provider-adapter.js';
import { toAzureOpenAIUpstreamError } from './errors.js';
import { AZURE_OPENAI_RESPONSES_API_VERSION, toAzureOpenAIRequest } from './request.js';
import { fromAzureOpenAIResponse } from './response.js';
import { createAzureOpenAIStreamTransformer } from './stream.js';

/** The Azure OpenAI adapter: OpenAI's wire format at Azure's URLs and auth. */
export const azureOpenAIAdapter = {
  id: 'azure-openai',
  docsUrl: 'https://learn.microsoft.com/en-us/azure/ai-services/openai/reference',
  dialect: 'azure-openai',
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
  buildRequest: toAzureOpenAIRequest,
  parseResponse: fromAzureOpenAIResponse,
  createStreamTransformer: createAzureOpenAIStreamTransformer,
  parseError: toAzureOpenAIUpstreamError,
  nativeDialects: {
    responses: nativeResponsesRoute({
      buildRequest: (request, context) =>
        toAzureOpenAIRequest(
          request,
          typeof context.target.api_version === 'string'
            ? context
            : { ...context, target: { ...context.target, api_version: AZURE_OPENAI_RESPONSES_API_VERSION } },
        ),
    }),
  },
} as const satisfies ProviderAdapter;
