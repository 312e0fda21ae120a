import type { ChatCompletionChunk } from '../openai-format/chat-completion-chunk.js';
import { isJsonObject } from '../shared/json.js';

/**
 * Whether a chunk is Azure's filter-only opening chunk (`choices: []` with `prompt_filter_results`,
 * `id: ""`, `model: ""`, `created: 0`; Azure OpenAI, Azure AI, GitHub Models): it names no answer, so
 * a dialect translation starts its message at the next chunk, and the filter results, for which the
 * Messages and Responses APIs have no field, are not carried.
 * @see https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter#scenario-details
 */
export function isFilterOnlyChunk(chunk: Partial<ChatCompletionChunk>): boolean {
  return (
    Array.isArray(chunk.choices) &&
    chunk.choices.length === 0 &&
    !isJsonObject(chunk.usage) &&
    'prompt_filter_results' in chunk
  );
}
