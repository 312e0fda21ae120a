/**
 * Token usage as OpenAI reports it and pk's adapters return it for every provider
 * (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage):
 * `prompt_tokens` **includes** cached and cache-written prompt tokens, `completion_tokens` **includes**
 * reasoning tokens. Extra fields are ignored, so a provider's usage object can be passed as it is.
 */
export interface TokenUsage {
  readonly prompt_tokens?: number | null | undefined;
  readonly completion_tokens?: number | null | undefined;
  /**
   * Tells xAI's convention apart: its `completion_tokens` leave the reasoning tokens out, and its
   * total is prompt + completion + reasoning (OpenAI's is prompt + completion, reasoning inside).
   */
  readonly total_tokens?: number | null | undefined;
  readonly prompt_tokens_details?:
    | {
        /** Prompt tokens read from the provider's prompt cache. */
        readonly cached_tokens?: number | null | undefined;
        /**
         * Prompt tokens written to the cache, as OpenRouter names Anthropic's cache writes; used only
         * when `cache_creation_input_tokens` is absent.
         */
        readonly cache_write_tokens?: number | null | undefined;
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
  /**
   * DeepSeek's cache hits (its documented usage field, part of `prompt_tokens`); used only when
   * neither `prompt_tokens_details.cached_tokens` nor `cache_read_input_tokens` is there.
   */
  readonly prompt_cache_hit_tokens?: number | null | undefined;
  /**
   * Anthropic's split of the cache writes by lifetime (its `usage.cache_creation`, which pk's
   * adapters put beside `cache_creation_input_tokens`; Bedrock's `cacheDetails` in the same terms):
   * a 1-hour write costs 2× input, a 5-minute one 1.25×.
   */
  readonly cache_creation?:
    | {
        readonly ephemeral_5m_input_tokens?: number | null | undefined;
        readonly ephemeral_1h_input_tokens?: number | null | undefined;
      }
    | null
    | undefined;
  /**
   * `'duration'`: a speech-to-text usage in seconds of audio (OpenAI's transcription `usage`,
   * `{ type: 'duration', seconds }`), priced at the model's `per_audio_hour`.
   */
  readonly type?: string | undefined;
  /** Seconds of input audio, with `type: 'duration'`. */
  readonly seconds?: number | null | undefined;
}

/**
 * The seconds of audio a duration usage (`{ type: 'duration', seconds }`) reports; undefined for any
 * other usage, or one whose seconds are missing, negative or not finite.
 */
export function audioSecondsOf(usage: TokenUsage | null | undefined): number | undefined {
  if (usage === null || typeof usage !== 'object' || usage.type !== 'duration') return undefined;
  const seconds = usage.seconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * A usage split into disjoint parts, so no token is counted twice: the prompt is
 * `textInput + cachedInput + cacheWrite + cacheWrite1h + audioInput`, the completion
 * `textOutput + reasoning + audioOutput`.
 */
export interface TokenParts {
  /** All prompt tokens (selects a long-context tier). */
  readonly prompt: number;
  readonly textInput: number;
  readonly cachedInput: number;
  /** Cache writes of a 5-minute (or unreported) lifetime. */
  readonly cacheWrite: number;
  /** Cache writes of a 1-hour lifetime. */
  readonly cacheWrite1h: number;
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
  const promptDetails = usage.prompt_tokens_details;
  const completionDetails = usage.completion_tokens_details;
  // xAI reports reasoning beside completion_tokens, not inside: its total says so (prompt +
  // completion + reasoning), and the reasoning is added to the completion, as OpenAI counts it.
  const reasoningReported = countOf(completionDetails?.reasoning_tokens);
  const reportedCompletion = countOf(usage.completion_tokens);
  const reasoningOutside =
    reasoningReported > 0 && usage.total_tokens === prompt + reportedCompletion + reasoningReported;
  const completion = reasoningOutside ? reportedCompletion + reasoningReported : reportedCompletion;
  const cachedReported =
    typeof promptDetails?.cached_tokens === 'number'
      ? countOf(promptDetails.cached_tokens)
      : typeof usage.cache_read_input_tokens === 'number'
        ? countOf(usage.cache_read_input_tokens)
        : countOf(usage.prompt_cache_hit_tokens);
  const cachedInput = Math.min(cachedReported, prompt);
  // All writes (the total when reported, else the split's sum), then the hour's among them.
  const split = usage.cache_creation;
  const hourReported = countOf(split?.ephemeral_1h_input_tokens);
  const writesReported =
    typeof usage.cache_creation_input_tokens === 'number'
      ? countOf(usage.cache_creation_input_tokens)
      : typeof promptDetails?.cache_write_tokens === 'number'
        ? countOf(promptDetails.cache_write_tokens)
        : countOf(split?.ephemeral_5m_input_tokens) + hourReported;
  const writes = Math.min(writesReported, prompt - cachedInput);
  const cacheWrite1h = Math.min(hourReported, writes);
  const audioInput = Math.min(countOf(promptDetails?.audio_tokens), prompt - cachedInput - writes);
  const reasoning = Math.min(reasoningReported, completion);
  const audioOutput = Math.min(countOf(completionDetails?.audio_tokens), completion - reasoning);
  return {
    prompt,
    textInput: prompt - cachedInput - writes - audioInput,
    cachedInput,
    cacheWrite: writes - cacheWrite1h,
    cacheWrite1h,
    audioInput,
    textOutput: completion - reasoning - audioOutput,
    reasoning,
    audioOutput,
  };
}
