import type { OpenAIUsage } from '../openai-format/usage.js';
import { openAIUsageOf } from '../shared/chunk-factory.js';
import type { CohereUsage } from './api.js';

/** Cohere usage → OpenAI usage: `tokens` when sent, else `billed_units`. */
export function toOpenAIUsageFromCohere(usage: CohereUsage | null | undefined): OpenAIUsage {
  const counted = usage?.tokens ?? usage?.billed_units;
  return openAIUsageOf({ prompt: counted?.input_tokens ?? 0, completion: counted?.output_tokens ?? 0 });
}
