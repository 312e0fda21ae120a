import { createAnthropicStreamTransformer } from '../anthropic/stream.js';
import { createGoogleStreamTransformer } from '../google/stream.js';
import type { StreamTransformer, StreamTransformerOptions } from '../spec/provider-adapter.js';
import { vertexAIModelRoute } from './location.js';

/** Vertex SSE → OpenAI chunks: Claude streams as Anthropic's events, Gemini streams as Google's chunks. */
export function createVertexAIStreamTransformer(options: StreamTransformerOptions): StreamTransformer {
  return vertexAIModelRoute(options.request.body.model).publisher === 'anthropic'
    ? createAnthropicStreamTransformer(options)
    : createGoogleStreamTransformer(options);
}
