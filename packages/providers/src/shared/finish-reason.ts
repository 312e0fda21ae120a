import type { FinishReason, OpenAIFinishReason } from '../openai-format/chat-completion.js';
import type { ProviderContext } from '../spec/provider-adapter.js';

/**
 * The `finish_reason` to answer: with native finish reasons on (strict OpenAI compliance off, as
 * Portkey) the vendor's own `native` as it came (`end_turn`, `MAX_TOKENS`, `COMPLETE` …), else OpenAI's
 * `mapped`. A vendor that gave none gets `mapped` either way.
 */
export function finishReasonFor(
  context: ProviderContext,
  native: string | null | undefined,
  mapped: OpenAIFinishReason,
): FinishReason {
  return context.nativeFinishReasons && typeof native === 'string' && native !== '' ? native : mapped;
}
