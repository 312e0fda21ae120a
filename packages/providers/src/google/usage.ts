import type { OpenAIUsage } from '../openai-format/usage.js';
import { openAIUsageOf } from '../shared/chunk-factory.js';
import type { GoogleUsageMetadata } from './api.js';

/**
 * Gemini `usageMetadata` → OpenAI usage: thinking tokens count as completion tokens (as OpenAI counts
 * reasoning) and are reported as `reasoning_tokens`; cached content as `cached_tokens`; tool-use
 * prompt tokens (what Google Search grounding or code execution fed back, billed as input) count as
 * prompt tokens, so prompt + completion is Gemini's `totalTokenCount`.
 */
export function toOpenAIUsageFromGoogle(usage: GoogleUsageMetadata | null | undefined): OpenAIUsage {
  const thoughts = usage?.thoughtsTokenCount ?? undefined;
  return openAIUsageOf({
    prompt: (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0),
    completion: (usage?.candidatesTokenCount ?? 0) + (thoughts ?? 0),
    cached: usage?.cachedContentTokenCount ?? undefined,
    reasoning: thoughts,
  });
}
