import { type OpenAITokenLogprob, tokenLogprob } from '../shared/token-logprob.js';
import type { CohereLogprobItem } from './api.js';

/**
 * Cohere `logprobs` items → OpenAI `logprobs.content[]` entries (pure): one entry per item, its text as
 * the token and the sum of its tokens' log probabilities (the log probability of the text) as the
 * logprob. Cohere reports no alternatives: `top_logprobs` is empty.
 * @see https://docs.cohere.com/reference/chat#response.body.logprobs
 */
export function toOpenAITokenLogprobsFromCohere(items: readonly CohereLogprobItem[]): OpenAITokenLogprob[] {
  return items.map((item) =>
    tokenLogprob(
      item.text ?? '',
      (item.logprobs ?? []).reduce((sum, logprob) => sum + logprob, 0),
    ),
  );
}
