import type { OpenAIUsage } from '../openai-format/usage.js';
import { openAIUsageOf } from '../shared/chunk-factory.js';
import type { BedrockTokenUsage } from './api.js';

/** Converse usage → OpenAI usage (cache reads and writes counted in the prompt, reads as `cached_tokens`). */
export function toOpenAIUsageFromBedrock(usage: BedrockTokenUsage | null | undefined): OpenAIUsage {
  const cacheRead = usage?.cacheReadInputTokens ?? 0;
  const prompt = (usage?.inputTokens ?? 0) + cacheRead + (usage?.cacheWriteInputTokens ?? 0);
  const openAIUsage = openAIUsageOf({
    prompt,
    completion: usage?.outputTokens ?? 0,
    ...(usage?.cacheReadInputTokens === undefined || usage.cacheReadInputTokens === null
      ? {}
      : { cached: cacheRead }),
  });
  const cacheWrite = usage?.cacheWriteInputTokens ?? 0;
  // Cache writes are priced apart: reported as Portkey and LiteLLM do, when any.
  return cacheWrite > 0 ? { ...openAIUsage, cache_creation_input_tokens: cacheWrite } : openAIUsage;
}
