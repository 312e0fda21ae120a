/**
 * Token usage as OpenAI reports it and pk's adapters return it for every provider
 * (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage):
 * `prompt_tokens` **includes** cached and cache-written prompt tokens, `completion_tokens` **includes**
 * reasoning tokens. Extra fields are ignored, so a provider's usage object can be passed as it is.
 */
export interface TokenUsage {
  readonly prompt_tokens?: number | null | undefined;
  readonly completion_tokens?: number | null | undefined;
  readonly prompt_tokens_details?:
    | {
        /** Prompt tokens read from the provider's prompt cache. */
        readonly cached_tokens?: number | null | undefined;
        readonly audio_tokens?: number | null | undefined;
      }
    | null
    | undefined;
  readonly completion_tokens_details?:
    | {
        readonly reasoning_tokens?: number | null | undefined;
        readonly audio_tokens?: number | null | undefined;
      }
    | null
    | undefined;
  /**
   * Anthropic-style: prompt tokens written to the prompt cache (part of `prompt_tokens`), as Portkey
   * and LiteLLM put it on an OpenAI-shaped usage.
   */
  readonly cache_creation_input_tokens?: number | null | undefined;
  /** Anthropic-style cache reads; used only when `prompt_tokens_details.cached_tokens` is absent. */
  readonly cache_read_input_tokens?: number | null | undefined;
}

/**
 * A usage split into disjoint parts, so no token is counted twice: the prompt is
 * `textInput + cachedInput + cacheWrite + audioInput`, the completion
 * `textOutput + reasoning + audioOutput`.
 */
export interface TokenParts {
  /** All prompt tokens (selects a long-context tier). */
  readonly prompt: number;
  readonly textInput: number;
  readonly cachedInput: number;
  readonly cacheWrite: number;
  readonly audioInput: number;
  readonly textOutput: number;
  readonly reasoning: number;
  readonly audioOutput: number;
}

/** A count as reported, or 0 when missing or not a finite non-negative number. */
function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Splits a usage into {@link TokenParts}. A part larger than what is left of its total is cut to it
 * (a provider that reports more cached tokens than prompt tokens is not trusted past the total).
 * Returns undefined when the usage has neither a prompt nor a completion count.
 */
export function tokenPartsOf(usage: TokenUsage | null | undefined): TokenParts | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  if (typeof usage.prompt_tokens !== 'number' && typeof usage.completion_tokens !== 'number')
    return undefined;
  const prompt = countOf(usage.prompt_tokens);
  const completion = countOf(usage.completion_tokens);
  const promptDetails = usage.prompt_tokens_details;
  const completionDetails = usage.completion_tokens_details;
  const cachedReported =
    typeof promptDetails?.cached_tokens === 'number'
      ? countOf(promptDetails.cached_tokens)
      : countOf(usage.cache_read_input_tokens);
  const cachedInput = Math.min(cachedReported, prompt);
  const cacheWrite = Math.min(countOf(usage.cache_creation_input_tokens), prompt - cachedInput);
  const audioInput = Math.min(countOf(promptDetails?.audio_tokens), prompt - cachedInput - cacheWrite);
  const reasoning = Math.min(countOf(completionDetails?.reasoning_tokens), completion);
  const audioOutput = Math.min(countOf(completionDetails?.audio_tokens), completion - reasoning);
  return {
    prompt,
    textInput: prompt - cachedInput - cacheWrite - audioInput,
    cachedInput,
    cacheWrite,
    audioInput,
    textOutput: completion - reasoning - audioOutput,
    reasoning,
    audioOutput,
  };
}
