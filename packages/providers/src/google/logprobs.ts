import {
  choiceLogprobs,
  type OpenAIChoiceLogprobs,
  tokenLogprob,
  topLogprob,
} from '../shared/token-logprob.js';
import type { GoogleLogprobsResult } from './api.js';

/**
 * A candidate's `logprobsResult` → OpenAI's `choices[].logprobs` (pure): one entry per decoding step
 * (`chosenCandidates[i]`), with that step's `topCandidates[i]` as its `top_logprobs`. `null` when
 * Gemini sent none.
 * @see https://ai.google.dev/api/generate-content#LogprobsResult
 */
export function toOpenAILogprobsFromGoogle(
  result: GoogleLogprobsResult | null | undefined,
): OpenAIChoiceLogprobs | null {
  const chosen = result?.chosenCandidates;
  if (!chosen) return null;
  return choiceLogprobs(
    chosen.map((step, index) =>
      tokenLogprob(
        step.token ?? '',
        step.logProbability ?? 0,
        (result.topCandidates?.[index]?.candidates ?? []).map((alternative) =>
          topLogprob(alternative.token ?? '', alternative.logProbability ?? 0),
        ),
      ),
    ),
  );
}
