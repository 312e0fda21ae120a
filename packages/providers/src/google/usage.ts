import type { OpenAIUsage } from '../openai-format/usage.js';
import { openAIUsageOf } from '../shared/chunk-factory.js';
import type { GoogleUsageMetadata } from './api.js';

/**
 * Gemini `usageMetadata` → OpenAI usage: thinking tokens count as completion tokens (as OpenAI counts
 * reasoning) and are reported as `reasoning_tokens`; cached content as `cached_tokens`; tool-use
 * prompt tokens (what Google Search grounding or code execution fed back, billed as input) count as
 * prompt tokens, so prompt + completion is Gemini's `totalTokenCount`. Audio, by modality, is
 * `audio_tokens` (priced apart: Gemini 2.5 Flash's audio input is $1 per 1M, its text $0.30): the
 * prompt's less the cached content's, and the answer's.
 */
export function toOpenAIUsageFromGoogle(usage: GoogleUsageMetadata | null | undefined): OpenAIUsage {
  const thoughts = usage?.thoughtsTokenCount ?? undefined;
  const base = openAIUsageOf({
    prompt: (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0),
    completion: (usage?.candidatesTokenCount ?? 0) + (thoughts ?? 0),
    cached: usage?.cachedContentTokenCount ?? undefined,
    reasoning: thoughts,
  });
  const audioIn = Math.max(0, audioOf(usage?.promptTokensDetails) - audioOf(usage?.cacheTokensDetails));
  const audioOut = audioOf(usage?.candidatesTokensDetails);
  if (audioIn === 0 && audioOut === 0) return base;
  return {
    ...base,
    ...(audioIn > 0
      ? { prompt_tokens_details: { ...base.prompt_tokens_details, audio_tokens: audioIn } }
      : {}),
    ...(audioOut > 0
      ? { completion_tokens_details: { ...base.completion_tokens_details, audio_tokens: audioOut } }
      : {}),
  };
}

/** The audio tokens of a list of counts by modality. */
function audioOf(
  details:
    | readonly { modality?: string | null | undefined; tokenCount?: number | null | undefined }[]
    | null
    | undefined,
): number {
  let audio = 0;
  for (const detail of details ?? []) if (detail.modality === 'AUDIO') audio += detail.tokenCount ?? 0;
  return audio;
}
