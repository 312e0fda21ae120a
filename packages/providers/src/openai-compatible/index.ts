import type { Capability, ProviderAdapter, ProviderCapabilities } from '../spec/provider-adapter.js';
import type { OpenAICompatibleConfig } from './config.js';
import { toOpenAICompatibleUpstreamError } from './errors.js';
import { toOpenAICompatibleRequest } from './request.js';
import { fromOpenAICompatibleResponse } from './response.js';
import { createOpenAICompatibleStreamTransformer } from './stream.js';

/** The shared adapter, configured for one OpenAI-compatible vendor. */
export function createOpenAICompatibleAdapter(config: OpenAICompatibleConfig): ProviderAdapter {
  const capability = (name: keyof ProviderCapabilities): Capability => {
    const docs = config.unsupported?.[name];
    return docs === undefined ? true : { unsupported: docs };
  };
  const capabilities: ProviderCapabilities = {
    chatCompletions: capability('chatCompletions'),
    completions: capability('completions'),
    embeddings: capability('embeddings'),
    passthrough: capability('passthrough'),
    streaming: capability('streaming'),
    tools: capability('tools'),
    jsonMode: capability('jsonMode'),
    imageInput: capability('imageInput'),
    reasoning: capability('reasoning'),
  };
  return {
    id: config.id,
    docsUrl: config.docsUrl,
    dialect: 'openai-compatible',
    capabilities,
    buildRequest: (request, context) => toOpenAICompatibleRequest(config, request, context),
    parseResponse: (body, request, context) => fromOpenAICompatibleResponse(config, body, request, context),
    createStreamTransformer: (options) => createOpenAICompatibleStreamTransformer(config, options),
    parseError: (input) => toOpenAICompatibleUpstreamError(config, input),
  };
}
