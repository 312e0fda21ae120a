import { createOpenAIStreamTransformer } from '../openai/stream.js';
import type { StreamTransformer, StreamTransformerOptions } from '../spec/provider-adapter.js';

/**
 * OpenAI-compatible streams take OpenAI's fast path; vendors that put usage in the last content chunk
 * (Mistral, Perplexity) are handled there too.
 */
export function createOpenAICompatibleStreamTransformer(
  options: StreamTransformerOptions,
): StreamTransformer {
  return createOpenAIStreamTransformer(options);
}
