import { createOpenAIStreamTransformer } from '../openai/stream.js';
import type { StreamTransformer, StreamTransformerOptions } from '../spec/provider-adapter.js';

/**
 * Azure streams are OpenAI's, with Azure's filter results kept as sent: each choice's
 * `content_filter_results`, and a first chunk that carries only `prompt_filter_results` (`choices: []`,
 * `object: ""`, `created: 0`), passed through with strict OpenAI compliance too, as Azure's own
 * clients read it there (the dialect translations skip it: `isFilterOnlyChunk`). A content-filter stop
 * arrives as `finish_reason: "content_filter"`.
 * @see https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter#scenario-details
 */
export function createAzureOpenAIStreamTransformer(options: StreamTransformerOptions): StreamTransformer {
  return createOpenAIStreamTransformer(options);
}
