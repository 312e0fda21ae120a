import type { OpenAIUsage } from '../openai-format/usage.js';
import { openAIUsageOf } from '../shared/chunk-factory.js';
import type { CohereUsage } from './api.js';

/**
 * Cohere usage → OpenAI usage: `billed_units`, what Cohere bills (https://docs.cohere.com/reference/chat:
 * "the number of billed input tokens"), else `tokens`, what the model processed, which counts
 * Cohere's own prompt template too (15× the billed input of a short prompt) and would overstate cost.
 */
export function toOpenAIUsageFromCohere(usage: CohereUsage | null | undefined): OpenAIUsage {
  const counted = usage?.billed_units ?? usage?.tokens;
  return openAIUsageOf({ prompt: counted?.input_tokens ?? 0, completion: counted?.output_tokens ?? 0 });
}
