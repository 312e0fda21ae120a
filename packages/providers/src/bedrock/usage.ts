import { cacheCreationSplit } from '../anthropic/usage.js';
import type { OpenAIUsage } from '../openai-format/usage.js';
import { openAIUsageOf } from '../shared/chunk-factory.js';
import type { BedrockTokenUsage } from './api.js';

/**
 * Converse usage → OpenAI usage (cache reads and writes counted in the prompt, reads as
 * `cached_tokens`, writes as `cache_creation_input_tokens` with their split by TTL, `cacheDetails`,
 * in Anthropic's terms: `cache_creation`).
 */
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
  if (cacheWrite <= 0) return openAIUsage;
  const details = usage?.cacheDetails;
  const tokensFor = (ttl: string) =>
    details?.reduce((sum, detail) => sum + (detail.ttl === ttl ? (detail.inputTokens ?? 0) : 0), 0);
  return {
    ...openAIUsage,
    cache_creation_input_tokens: cacheWrite,
    ...(details && details.length > 0
      ? { cache_creation: cacheCreationSplit(tokensFor('5m'), tokensFor('1h')) }
      : {}),
  };
}
